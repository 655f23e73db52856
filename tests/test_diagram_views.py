"""Diagram pages, fragments and downloads; the lazy panels on step pages and the overview."""

from __future__ import annotations

import pytest
import tinyhtml5
from django.urls import reverse

from designs import services
from designs.models import Component, Interaction, Role
from designs.models.architecture import ComponentKind
from outputs import render
from tests.conftest import add_member
from tests.diagram_helpers import svg_root, texts

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def architecture(design):
    web = Component.objects.create(design=design, name="Web <b>shop</b>", kind=ComponentKind.WEB_APP, position=1)
    orders = Component.objects.create(design=design, name="Orders", kind=ComponentKind.SERVICE, position=2)
    Interaction.objects.create(design=design, source=web, target=orders, position=1)
    services.design_changed(design)
    return design


def _page_url(design, name="architecture"):
    return reverse("outputs:diagram", args=[design.slug, name])


def _file_url(design, fmt, name="architecture"):
    return reverse("outputs:diagram-file", args=[design.slug, name, fmt])


def test_it_shows_the_diagram_page_to_a_member(architecture, owner_client):
    response = owner_client.get(_page_url(architecture))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith("<!doctype html>") and "<h1>Architecture diagram</h1>" in page
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    assert {"Web <b>shop</b>", "Orders"} <= set(texts(svg_root(svg)))
    assert "<b>shop</b>" not in page.replace("&lt;b&gt;shop&lt;/b&gt;", "")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_it_shows_diagrams_to_every_role(architecture, stranger, stranger_client, role):
    add_member(architecture, stranger, role)

    assert stranger_client.get(_page_url(architecture)).status_code == 200
    assert stranger_client.get(_file_url(architecture, "svg")).status_code == 200


def test_it_hides_diagrams_from_strangers(architecture, stranger_client, client):
    for url in (_page_url(architecture), _file_url(architecture, "svg"), _file_url(architecture, "png")):
        assert stranger_client.get(url).status_code == 404
        assert client.get(url).status_code == 302  # to the login page


def test_it_answers_htmx_with_the_figure_alone(architecture, owner_client, htmx_headers):
    response = owner_client.get(_page_url(architecture), **htmx_headers)

    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<figure class="diagram" data-diagram="architecture">')
    assert "<html" not in fragment and "Orders" in fragment
    assert "HX-Request" in response["Vary"]


def test_it_serves_svg_inert_as_a_download(architecture, owner_client):
    response = owner_client.get(_file_url(architecture, "svg"))

    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response["Content-Disposition"] == f'attachment; filename="{architecture.slug}-architecture.svg"'
    assert "Web <b>shop</b>" in texts(svg_root(response.content))


def test_it_serves_png_and_dot(architecture, owner_client):
    png = owner_client.get(_file_url(architecture, "png"))
    dot = owner_client.get(_file_url(architecture, "dot"))

    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert dot["Content-Type"] == "text/vnd.graphviz; charset=utf-8"
    assert dot.content.startswith(b"digraph architecture {") and b"Web &lt;b&gt;shop&lt;/b&gt;" in dot.content


def test_it_applies_the_view_options_to_pages_and_downloads(architecture, owner_client):
    query = "?component=Orders&hops=1&direction=TB"

    dot = owner_client.get(_file_url(architecture, "dot") + query).content.decode()
    page = owner_client.get(_page_url(architecture) + query).content.decode()

    assert "rankdir=TB" in dot
    assert f'href="{_file_url(architecture, "svg")}?component=Orders&amp;direction=TB"' in page


def test_it_refuses_unknown_diagrams_and_formats(architecture, owner_client):
    assert owner_client.get(_page_url(architecture, "nope")).status_code == 404
    assert owner_client.get(_file_url(architecture, "pdf")).status_code == 404


def test_it_draws_a_failure_in_place_of_the_diagram(architecture, owner_client, monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda engine: None)

    page = owner_client.get(_page_url(architecture))
    download = owner_client.get(_file_url(architecture, "svg"))

    assert page.status_code == 200 and "This diagram could not be drawn" in page.content.decode()
    assert download.status_code == 200
    assert "Architecture diagram could not be drawn." in texts(svg_root(download.content))


@pytest.mark.parametrize("name", ["architecture", "erd", "sequence", "deployment"])
def test_it_reads_the_design_in_a_fixed_number_of_queries(
    architecture, owner_client, name, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60):
        owner_client.get(_page_url(architecture, name))
    with django_assert_max_num_queries(60):
        owner_client.get(_file_url(architecture, "svg", name))


def _panel(page: str, name: str):
    root = tinyhtml5.parse(page)
    return next(e for e in root.iter() if e.get("id") == f"diagram-{name}")


@pytest.mark.parametrize(
    ("step", "names"),
    [
        ("architecture", ["architecture"]),
        ("database", ["erd"]),
        ("security", ["sequence"]),
        ("scalability", ["deployment"]),
        ("deployment", ["deployment"]),
    ],
)
def test_it_puts_a_lazy_diagram_on_the_step_page_without_running_dot(
    architecture, owner_client, monkeypatch, step, names
):
    monkeypatch.setattr(render, "run_engine", lambda *args: pytest.fail("a page render ran dot"))

    page = owner_client.get(reverse("designs:step", args=[architecture.slug, step])).content.decode()

    for name in names:
        slot = next(e for e in _panel(page, name).iter() if e.get("hx-get"))
        assert slot.get("hx-get") == _page_url(architecture, name) and slot.get("hx-trigger") == "load"
        links = [a.get("href") for a in slot.iter() if a.get("href")]
        assert links == [_page_url(architecture, name)]
    assert "<svg" not in page.split('id="diagram-')[1]


def test_it_shows_all_four_diagrams_lazily_on_the_overview(architecture, owner_client):
    page = owner_client.get(reverse("designs:overview", args=[architecture.slug])).content.decode()

    for name in ("architecture", "erd", "sequence", "deployment"):
        assert _panel(page, name) is not None
    # The four diagrams, the design review card of the checks, and what completeness still misses.
    assert page.count('hx-trigger="load"') == 6


def test_it_redraws_the_panel_after_an_htmx_save(architecture, owner_client, htmx_headers):
    url = reverse("designs:element-create", args=[architecture.slug, "architecture", "components"])

    response = owner_client.post(
        url, {"new-components-name": "Billing", "new-components-kind": "service"}, **htmx_headers
    )

    panel = _panel(response.content.decode(), "architecture")
    assert panel.get("hx-swap-oob") == "true"
    fragment = owner_client.get(_page_url(architecture), **htmx_headers).content.decode()
    assert "Billing" in fragment


def test_it_serves_an_unchanged_design_without_reading_it_again(architecture, owner_client, django_assert_num_queries):
    owner_client.get(_file_url(architecture, "svg"))

    with django_assert_num_queries(3):  # the session, the user, the membership
        response = owner_client.get(_file_url(architecture, "svg"))

    assert "Orders" in texts(svg_root(response.content))
