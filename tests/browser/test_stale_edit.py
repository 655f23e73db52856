"""Journey: two people edit the same component; the later save is refused, not lost silently."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import add_member, make_user

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_edit_form(page: Page, design, component) -> None:
    page.goto(step_url(design, "architecture"))
    page.locator(f"#row-components-{component.pk}").get_by_role("link", name="Edit").click()
    expect(page.locator(f"#row-components-{component.pk}.editing")).to_be_visible()


def test_it_refuses_a_stale_save_and_shows_the_newer_value(new_page, owner, design, components):
    editor = make_user("bob")
    add_member(design, editor)
    orders = components["Orders"]
    first, second = new_page(owner), new_page(editor)
    open_edit_form(first, design, orders)
    open_edit_form(second, design, orders)

    row = first.locator(f"#row-components-{orders.pk}")
    row.get_by_label("Technology").fill("PostgreSQL 16")
    row.get_by_role("button", name="Save").click()
    expect(first.locator(f"#row-components-{orders.pk}")).not_to_have_class("editing")
    expect(first.locator(f"#row-components-{orders.pk}")).to_contain_text("PostgreSQL 16")

    row = second.locator(f"#row-components-{orders.pk}")
    row.get_by_label("Technology").fill("MySQL 8")
    row.get_by_role("button", name="Save").click()

    conflict = second.locator(f"#row-components-{orders.pk} .conflict")
    expect(conflict).to_contain_text("Changed by someone else.")
    technology = conflict.locator("dt", has_text="Technology").locator("xpath=following-sibling::dd[1]")
    expect(technology).to_have_text("PostgreSQL 16")
    expect(second.locator(f"#row-components-{orders.pk} .form-errors")).to_contain_text(
        "Someone else changed this while you were editing (now version 2)."
    )
    # The second editor's input is kept in the form, ready to be saved over the newer version.
    expect(second.locator(f"#row-components-{orders.pk}").get_by_label("Technology")).to_have_value("MySQL 8")

    orders.refresh_from_db()
    assert (orders.technology, orders.version) == ("PostgreSQL 16", 2)

    # Saving again, knowingly, replaces the newer version.
    second.locator(f"#row-components-{orders.pk}").get_by_role("button", name="Save").click()
    expect(second.locator(f"#row-components-{orders.pk}")).to_contain_text("MySQL 8")
    expect(second.locator(f"#row-components-{orders.pk}")).not_to_have_class("editing")
    orders.refresh_from_db()
    assert (orders.technology, orders.version) == ("MySQL 8", 3)
