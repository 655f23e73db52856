"""DesignSnapshot: one immutable read model of a design, the same from the database and from a document."""

from __future__ import annotations

import dataclasses
import json

import pytest

from designs import models as m
from designs import services
from designs.document import document_from_snapshot, document_json, export_design, snapshot_from_document
from designs.snapshot import INDEX_COLUMNS, load_snapshot
from designs.steps import STEPS
from tests.full_design import build_full_design
from tests.large_design import build_large_design

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_design(owner) -> m.Design:
    return build_full_design(owner)


def test_it_is_the_same_from_the_database_and_from_the_document(full_design):
    from_db = load_snapshot(full_design)

    from_document = snapshot_from_document(json.loads(document_json(export_design(full_design))))

    assert from_db == from_document
    # Not equal by accident: every list of the full design has rows, and a change is seen.
    assert all(from_db.elements(spec.key) for step in STEPS for spec in step.elements)
    changed = json.loads(document_json(export_design(full_design)))
    changed["steps"]["database"]["columns"][0]["name"] = "renamed"
    assert snapshot_from_document(changed) != from_db


def test_it_is_the_same_both_ways_for_the_large_design(owner):
    large = build_large_design(owner)

    from_db = load_snapshot(large)

    assert from_db == snapshot_from_document(export_design(large))
    assert len(from_db.elements("columns")) == 2000


def test_it_loads_in_as_many_queries_for_a_large_design_as_for_a_small_one(
    full_design, owner, django_assert_max_num_queries
):
    large = build_large_design(owner)
    # One per section and list, one per link table (requirements served), the design and the index columns.
    links = sum(len(s.links) for step in STEPS for s in step.elements)
    queries = (
        2
        + len([s for step in STEPS for s in step.sections])
        + len([s for step in STEPS for s in step.elements])
        + links
    )
    with django_assert_max_num_queries(queries):
        load_snapshot(full_design)
    with django_assert_max_num_queries(queries):
        load_snapshot(large)


def test_it_resolves_references_to_the_referenced_records(full_design):
    snapshot = load_snapshot(full_design)

    interaction = snapshot.elements("interactions")[0]
    assert interaction.source in snapshot.elements("components")
    assert interaction.source.name == "Web app <edge>"
    column = next(c for c in snapshot.elements("columns") if c.references is not None)
    assert column.table in snapshot.elements("tables")
    assert column.references in snapshot.elements("columns")
    index = snapshot.elements("indexes")[0]
    stored = m.Index.objects.get(pk=index.pk)
    assert [c.name for c in getattr(index, INDEX_COLUMNS)] == [c.name for c in stored.ordered_columns()]
    table = column.table
    assert {c.name for c in snapshot.referring(table, "columns", "table")} == set(
        m.Column.objects.filter(table_id=table.pk).values_list("name", flat=True)
    )
    assert snapshot.element(str(column.uid)) is column


def test_it_cannot_be_changed(full_design):
    component = load_snapshot(full_design).elements("components")[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        component.name = "changed"  # type: ignore[misc]


def test_it_compares_columns_that_reference_each_other(owner, design):
    store_component = m.Component.objects.create(design=design, name="DB", kind="database")
    store = m.DataStore.objects.create(design=design, component=store_component, engine="PostgreSQL")
    a = m.Table.objects.create(design=design, store=store, name="a")
    b = m.Table.objects.create(design=design, store=store, name="b")
    a_id = m.Column.objects.create(design=design, table=a, name="id", data_type="bigint", primary_key=True)
    b_id = m.Column.objects.create(
        design=design, table=b, name="id", data_type="bigint", primary_key=True, references=a_id
    )
    m.Column.objects.filter(pk=a_id.pk).update(references=b_id)

    snapshot = load_snapshot(design)

    assert snapshot == snapshot_from_document(document_from_snapshot(snapshot))


def test_it_renders_a_document_without_uids_with_new_ones(full_design):
    document = export_design(full_design)
    for step in document["steps"].values():
        for items in step.values():
            if isinstance(items, list):
                for item in items:
                    del item["uid"]

    snapshot = snapshot_from_document(document)

    uids = [record.uid for record in snapshot.all_elements()]
    assert len(set(uids)) == len(uids) > 0
    first = snapshot.elements("components")[0]
    assert document_from_snapshot(snapshot)["steps"]["architecture"]["components"][0]["uid"] == str(first.uid)


def test_it_keeps_the_uid_when_an_element_is_renamed(design):
    component = m.Component.objects.create(design=design, name="Orders", kind="service")
    before = load_snapshot(design).elements("components")[0].uid

    services.element_save(
        design=design,
        spec=STEPS[1].element("components"),
        element=component,
        values={"name": "Ordering"},
        base_version=component.version,
    )

    after = load_snapshot(design).elements("components")[0]
    assert after.name == "Ordering"
    assert after.uid == before == component.uid
