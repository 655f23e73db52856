"""The demo design `make run` seeds: a small e-commerce platform."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from . import models as m
from . import services

DEMO_DESIGN_NAME = "E-commerce platform (demo)"


@transaction.atomic
def build_demo_design(*, owner: AbstractBaseUser) -> m.Design:
    design = services.design_create(
        name=DEMO_DESIGN_NAME,
        summary=(
            "A web shop for ~200k daily shoppers: catalogue, cart, checkout with card payments, "
            "and order tracking. Orders and payments must never be lost; the catalogue may be "
            "seconds stale.\n\n*Demo design: edit anything.*"
        ),
        owner=owner,
    )
    m.ProblemContext.objects.create(
        design=design,
        problem_statement="Shoppers abandon checkout because the current shop is slow at peak and payments fail silently.",
        goals="Checkout p99 under 300 ms at peak\nNo lost orders\nLaunch in two regions within a year",
        stakeholders="Shoppers, support agents, warehouse staff, finance",
        scope_in="Catalogue, cart, checkout, payments, order history",
        scope_out="Marketplace sellers, loyalty programme",
    )
    m.LoadProfile.objects.create(
        design=design, daily_active_users=200_000, peak_concurrent_users=15_000, requests_per_user_per_day=40,
        peak_factor=5, reads_per_write=20, average_payload_kb=8, new_records_per_day=50_000,
        average_record_kb=2, retention_years=7,
    )
    m.FunctionalRequirement.objects.bulk_create([
        m.FunctionalRequirement(design=design, code="FR-1", title="Browse and search the catalogue", priority="must", position=1),
        m.FunctionalRequirement(design=design, code="FR-2", title="Pay for a cart with a card", priority="must", position=2),
        m.FunctionalRequirement(design=design, code="FR-3", title="Track an order's status", priority="should", position=3),
    ])
    m.NonFunctionalRequirement.objects.bulk_create([
        m.NonFunctionalRequirement(design=design, code="NFR-1", category="performance", title="Fast checkout",
                                   metric="p99 latency", comparator="<=", target_value=300, unit="ms", position=1),
        m.NonFunctionalRequirement(design=design, code="NFR-2", category="availability", title="Checkout availability",
                                   metric="monthly availability", comparator=">=", target_value=99.95, unit="%", position=2),
    ])
    m.ConsistencyNeed.objects.bulk_create([
        m.ConsistencyNeed(design=design, data_domain="payments", preference="consistency", consistency_model="strong", position=1),
        m.ConsistencyNeed(design=design, data_domain="catalogue", preference="availability", consistency_model="eventual", position=2),
    ])
    m.ArchitectureStyle.objects.create(
        design=design, style="microservices",
        rationale="Checkout and catalogue scale and release independently; three teams own them.",
    )
    names = [
        ("Web shop", "web_app", "Next.js", "Storefront UI", "storefront", False, ""),
        ("API gateway", "api_gateway", "Envoy", "Routing, auth, rate limits", "platform", False, ""),
        ("Catalogue service", "service", "Go", "Products and search", "catalogue", False, "Catalogue"),
        ("Order service", "service", "Java / Spring Boot", "Carts, orders, checkout", "checkout", False, "Ordering"),
        ("Payment service", "service", "Java / Spring Boot", "Card payments via the PSP", "checkout", False, "Payments"),
        ("Orders DB", "database", "PostgreSQL 16", "Orders and payments", "checkout", True, "Ordering"),
        ("Catalogue cache", "cache", "Redis 7", "Hot product pages", "catalogue", True, "Catalogue"),
        ("Order events", "queue", "Kafka", "Order lifecycle events", "platform", True, ""),
        ("Card PSP", "external", "Stripe", "Card processing", "", False, ""),
    ]
    comps = {}
    for i, (name, kind, tech, resp, team, stateful, ctx) in enumerate(names, 1):
        comps[name] = m.Component.objects.create(
            design=design, name=name, kind=kind, technology=tech, responsibility=resp, owning_team=team,
            stateful=stateful, bounded_context=ctx, position=i,
        )
    links = [
        ("Web shop", "API gateway", "sync", "https_rest", "All API calls", "pii"),
        ("API gateway", "Catalogue service", "sync", "grpc", "Product queries", "public"),
        ("API gateway", "Order service", "sync", "grpc", "Cart and checkout", "pii"),
        ("Order service", "Payment service", "sync", "grpc", "Authorise payment", "confidential"),
        ("Payment service", "Card PSP", "sync", "https_rest", "Card authorisation", "confidential"),
        ("Order service", "Orders DB", "sync", "sql", "Read and write orders", "pii"),
        ("Catalogue service", "Catalogue cache", "sync", "redis", "Cache-aside product pages", "public"),
        ("Order service", "Order events", "async", "kafka", "Publish order events", "internal"),
    ]
    for i, (src, dst, mode, proto, purpose, cls) in enumerate(links, 1):
        m.Interaction.objects.create(
            design=design, source=comps[src], target=comps[dst], mode=mode, protocol=proto, purpose=purpose,
            data_classification=cls, position=i,
        )
    adr = m.TechnologyDecision.objects.create(
        design=design, code="ADR-1", area="Order database", choice="PostgreSQL 16", status="accepted",
        context="Orders need transactions across order lines and payments.",
        justification="ACID, mature tooling, the team knows it.", consequences="Vertical limits; plan read replicas.",
        position=1,
    )
    m.DecisionAlternative.objects.create(
        design=design, decision=adr, option="DynamoDB", tradeoffs="Scales writes further but no multi-item transactions our checkout needs.", position=1,
    )
    services.design_changed(design)
    return design
