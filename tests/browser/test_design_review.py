"""Journey: the overview's design review card loads once the page is shown and leads to the step to fix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from designs.document import import_design
from tests.test_check_design_command import LEAKY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_loads_the_card_and_opens_the_step_of_a_finding(owner_page, owner):
    design = import_design(LEAKY, owner=owner)
    page = owner_page
    page.goto(design.get_absolute_url())

    card = page.locator("#design-review")
    expect(card.locator(".review-counts")).to_have_text("1 error · 6 warnings · 0 info")
    card.get_by_role("link", name="GET /customers/{id} exposes PII without authentication.").click()

    expect(page.locator("h1")).to_contain_text("API specification")
    assert page.url.endswith("#list-endpoints")


def test_it_links_to_the_review_page_without_javascript(new_page, owner):
    design = import_design(LEAKY, owner=owner)
    page = new_page(owner, javascript=False)
    page.goto(design.get_absolute_url())

    page.locator("#design-review").get_by_role("link", name="Show the design review").click()

    expect(page.locator("h1")).to_have_text("Design review")
    expect(page.locator("#findings-api tr.finding-error")).to_have_count(1)
