"""Documents written to hurt: refused in bounded work, with a small answer.

"Stopped early" is shown by counting work (keywords run, strings searched, elements checked),
never by timing; bench/hostile_documents.py has the times.
"""

from __future__ import annotations

import io
import json
import sys
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from designs import models as m
from designs import services
from designs.document import (
    MAX_REPORTED_ERRORS,
    DocumentError,
    design_schema,
    import_design,
    importing,
    parse_document,
    reading,
    schema,
)
from tests import hostile_documents as hostile
from tests.hostile_documents import CallCounter

IMPORT_URL = reverse("designs:import")
# What "small" means for an answer: the whole error page, or the command's whole output.
SMALL = 50_000


def _refusal(raw: bytes, owner) -> DocumentError:
    designs = m.Design.objects.count()
    with pytest.raises(DocumentError) as caught:
        import_design(parse_document(raw), owner=owner)
    assert m.Design.objects.count() == designs
    assert len("\n".join(caught.value.lines()).encode()) < SMALL
    return caught.value


@pytest.fixture
def keywords_run(monkeypatch) -> Counter[str]:
    """How often each JSON Schema keyword was checked: how much of the document validation looked at."""
    runs: Counter[str] = Counter()
    monkeypatch.setattr(schema, "_validator", None)  # a validator made now looks its keywords up in the patched dict
    validators = schema._FormatValidator.VALIDATORS
    for keyword, check in list(validators.items()):

        def counted(*args: Any, _check: Any = check, _keyword: str = keyword) -> Any:
            runs[_keyword] += 1
            return _check(*args)

        monkeypatch.setitem(validators, keyword, counted)
    return runs


# ---------------------------------------------------------------- a million unknown keys


@pytest.mark.parametrize(
    ("where", "keys", "at"),
    [
        ("element", 1_150_000, "/steps/architecture/components/0"),
        # The same code at the other places; fewer keys keep the suite quick.
        ("top", 100_000, ""),
        ("steps", 100_000, "/steps"),
    ],
)
def test_it_names_five_of_a_million_unknown_properties_and_counts_the_rest(owner, monkeypatch, where, keys, at):
    short = CallCounter(schema._short)
    monkeypatch.setattr(schema, "_short", short)

    error = _refusal(hostile.unknown_keys(keys, where), owner)

    assert error.errors == [(at, f'Unknown properties: "0", "00", "000", "0000", "0001" and {keys - 5:,} more.')]
    assert short.calls == 5  # not one per unknown key


def test_it_names_a_few_unknown_properties_in_order(owner):
    document = {"format": "design-workbench/1", "design": {"name": "x", "b": 1, "a": 2}, "c": 3}

    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)

    assert caught.value.errors == [("", 'Unknown property: "c".'), ("/design", 'Unknown properties: "a", "b".')]


# ---------------------------------------------------------------- nesting


def test_it_refuses_ten_thousand_levels_of_nesting(owner):
    error = _refusal(hostile.nested(10_000, "top"), owner)

    assert error.errors == [("", "Not a design document: nested more than 12 levels deep.")]


def test_it_refuses_nesting_that_json_can_read_at_the_place_it_goes_too_deep(owner, keywords_run):
    error = _refusal(hostile.nested(900, "element"), owner)

    assert error.errors == [
        ("/steps/architecture/components/0/kind" + "/0" * 7, "Not a design document: nested more than 12 levels deep.")
    ]
    assert sum(keywords_run.values()) == 0  # refused before validation


def test_it_leaves_a_level_or_two_too_many_to_the_schema(owner):
    deepest = _refusal(hostile.nested(reading.MAX_DEPTH - 1, "top"), owner)
    too_deep = _refusal(hostile.nested(reading.MAX_DEPTH, "top"), owner)

    assert deepest.errors == [("", 'Unknown property: "x".')]
    assert too_deep.errors == [("/x" + "/0" * (reading.MAX_DEPTH - 1), reading._TOO_DEEP)]


def _depth(part: dict[str, Any]) -> int:
    """How many arrays and objects the schema `part` lets a document nest."""
    types = part.get("type", [])
    own = 1 if {"object", "array"} & set(types if isinstance(types, list) else [types]) else 0
    inner = [*part.get("properties", {}).values(), *([part["items"]] if "items" in part else [])]
    return own + max(map(_depth, inner), default=0)


def test_it_allows_twice_the_nesting_the_format_needs():
    assert _depth(design_schema()) * 2 == reading.MAX_DEPTH


# ---------------------------------------------------------------- huge arrays


def test_it_stops_checking_five_million_bad_components_after_the_cap(owner, keywords_run, settings):
    # Past the element count check (tested below), so that the schema's own cap is what stops it.
    settings.DESIGN_MAX_ELEMENTS = 10_000_000
    error = _refusal(hostile.huge_array(5_000_000), owner)

    assert len(error.errors) == MAX_REPORTED_ERRORS
    assert error.errors[-1] == ("/steps/architecture/components/99", "Expected object, found a number.")
    assert error.more_note == "… and more, left out of this list."
    # One "type" check per component looked at, a few more for the document and the step.
    assert keywords_run["type"] < 2 * MAX_REPORTED_ERRORS


@pytest.mark.parametrize(("duplicate", "errors"), [(False, 2), (True, 3)])
def test_it_checks_unsortable_column_names_for_duplicates_in_one_pass(duplicate, errors):
    # Compared pairwise, these 20,000 names took 26 s of CPU; a million, hours. An import refuses
    # the index for its length first (below); the schema on its own must still be linear.
    raw = hostile.unsortable_columns(20_000)
    if duplicate:
        raw = raw.replace(b'"c1"', b'"c0"', 1)
    document = json.loads(raw)

    found = list(schema.schema_errors(document))

    at = "/steps/database/indexes/0/columns"
    count = len(document["steps"]["database"]["indexes"][0]["columns"])
    expected = [
        (f"{at}/0", "Expected string, found a number."),
        (at, f"Lists {count:,} items; at most 32 are allowed."),
        (at, "Lists an item twice."),
    ]
    assert found == expected[:errors]


def test_it_refuses_an_index_of_a_million_columns_before_checking_them(owner, keywords_run):
    raw = hostile.unsortable_columns(1_000_000)
    count = len(json.loads(raw)["steps"]["database"]["indexes"][0]["columns"])

    error = _refusal(raw, owner)

    assert error.errors == [("/steps/database/indexes/0/columns", f"Lists {count:,} items; at most 32 are allowed.")]
    assert keywords_run["type"] == 0


def _parts(part: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON value, outermost first."""
    if isinstance(part, dict):
        yield part
        for value in part.values():
            yield from _parts(value)
    elif isinstance(part, list):
        for item in part:
            yield from _parts(item)


def test_it_relies_on_the_schema_using_its_linear_keywords_only_as_they_are_written():
    # _additional_properties reads `false` only, and _unique_items compares strings only.
    every = list(_parts(design_schema()))

    assert {repr(part["additionalProperties"]) for part in every if "additionalProperties" in part} == {"False"}
    assert not any("patternProperties" in part for part in every)
    assert {part["items"]["type"] for part in every if part.get("uniqueItems")} == {"string"}


# ---------------------------------------------------------------- text that cannot be stored


def test_it_stops_searching_a_million_unstorable_strings_after_the_cap(owner, monkeypatch):
    class CountingPattern:
        def __init__(self, pattern: Any) -> None:
            self.pattern, self.searches = pattern, 0

        def search(self, text: str) -> Any:
            self.searches += 1
            return self.pattern.search(text)

        def sub(self, *args: Any) -> str:
            return self.pattern.sub(*args)

    pattern = CountingPattern(reading._UNSTORABLE)
    monkeypatch.setattr(reading, "_UNSTORABLE", pattern)

    error = _refusal(hostile.unstorable_texts(1_100_000), owner)

    assert len(error.errors) == MAX_REPORTED_ERRORS
    assert error.errors[0] == ("/x/0", r"The text contains \u0000, a NUL character, which cannot be stored as text.")
    assert pattern.searches < 2 * MAX_REPORTED_ERRORS


def test_it_finds_the_first_unstorable_strings_without_listing_the_others():
    document = json.loads(hostile.unstorable_texts(1_100_000))
    tracemalloc.start()

    found = list(islice(reading._text_errors(document), MAX_REPORTED_ERRORS + 1))

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(found) == MAX_REPORTED_ERRORS + 1
    assert peak < 1024 * 1024  # a path per string would be over 100 MB


def test_it_cuts_long_pointers_and_messages_short(owner):
    names = [f"{n:03}" + "k" * 60_000 + r"\u0000" for n in range(150)]
    raw = b'{"format": "design-workbench/1", ' + ", ".join(f'"{name}": 1' for name in names).encode() + b"}"

    error = _refusal(raw, owner)

    assert len(error.errors) == MAX_REPORTED_ERRORS
    pointer, message = error.errors[0]
    assert pointer == "/000" + "k" * 195 + "…"
    assert message == r"The property name contains \u0000, a NUL character, which cannot be stored as text."


def test_it_cuts_a_message_quoting_a_huge_reference_short(owner):
    document = {
        "format": "design-workbench/1",
        "design": {"name": "x"},
        "steps": {"architecture": {"interactions": [{"source": "x" * 1_000_000, "target": "y"}]}},
    }

    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)

    [(pointer, message), _] = caught.value.errors
    assert pointer == "/steps/architecture/interactions/0/source"
    assert message.startswith("Dangling reference: no component “xxx")
    assert len(message) == 500


# ---------------------------------------------------------------- content checks


def test_it_stops_checking_content_after_the_cap(owner, monkeypatch):
    # Elements are validated by the batch-write service the importer hands them to.
    full_clean = CallCounter(services.element_clean)
    monkeypatch.setattr(services, "element_clean", full_clean)

    error = _refusal(hostile.duplicate_components(5_000), owner)

    assert len(error.errors) == MAX_REPORTED_ERRORS
    assert error.errors[0] == (
        "/steps/architecture/components/1/name",
        "Another component in this design already has the name “A”.",
    )
    assert error.more_note == "… and more, left out of this list."
    assert full_clean.calls == MAX_REPORTED_ERRORS + 2  # the first component, then one past the cap


# ---------------------------------------------------------------- the upload page


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.unknown_keys(1_150_000, "element"),
        lambda: hostile.nested(10_000, "top"),
        lambda: hostile.nested(900, "element"),
        lambda: hostile.huge_array(5_000_000),
        lambda: hostile.unstorable_texts(1_100_000),
    ],
    ids=["a-million-keys", "10000-deep", "900-deep", "5-million-items", "a-million-nuls"],
)
def test_it_answers_a_hostile_upload_with_a_small_page(owner_client, build):
    designs = m.Design.objects.count()

    response = owner_client.post(IMPORT_URL, {"file": SimpleUploadedFile("design.json", build())})

    assert response.status_code == 400
    assert len(response.content) < SMALL
    assert "The document was not imported" in response.content.decode()
    assert m.Design.objects.count() == designs


# ---------------------------------------------------------------- the command line


class _Stdin:
    """sys.stdin with `raw` behind it; `buffer.tell()` says how much was read."""

    def __init__(self, raw: bytes) -> None:
        self.buffer = io.BytesIO(raw)


def test_it_reads_stdin_only_up_to_the_limit(owner, settings, monkeypatch):
    settings.DESIGN_UPLOAD_MAX_BYTES = 1024 * 1024
    stdin = _Stdin(b" " * (60 * 1024 * 1024))
    monkeypatch.setattr(sys, "stdin", stdin)

    with pytest.raises(CommandError) as caught:
        call_command("import_design", "-", "--owner", owner.username)

    assert str(caught.value) == (
        "Import refused, nothing was written:\n"
        "  (document): The document is more than 1.0 MB; the largest accepted is 1.0 MB."
    )
    assert stdin.buffer.tell() == 1024 * 1024 + 1


def test_it_imports_from_stdin(owner, monkeypatch):
    raw = json.dumps({"format": "design-workbench/1", "design": {"name": "Piped"}}).encode()
    monkeypatch.setattr(sys, "stdin", _Stdin(raw))
    out = io.StringIO()

    call_command("import_design", "-", "--owner", owner.username, stdout=out)

    assert m.Design.objects.get(slug=out.getvalue().strip()).name == "Piped"


def test_it_reads_a_file_without_a_size_only_up_to_the_limit(owner, settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 1024

    with pytest.raises(CommandError, match=r"The document is more than 0\.0 MB; the largest accepted is 0\.0 MB"):
        call_command("import_design", "/dev/zero", "--owner", owner.username)


def test_it_answers_a_hostile_file_with_a_short_refusal(owner, tmp_path):
    source = tmp_path / "keys.json"
    source.write_bytes(hostile.unknown_keys(100_000, "element"))

    with pytest.raises(CommandError) as caught:
        call_command("import_design", str(source), "--owner", owner.username)

    assert str(caught.value) == (
        "Import refused, nothing was written:\n  /steps/architecture/components/0: "
        'Unknown properties: "0", "00", "000", "0000", "0001" and 99,995 more.'
    )


def test_it_refuses_more_elements_than_a_design_may_hold_before_checking_them(owner, settings, monkeypatch):
    settings.DESIGN_MAX_ELEMENTS = 1_000
    checked = []
    monkeypatch.setattr(importing, "schema_errors", lambda document: checked.append(document) or iter(()))
    components = [{"name": f"c{i}", "kind": "service"} for i in range(600)]
    document = {
        "format": "design-workbench/1",
        "design": {"name": "Too big"},
        "steps": {"architecture": {"components": components}, "requirements": {"constraints": components[:401]}},
    }

    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)

    assert caught.value.errors == [("/steps", "The document holds 1,001 elements; a design holds at most 1,000.")]
    assert checked == []


def test_it_refuses_an_index_over_postgresqls_32_columns():
    index = design_schema()["properties"]["steps"]["properties"]["database"]["properties"]["indexes"]["items"]
    assert index["properties"]["columns"]["maxItems"] == 32
