"""When an htmx request fails, the page says why and keeps what the user typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from designs.models import Component

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_keeps_the_input_and_asks_to_log_in_again_after_the_session_ended(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    row = page.locator(f"#row-components-{components['Orders'].pk}")
    row.get_by_role("link", name="Edit").click()
    name = page.locator(f"#id_edit-components-{components['Orders'].pk}-name")
    expect(name).to_be_focused()
    name.fill("Orders v2")
    page.context.clear_cookies(name="sessionid")  # the session ends, e.g. logged out in another tab

    page.locator(f"#row-components-{components['Orders'].pk}").get_by_role("button", name="Save").click()

    expect(page.locator("#request-error")).to_contain_text("Your session has ended")
    expect(name).to_have_value("Orders v2")
    expect(page.locator(".topbar")).to_have_count(1)  # no login page swapped into the row
    assert Component.objects.get(pk=components["Orders"].pk).name == "Orders"


def test_it_says_so_when_the_row_was_deleted_meanwhile(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    payments = components["Payments"]
    page.locator(f"#row-components-{payments.pk}").get_by_role("link", name="Edit").click()
    expect(page.locator(f"#id_edit-components-{payments.pk}-name")).to_be_visible()
    Component.objects.filter(pk=payments.pk).delete()

    page.locator(f"#row-components-{payments.pk}").get_by_role("button", name="Save").click()

    expect(page.locator("#request-error")).to_contain_text("no longer exists")
