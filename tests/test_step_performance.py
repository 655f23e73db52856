"""Step 6, performance optimization: budgets, caching, hot queries, jobs, pooling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from designs import models as m
from tests.step_helpers import (
    component,
    create_url,
    edit_data,
    edit_url,
    new_data,
    section_data,
    section_url,
    select_options,
    step_url,
)

STEP = "performance"


def endpoint(design: m.Design) -> m.Endpoint:
    return m.Endpoint.objects.get_or_create(
        design=design,
        method="GET",
        path="/orders",
        defaults={"service": component(design, "orders"), "summary": "List"},
    )[0]


def nfr(design: m.Design) -> m.NonFunctionalRequirement:
    return m.NonFunctionalRequirement.objects.create(
        design=design, code="NFR-1", category="performance", title="Fast checkout"
    )


def index(design: m.Design) -> m.Index:
    ds = m.DataStore.objects.create(
        design=design, component=component(design, "orders-db", "database"), engine="PostgreSQL"
    )
    table = m.Table.objects.create(design=design, store=ds, name="orders")
    return m.Index.objects.create(design=design, table=table, name="ix_orders_customer")


def budget_fields(design: m.Design) -> dict:
    return {"endpoint": endpoint(design).pk, "nfr": "", "p50_ms": 50, "p95_ms": 150, "p99_ms": 300}


def cache_fields(design: m.Design) -> dict:
    return {
        "layer": "distributed",
        "cached_data": "Product pages",
        "pattern": "cache_aside",
        "ttl_seconds": 300,
        "invalidation": "Evict on product.updated",
        "cache_component": component(design, "redis", "cache").pk,
    }


def hot_query_fields(design: m.Design) -> dict:
    return {
        "name": "Orders of a customer",
        "sql": "SELECT * FROM orders WHERE customer_id = $1",
        "calls_per_second": "120.5",
        "index": index(design).pk,
    }


def job_fields(design: m.Design) -> dict:
    return {
        "name": "send-receipt",
        "trigger": "order.paid",
        "queue": component(design, "events", "queue").pk,
        "retry_policy": "5 attempts, exponential backoff, then DLQ",
        "idempotent": True,
    }


# The cases every element list is tested with, in tests/test_step_elements.py.
VALID = {
    "budgets": (budget_fields, m.PerformanceBudget, {"endpoint__path": "/orders", "p99_ms": 300}, "GET /orders"),
    "caching": (
        cache_fields,
        m.CachePolicy,
        {"cached_data": "Product pages", "cache_component__name": "redis"},
        "Product pages",
    ),
    "hot_queries": (
        hot_query_fields,
        m.HotQuery,
        {"name": "Orders of a customer", "calls_per_second": Decimal("120.5"), "index__name": "ix_orders_customer"},
        "Orders of a customer",
    ),
    "jobs": (
        job_fields,
        m.BackgroundJob,
        {"name": "send-receipt", "queue__name": "events", "idempotent": True},
        "send-receipt",
    ),
}


def test_it_accepts_a_budget_for_an_nfr(owner_client, design):
    target = nfr(design)
    owner_client.post(
        create_url(design, STEP, "budgets"),
        new_data("budgets", **{**budget_fields(design), "endpoint": "", "nfr": target.pk}),
    )
    assert m.PerformanceBudget.objects.get(design=design).nfr == target


def _percentiles_decreasing(design):
    return {**budget_fields(design), "p95_ms": 400}


def _budget_for_nothing(design):
    return {**budget_fields(design), "endpoint": ""}


def _budget_for_availability(design):
    target = m.NonFunctionalRequirement.objects.create(
        design=design, code="NFR-2", category="availability", title="Up", metric="uptime", unit="%"
    )
    return {**budget_fields(design), "nfr": target.pk}


def test_it_accepts_a_budget_for_an_endpoint_and_the_latency_nfr_it_serves(owner_client, design):
    target = m.NonFunctionalRequirement.objects.create(
        design=design, code="NFR-3", category="performance", title="Checkout p99", metric="p99 latency", unit="ms"
    )
    fields = {**budget_fields(design), "nfr": target.pk}
    owner_client.post(create_url(design, STEP, "budgets"), new_data("budgets", **fields))
    budget = m.PerformanceBudget.objects.get(design=design)
    assert budget.nfr == target and budget.endpoint is not None


def _distributed_cache_without_component(design):
    return {**cache_fields(design), "cache_component": ""}


def _cache_on_a_service(design):
    return {**cache_fields(design), "cache_component": component(design, "orders", "service").pk}


def _job_queue_on_a_database(design):
    return {**job_fields(design), "queue": component(design, "orders-db", "database").pk}


def _job_name_taken(design):
    m.BackgroundJob.objects.create(design=design, name="Send-Receipt", trigger="cron")
    return job_fields(design)


def _calls_not_a_number(design):
    return {**hot_query_fields(design), "name": "q", "calls_per_second": "abc"}


INVALID = [
    ("budgets", _percentiles_decreasing, "p99_ms", "Percentiles must not decrease: p50 ≤ p95 ≤ p99."),
    ("budgets", _budget_for_nothing, "endpoint", "Choose the endpoint or the NFR this budget is for."),
    ("budgets", _budget_for_availability, "nfr", "NFR-2 Up is not about latency"),
    ("caching", _distributed_cache_without_component, "cache_component", "names its cache component"),
    ("caching", _cache_on_a_service, "cache_component", "Select a valid choice"),
    ("jobs", _job_queue_on_a_database, "queue", "Select a valid choice"),
    ("jobs", _job_name_taken, "name", "already has the name"),
    ("hot_queries", _calls_not_a_number, "calls_per_second", "Enter a number."),
]


def test_it_refuses_a_service_as_job_queue_in_the_model(design):
    job = m.BackgroundJob(design=design, name="x", trigger="cron", queue=component(design, "orders"))
    with pytest.raises(ValidationError) as exc:
        job.full_clean()
    assert "queue" in exc.value.message_dict


def test_it_offers_only_caches_and_cdns_as_cache_components(owner_client, design):
    for name, kind in [("redis", "cache"), ("edge", "cdn"), ("orders", "service"), ("orders-db", "database")]:
        component(design, name, kind)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert sorted(select_options(content, "new-caching-cache_component")) == ["edge", "redis"]


def test_it_offers_only_queues_for_jobs(owner_client, design):
    for name, kind in [("events", "queue"), ("orders", "service"), ("worker", "worker")]:
        component(design, name, kind)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert select_options(content, "new-jobs-queue") == ["events"]


def test_it_edits_a_budget(owner_client, design):
    budget = m.PerformanceBudget.objects.create(design=design, endpoint=endpoint(design), p99_ms=300)
    data = edit_data("budgets", budget, endpoint=budget.endpoint_id, p50_ms=40, p95_ms=120, p99_ms=250)
    response = owner_client.post(edit_url(design, STEP, "budgets", budget.pk), data)
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.p50_ms, budget.p99_ms) == (40, 250)


def test_it_saves_pooling_and_load_balancing(owner_client, design, htmx_headers):
    data = section_data(
        "pooling",
        connection_pooling="PgBouncer, 50 per service",
        load_balancing="least_connections",
        lb_health_checks="GET /readyz every 5 s",
    )
    response = owner_client.post(section_url(design, STEP, "pooling"), data, **htmx_headers)
    assert "Saved." in response.content.decode()
    settings = m.PerformanceSettings.objects.get(design=design)
    assert (settings.load_balancing, settings.lb_health_checks) == ("least_connections", "GET /readyz every 5 s")
