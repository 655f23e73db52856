"""Step 4, database architecture: data stores, tables, columns, indexes, migrations."""

from __future__ import annotations

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

STEP = "database"


def store(design: m.Design) -> m.DataStore:
    db = component(design, "orders-db", "database")
    return m.DataStore.objects.get_or_create(design=design, component=db, defaults={"engine": "PostgreSQL 16"})[0]


def table(design: m.Design, name: str, *columns: str) -> m.Table:
    """A table whose first listed column is its primary key."""
    t = m.Table.objects.create(design=design, store=store(design), name=name)
    for i, col in enumerate(columns):
        m.Column.objects.create(
            design=design, table=t, name=col, data_type="bigint", primary_key=i == 0, nullable=i != 0, position=i
        )
    return t


def store_fields(design: m.Design) -> dict:
    return {
        "component": component(design, "orders-db", "database").pk,
        "engine": "PostgreSQL 16",
        "purpose": "Orders and payments",
        "consistency_model": "strong",
        "replicas": 2,
        "replication": "async",
        "sharding_key": "",
        "encrypted_at_rest": True,
        "backup_schedule": "nightly + WAL",
        "rpo_minutes": 5,
        "rto_minutes": 30,
    }


def table_fields(design: m.Design) -> dict:
    return {
        "store": store(design).pk,
        "name": "order_lines",
        "description": "One row per item.",
        "partitioning": "",
        "partition_key": "",
    }


def column_fields(design: m.Design) -> dict:
    customers = table(design, "customers", "id")
    orders = table(design, "orders", "id")
    return {
        "table": orders.pk,
        "name": "customer_id",
        "data_type": "bigint",
        "nullable": False,
        "default": "",
        "primary_key": False,
        "unique": False,
        "references": customers.columns.get(name="id").pk,
        "on_delete": "cascade",
        "pii": False,
    }


def index_fields(design: m.Design) -> dict:
    orders = table(design, "orders", "id", "customer_id", "created_at")
    return {
        "table": orders.pk,
        "name": "ix_orders_customer",
        "column_names": "customer_id, created_at",
        "unique": False,
        "method": "btree",
        "condition": "",
        "serves_query": "orders of a customer",
    }


# The cases every element list is tested with, in tests/test_step_elements.py.
VALID = {
    "stores": (store_fields, m.DataStore, {"engine": "PostgreSQL 16", "replicas": 2}, "PostgreSQL 16"),
    "tables": (table_fields, m.Table, {"name": "order_lines"}, "order_lines"),
    "columns": (
        column_fields,
        m.Column,
        {"name": "customer_id", "references__table__name": "customers"},
        "customer_id",
    ),
    "indexes": (index_fields, m.Index, {"name": "ix_orders_customer"}, "customer_id, created_at"),
}


def test_it_stores_index_columns_in_the_order_typed(owner_client, design):
    owner_client.post(
        create_url(design, STEP, "indexes"),
        new_data("indexes", **{**index_fields(design), "column_names": "created_at, customer_id"}),
    )
    index = m.Index.objects.get(design=design)
    assert [c.name for c in index.ordered_columns()] == ["created_at", "customer_id"]


def test_it_reorders_index_columns_on_edit(owner_client, design):
    owner_client.post(create_url(design, STEP, "indexes"), new_data("indexes", **index_fields(design)))
    index = m.Index.objects.get(design=design)
    data = edit_data(
        "indexes", index, table=index.table_id, name=index.name, column_names="created_at, customer_id", method="btree"
    )
    response = owner_client.post(edit_url(design, STEP, "indexes", index.pk), data)
    assert response.status_code == 302
    assert [c.name for c in index.ordered_columns()] == ["created_at", "customer_id"]


def test_it_refuses_a_nullable_primary_key_and_saves_a_not_null_one(owner_client, design):
    t = table(design, "orders")
    fields = {"table": t.pk, "name": "id", "data_type": "uuid", "primary_key": True, "on_delete": "no_action"}
    response = owner_client.post(create_url(design, STEP, "columns"), new_data("columns", nullable=True, **fields))

    assert "A primary-key column is NOT NULL: untick nullable." in response.content.decode()
    assert not m.Column.objects.filter(table=t).exists()
    owner_client.post(create_url(design, STEP, "columns"), new_data("columns", nullable=False, **fields))
    col = m.Column.objects.get(table=t)
    assert (col.primary_key, col.nullable) == (True, False)


def _store_on_a_service(design):
    return {**store_fields(design), "component": component(design, "orders", "service").pk}


def _replicas_without_replication(design):
    return {**store_fields(design), "replication": "none"}


def _second_store_for_a_component(design):
    store(design)
    return store_fields(design)


def _partitioned_without_key(design):
    return {**table_fields(design), "partitioning": "range"}


def _table_name_taken(design):
    table(design, "ORDER_LINES")
    return table_fields(design)


def _table_name_with_space(design):
    return {**table_fields(design), "name": "order lines"}


def _bad_sql_type(design):
    return {**column_fields(design), "data_type": "varchar(abc"}


def _reference_to_a_non_unique_column(design):
    fields = column_fields(design)
    customers = m.Table.objects.get(design=design, name="customers")
    email = m.Column.objects.create(design=design, table=customers, name="email", data_type="text")
    return {**fields, "references": email.pk}


def _set_null_on_not_null(design):
    return {**column_fields(design), "on_delete": "set_null"}


def _duplicate_column(design):
    fields = column_fields(design)
    m.Column.objects.create(design=design, table_id=fields["table"], name="Customer_ID", data_type="bigint")
    return fields


def _index_column_not_in_table(design):
    return {**index_fields(design), "column_names": "customer_id, placed_at"}


def _index_column_twice(design):
    return {**index_fields(design), "column_names": "customer_id, CUSTOMER_ID"}


def _unique_hash_index(design):
    return {**index_fields(design), "unique": True, "method": "hash"}


INVALID = [
    ("stores", _store_on_a_service, "component", "Select a valid choice"),
    ("stores", _replicas_without_replication, "replication", "Read replicas need a replication mode."),
    ("stores", _second_store_for_a_component, "component", "Select a valid choice"),
    ("tables", _partitioned_without_key, "partition_key", "A partitioned table needs a partition key."),
    ("tables", _table_name_taken, "name", "already has the name"),
    ("tables", _table_name_with_space, "name", "Use letters, digits and underscores"),
    ("columns", _bad_sql_type, "data_type", "Use a PostgreSQL type"),
    ("columns", _reference_to_a_non_unique_column, "references", "Select a valid choice"),
    ("columns", _set_null_on_not_null, "on_delete", "SET NULL needs a nullable column."),
    ("columns", _duplicate_column, "name", "already has the name"),
    ("indexes", _index_column_not_in_table, "column_names", "orders has no column placed_at"),
    ("indexes", _index_column_twice, "column_names", "A column may appear only once in an index."),
    ("indexes", _unique_hash_index, "method", "A unique index must use B-tree."),
]


def test_it_refuses_a_reference_to_a_non_unique_column_in_the_model(design):
    customers = table(design, "customers", "id", "email")
    orders = table(design, "orders", "id")
    col = m.Column(
        design=design,
        table=orders,
        name="customer_email",
        data_type="text",
        references=customers.columns.get(name="email"),
    )
    with pytest.raises(ValidationError) as exc:
        col.full_clean()
    assert "neither a primary key nor unique" in exc.value.message_dict["references"][0]


def test_it_refuses_a_service_as_data_store_in_the_model(design):
    ds = m.DataStore(design=design, component=component(design, "orders", "service"), engine="PostgreSQL")
    with pytest.raises(ValidationError) as exc:
        ds.full_clean()
    assert "component" in exc.value.message_dict


def test_it_offers_only_databases_caches_and_search_as_data_stores(owner_client, design):
    for name, kind in [
        ("orders", "service"),
        ("orders-db", "database"),
        ("sessions", "cache"),
        ("catalogue-search", "search"),
        ("events", "queue"),
        ("files", "object_storage"),
    ]:
        component(design, name, kind)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert sorted(select_options(content, "new-stores-component")) == ["catalogue-search", "orders-db", "sessions"]


def test_it_offers_only_primary_key_and_unique_columns_as_references(owner_client, design):
    customers = table(design, "customers", "id", "email", "name")
    customers.columns.filter(name="email").update(unique=True)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert select_options(content, "new-columns-references") == ["customers.id", "customers.email"]


def test_it_saves_the_migration_strategy(owner_client, design, htmx_headers):
    data = section_data("migrations", migration_strategy="Expand, backfill, contract.", zero_downtime=True)
    response = owner_client.post(section_url(design, STEP, "migrations"), data, **htmx_headers)
    assert "Saved." in response.content.decode()
    settings = m.DatabaseSettings.objects.get(design=design)
    assert (settings.migration_strategy, settings.zero_downtime) == ("Expand, backfill, contract.", True)


def test_it_refuses_a_partition_key_that_is_not_a_column_of_the_table(design):
    t = table(design, "events", "id", "created_at")
    t.partitioning, t.partition_key = "range", "created"
    with pytest.raises(ValidationError) as refused:
        t.full_clean()
    assert refused.value.message_dict["partition_key"] == [
        "created is not a column of events; the partition key must be."
    ]
    t.partition_key = "created_at"
    t.full_clean()


def test_it_refuses_a_sharding_key_no_table_of_the_store_has(design):
    t = table(design, "accounts", "id", "tenant_id")
    ds = t.store
    ds.sharding_key = "tenant"
    with pytest.raises(ValidationError) as refused:
        ds.full_clean()
    assert "the sharding key must be one" in refused.value.message_dict["sharding_key"][0]
    ds.sharding_key = "tenant_id"
    ds.full_clean()
