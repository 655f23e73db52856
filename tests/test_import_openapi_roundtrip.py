"""Real OpenAPI descriptions imported, then exported again (outputs/openapi.py): every path, operation and
response status comes back, and the exported document validates; imported again, no endpoint changes.

tests/test_import_openapi_command.py checks the first half (file → the design's endpoints) on its own.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

from designs.snapshot import load_snapshot
from imports.openapi import METHODS
from imports.openapi_plan import openapi_plan
from outputs import openapi as export

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"


def statuses(document: dict) -> dict[str, set[int]]:
    """METHOD /path -> the numbered response statuses of each operation."""
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                codes = operation.get("responses", {})
                found[f"{method.upper()} {path}"] = {int(c) for c in codes if str(c).isdigit()}
    return found


@pytest.mark.parametrize(
    "name",
    [
        "star-trek.yaml",
        "readme.yaml",
        "security.yaml",
        "readme-legacy.json",
        "petstore-expanded.yaml",
        "webhook-example.yaml",
    ],
)
def test_import_then_export_keeps_every_path_operation_and_status(design, name):
    raw = (FIXTURES / name).read_bytes()
    original = json.loads(raw) if name.endswith(".json") else yaml.safe_load(raw)
    call_command("import_openapi", design.slug, str(FIXTURES / name), stdout=StringIO())
    exported = export.openapi_document(load_snapshot(design))
    validate(exported)
    assert set(exported["paths"]) == set(original["paths"])
    before, after = statuses(original), statuses(exported)
    assert set(after) == set(before)
    for operation, codes in before.items():
        # Every numbered status of the file is there again (the export may add ones the design implies).
        assert codes <= after[operation], operation
    # And it reads back: importing the export into the same design finds every endpoint as it is.
    _, plan = openapi_plan(export.openapi_yaml(load_snapshot(design)), load_snapshot(design))
    assert {e.key for e in plan.unchanged if e.item.list == "endpoints"} == set(before)
    assert not [e.key for e in plan.added if e.item.list in ("endpoints", "errors")]
    assert not [e.key for e in plan.changed if e.item.list == "endpoints"]
    # An error response the file gave no body now has the export's problem+json schema: an example of it.
    for entry in plan.changed:
        assert [(c.name, c.old) for c in entry.changes] == [("example", "")], entry.key
        assert json.loads(entry.item.values["example"])["status"] == int(entry.key.rsplit(" ", 1)[1])
