"""Journey: the same inline editing with JavaScript off — full-page POST, redirect, row."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from designs.models import Component, Interaction

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(new_page, owner) -> Page:
    return new_page(owner, javascript=False)


def test_it_adds_a_component_with_a_full_page_post(page, design):
    page.goto(step_url(design, "architecture"))
    form = page.locator("#add-components")
    form.locator("summary").click()  # <details> opens without JavaScript
    form.locator("#id_new-components-name").fill("Billing")
    form.locator("#id_new-components-kind").select_option(label="Worker")
    with page.expect_navigation():
        form.get_by_role("button", name="Add component").click()

    assert page.url.endswith(f"{step_url(design, 'architecture')}#list-components")
    expect(page.locator(".messages")).to_have_text("Component added.")
    expect(page.locator("#list-components tbody tr")).to_have_count(1)
    expect(page.locator("#list-components tbody tr")).to_contain_text("Billing")
    expect(page.locator("#list-components tbody tr")).to_contain_text("Worker")
    expect(page.locator("#step-nav li").filter(has_text="Architecture design").locator(".figure")).to_have_text("0/6")
    assert Component.objects.get(design=design).name == "Billing"


def test_it_shows_an_add_error_on_the_whole_page(page, design, components):
    page.goto(step_url(design, "architecture"))
    form = page.locator("#add-components")
    form.locator("summary").click()
    form.locator("#id_new-components-name").fill("WEB")
    form.locator("#id_new-components-kind").select_option(label="Service")
    form.get_by_role("button", name="Add component").click()

    form = page.locator("#add-components")
    expect(form.locator("details")).to_have_attribute("open", "")
    expect(form.locator("#id_new-components-name_error")).to_have_text(
        "Another component in this design already has the name “WEB”."
    )
    expect(page.locator("#list-components tbody tr")).to_have_count(3)
    assert Component.objects.filter(design=design).count() == 3


def test_it_edits_a_component_in_its_row(page, design, components):
    page.goto(step_url(design, "architecture"))
    page.locator("#list-components tbody tr").filter(has_text="Orders").get_by_role("link", name="Edit").click()

    # The edit link redirects to ?edit=components:<pk>, which renders the form in the row.
    assert f"edit=components:{components['Orders'].pk}" in page.url
    editing = page.locator("#list-components tr.editing")
    expect(editing.get_by_role("heading")).to_have_text("Edit component “Orders”")
    editing.get_by_label("Technology").fill("Kotlin")
    editing.get_by_label("Owning team").fill("Checkout")
    editing.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Component saved.")
    expect(page.locator("#list-components tr.editing")).to_have_count(0)
    row = page.locator(f"#row-components-{components['Orders'].pk}")
    expect(row).to_contain_text("Kotlin")
    expect(row).to_contain_text("Checkout")
    components["Orders"].refresh_from_db()
    assert (components["Orders"].technology, components["Orders"].owning_team) == ("Kotlin", "Checkout")


def test_it_deletes_a_component_after_a_confirmation_page(page, design, components):
    page.goto(step_url(design, "architecture"))
    page.locator("#list-components tbody tr").filter(has_text="Orders").get_by_role("link", name="Delete").click()

    expect(page.locator("form.confirm-delete")).to_contain_text("Delete component “Orders”?")
    expect(page.locator("ul.impact li")).to_have_count(2)
    page.get_by_role("button", name="Delete all 3").click()

    expect(page.locator(".messages")).to_have_text("Component “Orders” deleted and 2 dependent elements.")
    expect(page.locator("#list-components tbody tr")).to_have_count(2)
    expect(page.locator("#list-components")).not_to_contain_text("Orders")
    expect(page.locator("#list-interactions")).to_contain_text("No interactions yet.")
    assert not Component.objects.filter(design=design, name="Orders").exists()
    assert not Interaction.objects.filter(design=design).exists()
