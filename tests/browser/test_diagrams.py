"""Journey: the architecture diagram loads lazily on step 2 and redraws after an inline add."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import step_url
from .test_architecture_step import add_component

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_loads_the_diagram_lazily_and_redraws_it_after_a_save(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    panel = page.locator("#diagram-architecture")
    expect(panel.locator("svg g.node").filter(has_text="Orders")).to_have_count(1)
    expect(panel.locator("figure.diagram.pan-zoom")).to_have_count(1)
    page.evaluate("window.__marker = 1")

    add_component(page, "Billing <ledger>")

    expect(panel.locator("svg g.node").filter(has_text="Billing <ledger>")).to_have_count(1)
    assert page.evaluate("window.__marker") == 1  # no page reload

    panel.locator(".diagram-search").fill("billing")
    expect(panel.locator("g.node.match")).to_have_count(1)
    expect(panel.locator(".diagram-found")).to_have_text("1 found")


def test_it_links_to_the_diagram_without_javascript(new_page, owner, design, components):
    page = new_page(owner, javascript=False)
    page.goto(step_url(design, "architecture"))

    page.locator("#diagram-architecture").get_by_role("link", name="Show the architecture diagram").click()

    expect(page.locator("h1")).to_have_text("Architecture diagram")
    expect(page.locator(".diagram-svg svg g.node").filter(has_text="Payments")).to_have_count(1)
