"""SQL imported, then exported, applies to PostgreSQL with the same catalog as the original file.

Also on `tests/fixtures/rich_schema.sql`, a pg_dump of serials, an identity, an enum and a domain (custom
types of the design, created again by the export), another schema and a partitioned table.

The fixture is `pg_dump --schema-only` of this very project once migrated (56 tables of Django's
auth, sessions and the workbench), as `tests/fixtures/README.md` says how to refresh. Both scripts
are applied to scratch databases of the test server and their catalogs compared: tables, columns
with their types and NOT NULL, primary keys, foreign keys with their ON DELETE rule, and every
index the import did not list as skipped (expression indexes), with its method, uniqueness,
columns and condition. Defaults are not compared: an identity column comes back as a serial one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from designs import services
from designs.models.database import type_family
from designs.snapshot import load_snapshot
from imports.plan import apply_plan, build_plan
from imports.sql import parse_sql
from outputs.sql import schema_sql
from tests.full_design import build_full_design
from tests.large_design import build_large_design

FIXTURE = Path(__file__).parent / "fixtures" / "workbench_schema.sql"

# Tables of every schema but the system's, named as the design names them (schema.table outside public).
USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
TABLE = "CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END"
# A domain's NOT NULL is held by its columns (a custom type of the design holds none).
COLUMNS = f"""
    SELECT {TABLE}, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    WHERE {USER_SCHEMAS} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY 1, a.attnum"""  # noqa: S608 (constant fragments, no input)
CONSTRAINTS = f"""
    SELECT k.contype, {TABLE},
           ARRAY(SELECT attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                 JOIN pg_attribute ON attrelid = k.conrelid AND attnum = u.n ORDER BY u.i),
           CASE WHEN tn.nspname = 'public' THEN t.relname ELSE tn.nspname || '.' || t.relname END,
           ARRAY(SELECT attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                 JOIN pg_attribute ON attrelid = k.confrelid AND attnum = u.n ORDER BY u.i),
           k.confdeltype
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = k.confrelid
    LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    WHERE {USER_SCHEMAS} AND k.contype IN ('p', 'f')"""  # noqa: S608
INDEXES = f"""
    SELECT i.relname, {TABLE}, am.amname, x.indisunique,
           ARRAY(SELECT coalesce(a.attname, '(expression)') FROM unnest(x.indkey) WITH ORDINALITY u(n, p)
                 LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n ORDER BY u.p),
           coalesce(pg_get_expr(x.indpred, x.indrelid), '')
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
    JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE {USER_SCHEMAS} AND NOT x.indisprimary"""  # noqa: S608


@contextmanager
def scratch_database(script: str, *, before: str = "") -> Iterator[psycopg.Connection]:
    """A database of its own on the test server with `before` then the script applied; dropped afterwards."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    name = f"import_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            with psycopg.connect(**{**params, "dbname": name}, autocommit=True) as db:
                if before:
                    db.execute(before)
                # psql's meta-commands (pg_dump's \restrict) are for psql, not the server.
                db.execute("\n".join(line for line in script.split("\n") if not line.startswith("\\")))
                yield db
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def catalog(db: psycopg.Connection) -> dict[str, object]:
    # pg_dump's script empties search_path for its session; type names are compared as seen from public.
    db.execute("RESET search_path")
    columns: dict[str, list[tuple]] = {}
    for table, column, data_type, not_null in db.execute(COLUMNS).fetchall():
        columns.setdefault(table, []).append((column, data_type, not_null))
    return {
        "columns": columns,
        "keys": {
            (kind, table, tuple(cols), target or "", tuple(target_cols or ()), rule if kind == "f" else "")
            for kind, table, cols, target, target_cols, rule in db.execute(CONSTRAINTS).fetchall()
        },
        "indexes": {
            name: (table, method, unique, tuple(cols), predicate)
            for name, table, method, unique, cols, predicate in db.execute(INDEXES).fetchall()
        },
    }


@pytest.mark.django_db(transaction=True)
def test_the_pg_dump_of_a_real_application_survives_import_and_export(design):
    text = FIXTURE.read_text()
    plan = build_plan(load_snapshot(design), parse_sql(text, store="workbench-db"))
    apply_plan(design, plan)
    exported = schema_sql(load_snapshot(design))
    assert "left out" not in exported and "no foreign key" not in exported
    with scratch_database(text) as original, scratch_database(exported) as roundtrip:
        before, after = catalog(original), catalog(roundtrip)
    assert len(before["columns"]) == 56
    assert after["columns"] == before["columns"]
    assert after["keys"] == before["keys"]
    expressions = {s.name for s in plan.skipped if s.kind == "expression index"}
    assert len(expressions) == 16
    assert {name for name, index in before["indexes"].items() if "(expression)" in index[3]} == expressions
    kept = {name: index for name, index in before["indexes"].items() if name not in expressions}
    assert len(kept) > 100 and len(before["keys"]) > 100
    assert after["indexes"] == kept


def test_a_pg_dump_of_serials_enums_domains_schemas_and_partitions_survives_import_and_export(design):
    """tests/fixtures/rich_schema.sql: pg_dump of tests/fixtures/rich_schema_source.sql (see the README there)."""
    text = (Path(__file__).parent / "fixtures" / "rich_schema.sql").read_text()
    plan = build_plan(load_snapshot(design), parse_sql(text, store="rich"))
    apply_plan(design, plan)
    exported = schema_sql(load_snapshot(design))
    assert "left out" not in exported and "no foreign key" not in exported
    # The extension is skipped by the import, as the design holds none: the target database has it.
    with (
        scratch_database(text) as original,
        scratch_database(exported, before="CREATE EXTENSION citext") as roundtrip,
    ):
        before, after = catalog(original), catalog(roundtrip)
    assert set(before["columns"]) == {"teams", "people", "billing.invoices", "events", "events_2026"}
    assert after["columns"] == before["columns"]
    assert after["keys"] == before["keys"]
    expressions = {s.name for s in plan.skipped if s.kind == "expression index"}
    assert expressions == {"people_lower_contact"}
    assert after["indexes"] == {name: i for name, i in before["indexes"].items() if name not in expressions}
    kinds = {s.kind for s in plan.skipped}
    assert {"CREATE VIEW", "CREATE FUNCTION", "CREATE TRIGGER", "GRANT", "CREATE SEQUENCE", "check constraint"} <= kinds


def _schema_of(snapshot) -> dict[str, object]:
    """Step 4 as comparable values, by name: what an export then import must keep."""
    return {
        "tables": {t.name: (t.description, t.partitioning, t.partition_key) for t in snapshot.elements("tables")},
        "columns": {
            f"{c.table.name}.{c.name}": (
                type_family(c.data_type),
                c.nullable and not c.primary_key,
                c.primary_key,
                c.unique,
                f"{c.references.table.name}.{c.references.name}" if c.references else None,
                c.on_delete if c.references else "",
                c.pii,
            )
            for c in snapshot.elements("columns")
        },
        "indexes": {
            i.name: (i.table.name, tuple(c.name for c in i.columns), i.unique, i.method, i.condition, i.serves_query)
            for i in snapshot.elements("indexes")
        },
    }


def test_a_large_design_exported_as_ddl_imports_back_the_same(owner):
    source = build_large_design(owner, components=30, interactions=20, tables=40, endpoints=5, others=3)
    expected = load_snapshot(source)
    target = services.design_create(name="Imported", summary="", owner=owner)
    plan = build_plan(load_snapshot(target), parse_sql(schema_sql(expected), store="imported"))
    apply_plan(target, plan)
    found = _schema_of(load_snapshot(target))
    assert found == _schema_of(expected)
    assert len(found["columns"]) == 400 and found["indexes"]
    assert any(column[4] for column in found["columns"].values())


def test_a_design_s_own_ddl_imported_into_it_changes_only_what_the_ddl_could_not_say(owner):
    """Custom types, a partial unique index, a trigram index, comments: equal however PostgreSQL spells them."""
    design = build_full_design(owner)
    snapshot = load_snapshot(design)
    store = snapshot.elements("stores")[0].component.name
    plan = build_plan(snapshot, parse_sql(schema_sql(snapshot), store=store))
    assert plan.added == ()
    # The export leaves the partitioning out (the primary key does not hold the partition key) and says so.
    assert [(e.key, [c.name for c in e.changes]) for e in plan.changed] == [
        ("orders", ["partitioning", "partition_key"])
    ]
    assert [(s.kind, s.name) for s in plan.skipped] == [("CREATE EXTENSION", "pg_trgm")]
