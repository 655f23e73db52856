"""Bad documents are refused with messages at JSON pointers, and nothing is written."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from designs import document as doc
from designs import models as m
from designs.document import FORMAT, DocumentError, export_design, import_design, parse_document, reading
from tests.full_design import build_full_design

IMPORT_URL = reverse("designs:import")


def _minimal(**steps: dict) -> dict:
    return {"format": FORMAT, "design": {"name": "Imported"}, "steps": steps}


def _components(*names: str) -> list[dict]:
    return [{"name": name, "kind": "service"} for name in names]


def _refused(document: dict, owner) -> list[tuple[str, str]]:
    designs, components = m.Design.objects.count(), m.Component.objects.count()
    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)
    assert (m.Design.objects.count(), m.Component.objects.count()) == (designs, components)
    return caught.value.errors


@pytest.fixture
def full_document(owner) -> dict:
    return export_design(build_full_design(owner))


def test_it_refuses_invalid_json_with_line_and_column():
    with pytest.raises(DocumentError) as caught:
        parse_document(b'{"format": "design-workbench/1",\n  "design": {"name": }}')

    [(pointer, message)] = caught.value.errors
    assert pointer == ""
    assert message.startswith("Not valid JSON: Expecting value at line 2, column 22")


def test_it_refuses_text_that_is_not_utf8():
    with pytest.raises(DocumentError) as caught:
        parse_document(b'{"format": "\xff"}')

    assert caught.value.errors == [("", "Not UTF-8 text: the byte at offset 12 cannot be decoded.")]


def test_it_refuses_nan_and_a_top_level_array():
    with pytest.raises(DocumentError) as nan:
        parse_document(b'{"x": NaN}')
    with pytest.raises(DocumentError) as array:
        parse_document(b"[1, 2]")

    assert nan.value.errors == [("", "Not valid JSON: NaN is not a number JSON allows.")]
    assert array.value.errors == [("", "A design document is a JSON object, not an array.")]


def test_it_refuses_a_50_mb_file_before_parsing_it(monkeypatch, owner):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(reading.json, "loads", must_not_parse)
    raw = b'{"format": "design-workbench/1", "padding": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    designs = m.Design.objects.count()

    with pytest.raises(DocumentError) as caught:
        parse_document(raw)

    assert caught.value.errors == [("", "The document is 50.0 MB; the largest accepted is 10.0 MB.")]
    assert m.Design.objects.count() == designs


def test_it_follows_the_size_setting(settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 100

    with pytest.raises(DocumentError) as caught:
        parse_document(b"{" + b" " * 100 + b"}")

    assert caught.value.errors[0][0] == ""
    assert "0.0 MB" in caught.value.errors[0][1]


def test_it_refuses_a_wrong_format_version(owner, full_document):
    full_document["format"] = "design-workbench/2"

    errors = _refused(full_document, owner)

    assert errors == [("/format", 'The format is "design-workbench/2"; this workbench reads “design-workbench/1”.')]


def test_it_refuses_a_document_without_a_format(owner):
    errors = _refused({"design": {"name": "x"}}, owner)

    assert errors == [("/format", "The format is missing; this workbench reads “design-workbench/1”.")]


def test_it_reports_schema_violations_at_their_pointers(owner):
    document = _minimal(
        architecture={"components": [{"name": "API", "kind": "spaceship"}, {"name": "x" * 101, "kind": "service"}]},
        api={"endpoints": [{"service": "API", "path": "/a", "summary": "A", "success_status": "200"}]},
    )
    document["design"]["colour"] = "blue"

    errors = _refused(document, owner)

    assert errors == [
        ("/design", 'Unknown property: "colour".'),
        (
            "/steps/architecture/components/0/kind",
            '"spaceship" is not one of "client", "web_app", "api_gateway", '
            '"load_balancer", "cdn", "service", "worker", "database", "cache", "queue", "object_storage", "search", '
            '"external".',
        ),
        ("/steps/architecture/components/1/name", "Too long: 101 characters, at most 100 allowed."),
        ("/steps/api/endpoints/0/success_status", "Expected integer, found a string."),
    ]


def test_it_reports_a_missing_required_property(owner):
    errors = _refused(_minimal(architecture={"components": [{"kind": "service"}]}), owner)

    assert errors == [("/steps/architecture/components/0", "Missing the required property “name”.")]


def test_it_reports_a_dangling_reference(owner):
    document = _minimal(
        architecture={
            "components": _components("API", "Worker"),
            "interactions": [{"source": "API", "target": "Workr"}],
        }
    )

    errors = _refused(document, owner)

    assert errors == [
        (
            "/steps/architecture/interactions/0/target",
            "Dangling reference: no component “Workr” in this document (a component is referred to by its name).",
        )
    ]


def test_it_reports_a_dangling_reference_in_a_full_document(owner, full_document):
    full_document["steps"]["database"]["columns"][1]["references"] = "customers.uuid"
    full_document["steps"]["database"]["indexes"][0]["columns"][1] = "placed_at"

    errors = _refused(full_document, owner)

    assert errors == [
        (
            "/steps/database/columns/1/references",
            "Dangling reference: no column “customers.uuid” in this document "
            "(a column is referred to by “table.column”).",
        ),
        ("/steps/database/indexes/0/columns/1", "Dangling reference: table “orders” has no column “placed_at”."),
    ]


def test_it_reports_a_duplicate_name(owner):
    errors = _refused(_minimal(architecture={"components": _components("API", "Worker", "api")}), owner)

    assert errors == [
        ("/steps/architecture/components/2/name", "Another component in this design already has the name “api”.")
    ]


def test_it_reports_a_duplicate_interaction_key(owner):
    document = _minimal(
        architecture={
            "components": _components("A", "B"),
            "interactions": [
                {"key": "call", "source": "A", "target": "B"},
                {"key": "call", "source": "B", "target": "A"},
            ],
        }
    )

    errors = _refused(document, owner)

    assert errors == [
        ("/steps/architecture/interactions/1/key", "Another interaction has the key “call”; keys are unique.")
    ]


def test_it_does_not_repeat_an_error_for_references_to_a_broken_element(owner):
    document = _minimal(
        architecture={
            "components": _components("API", "API"),
            "interactions": [{"source": "API", "target": "API"}],
        }
    )

    errors = _refused(document, owner)

    assert [pointer for pointer, _ in errors] == [
        "/steps/architecture/components/1/name",
        "/steps/architecture/interactions/0/target",
    ]
    assert errors[1][1] == "A component cannot interact with itself; choose another target."


def test_it_reports_model_rules_at_the_field_they_concern(owner):
    document = _minimal(
        requirements={"nonfunctional": [{"category": "performance", "title": "Fast", "metric": "p99", "unit": "ms"}]},
        architecture={"components": [{"name": "Browser", "kind": "client"}]},
        api={"endpoints": [{"service": "Browser", "path": "/x", "summary": "X"}]},
        deployment={"recovery": {"dr_rpo_minutes": -5}},
    )

    errors = _refused(document, owner)

    assert errors == [("/steps/deployment/recovery/dr_rpo_minutes", "-5 is too small: the minimum is 0.")]
    del document["steps"]["deployment"]
    assert _refused(document, owner) == [
        (
            "/steps/requirements/nonfunctional/0/comparator",
            "A measurable target needs a metric, comparator, value and unit.",
        ),
        (
            "/steps/requirements/nonfunctional/0/target_value",
            "A measurable target needs a metric, comparator, value and unit.",
        ),
        ("/steps/api/endpoints/0/service", "An endpoint belongs to a service, web app, API gateway or worker."),
    ]


def test_it_writes_nothing_when_the_last_step_is_wrong(owner, full_document):
    full_document["steps"]["deployment"]["units"][0]["environment"] = "qa"
    tables = m.Table.objects.count()

    errors = _refused(full_document, owner)

    assert errors == [
        (
            "/steps/deployment/units/0/environment",
            "Dangling reference: no environment “qa” in this document (an environment is referred to by its name).",
        )
    ]
    assert m.Table.objects.count() == tables


def test_it_collects_errors_from_several_steps(owner, full_document):
    broken = copy.deepcopy(full_document)
    broken["steps"]["architecture"]["components"][1]["name"] = broken["steps"]["architecture"]["components"][2]["name"]
    broken["steps"]["performance"]["budgets"][1]["nfr"] = "NFR-9"

    errors = _refused(broken, owner)

    pointers = [pointer for pointer, _ in errors]
    assert pointers[0] == "/steps/architecture/components/2/name"
    assert "/steps/performance/budgets/1/nfr" in pointers


def test_it_lists_errors_as_lines_and_caps_them():
    error = DocumentError([(f"/steps/x/{i}", "Bad.") for i in range(105)] + [("", "Whole.")])

    lines = error.lines()

    assert lines[0] == "/steps/x/0: Bad."
    assert lines[-1] == "… and 6 more."
    assert len(lines) == 101
    assert DocumentError([("", "Not valid JSON.")]).lines() == ["(document): Not valid JSON."]


def test_it_parses_decimals_exactly():
    document = parse_document(json.dumps({"a": 1}).encode()[:-1] + b', "b": 0.1, "c": 12345678.1234}')

    assert document == {"a": 1, "b": Decimal("0.1"), "c": Decimal("12345678.1234")}


# ---------------------------------------------------------------- text PostgreSQL cannot store, huge numbers


def _upload_refused(owner_client, raw: bytes) -> str:
    designs = m.Design.objects.count()

    response = owner_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("design.json", raw, content_type="application/json")}
    )

    assert response.status_code == 400
    assert m.Design.objects.count() == designs
    return response.content.decode()


@pytest.mark.parametrize(
    ("raw", "at", "message"),
    [
        (
            rb'"design": {"name": "Shop", "summary": "a\u0000b"}',
            "/design/summary",
            r"The text contains \u0000, a NUL character, which cannot be stored as text.",
        ),
        (
            rb'"design": {"name": "Shop \ud800"}',
            "/design/name",
            r"The text contains \ud800, half of a UTF-16 surrogate pair, which cannot be stored as text.",
        ),
        (
            rb'"design": {"name": "Shop", "\udfff": 1}',
            r"/design/\udfff",
            r"The property name contains \udfff, half of a UTF-16 surrogate pair, which cannot be stored as text.",
        ),
        (
            rb'"design": {"name": "Shop"}, "steps": {"architecture": {"components": '
            rb'[{"name": "API", "kind": "service"}, {"name": "W\u0000rker", "kind": "worker"}]}}',
            "/steps/architecture/components/1/name",
            r"The text contains \u0000, a NUL character",
        ),
    ],
    ids=["nul-in-a-string", "lone-surrogate-in-a-string", "lone-surrogate-in-a-key", "nul-in-an-element"],
)
def test_it_refuses_text_that_postgresql_cannot_store(owner_client, raw, at, message):
    html = _upload_refused(owner_client, b'{"format": "design-workbench/1", ' + raw + b"}")

    assert f"<code>{at}</code> {message}" in html


def test_it_reports_every_unstorable_string_at_its_pointer():
    with pytest.raises(DocumentError) as caught:
        parse_document(rb'{"a": ["ok", "\u0000", {"b\ud800": "\uDC00"}], "c": "x\u0000", "d": "\ud83d\ude00"}')

    assert [pointer for pointer, _ in caught.value.errors] == ["/a/1", r"/a/2/b\ud800", r"/a/2/b\ud800", "/c"]


def test_it_refuses_an_integer_of_5000_digits(owner_client):
    html = _upload_refused(
        owner_client, b'{"format": "design-workbench/1", "design": {"name": "Shop"}, "n": ' + b"9" * 5000 + b"}"
    )

    assert "Not a readable JSON document: Exceeds the limit (4300 digits) for integer string conversion" in html


def test_it_refuses_a_nul_character_from_the_command_line(owner, tmp_path):
    source = tmp_path / "nul.json"
    source.write_text('{"format": "design-workbench/1", "design": {"name": "Shop", "summary": "a\\u0000b"}}')
    designs = m.Design.objects.count()

    with pytest.raises(CommandError) as caught:
        call_command("import_design", str(source), "--owner", owner.username)

    assert "/design/summary: The text contains \\u0000, a NUL character" in str(caught.value)
    assert m.Design.objects.count() == designs


def test_it_turns_a_value_the_database_refuses_into_an_error_at_its_list(owner):
    # A caller handing import_design its own dict skips parse_document's checks.
    errors = _refused(_minimal(architecture={"components": _components("API", "W\x00rker")}), owner)

    assert errors[0][0] == "/steps/architecture/components"
    assert errors[0][1].startswith("The database refused a value: ")
    assert "NUL" in errors[0][1]


# ---------------------------------------------------------------- names and the error cap


def test_it_strips_the_design_name(owner):
    design = import_design(_minimal() | {"design": {"name": "  Padded shop \t"}}, owner=owner)

    assert design.name == "Padded shop"


def test_it_refuses_a_blank_design_name(owner):
    errors = _refused(_minimal() | {"design": {"name": "   "}}, owner)

    assert errors == [("/design/name", "Must not be blank.")]


def test_it_stops_collecting_schema_errors_after_the_cap(owner):
    document = _minimal(architecture={"components": [{"name": f"C{i}", "kind": "spaceship"} for i in range(5000)]})

    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)

    assert len(caught.value.errors) == doc.MAX_REPORTED_ERRORS
    assert caught.value.errors[-1][0] == f"/steps/architecture/components/{doc.MAX_REPORTED_ERRORS - 1}/kind"
    assert caught.value.lines()[-1] == "… and more, left out of this list."
