"""export_design and import_design from the shell."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from designs import models as m
from designs.document import document_json, export_design
from tests.full_design import build_full_design


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_exports_a_design_to_stdout(design):
    output = _run("export_design", design.slug)

    assert output == document_json(export_design(design))
    assert json.loads(output)["design"]["name"] == "Checkout platform"


def test_it_exports_to_a_file(design, tmp_path):
    target = tmp_path / "design.json"

    output = _run("export_design", design.slug, "--output", str(target))

    assert output == ""
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "design-workbench/1"


def test_it_refuses_an_unknown_slug(db):
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        call_command("export_design", "nope")


def test_it_imports_a_file_and_prints_the_new_slug(owner, tmp_path):
    source = tmp_path / "full.json"
    original = build_full_design(owner)
    _run("export_design", original.slug, "--output", str(source))
    bob = User.objects.create_user(username="bob")

    slug = _run("import_design", str(source), "--owner", "bob").strip()

    imported = m.Design.objects.get(slug=slug)
    assert imported.pk != original.pk
    assert imported.memberships.get().user == bob
    assert _run("export_design", slug) == source.read_text(encoding="utf-8")


def test_it_defaults_the_owner_to_the_only_superuser(design, tmp_path):
    source = tmp_path / "d.json"
    _run("export_design", design.slug, "--output", str(source))
    admin = User.objects.create_superuser(username="root", password="x-long-password")

    slug = _run("import_design", str(source)).strip()

    assert m.Design.objects.get(slug=slug).memberships.get().user == admin


def test_it_asks_for_an_owner_when_it_cannot_choose(design, tmp_path):
    source = tmp_path / "d.json"
    _run("export_design", design.slug, "--output", str(source))

    with pytest.raises(CommandError, match="--owner USERNAME"):
        call_command("import_design", str(source))
    with pytest.raises(CommandError, match="No user named 'carol'"):
        call_command("import_design", str(source), "--owner", "carol")


def test_it_lists_each_error_with_its_pointer_and_writes_nothing(owner, tmp_path):
    source = tmp_path / "bad.json"
    source.write_text(
        json.dumps(
            {
                "format": "design-workbench/1",
                "design": {"name": "Bad"},
                "steps": {
                    "architecture": {
                        "components": [{"name": "A", "kind": "service"}],
                        "interactions": [{"source": "A", "target": "B"}, {"source": "C", "target": "A"}],
                    }
                },
            }
        )
    )
    designs = m.Design.objects.count()

    with pytest.raises(CommandError) as caught:
        call_command("import_design", str(source), "--owner", owner.username)

    assert str(caught.value) == (
        "Import refused, nothing was written:\n"
        "  /steps/architecture/interactions/0/target: Dangling reference: no component “B” in this document "
        "(a component is referred to by its name).\n"
        "  /steps/architecture/interactions/1/source: Dangling reference: no component “C” in this document "
        "(a component is referred to by its name)."
    )
    assert m.Design.objects.count() == designs


def test_it_refuses_invalid_json(owner, tmp_path):
    source = tmp_path / "bad.json"
    source.write_text('{"format": "design-workbench/1",')

    with pytest.raises(CommandError, match=r"\(document\): Not valid JSON: .* at line 1, column 33"):
        call_command("import_design", str(source), "--owner", owner.username)


def test_it_refuses_a_50_mb_file_without_reading_it(owner, tmp_path):
    source = tmp_path / "huge.json"
    with source.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: the size is real, the disk stays free

    with pytest.raises(CommandError, match=r"The document is 50\.0 MB; the largest accepted is 10\.0 MB"):
        call_command("import_design", str(source), "--owner", owner.username)


def test_it_refuses_a_missing_file(owner, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.json: No such file or directory"):
        call_command("import_design", str(tmp_path / "missing.json"), "--owner", owner.username)
