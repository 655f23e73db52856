"""The completeness rule of each step goes from unmet to met as the design fills in."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from designs import completeness as rules
from designs import models as m
from designs import services
from designs.completeness import Criterion, StepProgress, overall_percent
from designs.presentation import nav
from tests.step_helpers import component, create_url, new_data


def met(rule, design: m.Design, label: str) -> bool:
    criteria = {c.label: c.met for c in rule(design)}
    assert label in criteria, f"no criterion {label!r}: {sorted(criteria)}"
    return criteria[label]


def test_it_gives_no_credit_to_an_empty_design_in_steps_3_to_8(design):
    progress = services.compute_completeness(design)
    later_steps = ("api", "database", "security", "performance", "scalability", "deployment")
    assert {key: progress[key].met for key in later_steps} == dict.fromkeys(later_steps, 0)


def test_it_requires_a_measurable_target_on_every_nfr(design):
    label = "Every NFR has a measurable target"
    nfr = m.NonFunctionalRequirement.objects.create(design=design, code="NFR-1", category="performance", title="Fast")
    assert met(rules.requirements, design, "Non-functional requirements recorded")
    assert not met(rules.requirements, design, label)
    m.NonFunctionalRequirement.objects.filter(pk=nfr.pk).update(
        metric="p99 latency", comparator="<=", target_value=Decimal(200), unit="ms"
    )
    assert met(rules.requirements, design, label)


def test_it_requires_two_components(design):
    label = "At least two components"
    component(design, "orders")
    assert not met(rules.architecture, design, label)
    component(design, "orders-db", "database")
    assert met(rules.architecture, design, label)


def test_it_requires_an_error_response_on_every_endpoint(design):
    label = "Every endpoint documents an error response"
    assert not met(rules.api, design, label)
    ep = m.Endpoint.objects.create(
        design=design, service=component(design, "orders"), path="/orders/{id}", summary="One order"
    )
    assert not met(rules.api, design, label)
    m.EndpointError.objects.create(design=design, endpoint=ep, status=404, meaning="No such order")
    assert met(rules.api, design, label)


def test_it_requires_collection_endpoints_to_be_paginated(design):
    label = "Collection endpoints are paginated"
    assert not met(rules.api, design, label)
    ep = m.Endpoint.objects.create(
        design=design,
        service=component(design, "orders"),
        path="/orders",
        summary="List orders",
        response_example='[{"id": 1}]',
    )
    assert not met(rules.api, design, label)
    m.Endpoint.objects.filter(pk=ep.pk).update(paginated=True)
    assert met(rules.api, design, label)


def _table(design: m.Design, name: str) -> m.Table:
    store = m.DataStore.objects.get_or_create(
        design=design, component=component(design, "db", "database"), defaults={"engine": "PostgreSQL"}
    )[0]
    return m.Table.objects.create(design=design, store=store, name=name)


def test_it_requires_a_primary_key_on_every_table(design):
    label = "Every table has a primary key"
    assert not met(rules.database, design, label)
    orders = _table(design, "orders")
    m.Column.objects.create(design=design, table=orders, name="total", data_type="numeric(12,2)")
    assert not met(rules.database, design, label)
    m.Column.objects.create(
        design=design, table=orders, name="id", data_type="bigint", primary_key=True, nullable=False
    )
    assert met(rules.database, design, label)


def test_it_requires_every_foreign_key_to_lead_an_index(design):
    label = "Every foreign key is the leading column of an index"
    customers, orders = _table(design, "customers"), _table(design, "orders")
    customer_id = m.Column.objects.create(
        design=design, table=customers, name="id", data_type="bigint", primary_key=True, nullable=False
    )
    placed_at = m.Column.objects.create(design=design, table=orders, name="placed_at", data_type="timestamptz")
    fk = m.Column.objects.create(
        design=design, table=orders, name="customer_id", data_type="bigint", references=customer_id
    )
    assert not met(rules.database, design, label)
    trailing = m.Index.objects.create(design=design, table=orders, name="ix_orders_placed_customer")
    m.IndexColumn.objects.bulk_create(
        [
            m.IndexColumn(index=trailing, column=placed_at, position=0),
            m.IndexColumn(index=trailing, column=fk, position=1),
        ]
    )
    assert not met(rules.database, design, label)
    leading = m.Index.objects.create(design=design, table=orders, name="ix_orders_customer")
    m.IndexColumn.objects.create(index=leading, column=fk, position=0)
    assert met(rules.database, design, label)


def test_it_requires_backups_with_rpo_and_rto_for_databases(design):
    label = "Backups with RPO and RTO for every database"
    assert not met(rules.database, design, label)
    store = m.DataStore.objects.create(
        design=design,
        component=component(design, "db", "database"),
        engine="PostgreSQL",
        backup_schedule="nightly",
        rpo_minutes=5,
    )
    assert not met(rules.database, design, label)
    m.DataStore.objects.filter(pk=store.pk).update(rto_minutes=30)
    assert met(rules.database, design, label)


def test_it_requires_a_mitigation_for_every_threat(design):
    label = "Every threat has a mitigation"
    assert not met(rules.security, design, label)
    threat = m.Threat.objects.create(design=design, category="spoofing", description="Token theft")
    assert not met(rules.security, design, label)
    m.Threat.objects.filter(pk=threat.pk).update(mitigation="Short-lived tokens")
    assert met(rules.security, design, label)


def test_it_requires_hot_queries_to_map_to_indexes(design):
    label = "Hot queries mapped to indexes"
    query = m.HotQuery.objects.create(design=design, name="Orders of a customer")
    assert not met(rules.performance, design, label)
    index = m.Index.objects.create(design=design, table=_table(design, "orders"), name="ix_orders_customer")
    m.HotQuery.objects.filter(pk=query.pk).update(index=index)
    assert met(rules.performance, design, label)


def test_it_requires_idempotent_background_jobs(design):
    label = "Background jobs listed, each idempotent"
    assert not met(rules.performance, design, label)
    job = m.BackgroundJob.objects.create(design=design, name="send-receipt", trigger="order.paid")
    assert not met(rules.performance, design, label)
    m.BackgroundJob.objects.filter(pk=job.pk).update(idempotent=True)
    assert met(rules.performance, design, label)


def test_it_requires_a_scaling_rule_for_every_running_component(design):
    label = "Every running component has a scaling rule"
    component(design, "mobile", "client")
    orders = component(design, "orders")
    assert not met(rules.scalability, design, label)
    m.ScalingRule.objects.create(design=design, component=orders)
    assert met(rules.scalability, design, label)


def test_it_requires_capacity_for_horizontally_scaled_components(design):
    label = "Per-instance capacity given for horizontally scaled components"
    rule = m.ScalingRule.objects.create(design=design, component=component(design, "orders"), mode="horizontal")
    assert not met(rules.scalability, design, label)
    m.ScalingRule.objects.filter(pk=rule.pk).update(capacity_rps=Decimal(200))
    assert met(rules.scalability, design, label)


def test_it_requires_runbooks_on_alerts(design):
    label = "Alerts with runbooks"
    alert = m.Alert.objects.create(design=design, name="Errors", condition="5xx", threshold="2%")
    assert not met(rules.deployment, design, label)
    m.Alert.objects.filter(pk=alert.pk).update(runbook="https://runbooks.example/errors")
    assert met(rules.deployment, design, label)


def test_it_requires_disaster_recovery_targets(design):
    label = "Disaster recovery: RPO and RTO"
    settings = m.DisasterRecovery.objects.create(design=design, dr_rpo_minutes=15)
    assert not met(rules.deployment, design, label)
    m.DisasterRecovery.objects.filter(pk=settings.pk).update(dr_rto_minutes=60)
    assert met(rules.deployment, design, label)


def test_it_stores_the_new_figure_when_a_primary_key_is_added_through_the_form(owner_client, design):
    orders = _table(design, "orders")
    services.design_changed(design)
    design.refresh_from_db()
    assert "Every table has a primary key" in design.completeness["database"]["missing"]
    owner_client.post(
        create_url(design, "database", "columns"),
        new_data("columns", table=orders.pk, name="id", data_type="bigint", primary_key=True, on_delete="no_action"),
    )
    design.refresh_from_db()
    assert "Every table has a primary key" not in design.completeness["database"]["missing"]


# ---------------------------------------------------------------- one figure everywhere


def test_it_shows_a_step_with_nothing_met_as_zero_percent_in_every_place(owner_client, design):
    # A step with no criteria at all, and one never computed, have nothing done.
    assert StepProgress.of([]).percent == 0
    assert StepProgress.from_stored(None).percent == 0
    assert overall_percent([]) == 0
    assert StepProgress.of([Criterion("a", True), Criterion("b", False)]).percent == 50
    m.Design.objects.filter(pk=design.pk).update(completeness={}, overall_completeness=0)
    design.refresh_from_db()

    assert {item.percent for item in nav(design)} == {0}
    assert {item.state for item in nav(design)} == {"empty"}
    html = owner_client.get(reverse("designs:overview", args=[design.slug])).content.decode()
    assert "100%" not in html
    assert "0/0" in html


def test_it_stores_the_figures_the_navigation_shows(design):
    component(design, "orders")
    services.design_changed(design)
    design.refresh_from_db()

    computed = services.compute_completeness(design)
    assert [(item.step.key, item.met, item.total, item.percent) for item in nav(design)] == [
        (key, p.met, p.total, p.percent) for key, p in computed.items()
    ]
    assert design.overall_completeness == round(sum(p.percent for p in computed.values()) / len(computed))
