"""Completeness that tells the truth and names names: collections by what they return, and every unmet
criterion listing the elements that fail it, linked to their rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from designs import models as m
from designs import services
from designs.endpoints import returns_collection
from tests.step_helpers import add_element


@pytest.mark.parametrize(
    ("collection", "example", "expected"),
    [
        ("", '[{"id": 1}]', True),
        ("", '{"items": [], "next_cursor": null}', True),
        ("", '{"id": "c1", "items": [{"sku": "A"}], "total": 10}', False),
        ("", '{"status": "ok"}', False),
        ("", "", False),
        ("", "not json", False),
        ("yes", '{"status": "ok"}', True),
        ("no", "[1, 2]", False),
    ],
)
def test_it_infers_a_collection_from_the_example_unless_the_endpoint_says(collection, example, expected):
    assert returns_collection(collection, example) is expected


def _endpoint(design, service, method, path, example, **extra):
    return m.Endpoint.objects.create(
        design=design, service=service, method=method, path=path, response_example=example, position=1, **extra
    )


def test_health_and_one_report_no_longer_count_as_unpaginated_collections(design):
    service = m.Component.objects.create(design=design, name="api", kind="service", position=1)
    _endpoint(design, service, "GET", "/health", '{"status": "ok"}')
    _endpoint(design, service, "GET", "/tenants/{id}/reports/pnl", '{"revenue": 10}')
    services.design_changed(design)
    design.refresh_from_db()
    assert "Collection endpoints are paginated" not in design.completeness["api"]["missing"]

    _endpoint(design, service, "GET", "/orders", '{"data": [{"id": 1}], "has_more": false}')
    services.design_changed(design)
    design.refresh_from_db()
    assert "Collection endpoints are paginated" in design.completeness["api"]["missing"]


def test_the_endpoint_form_may_say_so_itself(owner_client, design):
    service = m.Component.objects.create(design=design, name="api", kind="service", position=1)
    add_element(
        owner_client,
        design,
        "api",
        "endpoints",
        service=service.pk,
        method="GET",
        path="/exports",
        summary="One export",
        success_status=200,
        response_example="[]",
        collection="no",
        exposes_classification="internal",
    )
    endpoint = m.Endpoint.objects.get(design=design)
    assert (endpoint.collection, endpoint.is_collection) == ("no", False)


def test_every_unmet_criterion_names_its_elements_with_links_to_their_rows(design, owner_client, htmx_headers):
    service = m.Component.objects.create(design=design, name="api", kind="service", position=1)
    orders = _endpoint(design, service, "GET", "/orders", "[]")
    m.Component.objects.create(design=design, name="worker", kind="worker", position=2)
    services.design_changed(design)

    page = owner_client.get(reverse("designs:completeness", args=[design.slug]), **htmx_headers).content.decode()

    step_url = reverse("designs:step", args=[design.slug, "api"])
    assert "Collection endpoints are paginated: not yet" in page
    assert f'href="{step_url}?list=endpoints#row-endpoints-{orders.pk}">GET /orders</a>' in page
    assert "Every endpoint documents an error response: not yet" in page
    assert "Every component has a responsibility: not yet" in page and ">worker</a>" in page
    assert "<html" not in page  # the overview's lazy slot gets the list alone


def test_the_overview_loads_the_list_lazily_and_links_it_without_javascript(design, owner_client):
    page = owner_client.get(design.get_absolute_url()).content.decode()
    url = reverse("designs:completeness", args=[design.slug])
    assert f'hx-get="{url}" hx-trigger="load"' in page and f'<a href="{url}">' in page
    assert "<h1>What is missing</h1>" in owner_client.get(url).content.decode()
