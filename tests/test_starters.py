"""The shipped starters (designs/starters/*.json): each a complete design an architect would sign.

Every starter imports, fills every section and element list of the registry, is 100 % complete,
raises no error-severity design check, and exports back to exactly the shipped text. Its DDL is
applied to PostgreSQL in tests/test_sql.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.engine import run_checks
from checks.registry import Severity
from designs.document import document_json, export_design, import_design, parse_document
from designs.services import compute_completeness
from designs.snapshot import load_snapshot
from designs.steps import STEPS

STARTERS_DIR = Path(__file__).resolve().parent.parent / "designs" / "starters"
STARTERS = sorted(STARTERS_DIR.glob("*.json"))

pytestmark = pytest.mark.django_db


def test_there_are_five_starters_one_per_typical_design():
    assert [p.stem for p in STARTERS] == [
        "ecommerce",
        "monolith-split",
        "multi-tenant-saas",
        "slow-system-rescue",
        "social-platform",
    ]


@pytest.fixture(params=STARTERS, ids=lambda p: p.stem)
def starter(request, owner):
    path: Path = request.param
    return path, import_design(parse_document(path.read_bytes()), owner=owner)


def test_the_starter_names_and_summarises_itself(starter):
    _, design = starter
    assert design.name.strip()
    assert len(design.summary) > 200


def test_the_starter_fills_every_section_and_element_list(starter):
    _, design = starter
    for step in STEPS:
        for spec in (*step.sections, *step.elements):
            assert spec.model.objects.filter(design=design).exists(), f"{step.key}.{spec.key}"


def test_the_starter_is_complete_in_every_step(starter):
    _, design = starter
    progress = compute_completeness(design)
    assert {key: p.missing for key, p in progress.items() if p.missing} == {}
    design.refresh_from_db()
    assert design.overall_completeness == 100


def test_the_starter_raises_no_error_finding(starter):
    _, design = starter
    errors = [f for f in run_checks(load_snapshot(design)) if f.severity == Severity.ERROR]
    assert errors == []


def test_exporting_the_imported_starter_gives_back_the_shipped_file(starter):
    path, design = starter
    assert document_json(export_design(design)) == path.read_text(encoding="utf-8")
