"""The design review: the overview's card (loaded lazily) and the page of every finding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from designs.document import import_design
from designs.models import Role
from tests.conftest import add_member, make_user
from tests.test_check_design_command import LEAKY

pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def leaky(owner):
    return import_design(LEAKY, owner=owner)


def test_the_overview_loads_the_card_once_it_is_shown(owner_client, leaky):
    body = owner_client.get(leaky.get_absolute_url()).content.decode()

    url = reverse("checks:review", args=[leaky.slug])
    assert '<section class="card design-review" id="design-review">' in body
    assert f'hx-get="{url}" hx-trigger="load"' in body
    assert f'<a href="{url}">Show the design review</a>' in body
    # The overview itself runs no check.
    assert "exposes PII" not in body


def test_the_card_counts_findings_by_step_and_links_them(owner_client, leaky, htmx_headers):
    response = owner_client.get(reverse("checks:review", args=[leaky.slug]), **htmx_headers)
    body = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in body
    assert '<p class="review-counts">1 error · 6 warnings · 0 info' in body
    api = reverse("designs:step", args=[leaky.slug, "api"])
    assert f'<td><a href="{api}">3. API specification</a></td>' in body
    assert f'<a href="{api}#list-endpoints">GET /customers/{{id}} exposes PII without authentication.</a>' in body


def test_the_page_lists_every_finding_with_its_fix(owner_client, leaky):
    body = owner_client.get(reverse("checks:review", args=[leaky.slug])).content.decode()

    assert "<h1>Design review</h1>" in body
    assert '<section class="card" id="findings-api">' in body
    assert "Require authentication (and an authorisation check on the caller&#x27;s own data)" in body
    deployment = reverse("designs:step", args=[leaky.slug, "deployment"])
    # Fixed in step 8, listed in step 2: the link opens step 8 without an anchor.
    assert f'<a href="{deployment}">Customers has no health check.</a>' in body


def test_a_design_without_findings_says_so(owner_client, design, htmx_headers):
    body = owner_client.get(reverse("checks:review", args=[design.slug]), **htmx_headers).content.decode()

    assert "No findings: the checks found nothing to report." in body


def test_a_viewer_reads_it_and_a_stranger_does_not_see_it(client, leaky, stranger_client):
    viewer = make_user("victor")
    add_member(leaky, viewer, Role.VIEWER)
    client.force_login(viewer)
    url = reverse("checks:review", args=[leaky.slug])

    assert client.get(url).status_code == 200
    assert stranger_client.get(url).status_code == 404


def test_it_checks_an_unchanged_design_once(owner_client, leaky, htmx_headers, django_assert_num_queries):
    url = reverse("checks:review", args=[leaky.slug])
    owner_client.get(url, **htmx_headers)

    # Session, user, membership with its design, the design's rule settings and dismissals: no snapshot again.
    with django_assert_num_queries(5):
        body = owner_client.get(url, **htmx_headers).content.decode()
    assert "exposes PII without authentication" in body
