"""An import lists every problem at once: the schema's field errors and the dangling references together."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from designs.document import DocumentError, import_design
from designs.models import Design

STARTER = json.loads((Path(__file__).parent.parent / "designs" / "starters" / "ecommerce.json").read_text())


def test_it_reports_field_errors_and_dangling_references_in_one_go(owner):
    document = copy.deepcopy(STARTER)
    architecture = document["steps"]["architecture"]
    architecture["components"][0]["kind"] = "banana"
    architecture["interactions"][0]["source"] = "Nowhere service"
    document["steps"]["database"]["columns"][0]["table"] = "no_such_table"

    with pytest.raises(DocumentError) as refused:
        import_design(document, owner=owner)

    where = {pointer: message for pointer, message in refused.value.errors}
    assert "/steps/architecture/components/0/kind" in where
    assert where["/steps/architecture/interactions/0/source"].startswith(
        "Dangling reference: no component “Nowhere service” in this document"
    )
    assert "no table “no_such_table”" in where["/steps/database/columns/0/table"]
    assert not Design.objects.exists()


def test_a_valid_document_has_no_dangling_references():
    from designs.document.snapshot import reference_errors

    assert reference_errors(STARTER) == []
    assert reference_errors({"steps": {"architecture": {"interactions": ["not an object", {"source": 3}]}}}) == []
