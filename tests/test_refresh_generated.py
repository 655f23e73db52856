"""`refresh_generated`: one command rewrites the JSON Schema and the starters; stale files fail here."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from designs.management.commands import refresh_generated as command


def test_it_finds_every_generated_file_up_to_date():
    stale = [str(path) for path, text in command.generated_files().items() if path.read_text(encoding="utf-8") != text]
    assert stale == [], "Regenerate with: python manage.py refresh_generated (or make generated)"


def test_it_reports_a_stale_starter_and_rewrites_it(tmp_path, monkeypatch):
    starter = tmp_path / "starters" / "tiny.json"
    starter.parent.mkdir()
    # An old file: no uids, a field left out; the registry's current shape fills both in.
    starter.write_text(
        json.dumps(
            {
                "format": "design-workbench/1",
                "design": {"name": "Tiny"},
                "steps": {"architecture": {"components": [{"name": "API", "kind": "service"}]}},
            }
        )
    )
    schema = tmp_path / "schema.json"
    schema.write_text(command.schema_text())
    monkeypatch.setattr(command, "STARTERS_DIR", starter.parent)
    monkeypatch.setattr(command, "SCHEMA_FILE", schema)
    monkeypatch.setattr(command, "DESIGNS_DIR", tmp_path)

    with pytest.raises(SystemExit):
        call_command("refresh_generated", "--check", stderr=io.StringIO())
    assert "uid" not in starter.read_text()

    out = io.StringIO()
    call_command("refresh_generated", stdout=out)

    assert out.getvalue().startswith("rewrote ") and out.getvalue().endswith("starters/tiny.json\n")
    (component,) = json.loads(starter.read_text())["steps"]["architecture"]["components"]
    assert component["uid"] and component["technology"] == "" and component["stateful"] is False
    call_command("refresh_generated", "--check", stderr=io.StringIO())
