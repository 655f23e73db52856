"""A design that fills every field of every step with a non-default value.

`build_full_design` is deterministic (same names, values and order each time),
so documents, reports and diffs of it can be compared byte for byte. Every row
passes the model's full_clean(), as if entered through the forms.
test_document_roundtrip checks that no registry field is left at its default.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from designs import models as m
from designs import services

FULL_DESIGN_NAME = "Full design — every field “filled”"


def _add(model: type[Any], design: m.Design, **values: Any) -> Any:
    obj = model(design=design, **values)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def build_full_design(owner: AbstractBaseUser, *, name: str = FULL_DESIGN_NAME) -> m.Design:
    design = services.design_create(
        name=name, summary="An order platform.\n\n* **Orders** never lost\n* <em>escaped</em> & “quoted”", owner=owner
    )
    design.status = m.Design.Status.IN_REVIEW
    design.save(update_fields=["status"])

    # 1. Requirements
    _add(
        m.ProblemContext,
        design,
        problem_statement="Checkout is slow at peak.",
        goals="p99 < 300 ms\nNo lost orders",
        stakeholders="Shoppers, support",
        scope_in="Checkout, orders",
        scope_out="Loyalty programme",
    )
    _add(
        m.LoadProfile,
        design,
        daily_active_users=250_000,
        peak_concurrent_users=18_000,
        requests_per_user_per_day=Decimal("42.50"),
        peak_factor=Decimal("4.25"),
        reads_per_write=Decimal("12.5"),
        average_payload_kb=Decimal("6.75"),
        new_records_per_day=80_000,
        average_record_kb=Decimal("1.5"),
        retention_years=Decimal("7.5"),
    )
    place_order = _add(
        m.FunctionalRequirement,
        design,
        position=1,
        code="FR-1",
        title="Place an order",
        description="A shopper pays for a cart.",
        priority="must",
    )
    export_orders = _add(
        m.FunctionalRequirement,
        design,
        position=2,
        code="FR-2",
        title="Export orders",
        description="Finance downloads a CSV.",
        priority="could",
    )
    nfr = _add(
        m.NonFunctionalRequirement,
        design,
        position=1,
        code="NFR-1",
        category="performance",
        title="Fast checkout",
        metric="p99 latency",
        comparator="<=",
        target_value=Decimal("250.5"),
        unit="ms",
    )
    _add(
        m.NonFunctionalRequirement,
        design,
        position=2,
        code="NFR-2",
        category="availability",
        title="Checkout up",
        metric="monthly availability",
        comparator=">=",
        target_value=Decimal("99.95"),
        unit="%",
    )
    _add(
        m.ConsistencyNeed,
        design,
        position=1,
        data_domain="payments",
        preference="consistency",
        consistency_model="strong",
        rationale="Money must add up.",
    )
    _add(
        m.ConsistencyNeed,
        design,
        position=2,
        data_domain="catalogue",
        preference="availability",
        consistency_model="bounded_staleness",
        rationale="Seconds stale is fine.",
    )
    _add(m.ConstraintOrAssumption, design, position=1, kind="assumption", statement="Traffic doubles yearly.")

    # 2. Architecture
    _add(m.ArchitectureStyle, design, style="microservices", rationale="Teams release independently.")
    specs = [
        ("Web app <edge>", "web_app", "Next.js", "Storefront UI", "storefront", False, "Shop"),
        ("API gateway", "api_gateway", "Envoy", "Routing and auth", "platform", False, ""),
        ("Orders service", "service", "Go", "Carts and orders", "checkout", False, "Ordering"),
        ("Orders DB", "database", "PostgreSQL 16", "Orders", "checkout", True, "Ordering"),
        ("Session cache", "cache", "Redis 7", "Sessions and carts", "platform", True, ""),
        ("Order events", "queue", "Kafka", "Order lifecycle", "platform", True, ""),
        ("Card PSP", "external", "Stripe", "Card payments", "", False, ""),
    ]
    c = {
        spec[0]: _add(
            m.Component,
            design,
            position=i,
            name=spec[0],
            kind=spec[1],
            technology=spec[2],
            responsibility=spec[3],
            owning_team=spec[4],
            stateful=spec[5],
            bounded_context=spec[6],
        )
        for i, spec in enumerate(specs, 1)
    }
    # Traceability links, listed against page order so the snapshot's ordering is exercised.
    c["Orders service"].requirements.set([export_orders, place_order])
    c["Web app <edge>"].requirements.set([place_order])
    _add(
        m.Interaction,
        design,
        position=1,
        source=c["Web app <edge>"],
        target=c["API gateway"],
        mode="sync",
        protocol="https_rest",
        purpose="All API calls",
        data_classification="pii",
        tls=True,
    )
    _add(
        m.Interaction,
        design,
        position=2,
        source=c["API gateway"],
        target=c["Orders service"],
        mode="sync",
        protocol="grpc",
        purpose="Checkout",
        data_classification="confidential",
        tls=False,
    )
    _add(
        m.Interaction,
        design,
        position=3,
        source=c["Orders service"],
        target=c["Order events"],
        mode="async",
        protocol="kafka",
        purpose="Order placed",
        data_classification="internal",
    )
    # The same pair twice: its document key is numbered (“… #2”).
    second_publish = _add(
        m.Interaction,
        design,
        position=4,
        source=c["Orders service"],
        target=c["Order events"],
        mode="replication",
        protocol="amqp",
        purpose="Order cancelled",
        data_classification="public",
    )
    adr = _add(
        m.TechnologyDecision,
        design,
        position=1,
        code="ADR-1",
        area="Order database",
        choice="PostgreSQL 16",
        status="accepted",
        context="Orders need transactions.",
        justification="ACID and known.",
        consequences="Plan read replicas.",
    )
    _add(m.DecisionAlternative, design, position=1, decision=adr, option="DynamoDB", tradeoffs="No multi-item ACID.")

    # 3. API
    _add(
        m.ApiSettings,
        design,
        style="grpc",
        base_path="/api/v2",
        versioning="header",
        pagination="offset",
        rate_limits="100 requests/min per user",
        error_format="application/problem+json (custom)",
    )
    place = _add(
        m.Endpoint,
        design,
        position=1,
        service=c["Orders service"],
        method="POST",
        path="/orders",
        summary="Place an order",
        auth_required=True,
        roles_scopes="orders:write",
        request_example='{"sku": "A-1", "qty": 2}',
        success_status=201,
        response_example='{"id": 7}',
        idempotent=True,
        paginated=False,
        exposes_classification="pii",
    )
    place.requirements.set([place_order])
    _add(
        m.Endpoint,
        design,
        position=2,
        service=c["API gateway"],
        method="GET",
        path="/orders/{id}/items",
        summary="List order items",
        auth_required=False,
        roles_scopes="",
        request_example="",
        success_status=200,
        response_example='{"items": []}',
        idempotent=False,
        collection="yes",
        paginated=True,
        exposes_classification="public",
    )
    _add(
        m.EndpointError,
        design,
        position=1,
        endpoint=place,
        status=409,
        meaning="Order already placed",
        example='{"type": "about:blank", "status": 409}',
    )

    # 4. Database
    _add(m.DatabaseSettings, design, migration_strategy="Expand/contract with backfills.", zero_downtime=True)
    store = _add(
        m.DataStore,
        design,
        position=1,
        component=c["Orders DB"],
        engine="PostgreSQL 16",
        purpose="Orders and payments",
        consistency_model="read_your_writes",
        replicas=2,
        replication="async",
        sharding_key="customer_id",
        encrypted_at_rest=True,
        backup_schedule="Nightly + WAL",
        rpo_minutes=5,
        rto_minutes=30,
    )
    _add(
        m.CustomType,
        design,
        position=1,
        name="order_status",
        kind="enum",
        labels="placed\npaid\nshipped",
        description="An order's life",
    )
    _add(
        m.CustomType,
        design,
        position=2,
        name="email_address",
        kind="domain",
        base_type="varchar(200)",
        constraint="VALUE LIKE '%@%'",
    )
    orders = _add(
        m.Table,
        design,
        position=1,
        store=store,
        name="orders",
        description="One row per order.",
        partitioning="range",
        partition_key="created_at",
    )
    customers = _add(m.Table, design, position=2, store=store, name="customers", description="Shoppers.")
    col = {}
    for i, (table, name, data_type, extra) in enumerate(
        [
            (orders, "id", "bigint", {"primary_key": True, "nullable": False}),
            (orders, "customer_id", "bigint", {"on_delete": "set_null"}),
            (orders, "created_at", "timestamptz", {"default": "now()", "nullable": False}),
            (customers, "id", "bigint", {"primary_key": True, "nullable": False, "on_delete": "cascade"}),
            (customers, "email", "varchar(200)", {"unique": True, "pii": True, "on_delete": "restrict"}),
        ],
        1,
    ):
        col[f"{table.name}.{name}"] = _add(
            m.Column, design, position=i, table=table, name=name, data_type=data_type, **extra
        )
    # A reference to a column further down the list: import must resolve it after the list.
    col["orders.customer_id"].references = col["customers.id"]
    col["orders.customer_id"].full_clean()
    col["orders.customer_id"].save()
    by_customer = _add(
        m.Index,
        design,
        position=1,
        table=orders,
        name="orders_customer_created",
        unique=True,
        method="btree",
        condition="customer_id IS NOT NULL",
        serves_query="Orders of a customer",
    )
    email = _add(
        m.Index,
        design,
        position=2,
        table=customers,
        name="customers_email_trgm",
        unique=False,
        method="gin",
        condition="",
        serves_query="Find customers by email",
    )
    m.IndexColumn.objects.bulk_create(
        [
            m.IndexColumn(index=by_customer, column=col["orders.customer_id"], position=0),
            m.IndexColumn(index=by_customer, column=col["orders.created_at"], position=1),
            m.IndexColumn(index=email, column=col["customers.email"], position=0),
        ]
    )

    # 5. Security
    _add(
        m.SecuritySettings,
        design,
        authorization_model="hybrid",
        tls_in_transit="TLS 1.3 everywhere",
        key_management="KMS with yearly rotation",
        secrets_management="Vault",
        pii_handling="Emails hashed in logs",
        retention_and_deletion="Orders 7 years",
        audit_logging="Admin actions, 1 year",
    )
    jwt = _add(
        m.AuthMethod,
        design,
        position=1,
        name="Shopper JWT",
        kind="jwt",
        used_by="Web app",
        access_token_minutes=15,
        refresh_token_days=30,
        refresh_rotation=True,
        notes="Rotated on use.",
    )
    _add(m.AuthMethod, design, position=2, name="Service mTLS", kind="mtls", used_by="Services", notes="Mesh")
    _add(
        m.AuthFlowStep,
        design,
        position=1,
        method=jwt,
        actor_from="Browser",
        actor_to="API gateway",
        message="POST /login",
    )
    _add(
        m.AuthFlowStep,
        design,
        position=2,
        method=jwt,
        actor_from="API gateway",
        actor_to="Browser",
        message="access + refresh token",
    )
    admin = _add(m.SecurityRole, design, position=1, name="admin", description="Runs the shop")
    _add(m.SecurityRole, design, position=2, name="shopper", description="Buys things")
    _add(m.PermissionGrant, design, position=1, role=admin, resource="orders", action="manage")
    _add(
        m.Threat,
        design,
        position=1,
        category="spoofing",
        target_component=c["API gateway"],
        description="Stolen tokens replayed.",
        likelihood="high",
        impact="high",
        mitigation="Short-lived tokens.",
        status="mitigated",
    )
    _add(
        m.Threat,
        design,
        position=2,
        category="information_disclosure",
        target_interaction=second_publish,
        description="Events leak emails.",
        likelihood="low",
        impact="low",
        mitigation="",
        status="accepted",
    )
    _add(m.ComplianceRegime, design, position=1, regime="gdpr", notes="EU shoppers")
    _add(m.ComplianceRegime, design, position=2, regime="pci_dss", notes="Card data stays at the PSP")

    # 6. Performance
    _add(
        m.PerformanceSettings,
        design,
        connection_pooling="PgBouncer, 50 per service",
        load_balancing="least_connections",
        lb_health_checks="GET /ready every 5 s",
    )
    _add(m.PerformanceBudget, design, position=1, endpoint=place, p50_ms=80, p95_ms=150, p99_ms=250)
    _add(m.PerformanceBudget, design, position=2, nfr=nfr, p99_ms=300)
    _add(
        m.CachePolicy,
        design,
        position=1,
        layer="distributed",
        cached_data="Carts",
        pattern="read_through",
        ttl_seconds=900,
        invalidation="On checkout",
        cache_component=c["Session cache"],
    )
    _add(
        m.HotQuery,
        design,
        position=1,
        name="Orders of a customer",
        sql="SELECT * FROM orders WHERE customer_id = $1",
        calls_per_second=Decimal("120.5"),
        index=by_customer,
    )
    _add(
        m.BackgroundJob,
        design,
        position=1,
        name="Send receipt",
        trigger="order.placed",
        queue=c["Order events"],
        retry_policy="5 attempts, then DLQ",
        idempotent=True,
    )

    # 7. Scalability
    _add(
        m.ScalingRule,
        design,
        position=1,
        component=c["Orders service"],
        mode="horizontal",
        stateless=True,
        min_instances=3,
        max_instances=12,
        autoscale_metric="CPU",
        autoscale_threshold="70%",
        capacity_rps=Decimal("350.25"),
        peak_share_percent=Decimal("62.5"),
    )
    _add(
        m.ScalingRule,
        design,
        position=2,
        component=c["Orders DB"],
        mode="vertical",
        stateless=False,
        min_instances=1,
        max_instances=1,
        requests_per_user_per_day=Decimal("12.5"),
    )
    _add(
        m.DataScaling,
        design,
        position=1,
        store=store,
        technique="partitioning",
        table=orders,
        notes="Monthly partitions",
    )
    _add(
        m.Bottleneck,
        design,
        position=1,
        kind="spof",
        component=c["Orders DB"],
        description="One primary.",
        mitigation="Hot standby",
    )
    _add(m.RoadmapPhase, design, position=1, name="Phase 2", trigger_metric="2,000 req/s", changes="Read replicas")

    # 8. Deployment
    _add(
        m.ReleasePlan,
        design,
        hosting="AWS eu-west-1",
        orchestration="Kubernetes (EKS)",
        release_strategy="canary",
        rollback_procedure="Shift traffic back",
        feature_flags="Unleash",
        zero_downtime_migrations="Expand/contract",
    )
    _add(
        m.Observability,
        design,
        metrics="Prometheus",
        structured_logs=True,
        logging_notes="JSON with correlation ids",
        tracing="OpenTelemetry",
    )
    _add(
        m.DisasterRecovery,
        design,
        dr_backups="Cross-region snapshots",
        dr_rpo_minutes=15,
        dr_rto_minutes=60,
        dr_regions="eu-central-1",
    )
    staging = _add(m.Environment, design, position=1, name="staging", purpose="Pre-release", region="eu-west-1")
    production = _add(m.Environment, design, position=2, name="production", purpose="Live", region="eu-west-1")
    _add(
        m.DeploymentUnit,
        design,
        position=1,
        environment=staging,
        component=c["Orders service"],
        image="registry/orders:1.4",
        instances=1,
    )
    _add(
        m.DeploymentUnit,
        design,
        position=2,
        environment=production,
        component=c["Orders service"],
        image="registry/orders:1.4",
        instances=6,
    )
    _add(m.PipelineStage, design, position=1, stage="build", name="Build image", tooling="Docker", gate="Compiles")
    _add(m.PipelineStage, design, position=2, stage="scan", name="Scan image", tooling="Trivy", gate="No critical CVEs")
    _add(
        m.HealthCheck,
        design,
        position=1,
        component=c["Orders service"],
        kind="readiness",
        probe="GET /ready every 10 s",
    )
    _add(
        m.Alert,
        design,
        position=1,
        name="Checkout errors",
        condition="5xx rate",
        threshold="> 2% for 5 min",
        severity="critical",
        runbook="https://runbooks.example/checkout",
    )
    _add(
        m.Slo,
        design,
        position=1,
        name="Checkout latency",
        sli="Share of checkouts under 300 ms",
        target_percent=Decimal("99.95"),
        window_days=28,
    )

    services.design_changed(design)
    return design
