"""Rules an architect would expect the tool to hold, found in exploratory testing.

Each is tried through the real form POST: refused with the message under the field, nothing saved.
"""

from __future__ import annotations

import pytest

from designs import models as m
from designs.document import DocumentError, export_design, import_design
from tests.step_helpers import (
    add_element,
    component,
    edit_data,
    edit_url,
    field_error,
    section_data,
    section_url,
    select_options,
    step_url,
)


def _endpoint_fields(design, **extra):
    service = m.Component.objects.filter(design=design, name="orders").first() or component(design, "orders")
    return {
        "service": service.pk,
        "method": "GET",
        "path": "/orders",
        "summary": "List orders",
        "success_status": 200,
        "exposes_classification": "internal",
        **extra,
    }


@pytest.mark.parametrize("example", ["NaN", "Infinity", '{"total": -Infinity}'])
def test_it_refuses_json_examples_that_only_python_reads(owner_client, design, example):
    response = add_element(
        owner_client, design, "api", "endpoints", **_endpoint_fields(design, response_example=example)
    )
    assert "is not a JSON value" in field_error(response.content.decode(), "new-endpoints-response_example")
    assert not m.Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/orders?status=open", "no spaces, query string or fragment"),
        ("/orders/{id", "Path parameters are written {name}"),
        ("/orders/{a/b}", "Path parameters are written {name}"),
    ],
)
def test_it_refuses_malformed_paths(owner_client, design, path, message):
    response = add_element(owner_client, design, "api", "endpoints", **_endpoint_fields(design, path=path))
    assert message in field_error(response.content.decode(), "new-endpoints-path")
    assert not m.Endpoint.objects.exists()


@pytest.mark.parametrize("path", ["/orders/{id}", "/orders/{orderId}/"])
def test_it_refuses_a_path_that_routes_like_another(owner_client, design, path):
    add_element(owner_client, design, "api", "endpoints", **_endpoint_fields(design, path="/orders/{orderId}"))
    response = add_element(owner_client, design, "api", "endpoints", **_endpoint_fields(design, path=path))
    assert "same route as GET /orders/{orderId}" in field_error(response.content.decode(), "new-endpoints-path")
    assert m.Endpoint.objects.count() == 1


def test_it_allows_the_same_route_with_another_method(owner_client, design):
    add_element(owner_client, design, "api", "endpoints", **_endpoint_fields(design, path="/orders/{orderId}"))
    add_element(
        owner_client, design, "api", "endpoints", **_endpoint_fields(design, path="/orders/{id}", method="DELETE")
    )
    assert m.Endpoint.objects.count() == 2


def _orders_table(design):
    db = component(design, "orders-db", "database")
    store = m.DataStore.objects.create(design=design, component=db, engine="PostgreSQL 16")
    table = m.Table.objects.create(design=design, store=store, name="orders")
    for i, (name, data_type) in enumerate([("id", "uuid"), ("customer_id", "bigint"), ("status", "text")]):
        m.Column.objects.create(
            design=design, table=table, name=name, data_type=data_type, primary_key=i == 0, nullable=i != 0, position=i
        )
    return table


def test_it_refuses_a_hash_index_on_several_columns(owner_client, design):
    table = _orders_table(design)
    response = add_element(
        owner_client,
        design,
        "database",
        "indexes",
        table=table.pk,
        name="ix_orders_hash",
        column_names="customer_id, status",
        method="hash",
    )
    assert "A hash index has exactly one column" in field_error(response.content.decode(), "new-indexes-column_names")
    assert not m.Index.objects.exists()


def test_it_refuses_a_hash_index_on_several_columns_on_import(owner, design):
    table = _orders_table(design)
    index = m.Index.objects.create(design=design, table=table, name="ix_orders", method="btree")
    for n, name in enumerate(["customer_id", "status"]):
        m.IndexColumn.objects.create(index=index, column=table.columns.get(name=name), position=n)
    document = export_design(design)
    document["steps"]["database"]["indexes"][0]["method"] = "hash"
    with pytest.raises(DocumentError) as refused:
        import_design(document, owner=owner)
    assert ("/steps/database/indexes/0/columns", "A hash index has exactly one column; use B-tree for several.") in (
        refused.value.errors
    )


def _add_parent_id(client, design, table, references, **extra):
    """POST a bigint column parent_id of `table` referencing `references`."""
    return add_element(
        client,
        design,
        "database",
        "columns",
        table=table.pk,
        name="parent_id",
        data_type="bigint",
        nullable=True,
        references=references.pk,
        on_delete="no_action",
        **extra,
    )


def test_it_refuses_a_foreign_key_between_different_types(owner_client, design):
    table = _orders_table(design)
    response = _add_parent_id(owner_client, design, table, table.columns.get(name="id"))  # id is a uuid
    assert "a foreign key needs the same type on both sides" in field_error(
        response.content.decode(), "new-columns-references"
    )
    assert not table.columns.filter(name="parent_id").exists()


def test_it_accepts_a_foreign_key_between_compatible_types(owner_client, design):
    table = _orders_table(design)
    key = table.columns.get(name="id")
    m.Column.objects.filter(pk=key.pk).update(data_type="bigserial")
    response = _add_parent_id(owner_client, design, table, key, htmx=False)
    assert response.status_code == 302
    assert table.columns.get(name="parent_id").references_id == key.pk


def test_it_refuses_retyping_a_referenced_column(owner_client, design, htmx_headers):
    table = _orders_table(design)
    key = table.columns.get(name="id")
    m.Column.objects.create(design=design, table=table, name="parent_id", data_type="uuid", references=key, position=9)
    data = edit_data(
        "columns", key, table=table.pk, name="id", data_type="bigint", primary_key=True, on_delete="no_action"
    )
    response = owner_client.post(edit_url(design, "database", "columns", key.pk), data, **htmx_headers)
    assert "referenced by orders.parent_id" in field_error(
        response.content.decode(), f"edit-columns-{key.pk}-data_type"
    )
    key.refresh_from_db()
    assert key.data_type == "uuid"


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [("-5", "ms", "A target can't be negative."), ("150", "%", "A percentage can't be more than 100.")],
)
def test_it_refuses_impossible_nfr_targets(owner_client, design, value, unit, message):
    response = add_element(
        owner_client,
        design,
        "requirements",
        "nonfunctional",
        category="availability",
        title="Up",
        metric="availability",
        comparator=">=",
        target_value=value,
        unit=unit,
    )
    assert field_error(response.content.decode(), "new-nonfunctional-target_value") == message
    assert not m.NonFunctionalRequirement.objects.exists()


def test_it_offers_only_components_without_a_scaling_rule(owner_client, design):
    ruled = component(design, "orders")
    component(design, "payments")
    rule = m.ScalingRule.objects.create(design=design, component=ruled, capacity_rps=100)
    page = owner_client.get(step_url(design, "scalability"), {"edit": f"scaling:{rule.pk}"}).content.decode()
    assert select_options(page, "new-scaling-component") == ["payments"]
    # The rule being edited still offers its own component.
    assert select_options(page, f"edit-scaling-{rule.pk}-component") == ["orders", "payments"]


@pytest.mark.parametrize(
    ("path", "message"),
    [("/a//b", "no empty segments"), ("/a/{id}/b/{id}", "Each path parameter may appear only once.")],
)
def test_it_refuses_paths_openapi_would_not_take(owner_client, design, path, message):
    response = add_element(owner_client, design, "api", "endpoints", **_endpoint_fields(design, path=path))
    assert message in field_error(response.content.decode(), "new-endpoints-path")


def test_it_refuses_a_negative_query_rate(owner_client, design):
    response = add_element(
        owner_client, design, "performance", "hot_queries", name="Orders by customer", calls_per_second="-3"
    )
    assert field_error(response.content.decode(), "new-hot_queries-calls_per_second") == "A rate can't be negative."
    assert not m.HotQuery.objects.exists()


def test_it_refuses_a_second_budget_for_the_same_endpoint(owner_client, design):
    endpoint = m.Endpoint.objects.create(
        design=design, service=component(design, "orders"), path="/orders", summary="List"
    )
    m.PerformanceBudget.objects.create(design=design, endpoint=endpoint, p99_ms=500)
    response = add_element(owner_client, design, "performance", "budgets", endpoint=endpoint.pk, p99_ms=600)
    assert "already has a budget" in field_error(response.content.decode(), "new-budgets-endpoint")
    assert m.PerformanceBudget.objects.count() == 1


def test_it_refuses_the_same_permission_in_other_letter_case(owner_client, design):
    role = m.SecurityRole.objects.create(design=design, name="support")
    m.PermissionGrant.objects.create(design=design, role=role, resource="Orders", action="read")
    response = add_element(
        owner_client, design, "security", "permissions", role=role.pk, resource="orders", action="read"
    )
    assert "already may read" in field_error(response.content.decode(), "new-permissions-resource")
    assert m.PermissionGrant.objects.count() == 1


def test_it_refuses_more_concurrent_users_than_daily_users(owner_client, design):
    data = section_data("load", daily_active_users=200_000, peak_concurrent_users=5_000_000)
    response = owner_client.post(section_url(design, "requirements", "load"), data, HTTP_HX_REQUEST="true")
    assert "More users at once than use the system in a day" in field_error(
        response.content.decode(), "load-peak_concurrent_users"
    )
    assert not m.LoadProfile.objects.filter(design=design).exists()
