"""designs.caching: the one way a value is kept by a design's state."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from designs import services
from designs.caching import cached_by_state, design_state, state_key

pytestmark = pytest.mark.usefixtures("empty_cache")


def _builder(value):
    calls = []

    def build():
        calls.append(value)
        return value

    return build, calls


def test_it_builds_once_per_state_and_parts():
    build, calls = _builder(["finding"])

    first = cached_by_state("checks", "7:2026-01-01", "v1", build=build, timeout=60)
    again = cached_by_state("checks", "7:2026-01-01", "v1", build=build, timeout=60)

    assert first == again == ["finding"]
    assert calls == [["finding"]]
    assert cache.get(state_key("checks", "7:2026-01-01", "v1")) == ["finding"]


@pytest.mark.parametrize(
    ("kind", "state", "parts"),
    [
        ("report-html", "7:2026-01-01", ("v1",)),
        ("checks", "7:2026-01-02", ("v1",)),
        ("checks", "7:2026-01-01", ("v2",)),
    ],
)
def test_another_kind_state_or_version_is_another_key(kind, state, parts):
    assert state_key(kind, state, *parts) != state_key("checks", "7:2026-01-01", "v1")
    assert state_key(kind, state, *parts).startswith(f"{kind}:")


def test_a_value_it_should_not_keep_is_built_again():
    build, calls = _builder("failed")

    for _ in range(2):
        cached_by_state("diagram-state", "7:x", build=build, timeout=60, keep=lambda value: value != "failed")

    assert calls == ["failed", "failed"]
    assert cache.get(state_key("diagram-state", "7:x")) is None


@pytest.mark.django_db
def test_an_edit_moves_the_design_state(design):
    before = design_state(design)

    services.design_update(design=design, name="Checkout", summary="", base_version=design.version)
    design.refresh_from_db()

    assert before.startswith(f"{design.pk}:")
    assert design_state(design) != before
