"""Export → import → export gives the identical document, on a design that fills every field."""

from __future__ import annotations

import json

import pytest
from django.db import models as dj

from designs import models as m
from designs.document import (
    FORMAT,
    DocumentError,
    document_json,
    export_design,
    import_design,
    snapshot_from_document,
)
from designs.snapshot import load_snapshot
from designs.steps import STEPS
from tests.full_design import build_full_design


@pytest.fixture
def full_design(owner) -> m.Design:
    return build_full_design(owner)


def _non_default(field: dj.Field, value: object) -> bool:
    if value in (None, ""):
        return False
    return not field.has_default() or value != field.get_default()


def test_it_fills_every_field_of_every_step(full_design):
    unfilled = []
    for step in STEPS:
        for spec in step.sections:
            record = spec.model.objects.get(design=full_design)
            for name in spec.fields:
                field = spec.model._meta.get_field(name)
                if not _non_default(field, getattr(record, field.attname)):
                    unfilled.append(f"{step.key}.{spec.key}.{name}")
        for spec in step.elements:
            rows = list(spec.model.objects.filter(design=full_design))
            for name in spec.fields:
                field = spec.model._meta.get_field(name)
                if not any(_non_default(field, getattr(row, field.attname)) for row in rows):
                    unfilled.append(f"{step.key}.{spec.key}.{name}")
    assert unfilled == []


def test_it_gives_the_identical_document_after_a_round_trip(full_design, owner):
    first = document_json(export_design(full_design))

    copy = import_design(json.loads(first), owner=owner)

    assert copy.pk != full_design.pk
    assert document_json(export_design(copy)) == first


def test_it_writes_references_as_keys_not_ids(full_design):
    document = export_design(full_design)

    interactions = document["steps"]["architecture"]["interactions"]
    assert [i["key"] for i in interactions] == [
        "Web app <edge> -> API gateway",
        "API gateway -> Orders service",
        "Orders service -> Order events",
        "Orders service -> Order events #2",
    ]
    assert document["steps"]["security"]["threats"][1]["target_interaction"] == "Orders service -> Order events #2"
    columns = document["steps"]["database"]["columns"]
    stored = m.Column.objects.get(design=full_design, table__name="orders", name="customer_id")
    assert columns[1].pop("uid") == str(stored.uid)
    assert columns[1] == {
        "table": "orders",
        "name": "customer_id",
        "data_type": "bigint",
        "nullable": True,
        "default": "",
        "primary_key": False,
        "unique": False,
        "references": "customers.id",
        "on_delete": "set_null",
        "pii": False,
    }
    assert document["steps"]["database"]["indexes"][0]["columns"] == ["customer_id", "created_at"]
    assert document["steps"]["database"]["tables"][0]["store"] == "Orders DB"
    assert document["steps"]["performance"]["budgets"][0]["endpoint"] == "POST /orders"
    assert document["steps"]["performance"]["budgets"][1]["nfr"] == "NFR-1"
    assert document["steps"]["requirements"]["load"]["peak_factor"] == 4.25
    assert document["steps"]["requirements"]["load"]["requests_per_user_per_day"] == 42.5
    assert document["format"] == FORMAT
    assert document["design"] == {
        "name": full_design.name,
        "summary": full_design.summary,
        "status": "in_review",
    }


def test_it_copies_every_element_and_value_into_the_new_design(full_design, owner):
    copy = import_design(export_design(full_design), owner=owner)

    for step in STEPS:
        for spec in step.elements:
            assert (
                spec.model.objects.filter(design=copy).count() == spec.model.objects.filter(design=full_design).count()
            ), spec.key
    for model, name in [(m.Component, "Orders DB"), (m.Table, "orders"), (m.Index, "orders_customer_created")]:
        original = model.objects.get(design=full_design, name=name)
        imported = model.objects.get(design=copy, name=name)
        for field in model._meta.concrete_fields:
            if not field.is_relation and field.name not in ("id", "created_at", "updated_at"):
                assert getattr(imported, field.name) == getattr(original, field.name), field.name
    assert copy.memberships.get().user == owner
    assert copy.memberships.get().role == m.Role.OWNER
    assert copy.status == "in_review"
    assert copy.overall_completeness == full_design.overall_completeness
    assert copy.completeness == full_design.completeness


def test_it_points_references_at_the_new_designs_elements(full_design, owner):
    copy = import_design(export_design(full_design), owner=owner)

    customer_id = m.Column.objects.get(design=copy, table__name="orders", name="customer_id")
    assert customer_id.references.design_id == copy.pk
    assert str(customer_id.references) == "customers.id"
    threat = m.Threat.objects.get(design=copy, category="information_disclosure")
    assert threat.target_interaction.design_id == copy.pk
    assert threat.target_interaction.purpose == "Order cancelled"
    index = m.Index.objects.get(design=copy, name="orders_customer_created")
    assert [c.name for c in index.ordered_columns()] == ["customer_id", "created_at"]
    assert {c.design_id for c in index.ordered_columns()} == {copy.pk}
    unit = m.DeploymentUnit.objects.get(design=copy, environment__name="production")
    assert (unit.component.design_id, unit.component.name) == (copy.pk, "Orders service")


def test_it_exports_an_empty_design_with_null_sections_and_empty_lists(design, owner):
    document = export_design(design)

    assert document["steps"]["requirements"]["context"] is None
    assert document["steps"]["architecture"]["components"] == []
    copy = import_design(document, owner=owner)
    assert export_design(copy) == document
    assert not m.ProblemContext.objects.filter(design=copy).exists()


def test_it_accepts_a_hand_written_minimal_document(owner):
    document = {
        "format": FORMAT,
        "design": {"name": "Sketch"},
        "steps": {
            "requirements": {"functional": [{"title": "Sign up"}, {"code": "FR-7", "title": "Log in"}]},
            "architecture": {
                "components": [{"name": "API", "kind": "service"}, {"name": "DB", "kind": "database"}],
                "interactions": [{"source": "API", "target": "DB", "protocol": "sql"}],
            },
            "security": {
                "threats": [
                    {"category": "tampering", "target_interaction": "API -> DB", "description": "SQL injection"}
                ]
            },
        },
    }

    design = import_design(document, owner=owner)

    assert design.name == "Sketch"
    assert list(m.FunctionalRequirement.objects.filter(design=design).values_list("code", flat=True)) == [
        "FR-8",
        "FR-7",
    ]
    assert m.Threat.objects.get(design=design).target_interaction.target.name == "DB"


def test_it_round_trips_a_bulk_built_design(owner):
    from tests.large_design import build_large_design

    original = build_large_design(
        owner, components=20, interactions=60, tables=8, columns_per_table=4, endpoints=15, others=4
    )
    first = document_json(export_design(original))

    copy = import_design(json.loads(first), owner=owner)

    assert document_json(export_design(copy)) == first


def test_it_keeps_traceability_links_as_requirement_codes_in_page_order(full_design, owner):
    document = export_design(full_design)

    components = {c["name"]: c["requirements"] for c in document["steps"]["architecture"]["components"]}
    assert components["Orders service"] == ["FR-1", "FR-2"]
    assert components["Web app <edge>"] == ["FR-1"]
    assert components["Orders DB"] == []
    assert [e["requirements"] for e in document["steps"]["api"]["endpoints"]] == [["FR-1"], []]

    copy = import_design(document, owner=owner)
    orders = m.Component.objects.get(design=copy, name="Orders service")
    assert sorted((r.code, r.design_id) for r in orders.requirements.all()) == [("FR-1", copy.pk), ("FR-2", copy.pk)]
    assert load_snapshot(copy) == load_snapshot(full_design)
    assert snapshot_from_document(document) == load_snapshot(full_design)


def test_it_refuses_a_link_to_a_requirement_the_document_lacks(owner):
    document = {
        "format": "design-workbench/1",
        "design": {"name": "Links"},
        "steps": {
            "requirements": {"functional": [{"code": "FR-1", "title": "Sign in"}]},
            "architecture": {"components": [{"name": "Web", "kind": "web_app", "requirements": ["FR-1", "FR-9"]}]},
        },
    }
    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)
    [(where, message)] = caught.value.errors
    assert where == "/steps/architecture/components/0/requirements/1"
    assert "no functional requirement “FR-9”" in message
    assert not m.Design.objects.filter(name="Links").exists()
