"""The PostgreSQL DDL of the data schema, applied to a real PostgreSQL and read back from its catalog."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from designs.document import snapshot_from_document
from designs.snapshot import DesignSnapshot, load_snapshot
from outputs.sql import parse_condition, parse_default, parse_type, quote_ident, schema_sql
from tests.diagram_helpers import snapshot_of, starter_snapshot
from tests.full_design import build_full_design
from tests.test_starters import STARTERS

SCHEMA = "ddl_under_test"
ON_DELETE_CODES = {"a": "no_action", "r": "restrict", "c": "cascade", "n": "set_null", "d": "set_default"}


def _apply(sql: str) -> None:
    """Run the script in a schema of its own; the test's transaction rolls it all back."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        cursor.execute(f"SET LOCAL search_path TO {SCHEMA}")
        cursor.execute(sql)


def _rows(query: str, *params: object) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, [SCHEMA, *params])
        return cursor.fetchall()


def _catalog_columns() -> dict[str, list[tuple[str, str, bool]]]:
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, data_type, not_null in _rows(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY c.relname, a.attnum"""
    ):
        found.setdefault(table, []).append((column, data_type, not_null))
    return found


def _constraints(kind: str) -> set[tuple]:
    """(table, columns, referenced table, referenced columns, on delete) of each constraint of a kind."""
    return {
        (table, tuple(columns), target or "", tuple(target_columns or ()), ON_DELETE_CODES.get(on_delete, ""))
        for table, columns, target, target_columns, on_delete in _rows(
            """SELECT c.relname,
                      ARRAY(SELECT attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                            JOIN pg_attribute ON attrelid = k.conrelid AND attnum = u.n ORDER BY u.i),
                      t.relname,
                      ARRAY(SELECT attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                            JOIN pg_attribute ON attrelid = k.confrelid AND attnum = u.n ORDER BY u.i),
                      k.confdeltype
               FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = k.confrelid
               WHERE n.nspname = %s AND k.contype = %s""",
            kind,
        )
    }


def _indexes() -> dict[str, tuple[str, str, bool, str]]:
    """Index name -> (table, access method, unique, definition), leaving out those of constraints."""
    return {
        name: (table, method, unique, definition)
        for name, table, method, unique, definition in _rows(
            """SELECT i.relname, c.relname, am.amname, x.indisunique, pg_get_indexdef(i.oid)
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
               JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)"""
        )
    }


def _expected_type(data_type: str) -> str:
    """How PostgreSQL itself names a design's column type (bigserial is a bigint, varchar(n) …)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE type_probe (c {data_type})")
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'type_probe'::regclass AND attname = 'c'"
        )
        found = cursor.fetchone()[0]
        cursor.execute("DROP TABLE type_probe")
    return found


def _assert_catalog_matches(snapshot: DesignSnapshot) -> None:
    columns = _catalog_columns()
    tables = snapshot.elements("tables")
    assert set(columns) == {t.name for t in tables}
    primary_keys = {(c[0], c[1]) for c in _constraints("p")}
    foreign_keys = _constraints("f")
    for table in tables:
        design_columns = snapshot.referring(table, "columns", "table")
        assert columns[table.name] == [
            (c.name, _expected_type(c.data_type), not c.nullable or c.primary_key) for c in design_columns
        ]
        keys = tuple(c.name for c in design_columns if c.primary_key)
        if keys:
            assert (table.name, keys) in primary_keys
        for column in design_columns:
            if column.references is not None:
                target = column.references
                assert (table.name, (column.name,), target.table.name, (target.name,), column.on_delete) in foreign_keys
    indexes = _indexes()
    for index in snapshot.elements("indexes"):
        table, method, unique, definition = indexes[index.name]
        assert (table, method, unique) == (index.table.name, index.method, index.unique)
        assert all(c.name in definition for c in index.columns)
        if index.condition:
            assert " WHERE " in definition


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_it_applies_every_starter_and_the_catalog_matches_the_design(db, path):
    snapshot = snapshot_from_document(json.loads(path.read_text(encoding="utf-8")))

    _apply(schema_sql(snapshot))

    _assert_catalog_matches(snapshot)


def test_it_applies_the_full_design_with_a_trigram_index_and_a_partial_unique_index(owner):
    snapshot = load_snapshot(build_full_design(owner))
    sql = schema_sql(snapshot)

    _apply(sql)

    _assert_catalog_matches(snapshot)
    assert "CREATE EXTENSION IF NOT EXISTS pg_trgm;" in sql
    assert "gin_trgm_ops" in _indexes()["customers_email_trgm"][3]
    assert "WHERE (customer_id IS NOT NULL)" in _indexes()["orders_customer_created"][3]


def test_it_declares_partitioning_only_when_every_key_holds_the_partition_key(db):
    starter = schema_sql(starter_snapshot())
    assert ") PARTITION BY RANGE (created_at);" in starter

    snapshot = snapshot_of(
        architecture={"components": [{"name": "DB", "kind": "database"}]},
        database={
            "stores": [{"component": "DB", "engine": "PostgreSQL"}],
            "tables": [{"store": "DB", "name": "events", "partitioning": "range", "partition_key": "at"}],
            "columns": [
                {"table": "events", "name": "id", "data_type": "bigint", "primary_key": True, "nullable": False},
                {"table": "events", "name": "at", "data_type": "timestamptz", "nullable": False},
            ],
        },
    )
    sql = schema_sql(snapshot)

    assert "PARTITION BY" not in sql
    assert "-- partitioned by range (at) in the design; not declared" in sql
    _apply(sql)


def _cycle_snapshot() -> DesignSnapshot:
    return snapshot_of(
        architecture={"components": [{"name": "DB", "kind": "database"}]},
        database={
            "stores": [{"component": "DB", "engine": "PostgreSQL"}],
            "tables": [{"store": "DB", "name": "teams"}, {"store": "DB", "name": "people"}],
            "columns": [
                {"table": "teams", "name": "id", "data_type": "bigint", "primary_key": True, "nullable": False},
                {"table": "teams", "name": "lead_id", "data_type": "bigint", "references": "people.id"},
                {"table": "people", "name": "id", "data_type": "bigint", "primary_key": True, "nullable": False},
                {
                    "table": "people",
                    "name": "team_id",
                    "data_type": "bigint",
                    "references": "teams.id",
                    "on_delete": "cascade",
                },
                {"table": "people", "name": "mentor_id", "data_type": "bigint", "references": "people.id"},
            ],
        },
    )


def test_it_closes_a_cycle_of_references_with_alter_table(db):
    snapshot = _cycle_snapshot()
    sql = schema_sql(snapshot)

    assert sql.count("ALTER TABLE") == 1
    assert sql.index("CREATE TABLE people") < sql.index("CREATE TABLE teams")
    _apply(sql)
    assert _constraints("f") == {
        ("teams", ("lead_id",), "people", ("id",), "no_action"),
        ("people", ("team_id",), "teams", ("id",), "cascade"),
        ("people", ("mentor_id",), "people", ("id",), "no_action"),
    }


HOSTILE_TABLE = 'x"; DROP TABLE victims; --'
HOSTILE_COLUMN = "order"
SPACED_COLUMN = "first name"


def _hostile_snapshot(**column: object) -> DesignSnapshot:
    return snapshot_of(
        architecture={"components": [{"name": "DB\n; DROP TABLE victims;", "kind": "database"}]},
        database={
            "stores": [{"component": "DB\n; DROP TABLE victims;", "engine": "PostgreSQL"}],
            "tables": [
                {"store": "DB\n; DROP TABLE victims;", "name": "victims"},
                {"store": "DB\n; DROP TABLE victims;", "name": HOSTILE_TABLE, "description": "it's\n'); DROP"},
            ],
            "columns": [
                {"table": "victims", "name": "id", "data_type": "bigint", "primary_key": True, "nullable": False},
                {"table": HOSTILE_TABLE, "name": HOSTILE_COLUMN, "data_type": "text", "primary_key": True},
                {"table": HOSTILE_TABLE, "name": SPACED_COLUMN, "data_type": "text", "unique": True},
                {"table": HOSTILE_TABLE, "name": 'Say "hi"', "data_type": "text", **column},
            ],
            "indexes": [
                {
                    "table": HOSTILE_TABLE,
                    "name": "User",
                    "columns": [SPACED_COLUMN],
                    "serves_query": "'; DROP TABLE victims; --",
                }
            ],
        },
    )


def test_it_quotes_hostile_identifiers_so_they_stay_names(db):
    _apply(schema_sql(_hostile_snapshot()))

    columns = _catalog_columns()
    assert set(columns) == {"victims", HOSTILE_TABLE}
    assert [name for name, _, _ in columns[HOSTILE_TABLE]] == [HOSTILE_COLUMN, SPACED_COLUMN, 'Say "hi"']
    assert "User" in _indexes()
    assert _rows(
        "SELECT obj_description(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        HOSTILE_TABLE,
    ) == [("it's\n'); DROP",)]


@pytest.mark.parametrize(
    ("field", "value", "note"),
    [
        ("data_type", "text); DROP TABLE victims; --", "left out: its type"),
        ("default", "1); DROP TABLE victims; --", 'Default of Say "hi" left out'),
        ("default", "'a' --", None),
    ],
)
def test_it_turns_fragments_that_do_not_parse_into_comments(db, field, value, note):
    sql = schema_sql(_hostile_snapshot(**{field: value}))

    if note:
        assert note in sql
    _apply(sql)
    assert "victims" in _catalog_columns()


def test_it_leaves_out_a_partial_index_whose_condition_is_not_one_condition(db):
    snapshot = snapshot_of(
        architecture={"components": [{"name": "DB", "kind": "database"}]},
        database={
            "stores": [{"component": "DB", "engine": "PostgreSQL"}],
            "tables": [{"store": "DB", "name": "t"}],
            "columns": [{"table": "t", "name": "c", "data_type": "int"}],
            "indexes": [
                {"table": "t", "name": "bad", "columns": ["c"], "condition": "c > 0); DROP TABLE t; --"},
                {"table": "t", "name": "good", "columns": ["c"], "condition": "c > 0 -- positive"},
            ],
        },
    )
    sql = schema_sql(snapshot)

    assert "-- Index bad left out: its condition" in sql
    _apply(sql)
    assert set(_indexes()) == {"good"}


def test_it_renders_fragments_as_the_parser_reads_them():
    assert parse_type("numeric(12,2)") == ("numeric(12, 2)", "numeric")
    assert parse_type("text NOT NULL") is None
    assert parse_default("now()") == "now()"
    assert parse_default("1 NOT NULL") is None
    assert parse_condition("deleted_at IS NULL -- live rows") == "deleted_at IS NULL"


def test_it_quotes_only_the_names_postgresql_would_change():
    assert quote_ident("orders") == "orders"
    assert quote_ident("Orders") == '"Orders"'
    assert quote_ident("user") == '"user"'
    assert quote_ident('a"b') == '"a""b"'


def test_it_says_so_when_there_are_no_tables():
    assert "-- No tables yet." in schema_sql(snapshot_of())
