"""Every element has a uid that survives edits, travels in the document and is kept by import."""

from __future__ import annotations

import uuid

import pytest

from designs import models as m
from designs.document import DocumentError, export_design, import_design
from tests.full_design import build_full_design

pytestmark = pytest.mark.django_db


def _uids(design: m.Design) -> dict[str, list[str]]:
    document = export_design(design)
    return {
        key: [item["uid"] for item in items]
        for step in document["steps"].values()
        for key, items in step.items()
        if isinstance(items, list)
    }


def test_it_gives_every_new_element_its_own_uid(design):
    first = m.Component.objects.create(design=design, name="A", kind="service")
    second = m.Component.objects.create(design=design, name="B", kind="service")

    assert isinstance(first.uid, uuid.UUID)
    assert first.uid != second.uid


def test_it_keeps_uids_through_import_and_two_imports_share_them(owner):
    original = build_full_design(owner)
    document = export_design(original)

    first = import_design(document, owner=owner)
    second = import_design(document, owner=owner)

    assert _uids(first) == _uids(second) == _uids(original)
    component = document["steps"]["architecture"]["components"][0]
    assert str(m.Component.objects.get(design=second, name=component["name"]).uid) == component["uid"]


def test_it_imports_a_document_without_uids_and_gives_them_new_ones(owner):
    document = export_design(build_full_design(owner))
    for step in document["steps"].values():
        for items in step.values():
            if isinstance(items, list):
                for item in items:
                    item.pop("uid")

    copy = import_design(document, owner=owner)

    uids = [uid for found in _uids(copy).values() for uid in found]
    assert len(uids) == len(set(uids)) > 30


def test_it_refuses_a_uid_used_twice_in_a_design(owner):
    document = export_design(build_full_design(owner))
    components = document["steps"]["architecture"]["components"]
    tables = document["steps"]["database"]["tables"]
    tables[0]["uid"] = components[1]["uid"]
    designs = m.Design.objects.count()

    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)

    assert caught.value.errors == [
        (
            "/steps/database/tables/0/uid",
            f"The uid {components[1]['uid']} is already that of /steps/architecture/components/1; "
            "uids are unique in a design.",
        )
    ]
    assert m.Design.objects.count() == designs


def test_it_refuses_a_uid_that_is_not_a_uuid(owner):
    document = export_design(build_full_design(owner))
    document["steps"]["architecture"]["components"][0]["uid"] = "not-a-uuid"

    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)

    assert [pointer for pointer, _ in caught.value.errors] == ["/steps/architecture/components/0/uid"]
