"""Rules checked on the referencing side hold when the element it refers to is edited.

A data store's component must be a database, an index's columns belong to its table, a foreign
key references a primary key or unique column, and so on: editing the referenced element so that
a rule breaks is refused with a message on the field, so a design never breaks its own rules and
its document always imports again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.test import Client

from designs import models as m
from designs.document import export_design, import_design
from designs.steps import get_step
from tests.full_design import build_full_design
from tests.step_helpers import add_element, component, edit_data, edit_url, field_error


def _form_values(step: str, key: str, obj: models.Model) -> dict[str, Any]:
    """The element's saved values as its edit form posts them."""
    spec = next(spec for spec in get_step(step).elements if spec.key == key)
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in spec.fields}


def _edit(client: Client, step: str, key: str, obj: m.Element, *, htmx: bool = True, **changes: Any) -> HttpResponse:
    """POST the element's edit form, as htmx unless told otherwise, with `changes` over its saved values."""
    data = edit_data(key, obj, **{**_form_values(step, key, obj), **changes})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(edit_url(obj.design, step, key, obj.pk), data, **headers)


def _refused(response: HttpResponse, key: str, obj: m.Element, field: str) -> str:
    """The error shown next to the field; the element is left as it was saved."""
    assert response.status_code == 200
    saved = type(obj).objects.get(pk=obj.pk)
    assert (saved.version, getattr(saved, field)) == (obj.version, getattr(obj, field))
    return field_error(response.content.decode(), f"edit-{key}-{obj.pk}-{field}")


def _store(design: m.Design, name: str = "Orders DB", kind: str = "database") -> m.DataStore:
    return m.DataStore.objects.create(design=design, component=component(design, name, kind), engine="PostgreSQL")


def _table(design: m.Design, name: str, store: m.DataStore | None = None) -> m.Table:
    return m.Table.objects.create(design=design, store=store or _store(design), name=name)


def _column(table: m.Table, name: str, **extra: Any) -> m.Column:
    return m.Column.objects.create(design=table.design, table=table, name=name, data_type="bigint", **extra)


# Elements referring to a component through a reference that accepts only some kinds.
def _data_store(design: m.Design, target: m.Component) -> None:
    m.DataStore.objects.create(design=design, component=target, engine="PostgreSQL")


def _endpoints(design: m.Design, target: m.Component) -> None:
    for path in ("/orders", "/carts"):
        m.Endpoint.objects.create(design=design, service=target, path=path, summary="Orders")


def _cache_policy(design: m.Design, target: m.Component) -> None:
    m.CachePolicy.objects.create(design=design, layer="distributed", cached_data="Carts", cache_component=target)


def _job(design: m.Design, target: m.Component) -> None:
    m.BackgroundJob.objects.create(design=design, name="Send receipt", trigger="order.placed", queue=target)


def _scaling_rule(design: m.Design, target: m.Component) -> None:
    m.ScalingRule.objects.create(design=design, component=target)


def _deployments(design: m.Design, target: m.Component) -> None:
    for name in ("staging", "production"):
        environment = m.Environment.objects.create(design=design, name=name)
        m.DeploymentUnit.objects.create(design=design, environment=environment, component=target)


def _health_check(design: m.Design, target: m.Component) -> None:
    m.HealthCheck.objects.create(design=design, component=target, kind="readiness", probe="GET /ready")


ONE = "Change or delete it first."
MANY = "Change or delete them first."
KIND_LIMITS = [
    ("database", _data_store, "service", f"Orders is the component of 1 data store; a service can't be that. {ONE}"),
    (
        "service",
        _endpoints,
        "database",
        f"Orders is the owning service of 2 endpoints; a database can't be those. {MANY}",
    ),
    (
        "cache",
        _cache_policy,
        "database",
        f"Orders is the cache component of 1 cache policy; a database can't be that. {ONE}",
    ),
    ("queue", _job, "service", f"Orders is the queue component of 1 background job; a service can't be that. {ONE}"),
    ("service", _scaling_rule, "client", f"Orders is the component of 1 scaling rule; a client can't be that. {ONE}"),
    (
        "service",
        _deployments,
        "external",
        f"Orders is the component of 2 deployment units; an external system can't be those. {MANY}",
    ),
    ("worker", _health_check, "client", f"Orders is the component of 1 health check; a client can't be that. {ONE}"),
]


@pytest.mark.parametrize(("kind", "refer", "new_kind", "message"), KIND_LIMITS)
def test_it_refuses_a_component_kind_that_a_reference_does_not_accept(
    owner_client, design, kind, refer, new_kind, message
):
    target = component(design, "Orders", kind)
    refer(design, target)
    response = _edit(owner_client, "architecture", "components", target, kind=new_kind)
    assert _refused(response, "components", target, "kind") == message


def test_it_refuses_a_kind_change_without_javascript_too(owner_client, design):
    target = component(design, "Orders", "service")
    _endpoints(design, target)
    response = _edit(owner_client, "architecture", "components", target, htmx=False, kind="queue")
    assert _refused(response, "components", target, "kind").startswith("Orders is the owning service of 2 endpoints")


def test_it_names_every_reference_that_blocks_a_kind_change(owner_client, design):
    target = component(design, "Orders DB", "database")
    _data_store(design, target)
    _scaling_rule(design, target)
    _health_check(design, target)
    m.HealthCheck.objects.create(design=design, component=target, kind="liveness", probe="GET /live")
    response = _edit(owner_client, "architecture", "components", target, kind="client")
    assert _refused(response, "components", target, "kind") == (
        "Orders DB is the component of 1 data store, the component of 2 health checks and the component of "
        "1 scaling rule; a client can't be those. Change or delete them first."
    )


def test_it_allows_a_kind_every_reference_accepts(owner_client, design):
    target = component(design, "Orders DB", "database")
    _data_store(design, target)
    _scaling_rule(design, target)
    response = _edit(owner_client, "architecture", "components", target, kind="search", technology="OpenSearch")
    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.kind, target.technology) == ("search", "OpenSearch")


def test_it_allows_editing_a_referenced_component_that_keeps_its_kind(owner_client, design):
    target = component(design, "Orders", "service")
    _endpoints(design, target)
    response = _edit(owner_client, "architecture", "components", target, name="Order service")
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.name == "Order service"


def test_it_allows_any_kind_for_a_component_nothing_limits(owner_client, design):
    target = component(design, "Orders", "service")
    m.Interaction.objects.create(design=design, source=component(design, "Web"), target=target)
    response = _edit(owner_client, "architecture", "components", target, kind="external")
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.kind == "external"


def test_it_refuses_a_health_check_on_a_component_the_system_does_not_run(design):
    check = m.HealthCheck(
        design=design, component=component(design, "Card PSP", "external"), kind="liveness", probe="GET /status"
    )
    with pytest.raises(ValidationError) as refused:
        check.full_clean()
    assert refused.value.message_dict == {
        "component": ["Clients and external systems are not health-checked by this system."]
    }


def test_it_refuses_moving_an_indexed_column_to_another_table(owner_client, design):
    orders = _table(design, "orders")
    customers = _table(design, "customers", orders.store)
    created = _column(orders, "created_at")
    for name in ("orders_created", "orders_recent"):
        index = m.Index.objects.create(design=design, table=orders, name=name)
        m.IndexColumn.objects.create(index=index, column=created, position=0)
    response = _edit(owner_client, "database", "columns", created, table=customers.pk)
    assert _refused(response, "columns", created, "table") == (
        "created_at is in the indexes orders_created and orders_recent; it can't move to another table. "
        "Change or delete them first."
    )


def test_it_refuses_moving_a_referenced_column_to_another_table(owner_client, design):
    customers = _table(design, "customers")
    accounts = _table(design, "accounts", customers.store)
    key = _column(customers, "id", primary_key=True, nullable=False)
    _column(_table(design, "orders", customers.store), "customer_id", references=key)
    response = _edit(owner_client, "database", "columns", key, table=accounts.pk)
    assert _refused(response, "columns", key, "table") == (
        "id is referenced by orders.customer_id; it can't move to another table. Change or delete it first."
    )


def test_it_allows_moving_a_column_nothing_uses(owner_client, design):
    orders = _table(design, "orders")
    customers = _table(design, "customers", orders.store)
    note = _column(orders, "note")
    response = _edit(owner_client, "database", "columns", note, table=customers.pk)
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.table == customers


@pytest.mark.parametrize("field", ["primary_key", "unique"])
def test_it_refuses_a_referenced_column_that_is_neither_primary_key_nor_unique(owner_client, design, field):
    customers = _table(design, "customers")
    key = _column(customers, "id", nullable=False, **{field: True})
    orders = _table(design, "orders", customers.store)
    for name in ("customer_id", "billed_customer_id"):
        _column(orders, name, references=key)
    response = _edit(owner_client, "database", "columns", key, **{field: False})
    assert _refused(response, "columns", key, field) == (
        "id is referenced by orders.customer_id and orders.billed_customer_id, and a foreign key needs a primary "
        "key or unique column. Keep it one, or change or delete them first."
    )


def test_it_allows_a_referenced_primary_key_to_become_unique_instead(owner_client, design):
    customers = _table(design, "customers")
    key = _column(customers, "id", primary_key=True, nullable=False)
    _column(_table(design, "orders", customers.store), "customer_id", references=key)
    response = _edit(owner_client, "database", "columns", key, primary_key=False, unique=True)
    assert response.status_code == 200
    key.refresh_from_db()
    assert (key.primary_key, key.unique) == (False, True)


def test_it_refuses_moving_a_table_away_from_the_store_of_its_scaling_plan(owner_client, design):
    orders = _table(design, "orders")
    archive = _store(design, "Archive DB")
    for technique in ("partitioning", "sharding"):
        m.DataScaling.objects.create(design=design, store=orders.store, table=orders, technique=technique)
    response = _edit(owner_client, "database", "tables", orders, store=archive.pk)
    assert _refused(response, "tables", orders, "store") == (
        "orders is the table of 2 data scaling plans of its data store; it can't move to another data store. "
        "Change or delete them first."
    )


def test_it_allows_moving_a_table_no_scaling_plan_names(owner_client, design):
    orders = _table(design, "orders")
    archive = _store(design, "Archive DB")
    m.DataScaling.objects.create(design=design, store=orders.store, technique="read_replicas")
    response = _edit(owner_client, "database", "tables", orders, store=archive.pk)
    assert response.status_code == 200
    orders.refresh_from_db()
    assert orders.store == archive


def test_it_reads_no_stored_rows_while_importing(owner, monkeypatch):
    document = export_design(build_full_design(owner))

    def stored(*args: Any) -> None:
        pytest.fail("an import checks only new elements, which have no stored row")

    monkeypatch.setattr(m.Element, "stored", stored)
    import_design(document, owner=owner)


def test_it_keeps_a_design_importable_after_every_refused_edit(owner, owner_client):
    design = build_full_design(owner)
    by_name = {c.name: c for c in m.Component.objects.filter(design=design)}
    added = add_element(
        owner_client,
        design,
        "database",
        "stores",
        component=by_name["Session cache"].pk,
        engine="Redis 7",
        consistency_model="eventual",
        replicas=0,
        replication="none",
    )
    assert added.status_code == 200
    assert m.DataStore.objects.filter(component=by_name["Session cache"]).exists()
    document = export_design(design)
    column = {str(c): c for c in m.Column.objects.filter(design=design).select_related("table")}
    table = {t.name: t for t in m.Table.objects.filter(design=design)}
    cache_store = m.DataStore.objects.get(component=by_name["Session cache"])
    attempts = [
        ("architecture", "components", by_name["Orders DB"], {"kind": "service"}),
        ("architecture", "components", by_name["Orders service"], {"kind": "external"}),
        ("architecture", "components", by_name["API gateway"], {"kind": "load_balancer"}),
        ("architecture", "components", by_name["Session cache"], {"kind": "queue"}),
        ("architecture", "components", by_name["Order events"], {"kind": "service"}),
        ("database", "columns", column["orders.created_at"], {"table": table["customers"].pk}),
        ("database", "columns", column["customers.email"], {"table": table["orders"].pk}),
        ("database", "columns", column["customers.id"], {"primary_key": False}),
        ("database", "tables", table["orders"], {"store": cache_store.pk}),
    ]

    for step, key, obj, change in attempts:
        response = _edit(owner_client, step, key, obj, **change)
        [field] = change
        assert _refused(response, key, obj, field).endswith("first.")

    assert export_design(design) == document
    copy = import_design(document, owner=owner)
    assert export_design(copy) == document
