"""The committed JSON Schema is the generated one, and exports satisfy it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from jsonschema import Draft202012Validator

from designs.document import KEYS, design_schema, export_design
from designs.steps import STEPS
from tests.full_design import build_full_design

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "designs" / "schema" / "design-workbench-1.schema.json"


def test_it_commits_the_schema_the_registry_generates():
    out = StringIO()
    call_command("design_schema", stdout=out)

    assert SCHEMA_FILE.read_text(encoding="utf-8") == out.getvalue(), "Regenerate: python manage.py refresh_generated"
    assert json.loads(out.getvalue()) == design_schema()


def test_it_is_a_valid_json_schema():
    Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_it_validates_the_export_of_a_full_design(owner):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    document = json.loads(json.dumps(export_design(build_full_design(owner))))

    assert list(Draft202012Validator(schema).iter_errors(document)) == []


def test_it_validates_the_export_of_an_empty_design(design):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert list(Draft202012Validator(schema).iter_errors(export_design(design))) == []


def test_it_describes_every_registry_field():
    schema = design_schema()["properties"]["steps"]["properties"]

    for step in STEPS:
        for spec in step.sections:
            assert list(schema[step.key]["properties"][spec.key]["properties"]) == list(spec.fields)
        for spec in step.elements:
            properties = schema[step.key]["properties"][spec.key]["items"]["properties"]
            assert next(iter(properties)) == "uid"
            extra = ("uid", "key", "columns", *spec.links)
            assert [name for name in properties if name not in extra] == list(spec.fields)
            # Link lists (the requirements a component serves) come after the fields.
            assert list(properties)[len(properties) - len(spec.links) :] == list(spec.links)


def test_it_has_a_key_for_every_referenced_element_and_builds_targets_first():
    order = [spec.model for step in STEPS for spec in step.elements]
    for step in STEPS:
        for spec in step.elements:
            for name in spec.fields:
                field = spec.model._meta.get_field(name)
                if field.is_relation:
                    assert field.related_model in KEYS, f"{spec.model.__name__}.{name}"
                    # Import builds lists in registry order; only a list's own model may come later.
                    assert order.index(field.related_model) <= order.index(spec.model), f"{spec.model.__name__}.{name}"


def test_it_describes_references_and_their_restrictions():
    endpoint = design_schema()["properties"]["steps"]["properties"]["api"]["properties"]["endpoints"]["items"]
    service = endpoint["properties"]["service"]

    assert service["type"] == "string"
    assert service["description"] == (
        "Owning service: key of a component (its name), where kind is service or web_app or api_gateway or worker."
    )
    assert "service" in endpoint["required"]


def test_it_documents_every_step_section_and_list():
    docs = (SCHEMA_FILE.parents[2] / "docs" / "design-document.md").read_text(encoding="utf-8")

    for step in STEPS:
        sections = ", ".join(f"`{spec.key}`" for spec in step.sections) or "—"
        lists = ", ".join(f"`{spec.key}`" for spec in step.elements)
        assert f"| {step.number}. `{step.key}` | {sections} | {lists} |" in docs
        for spec in step.elements:
            if any(spec.model._meta.get_field(name).is_relation for name in spec.fields):
                assert f"| `{step.key}.{spec.key}` |" in docs, spec.key
