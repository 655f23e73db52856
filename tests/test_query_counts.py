"""Query counts stay flat: a page of a large design costs what the page of a small one does.

Each page is fetched for a small design (every list holding a row or two, so
every prefetch fires) and for a large one (100 components, 300 interactions,
200 tables of 10 columns, 300 endpoints, dozens of everything else). The counts
must be equal, and below a fixed ceiling per page.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from designs import models as m
from designs import services
from designs.models import DatabaseSettings
from designs.steps import STEPS
from tests.large_design import build_large_design

# Ceilings include the three queries of every logged-in request (session, user, membership), the
# unread count of the top bar and, on a design's pages, its open comment threads (one query each).
MAX_QUERIES = {
    "dashboard": 6,  # one of them the invitations waiting for an answer
    "overview": 5,
    "requirements": 11,
    "architecture": 14,  # one query more: the requirements a component serves, on its form
    "api": 11,  # one query more: the requirements an endpoint serves, on its form
    "database": 18,  # one list more: the custom types
    "security": 16,
    "performance": 15,
    "scalability": 15,
    "deployment": 17,
}


def small_design(owner):
    return build_large_design(
        owner, name="Small design", components=16, interactions=20, tables=3, columns_per_table=3, endpoints=5, others=2
    )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_it_covers_every_step():
    assert {step.key for step in STEPS} <= set(MAX_QUERIES)


@pytest.mark.parametrize("step", [step.key for step in STEPS])
def test_it_renders_a_step_of_a_large_design_in_as_many_queries_as_a_small_one(
    owner, owner_client, django_assert_max_num_queries, step
):
    small = _count(owner_client, reverse("designs:step", args=[small_design(owner).slug, step]))
    large = build_large_design(owner)
    with django_assert_max_num_queries(MAX_QUERIES[step]) as ctx:
        response = owner_client.get(reverse("designs:step", args=[large.slug, step]))
    assert response.status_code == 200
    assert len(ctx) == small


def test_it_renders_the_overview_of_a_large_design_in_as_many_queries_as_a_small_one(
    owner, owner_client, django_assert_max_num_queries
):
    small = _count(owner_client, reverse("designs:overview", args=[small_design(owner).slug]))
    large = build_large_design(owner)
    with django_assert_max_num_queries(MAX_QUERIES["overview"]) as ctx:
        response = owner_client.get(reverse("designs:overview", args=[large.slug]))
    assert "Large design" in response.content.decode()
    assert len(ctx) == small


def test_it_lists_thirty_designs_in_as_many_queries_as_three(owner, owner_client, django_assert_max_num_queries):
    for i in range(3):
        services.design_create(name=f"Design {i}", summary="", owner=owner)
    few = _count(owner_client, reverse("designs:dashboard"))
    for i in range(3, 30):
        services.design_create(name=f"Design {i}", summary="", owner=owner)
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]) as ctx:
        response = owner_client.get(reverse("designs:dashboard"))
    assert "Design 29" in response.content.decode()
    assert len(ctx) == few


# Most of these are the completeness rules of all eight steps, recomputed on every save;
# loading the step's element lists and their choices as well would add a dozen more.
SECTION_SAVE_MAX = 75


def _post_count(client: Client, url: str, data: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    return len(ctx)


def test_it_saves_a_section_with_htmx_without_loading_the_step_lists(owner, owner_client):
    """A section save answers with the section and the navigation, whatever the design's size."""
    counts = []
    for design in (small_design(owner), build_large_design(owner)):
        url = reverse("designs:section", args=[design.slug, "database", "migrations"])
        data = {"migrations-migration_strategy": "expand, migrate, contract"}
        if saved := DatabaseSettings.objects.filter(design=design).first():
            data["migrations-base_version"] = saved.version
        counts.append(_post_count(owner_client, url, data))
    assert counts[0] == counts[1], counts
    assert counts[0] <= SECTION_SAVE_MAX, counts


def _hub(owner, name: str, spokes: int) -> m.Component:
    """A component that `spokes` others call, each call with a threat on it."""
    design = services.design_create(name=name, summary="", owner=owner)
    hub = m.Component.objects.create(design=design, position=0, name="Hub", kind="service")
    others = m.Component.objects.bulk_create(
        m.Component(design=design, position=1 + i, name=f"Caller {i}", kind="service") for i in range(spokes)
    )
    calls = m.Interaction.objects.bulk_create(
        m.Interaction(design=design, position=i, source=other, target=hub) for i, other in enumerate(others)
    )
    m.Threat.objects.bulk_create(
        m.Threat(design=design, position=i, category="spoofing", description="Forged caller", target_interaction=call)
        for i, call in enumerate(calls)
    )
    return hub


def test_it_confirms_deleting_a_hub_in_as_many_queries_whatever_its_dependents(owner, owner_client):
    counts = []
    for spokes in (2, 40):
        hub = _hub(owner, f"Hub of {spokes}", spokes)
        url = reverse("designs:element-delete", args=[hub.design.slug, "architecture", "components", hub.pk])
        with CaptureQueriesContext(connection) as ctx:
            response = owner_client.get(url)
        html = response.content.decode()
        assert f"deleting it also deletes {2 * spokes} elements" in html
        assert "interaction “Caller 1 → Hub (HTTPS/REST)”" in html
        assert "threat “Spoofing on Caller 1 → Hub (HTTPS/REST)”" in html
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "card"])
def test_a_capacity_what_if_costs_the_same_on_a_large_design_as_on_a_small_one(
    owner, owner_client, django_assert_max_num_queries, htmx
):
    # ?factor= draws the step without its cached body (a plain GET) or the capacity card alone (htmx).
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    small_url = reverse("designs:step", args=[small_design(owner).slug, "scalability"]) + "?factor=100"
    with CaptureQueriesContext(connection) as ctx:
        assert owner_client.get(small_url, **headers).status_code == 200
    small = len(ctx)
    large = build_large_design(owner)
    url = reverse("designs:step", args=[large.slug, "scalability"]) + "?factor=100"
    with django_assert_max_num_queries(MAX_QUERIES["scalability"]) as ctx:
        response = owner_client.get(url, **headers)
    assert "What if the load were" in response.content.decode()
    assert len(ctx) == small
