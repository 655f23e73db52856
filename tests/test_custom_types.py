"""Column types PostgreSQL must know: its parser for the syntax, the server for the name, and the
enums and domains a design declares (step 4's custom types), which the DDL creates first."""

from __future__ import annotations

import pytest
from django.db import connection

from designs import models as m
from designs.snapshot import load_snapshot
from outputs.sql import schema_sql
from tests.step_helpers import add_element, field_error

STEP = "database"
SCHEMA = "custom_types_test"


@pytest.fixture
def orders(design):
    component = m.Component.objects.create(design=design, name="orders-db", kind="database", position=1)
    store = m.DataStore.objects.create(design=design, component=component, engine="PostgreSQL 16", position=1)
    return m.Table.objects.create(design=design, store=store, name="orders", position=1)


def _column(client, design, table, data_type):
    return add_element(
        client,
        design,
        STEP,
        "columns",
        table=table.pk,
        name="state",
        data_type=data_type,
        nullable=True,
        on_delete="no_action",
    )


@pytest.mark.parametrize(
    ("data_type", "message"),
    [
        ("banana", "PostgreSQL has no type banana"),
        ("varchar(0)", "PostgreSQL refuses this type: length for type varchar must be at least 1."),
        ("int); DROP TABLE orders; --", "Use a PostgreSQL type such as"),
        ("order_status(3)", "PostgreSQL has no type order_status(3)"),
    ],
)
def test_it_refuses_a_type_postgresql_does_not_know_at_the_field(owner_client, design, orders, data_type, message):
    response = _column(owner_client, design, orders, data_type)

    assert message in field_error(response.content.decode(), "new-columns-data_type")
    assert not m.Column.objects.filter(table=orders).exists()


@pytest.mark.parametrize("data_type", ["numeric(12,2)", "timestamp with time zone", "uuid[]", "bigserial", "citext"])
def test_it_accepts_what_postgresql_accepts(owner_client, design, orders, data_type):
    _column(owner_client, design, orders, data_type)
    assert m.Column.objects.get(table=orders).data_type == data_type


def test_a_declared_enum_or_domain_is_a_type_the_columns_may_use(owner_client, design, orders):
    add_element(owner_client, design, STEP, "types", name="order_status", kind="enum", labels="placed\npaid\nshipped")
    add_element(
        owner_client,
        design,
        STEP,
        "types",
        name="money_cents",
        kind="domain",
        base_type="bigint",
        constraint="VALUE >= 0",
    )
    _column(owner_client, design, orders, "order_status")
    add_element(
        owner_client,
        design,
        STEP,
        "columns",
        table=orders.pk,
        name="total",
        data_type="money_cents",
        nullable=False,
        on_delete="no_action",
    )

    assert set(m.Column.objects.filter(table=orders).values_list("data_type", flat=True)) == {
        "order_status",
        "money_cents",
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "enum", "labels": ""}, "labels", "An enum needs at least one label"),
        ({"kind": "enum", "labels": "a\na"}, "labels", "Each label of an enum must be different."),
        ({"kind": "domain", "base_type": ""}, "base_type", "A domain needs the type it restricts"),
        ({"kind": "domain", "base_type": "banana"}, "base_type", "PostgreSQL has no type banana"),
        ({"kind": "domain", "base_type": "int", "constraint": "VALUE >"}, "constraint", "cannot read this condition"),
    ],
)
def test_it_refuses_a_custom_type_that_is_not_one(owner_client, design, fields, field, message):
    response = add_element(owner_client, design, STEP, "types", name="t", **fields)

    assert message in field_error(response.content.decode(), f"new-types-{field}")
    assert not m.CustomType.objects.exists()


def test_the_ddl_creates_the_types_first_and_applies(design, orders):
    m.CustomType.objects.create(design=design, name="order_status", kind="enum", labels="placed\nit's paid", position=1)
    m.CustomType.objects.create(
        design=design, name="money_cents", kind="domain", base_type="bigint", constraint="VALUE >= 0", position=2
    )
    m.Column.objects.create(
        design=design, table=orders, name="id", data_type="bigint", primary_key=True, nullable=False, position=1
    )
    m.Column.objects.create(design=design, table=orders, name="state", data_type="order_status", position=2)
    m.Column.objects.create(design=design, table=orders, name="total", data_type="money_cents", position=3)

    sql = schema_sql(load_snapshot(design))
    assert sql.index("CREATE TYPE order_status AS ENUM ('placed', 'it''s paid');") < sql.index("CREATE TABLE orders")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        cursor.execute(f"SET LOCAL search_path TO {SCHEMA}")
        cursor.execute(sql)
        cursor.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 ORDER BY a.attnum",
            [f"{SCHEMA}.orders"],
        )
        assert cursor.fetchall() == [("id", "bigint"), ("state", "order_status"), ("total", "money_cents")]
        cursor.execute("SELECT enum_range(NULL::order_status)::text")
        assert cursor.fetchone()[0] == '{placed,"it\'s paid"}'
