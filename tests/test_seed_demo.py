"""`seed_demo`: the demo user and the e-commerce starter, imported once and complete."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from designs import models as m
from designs.document import FORMAT, design_schema, document_json, export_design
from designs.management.commands.seed_demo import DEMO_DOCUMENT, DEMO_PASSWORD, DEMO_USERNAME
from designs.services import compute_completeness
from designs.steps import STEPS

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _demo_designs() -> list[m.Design]:
    return list(m.Design.objects.filter(memberships__user__username=DEMO_USERNAME))


def test_seeding_twice_creates_one_user_and_one_design():
    assert _seed().startswith("Created demo design ")
    assert _seed() == ""
    assert User.objects.filter(username=DEMO_USERNAME).count() == 1
    assert User.objects.get(username=DEMO_USERNAME).check_password(DEMO_PASSWORD)
    designs = _demo_designs()
    assert len(designs) == 1
    assert designs[0].memberships.get().role == m.Role.OWNER


def test_the_demo_design_is_complete_in_every_step():
    _seed()
    (design,) = _demo_designs()
    assert design.overall_completeness == 100
    for step in STEPS:
        stored = design.completeness[step.key]
        assert stored["met"] == stored["total"], (step.key, stored["missing"])
    assert all(not p.missing for p in compute_completeness(design).values())


def test_the_demo_fills_every_section_and_element_list():
    _seed()
    (design,) = _demo_designs()
    for step in STEPS:
        for spec in step.sections:
            assert spec.model.objects.filter(design=design).exists(), f"{step.key}.{spec.key}"
        for spec in step.elements:
            assert spec.model.objects.filter(design=design).exists(), f"{step.key}.{spec.key}"


def test_exporting_the_seeded_demo_gives_back_the_shipped_file():
    _seed()
    (design,) = _demo_designs()
    assert document_json(export_design(design)) == DEMO_DOCUMENT.read_text(encoding="utf-8")


def test_the_shipped_file_is_valid_against_the_schema():
    from jsonschema import Draft202012Validator

    document = json.loads(DEMO_DOCUMENT.read_bytes())
    assert document["format"] == FORMAT
    assert not list(Draft202012Validator(design_schema()).iter_errors(document))
