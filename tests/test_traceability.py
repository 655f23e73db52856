"""Traceability: components and endpoints serve functional requirements, edited in their forms; the matrix page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from designs import models as m
from designs import services
from designs.snapshot import load_snapshot
from tests.conftest import add_member, make_user
from tests.html_helpers import find, find_all, parse, text
from tests.step_helpers import create_url, edit_url, step_url

ARCH = "architecture"


@pytest.fixture
def requirements(design):
    return [
        m.FunctionalRequirement.objects.create(design=design, code=f"FR-{n}", title=title, position=n)
        for n, title in enumerate(["Sign in", "Place an order", "Export orders"], 1)
    ]


def test_the_component_form_offers_this_designs_requirements_as_a_multi_select(
    owner_client, owner, design, requirements
):
    other = services.design_create(name="Other", summary="", owner=owner)
    m.FunctionalRequirement.objects.create(design=other, code="FR-1", title="Not this one", position=1)

    select = find(parse(owner_client.get(step_url(design, ARCH))), "select", name="new-components-requirements")

    assert select.get("multiple") is not None
    assert [text(o) for o in find_all(select, "option")] == [
        "FR-1 Sign in",
        "FR-2 Place an order",
        "FR-3 Export orders",
    ]


def test_it_saves_edits_and_logs_the_requirements_a_component_serves(owner_client, design, requirements):
    _, order, export = requirements
    response = owner_client.post(
        create_url(design, ARCH, "components"),
        {"new-components-name": "Orders", "new-components-kind": "service", "new-components-requirements": [order.pk]},
    )
    assert response.status_code == 302
    orders = m.Component.objects.get(design=design, name="Orders")
    assert list(orders.requirements.all()) == [order]

    response = owner_client.post(
        edit_url(design, ARCH, "components", orders.pk),
        {
            f"edit-components-{orders.pk}-name": "Orders",
            f"edit-components-{orders.pk}-kind": "service",
            f"edit-components-{orders.pk}-requirements": [export.pk, order.pk],
            f"edit-components-{orders.pk}-base_version": orders.version,
        },
    )
    assert response.status_code == 302
    assert sorted(r.code for r in orders.requirements.all()) == ["FR-2", "FR-3"]
    entry = m.ActivityEntry.objects.filter(design=design, kind="component").latest("pk")
    assert entry.changes == [["serves requirements", "FR-2 Place an order", "FR-2 Place an order, FR-3 Export orders"]]


def test_it_refuses_a_requirement_of_another_design_next_to_the_field(owner_client, owner, design, requirements):
    other = services.design_create(name="Other", summary="", owner=owner)
    foreign = m.FunctionalRequirement.objects.create(design=other, code="FR-1", title="Foreign", position=1)

    response = owner_client.post(
        create_url(design, ARCH, "components"),
        {
            "new-components-name": "Orders",
            "new-components-kind": "service",
            "new-components-requirements": [foreign.pk],
        },
        HTTP_HX_REQUEST="true",
    )

    error = find(parse(response), id="id_new-components-requirements_error")
    assert error is not None and "valid choice" in text(error)
    assert not m.Component.objects.filter(design=design, name="Orders").exists()


def test_an_endpoint_serves_requirements_too(owner_client, design, requirements):
    service = m.Component.objects.create(design=design, name="Orders", kind="service", position=1)
    response = owner_client.post(
        create_url(design, "api", "endpoints"),
        {
            "new-endpoints-service": service.pk,
            "new-endpoints-method": "POST",
            "new-endpoints-path": "/orders",
            "new-endpoints-summary": "Place an order",
            "new-endpoints-success_status": 201,
            "new-endpoints-exposes_classification": "internal",
            "new-endpoints-requirements": [requirements[1].pk],
        },
    )
    assert response.status_code == 302
    assert [r.code for r in m.Endpoint.objects.get(design=design).requirements.all()] == ["FR-2"]


def test_deleting_a_requirement_only_unlinks_the_component(owner_client, design, requirements):
    orders = m.Component.objects.create(design=design, name="Orders", kind="service", position=1)
    orders.requirements.set(requirements[:2])

    impact = services.deletion_impact(requirements[0])
    assert impact.deleted == [] and impact.unlinked == []
    services.element_delete(design=design, element=requirements[0])

    assert [r.code for r in orders.requirements.all()] == ["FR-2"]
    entry = m.ActivityEntry.objects.filter(design=design, action="deleted").latest("pk")
    assert entry.changes == []


def _matrix(client: Client, design: m.Design):
    response = client.get(reverse("checks:traceability", args=[design.slug]))
    assert response.status_code == 200
    return parse(response)


def test_the_matrix_shows_who_serves_what_and_lists_the_gaps(owner_client, design, requirements):
    sign_in, order, _ = requirements
    web = m.Component.objects.create(design=design, name="Web <app>", kind="web_app", position=1)
    orders = m.Component.objects.create(design=design, name="Orders", kind="service", position=2)
    m.Component.objects.create(design=design, name="Reports", kind="worker", position=3)
    m.Component.objects.create(design=design, name="Orders DB", kind="database", position=4)
    web.requirements.set([sign_in, order])
    endpoint = m.Endpoint.objects.create(
        design=design, service=orders, method="POST", path="/orders", summary="Place", position=1
    )
    endpoint.requirements.set([order])

    page = _matrix(owner_client, design)

    table = find(page, "table", class_="traceability-matrix")
    assert [text(th) for th in find_all(find(table, "thead"), "th")] == ["Requirement", "Web <app>", "POST /orders"]
    cells = {
        text(find(tr, "th")): [text(td) for td in find_all(tr, "td")] for tr in find_all(find(table, "tbody"), "tr")
    }
    assert cells == {"FR-1 Sign in": ["✓", ""], "FR-2 Place an order": ["✓", "✓"], "FR-3 Export orders": ["", ""]}
    assert [text(li) for li in find_all(find(page, id="unserved"), "li")] == ["FR-3 Export orders must"]
    # Orders serves nothing itself (its endpoint does); Orders DB is infrastructure.
    assert [text(li) for li in find_all(find(page, id="idle"), "li")] == ["Orders", "Reports"]


def test_the_matrix_says_when_nothing_is_linked(owner_client, design, requirements):
    page = _matrix(owner_client, design)
    assert "Nothing is linked to a requirement yet." in text(find(page, id="matrix"))


def test_the_matrix_is_for_readers_and_linked_from_step_1_and_the_overview(owner_client, design, requirements):
    viewer = make_user("viewer")
    add_member(design, viewer, m.Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert client.get(reverse("checks:traceability", args=[design.slug])).status_code == 200
    stranger = Client()
    stranger.force_login(make_user("nobody"))
    assert stranger.get(reverse("checks:traceability", args=[design.slug])).status_code == 404

    url = reverse("checks:traceability", args=[design.slug])
    for page in (step_url(design, "requirements"), design.get_absolute_url()):
        assert find(parse(owner_client.get(page)), "a", href=url) is not None


def test_the_matrix_page_reads_a_large_design_in_as_many_queries_as_a_small_one(owner, owner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.large_design import build_large_design

    counts = []
    for built in (
        build_large_design(
            owner, name="Small", components=16, interactions=20, tables=3, columns_per_table=3, endpoints=5, others=2
        ),
        build_large_design(owner),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(reverse("checks:traceability", args=[built.slug])).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_a_version_diff_names_changed_links(owner, design, requirements):
    from reviews.diff import CHANGED, diff_snapshots

    orders = m.Component.objects.create(design=design, name="Orders", kind="service", position=1)
    orders.requirements.set(requirements[:1])
    before = load_snapshot(design)
    orders.requirements.set(requirements[:2])

    diff = diff_snapshots(before, load_snapshot(design))

    [change] = [c for step in diff.steps for c in step.changes]
    assert (change.kind, change.label) == (CHANGED, "Orders")
    assert [(f.label, f.before, f.after) for f in change.fields] == [
        ("Serves requirements", "FR-1 Sign in", "FR-1 Sign in, FR-2 Place an order")
    ]


def test_the_edit_form_preselects_the_links_and_a_stale_save_lists_the_saved_ones(owner_client, design, requirements):
    orders = m.Component.objects.create(design=design, name="Orders", kind="service", position=1)
    orders.requirements.set(requirements[1:])
    form = parse(owner_client.get(edit_url(design, ARCH, "components", orders.pk), HTTP_HX_REQUEST="true"))
    select = find(form, "select", name=f"edit-components-{orders.pk}-requirements")
    assert [text(o) for o in find_all(select, "option") if o.get("selected") is not None] == [
        "FR-2 Place an order",
        "FR-3 Export orders",
    ]

    response = owner_client.post(
        edit_url(design, ARCH, "components", orders.pk),
        {
            f"edit-components-{orders.pk}-name": "Orders",
            f"edit-components-{orders.pk}-kind": "service",
            f"edit-components-{orders.pk}-requirements": [requirements[0].pk],
            f"edit-components-{orders.pk}-base_version": orders.version - 1 or 99,
        },
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert "Someone else changed this" in content
    assert "FR-2 Place an order, FR-3 Export orders" in content
    assert sorted(r.code for r in orders.requirements.all()) == ["FR-2", "FR-3"]
