"""Content-Security-Policy on every page type, and `Cache-Control: private, no-store` on every
answer a signed-in user gets: design pages, htmx partials and exports (walked over the URLconf)."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from outputs.views import SVG_POLICY
from reviews.versions import freeze_version
from tests.test_role_matrix import PEOPLE, _client, _send, _url, design_routes, world  # noqa: F401 - world: fixture

POLICY_PARTS = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'")


def _assert_policy(response) -> None:
    policy = response["Content-Security-Policy"]
    for part in POLICY_PARTS:
        assert part in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.fixture
def pages(full, owner) -> dict[str, tuple[str, dict[str, str]]]:
    version = freeze_version(design=full, author=owner, message="first")
    slug = full.slug
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "dashboard": (reverse("designs:dashboard"), {}),
        "overview": (reverse("designs:overview", args=[slug]), {}),
        "step": (reverse("designs:step", args=[slug, "architecture"]), {}),
        "report": (reverse("outputs:report", args=[slug]), {}),
        "diagram page": (reverse("outputs:diagram", args=[slug, "architecture"]), {}),
        "version page": (reverse("reviews:version", args=[slug, version.number]), {}),
        "htmx partial": (reverse("designs:element-list", args=[slug, "architecture", "components"]), htmx),
        "htmx diagram": (reverse("outputs:diagram", args=[slug, "architecture"]), htmx),
        "markdown download": (reverse("outputs:report-file", args=[slug, "md"]), {}),
        "JSON download": (reverse("designs:export-json", args=[slug]), {}),
    }


PAGE_NAMES = [
    "dashboard",
    "overview",
    "step",
    "report",
    "diagram page",
    "version page",
    "htmx partial",
    "htmx diagram",
    "markdown download",
    "JSON download",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_type_carries_the_policy(owner_client, pages, name, empty_cache):
    url, headers = pages[name]
    response = owner_client.get(url, **headers)
    assert response.status_code == 200, url
    _assert_policy(response)


def test_the_login_page_and_an_error_page_carry_the_policy(client):
    _assert_policy(client.get(reverse("login")))
    _assert_policy(client.get("/no/such/page/"))


def test_an_svg_download_keeps_its_own_stricter_policy(owner_client, full):
    response = owner_client.get(reverse("outputs:diagram-file", args=[full.slug, "architecture", "svg"]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SVG_POLICY


class _InlineStyles(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style" or any(name == "style" for name, _ in attrs):
            self.found.append(tag)


@pytest.mark.parametrize("diagram", ["architecture", "erd", "sequence", "deployment"])
def test_embedded_diagrams_need_no_inline_style(owner_client, full, diagram, empty_cache):
    # style-src 'self' refuses style attributes and <style>: dot's SVG must use presentation attributes.
    response = owner_client.get(reverse("outputs:diagram", args=[full.slug, diagram]), HTTP_HX_REQUEST="true")
    parser = _InlineStyles()
    parser.feed(response.content.decode())
    assert "<svg" in response.content.decode()
    assert parser.found == []


def test_htmx_is_told_not_to_inject_its_indicator_style(owner_client):
    page = owner_client.get(reverse("designs:dashboard")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in page


# ---------------------------------------------------------------- Cache-Control


@pytest.mark.parametrize("route", design_routes(), ids=lambda route: route.name)
def test_every_design_route_answers_private_no_store(world, route):  # noqa: F811 - the fixture
    clients = {person: _client(world, person) for person in PEOPLE if person != "anonymous"}
    url, methods = _url(world, route, clients["owner"])
    wrong = []
    for method, person, htmx in itertools.product(methods, clients, (False, True)):
        response = _send(clients[person], method, url, htmx=htmx)
        if response.get("Cache-Control") != "private, no-store":
            wrong.append(
                f"{method.upper()} {url} as {person}{' (htmx)' if htmx else ''}: {response.get('Cache-Control')}"
            )
    assert not wrong, "\n".join(wrong)


def test_pages_outside_a_design_are_private_too(owner_client):
    for url in (reverse("designs:dashboard"), reverse("reviews:notifications"), reverse("password_change")):
        assert owner_client.get(url)["Cache-Control"] == "private, no-store", url
