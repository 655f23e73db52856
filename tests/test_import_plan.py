"""The import plan shared by every exchange format: added / changed / unchanged / skipped, then one write."""

from __future__ import annotations

import pytest

from designs import models as m
from designs import services
from designs.snapshot import load_snapshot
from designs.steps import STEPS
from imports.plan import (
    ImportFileError,
    ImportRefused,
    Item,
    Parsed,
    Ref,
    Skipped,
    apply_plan,
    build_plan,
    read_text,
)

SPEC = {spec.key: spec for step in STEPS for spec in step.elements}


def _store_items(name: str = "main-db") -> list[Item]:
    return [
        Item("components", name, {"name": name, "kind": "database", "technology": "PostgreSQL"}, create_only=True),
        Item("stores", name, {"component": Ref("components", name), "engine": "PostgreSQL"}, create_only=True),
    ]


def _schema(*, email_type: str = "text") -> Parsed:
    table = Ref("tables", "users")
    return Parsed(
        items=[
            *_store_items(),
            Item("tables", "users", {"store": Ref("stores", "main-db"), "name": "users"}, where="line 1"),
            Item(
                "columns",
                "users.id",
                {"table": table, "name": "id", "data_type": "bigint", "nullable": False, "primary_key": True},
                where="line 2",
            ),
            Item("columns", "users.email", {"table": table, "name": "email", "data_type": email_type}, where="line 3"),
            Item(
                "columns",
                "users.manager_id",
                {"table": table, "name": "manager_id", "data_type": "bigint", "references": Ref("columns", "users.id")},
                where="line 4",
            ),
            Item("indexes", "users_email", {"table": table, "name": "users_email"}, columns=("users.email",)),
        ],
        skipped=[Skipped("CREATE VIEW", "active_users", "views are not part of the design", "line 9")],
    )


def test_it_plans_everything_as_added_on_an_empty_design(design):
    plan = build_plan(load_snapshot(design), _schema())
    assert plan.counts() == {"added": 7, "changed": 0, "unchanged": 0, "skipped": 1}
    assert [e.key for e in plan.added][:3] == ["main-db", "main-db", "users"]
    text = "\n".join(plan.lines())
    assert "+ users.manager_id" in text and "references: users.id" in text
    assert "line 9: CREATE VIEW active_users: views are not part of the design" in text


def test_it_applies_then_finds_nothing_new(design):
    apply_plan(design, build_plan(load_snapshot(design), _schema()))
    snapshot = load_snapshot(design)
    columns = {f"{c.table.name}.{c.name}": c for c in snapshot.elements("columns")}
    assert columns["users.manager_id"].references is columns["users.id"]
    assert [c.name for c in snapshot.elements("indexes")[0].columns] == ["email"]
    assert snapshot.elements("stores")[0].component.kind == "database"
    again = build_plan(snapshot, _schema())
    assert again.counts() == {"added": 0, "changed": 0, "unchanged": 7, "skipped": 1}
    assert not again.writes


def test_it_matches_by_name_and_lists_what_changes(design):
    apply_plan(design, build_plan(load_snapshot(design), _schema()))
    plan = build_plan(load_snapshot(design), _schema(email_type="varchar(200)"))
    assert [(e.key, [(c.label, c.old, c.new) for c in e.changes]) for e in plan.changed] == [
        ("users.email", [("data type", "text", "varchar(200)")])
    ]
    apply_plan(design, plan)
    email = m.Column.objects.get(design=design, name="email")
    assert email.data_type == "varchar(200)" and email.version == 2


def test_a_refused_row_refuses_the_whole_import(design):
    parsed = _schema()
    parsed.items.append(
        Item("columns", "users.bad name", {"table": Ref("tables", "users"), "name": "bad name", "data_type": "text"})
    )
    bad_type = {**parsed.items[3].values, "data_type": "not a type!"}
    parsed.items[3] = Item("columns", "users.id", bad_type, where="line 2")
    with pytest.raises(ImportRefused) as refused:
        apply_plan(design, build_plan(load_snapshot(design), parsed))
    messages = [f"{where}: {message}" for where, message in refused.value.errors]
    assert any(msg.startswith("line 2: Column users.id: Data type: Use a PostgreSQL type") for msg in messages)
    assert any("Column users.bad name: Name: Use letters" in msg for msg in messages), messages
    assert not m.Table.objects.filter(design=design).exists()
    assert not m.Component.objects.filter(design=design).exists()


def test_a_change_made_after_the_preview_is_refused(design):
    apply_plan(design, build_plan(load_snapshot(design), _schema()))
    plan = build_plan(load_snapshot(design), _schema(email_type="varchar(200)"))
    email = m.Column.objects.get(design=design, name="email")
    services.element_save(design=design, spec=SPEC["columns"], values={"pii": True}, element=email, base_version=1)
    with pytest.raises(ImportRefused, match="changed since the preview"):
        apply_plan(design, plan)
    assert m.Column.objects.get(pk=email.pk).data_type == "text"


def test_the_digest_changes_with_the_design(design):
    before = build_plan(load_snapshot(design), _schema())
    assert before.digest == build_plan(load_snapshot(design), _schema()).digest
    apply_plan(design, before)
    assert build_plan(load_snapshot(design), _schema()).digest != before.digest


def test_a_store_component_of_the_wrong_kind_is_refused(design):
    services.element_save(design=design, spec=SPEC["components"], values={"name": "main-db", "kind": "service"})
    with pytest.raises(ImportRefused, match="A data store must be a database"):
        apply_plan(design, build_plan(load_snapshot(design), _schema()))


def test_text_that_is_not_utf8_names_its_place():
    with pytest.raises(ImportFileError) as error:
        read_text(b"CREATE TABLE t ();\nSELECT '\xff';")
    assert (error.value.line, error.value.column) == (2, 9)
    assert str(error.value) == "line 2, column 9: The file is not UTF-8 text."


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ImportFileError, match="at most 10 bytes"):
        read_text(b"CREATE TABLE t ();")
