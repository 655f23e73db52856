"""A long list in the browser: the next rows load in place, and the filter narrows it as one types."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from designs import services
from designs.models import Component
from designs.presentation import ROWS_PER_PAGE

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNT = ROWS_PER_PAGE + 15


@pytest.fixture
def crowded(design):
    Component.objects.bulk_create(
        Component(design=design, name=f"Component {i:03d}", kind="service", position=i) for i in range(1, COUNT + 1)
    )
    services.design_changed(design)
    return design


def _rows(page: Page):
    return page.locator("#list-components tbody tr[id^=row-components-]")


def test_it_loads_the_next_rows_in_place_and_filters_as_one_types(owner_page: Page, crowded):
    page = owner_page
    page.goto(step_url(crowded, "architecture"))
    expect(_rows(page)).to_have_count(ROWS_PER_PAGE)
    expect(page.locator("#list-components .count")).to_have_text(str(COUNT))
    url = page.url

    page.get_by_role("link", name="Show the next 15").click()

    expect(_rows(page)).to_have_count(COUNT)
    expect(_rows(page).last).to_contain_text(f"Component {COUNT:03d}")
    assert page.url == url  # loaded in place, no navigation
    page.get_by_label("Filter components").fill("Component 06")
    matching = sum("06" in f"{i:03d}" for i in range(1, COUNT + 1))
    expect(_rows(page)).to_have_count(matching)
    expect(page.locator("#list-components .filter-note")).to_contain_text(f"{matching} of {COUNT} match")


def test_it_pages_and_filters_without_javascript(new_page, owner, crowded):
    page = new_page(owner, javascript=False)
    page.goto(step_url(crowded, "architecture"))

    page.get_by_role("link", name="Show the next 15").click()

    expect(_rows(page)).to_have_count(15)
    expect(_rows(page).first).to_contain_text(f"Component {ROWS_PER_PAGE + 1:03d}")
    page.get_by_label("Filter components").fill("Component 00")
    page.locator("#list-components").get_by_role("button", name="Filter").click()
    expect(_rows(page)).to_have_count(9)
