"""`manage.py import_sql SLUG FILE [--store NAME] [--dialect postgres|mysql] [--dry-run]`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from designs import models as m
from designs import services
from designs.steps import STEPS
from imports.management.commands import import_sql

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = """CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers ON DELETE SET NULL);
CREATE VIEW v AS SELECT 1;
"""


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_sql", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def schema_file(tmp_path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(SCHEMA)
    return path


def test_dry_run_prints_the_preview_and_writes_nothing(design, schema_file):
    out = _run(design.slug, str(schema_file), "--store", "orders-db", "--dry-run")
    assert "Import plan: 8 added, 0 changed, 0 unchanged, 1 skipped." in out
    assert "  + orders.customer_id (data type: bigint; references: customers.id; on delete: SET NULL)" in out
    assert "line 3: CREATE VIEW v: views are not part of the design" in out
    assert out.rstrip().endswith("Dry run: nothing was written.")
    assert not m.Component.objects.filter(design=design).exists()


def test_it_applies_and_prints_a_summary(design, schema_file):
    out = _run(design.slug, str(schema_file), "--store", "orders-db")
    assert f"Imported into {design.slug} (data store orders-db): 8 added, 0 changed, 0 unchanged, 1 skipped." in out
    assert m.Column.objects.get(design=design, name="customer_id").on_delete == "set_null"
    # Again: nothing new, and the design's only store is the default.
    again = _run(design.slug, str(schema_file))
    assert "0 added, 0 changed, 8 unchanged, 1 skipped." in again
    assert m.Table.objects.filter(design=design).count() == 2


def test_mysql_through_the_dialect_option(design):
    out = _run(design.slug, str(FIXTURES / "shop_mysql.sql"), "--dialect", "mysql", "--store", "shop")
    assert "Imported into" in out
    assert m.DataStore.objects.get(design=design).engine == "MySQL"
    assert m.Column.objects.get(design=design, table__name="users", name="id").data_type == "serial"


def test_a_syntax_error_names_file_line_and_column(design, tmp_path):
    path = tmp_path / "bad.sql"
    path.write_text("CREATE TABLE a (id int);\nCREATE TABLE b (\n  id int int\n);")
    with pytest.raises(CommandError) as error:
        _run(design.slug, str(path), "--store", "db")
    assert str(error.value).startswith(f"{path}:3:10: SQL syntax error: syntax error at or near")
    assert not m.Table.objects.filter(design=design).exists()


def test_a_bad_file_exits_with_a_non_zero_status(design, tmp_path, capsys):
    path = tmp_path / "empty.sql"
    path.write_text("")
    with pytest.raises(SystemExit) as exited:
        # As manage.py runs it, without ManagementUtility's django.setup(), which would point the log
        # handlers at this test's captured stderr (closed after it, failing later tests that log).
        import_sql.Command().run_from_argv(["manage.py", "import_sql", design.slug, str(path), "--store", "db"])
    assert exited.value.code == 1
    assert f"{path}:1:1: The file is empty" in capsys.readouterr().err


def test_without_store_the_design_must_have_exactly_one(design, schema_file):
    with pytest.raises(CommandError, match=r"Name the data store .* with --store NAME .it has none yet"):
        _run(design.slug, str(schema_file))


def test_a_refused_import_writes_nothing(design, schema_file):
    spec = {s.key: s for step in STEPS for s in step.elements}
    services.element_save(design=design, spec=spec["components"], values={"name": "orders-db", "kind": "queue"})
    expected = "Import refused, nothing was written:\n  Data store orders-db: Component: A data"
    with pytest.raises(CommandError, match=expected):
        _run(design.slug, str(schema_file), "--store", "orders-db")
    assert not m.Table.objects.filter(design=design).exists()


def test_unknown_design_and_unreadable_file(design, tmp_path):
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        _run("nope", "x.sql", "--store", "db")
    with pytest.raises(CommandError, match=r"Cannot read .*missing.sql: No such file"):
        _run(design.slug, str(tmp_path / "missing.sql"), "--store", "db")


def test_a_file_over_the_limit_is_refused(design, schema_file, settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 20
    with pytest.raises(CommandError, match="at most 20 bytes"):
        _run(design.slug, str(schema_file), "--store", "db")
