"""The DBML export of step 4, parsed back by pydbml: the same tables, columns, references and indexes."""

from __future__ import annotations

import pytest
from pydbml import PyDBML
from pydbml.classes import Expression

from designs.snapshot import DesignSnapshot, load_snapshot
from outputs.dbml import dbml_default, dbml_name, dbml_string, schema_dbml
from tests.diagram_helpers import snapshot_of, starter_snapshot, wide_schema_snapshot
from tests.full_design import build_full_design
from tests.large_design import build_large_design

ON_DELETE = {
    "no_action": "no action",
    "restrict": "restrict",
    "cascade": "cascade",
    "set_null": "set null",
    "set_default": "set default",
}


def _full_name(table) -> str:
    return table.name if table.schema == "public" else f"{table.schema}.{table.name}"


def _parsed(snapshot: DesignSnapshot) -> PyDBML:
    return PyDBML(schema_dbml(snapshot))


def _assert_same_schema(snapshot: DesignSnapshot) -> PyDBML:
    """Tables, their columns (name, type, pk, not null, unique) and references as the design holds them."""
    parsed = _parsed(snapshot)
    tables = {_full_name(t): t for t in parsed.tables}
    assert list(tables) == [t.name for t in snapshot.elements("tables")]
    expected_refs = set()
    for table in snapshot.elements("tables"):
        columns = snapshot.referring(table, "columns", "table")
        parsed_columns = tables[table.name].columns
        assert [c.name for c in parsed_columns] == [c.name for c in columns]
        keys = [c for c in columns if c.primary_key]
        for column, read in zip(columns, parsed_columns, strict=True):
            assert read.type == column.data_type.strip()
            assert read.pk == (keys == [column])
            assert read.not_null == (not column.nullable or column.primary_key)
            assert read.unique == column.unique
            if column.references is not None:
                target = column.references
                rule = ON_DELETE[column.on_delete]
                expected_refs.add((table.name, column.name, target.table.name, target.name, rule))
        if len(keys) > 1:
            key_names = [c.name for c in keys]
            assert any(i.pk and [c.name for c in i.subjects] == key_names for i in tables[table.name].indexes)
    refs = {
        (_full_name(r.table1), r.col1[0].name, _full_name(r.table2), r.col2[0].name, r.on_delete) for r in parsed.refs
    }
    assert all(r.type == ">" for r in parsed.refs)
    assert refs == expected_refs
    return parsed


def test_it_reads_back_the_demo_design():
    snapshot = starter_snapshot()

    parsed = _assert_same_schema(snapshot)

    tables = {t.name: t for t in parsed.tables}
    customers = tables["customers"]
    assert customers.columns[0].default == Expression("gen_random_uuid()")
    status = next(c for c in customers.columns if c.name == "status")
    assert status.default == "active"
    email = next(c for c in customers.columns if c.name == "email")
    assert email.note.text == "PII"
    [index] = customers.indexes
    assert (index.name, index.unique, index.type, [c.name for c in index.subjects]) == (
        "customers_email_key",
        True,
        "btree",
        ["email"],
    )
    assert "Data store: Accounts DB (PostgreSQL 16)" in customers.note.text
    groups = {g.name: [t.name for t in g.items] for g in parsed.table_groups}
    assert groups["Accounts DB"] == ["customers", "addresses", "refresh_tokens"]
    assert parsed.project.name == snapshot.name


def test_it_reads_back_every_index_of_the_demo_design():
    snapshot = starter_snapshot()

    parsed = _parsed(snapshot)

    found = {
        i.name: (_full_name(t), [c.name for c in i.subjects], i.unique, i.type)
        for t in parsed.tables
        for i in t.indexes
        if not i.pk
    }
    expected = {
        i.name: (i.table.name, [c.name for c in i.columns], i.unique, i.method) for i in snapshot.elements("indexes")
    }
    assert found == expected


def test_it_reads_back_the_full_design(owner):
    _assert_same_schema(load_snapshot(build_full_design(owner)))


def test_it_reads_back_the_large_design(owner):
    snapshot = load_snapshot(build_large_design(owner))

    parsed = _assert_same_schema(snapshot)

    assert len(parsed.tables) == 200
    assert sum(not i.pk for t in parsed.tables for i in t.indexes) == len(snapshot.elements("indexes"))


def test_it_reads_back_a_wide_schema_across_stores():
    snapshot = wide_schema_snapshot()

    parsed = _assert_same_schema(snapshot)

    assert len(parsed.table_groups) == 4 and sum(len(g.items) for g in parsed.table_groups) == 200


def _schema(**database) -> DesignSnapshot:
    return snapshot_of(
        architecture={"components": [{"name": "Main DB", "kind": "database"}]},
        database={"stores": [{"component": "Main DB", "engine": "PostgreSQL 16"}], **database},
    )


def test_it_writes_settings_composite_keys_partial_indexes_and_schemas():
    snapshot = _schema(
        tables=[
            {"store": "Main DB", "name": "sales.orders", "partitioning": "range", "partition_key": "placed_at"},
            {"store": "Main DB", "name": "order_lines", "description": "it's a line\nof an order"},
        ],
        columns=[
            {"table": "sales.orders", "name": "id", "data_type": "bigint", "primary_key": True},
            {"table": "sales.orders", "name": "placed_at", "data_type": "timestamp with time zone", "default": "now()"},
            {"table": "sales.orders", "name": "total", "data_type": "numeric(12,2)", "default": "0"},
            {"table": "sales.orders", "name": "ratio", "data_type": "numeric(12, 2)", "default": "-1.5"},
            {"table": "sales.orders", "name": "tags", "data_type": "text[]", "default": "'{}'"},
            {"table": "sales.orders", "name": "note", "data_type": "text", "default": "'a''b'::text"},
            {"table": "sales.orders", "name": "indexes", "data_type": "boolean", "default": "true", "unique": True},
            {"table": "order_lines", "name": "order_id", "data_type": "bigint", "primary_key": True},
            {
                "table": "order_lines",
                "name": "line_no",
                "data_type": "integer",
                "primary_key": True,
                "references": "sales.orders.id",
                "on_delete": "cascade",
            },
            {"table": "order_lines", "name": "sku", "data_type": "varchar(40)", "default": "1 +", "pii": True},
        ],
        indexes=[
            {
                "table": "sales.orders",
                "name": "orders_open",
                "columns": ["placed_at", "id"],
                "condition": "total > 0",
                "serves_query": "Open orders",
                "method": "brin",
            },
            {"table": "order_lines", "name": "lines_sku", "columns": ["sku"], "method": "hash"},
        ],
    )

    parsed = _assert_same_schema(snapshot)

    orders, lines = parsed.tables
    assert (orders.schema, orders.name) == ("sales", "orders")
    assert "Partitioned by range (placed_at)" in orders.note.text
    columns = {c.name: c for c in orders.columns}
    assert columns["placed_at"].type == "timestamp with time zone"
    assert columns["placed_at"].default == Expression("now()")
    assert columns["total"].default == 0
    assert columns["ratio"].default == Expression("-1.5")
    assert columns["tags"].default == "{}"
    assert columns["note"].default == Expression("'a''b'::text")
    assert columns["indexes"].default is True and columns["indexes"].unique
    sku = next(c for c in lines.columns if c.name == "sku")
    assert sku.default is None and sku.note.text == "Default (not one SQL expression): 1 +; PII"
    assert lines.note.text.startswith("it's a line\nof an order\n")
    open_orders = next(i for i in orders.indexes if i.name == "orders_open")
    assert open_orders.type == "brin" and [c.name for c in open_orders.subjects] == ["placed_at", "id"]
    assert open_orders.note.text == "WHERE total > 0; Serves: Open orders"
    [ref] = parsed.refs
    assert (_full_name(ref.table2), ref.on_delete) == ("sales.orders", "cascade")


HOSTILE_TABLE = 'x"; DROP TABLE victims; --'
HOSTILE = "<script>alert(1)</script> x\"; DROP TABLE victims; --\n'quoted' `tick` \\ 😀"


def test_it_keeps_hostile_names_readable_and_exact_in_notes():
    snapshot = snapshot_of(
        architecture={"components": [{"name": HOSTILE, "kind": "database"}]},
        database={
            "stores": [{"component": HOSTILE, "engine": HOSTILE, "purpose": HOSTILE}],
            "tables": [
                {"store": HOSTILE, "name": "victims"},
                {"store": HOSTILE, "name": 'x"; DROP TABLE victims; --', "description": HOSTILE},
            ],
            "columns": [
                {"table": "victims", "name": "id", "data_type": "bigint", "primary_key": True},
                {"table": 'x"; DROP TABLE victims; --', "name": "Table", "data_type": "text", "default": HOSTILE},
                {
                    "table": 'x"; DROP TABLE victims; --',
                    "name": "first name",
                    "data_type": "bigint",
                    "references": "victims.id",
                },
            ],
            "indexes": [{"table": HOSTILE_TABLE, "name": "User", "columns": ["first name"], "serves_query": HOSTILE}],
        },
    )

    parsed = _parsed(snapshot)

    _, hostile = parsed.tables
    assert hostile.name == "x'; DROP TABLE victims; --"
    assert hostile.note.text.startswith(HOSTILE + "\n")
    assert f"Named {HOSTILE_TABLE} in the design" in hostile.note.text
    assert [c.name for c in hostile.columns] == ["Table", "first name"]
    assert hostile.columns[0].note.text == f"Default (not one SQL expression): {HOSTILE}"
    assert hostile.indexes[0].note.text == f"Serves: {HOSTILE}"
    [ref] = parsed.refs
    assert (ref.table1.name, ref.col1[0].name, ref.table2.name) == (hostile.name, "first name", "victims")
    [group] = parsed.table_groups
    assert group.note.text.startswith(HOSTILE)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("orders", "orders"),
        ("Orders", "Orders"),
        ("first name", '"first name"'),
        ("note", '"note"'),
        ('a"b', '"a\'b"'),
    ],
)
def test_it_quotes_names_that_need_it(name, expected):
    assert dbml_name(name) == expected


@pytest.mark.parametrize(
    ("default", "expected"),
    [
        ("now()", "`now()`"),
        ("'x'", "'x'"),
        ("42", "42"),
        ("1.5", "1.5"),
        ("false", "false"),
        ("NULL", "null"),
        ("'a' || `b`", None),
        ("1; DROP TABLE x", None),
    ],
)
def test_it_writes_defaults_as_dbml_literals_or_expressions(default, expected):
    assert dbml_default(default) == expected


def test_it_escapes_strings():
    assert dbml_string("it's \\ a\nline") == "'it\\'s \\\\ a\\nline'"


def test_it_writes_a_design_without_tables():
    parsed = _parsed(snapshot_of())

    assert parsed.tables == [] and parsed.refs == []
