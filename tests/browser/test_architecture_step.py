"""Journeys on step 2 with JavaScript: inline add, edit and delete through htmx."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from designs.models import Component, Interaction

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_add_form(page: Page, key: str) -> Locator:
    form = page.locator(f"#add-{key}")
    if not form.locator("details").evaluate("details => details.open"):
        form.locator("summary").click()
    return form


def add_component(page: Page, name: str, *, kind: str = "Service", responsibility: str = "") -> None:
    form = open_add_form(page, "components")
    form.locator("#id_new-components-name").fill(name)
    form.locator("#id_new-components-kind").select_option(label=kind)
    form.locator("#id_new-components-responsibility").fill(responsibility)
    form.get_by_role("button", name="Add component").click()


def add_interaction(page: Page, source: str, target: str) -> None:
    form = open_add_form(page, "interactions")
    form.locator("#id_new-interactions-source").select_option(label=source)
    form.locator("#id_new-interactions-target").select_option(label=target)
    form.get_by_role("button", name="Add interaction").click()


def rows(page: Page, key: str) -> Locator:
    return page.locator(f"#list-{key} tbody tr")


def nav_item(page: Page, title: str) -> Locator:
    return page.locator("#step-nav li").filter(has_text=title)


def test_it_adds_and_edits_elements_inline_without_reloading(owner_page, design):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    step = nav_item(page, "Architecture design")
    expect(step.locator(".figure")).to_have_text("0/6")
    expect(step.locator(".mark")).to_have_text("○")
    page.evaluate("window.__marker = 1")

    add_component(page, "Storefront", kind="Web app", responsibility="Renders the shop.")
    expect(rows(page, "components")).to_have_count(1)
    add_component(page, "Orders", responsibility="Takes orders.")
    expect(rows(page, "components").nth(0)).to_contain_text("Storefront")
    expect(rows(page, "components").nth(1)).to_contain_text("Orders")
    expect(page.locator("#list-components .count")).to_have_text("2")

    # The interaction form was rendered before the components existed; the
    # responses replaced it out of band, so it offers them now.
    source = page.locator("#id_new-interactions-source option")
    expect(source).to_have_text(["---------", "Storefront", "Orders"])
    expect(page.locator("#id_new-interactions-target option")).to_have_text(["---------", "Storefront", "Orders"])
    # Two components, each with a responsibility: two of six criteria.
    expect(step.locator(".figure")).to_have_text("2/6")
    expect(step.locator(".mark")).to_have_text("◐")

    add_interaction(page, "Storefront", "Orders")
    expect(rows(page, "interactions")).to_have_count(1)
    expect(rows(page, "interactions").first).to_contain_text("Storefront")
    expect(rows(page, "interactions").first).to_contain_text("Orders")
    expect(rows(page, "interactions").first).to_contain_text("HTTPS/REST")
    expect(step.locator(".figure")).to_have_text("3/6")

    orders = rows(page, "components").filter(has_text="Orders")
    orders.get_by_role("link", name="Edit").click()
    editing = page.locator("#list-components tr.editing")
    expect(editing.get_by_role("heading")).to_have_text("Edit component “Orders”")
    editing.get_by_label("Technology").fill("Go 1.23")
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("#list-components tr.editing")).to_have_count(0)
    expect(rows(page, "components").filter(has_text="Orders")).to_contain_text("Go 1.23")

    # A rename shows at once wherever the step names the component.
    rows(page, "components").filter(has_text="Storefront").get_by_role("link", name="Edit").click()
    page.locator("#list-components tr.editing").get_by_label("Name").fill("Web shop")
    page.locator("#list-components tr.editing").get_by_role("button", name="Save").click()
    expect(rows(page, "interactions").first).to_contain_text("Web shop")
    expect(page.locator("#id_new-interactions-source option")).to_have_text(["---------", "Web shop", "Orders"])
    expect(rows(page, "components")).to_have_count(2)
    expect(step.locator(".figure")).to_have_text("3/6")

    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    storefront, orders_obj = Component.objects.filter(design=design).order_by("position")
    assert (storefront.name, orders_obj.name, orders_obj.technology) == ("Web shop", "Orders", "Go 1.23")
    assert orders_obj.version == 2
    interaction = Interaction.objects.get(design=design)
    assert (interaction.source, interaction.target) == (storefront, orders_obj)


def test_it_shows_errors_next_to_the_field_and_adds_nothing(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    page.evaluate("window.__marker = 1")

    # Blank after trimming: the browser's `required` check passes, the server's does not.
    add_component(page, "   ")
    form = page.locator("#add-components")
    expect(form.locator("#id_new-components-name_error")).to_have_text("This field is required.")
    expect(form.locator(".field.has-error")).to_have_count(1)
    expect(form.locator(".field.has-error")).to_contain_text("Name")

    form.locator("#id_new-components-name").fill("orders")
    form.get_by_role("button", name="Add component").click()
    expect(form.locator("#id_new-components-name_error")).to_have_text(
        "Another component in this design already has the name “orders”."
    )
    expect(rows(page, "components")).to_have_count(3)

    add_interaction(page, "Orders", "Orders")
    expect(page.locator("#id_new-interactions-target_error")).to_have_text(
        "A component cannot interact with itself; choose another target."
    )
    expect(rows(page, "interactions")).to_have_count(2)

    assert page.evaluate("window.__marker") == 1
    assert Component.objects.filter(design=design).count() == 3
    assert Interaction.objects.filter(design=design).count() == 2


def test_it_lists_dependent_interactions_before_deleting_a_component(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    page.evaluate("window.__marker = 1")

    rows(page, "components").filter(has_text="Orders").get_by_role("link", name="Delete").click()
    confirm = page.locator("#list-components tr.confirming")
    expect(confirm).to_contain_text("Delete component “Orders”?")
    expect(confirm).to_contain_text("deleting it also deletes 2 elements:")
    impact = confirm.locator("ul.impact li")
    expect(impact).to_have_count(2)
    assert sorted(impact.all_inner_texts()) == [
        "interaction “Orders → Payments (HTTPS/REST)”",
        "interaction “Web → Orders (HTTPS/REST)”",
    ]
    confirm.get_by_role("button", name="Delete all 3").click()

    # The interactions list lost rows too; it is swapped in without a page reload.
    expect(rows(page, "components")).to_have_count(2)
    expect(page.locator("#list-components")).not_to_contain_text("Orders")
    expect(page.locator("#list-interactions")).to_contain_text("No interactions yet.")
    assert page.evaluate("window.__marker") == 1
    # The interaction add form no longer offers the deleted component.
    assert "Orders" not in page.locator("#id_new-interactions-source option").all_inner_texts()
    assert list(Component.objects.filter(design=design).values_list("name", flat=True)) == ["Web", "Payments"]
    assert not Interaction.objects.filter(design=design).exists()


def test_it_cancels_a_delete_and_keeps_the_row(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    row = rows(page, "components").filter(has_text="Payments")
    row.get_by_role("link", name="Delete").click()
    confirm = page.locator("#list-components tr.confirming")
    expect(confirm).to_contain_text("deleting it also deletes 1 element:")
    confirm.get_by_role("link", name="Cancel").click()
    expect(page.locator("#list-components tr.confirming")).to_have_count(0)
    expect(rows(page, "components")).to_have_count(3)
    assert Component.objects.filter(design=design, name="Payments").exists()


def test_it_deletes_an_unused_component_in_place(owner_page, design, components):
    page = owner_page
    Interaction.objects.filter(design=design, target=components["Payments"]).delete()
    page.goto(step_url(design, "architecture"))
    page.evaluate("window.__marker = 1")

    rows(page, "components").filter(has_text="Payments").get_by_role("link", name="Delete").click()
    confirm = page.locator("#list-components tr.confirming")
    expect(confirm.locator("ul.impact")).to_have_count(0)
    confirm.get_by_role("button", name="Delete", exact=True).click()

    expect(rows(page, "components")).to_have_count(2)
    expect(page.locator("#list-components .count")).to_have_text("2")
    # The interaction form no longer offers the deleted component.
    expect(page.locator("#id_new-interactions-target option")).to_have_text(["---------", "Web", "Orders"])
    assert page.evaluate("window.__marker") == 1
    assert not Component.objects.filter(design=design, name="Payments").exists()


def test_it_shows_an_edit_error_in_the_row_and_cancels(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    orders = components["Orders"]
    rows(page, "components").filter(has_text="Orders").get_by_role("link", name="Edit").click()
    editing = page.locator(f"#row-components-{orders.pk}.editing")
    editing.get_by_label("Name").fill("Web")
    editing.get_by_role("button", name="Save").click()
    expect(page.locator(f"#id_edit-components-{orders.pk}-name_error")).to_have_text(
        "Another component in this design already has the name “Web”."
    )

    page.locator(f"#row-components-{orders.pk}").get_by_role("link", name="Cancel").click()
    expect(page.locator("#list-components tr.editing")).to_have_count(0)
    expect(page.locator(f"#row-components-{orders.pk}")).to_contain_text("Orders")
    orders.refresh_from_db()
    assert (orders.name, orders.version) == ("Orders", 1)


def test_it_cancels_an_inline_edit_with_escape(owner_page, design, components):
    page = owner_page
    page.goto(step_url(design, "architecture"))
    payments = components["Payments"]
    rows(page, "components").filter(has_text="Payments").get_by_role("link", name="Edit").click()
    name = page.locator(f"#id_edit-components-{payments.pk}-name")
    expect(name).to_be_focused()
    name.fill("Billing")
    name.press("Escape")
    expect(page.locator("#list-components tr.editing")).to_have_count(0)
    expect(page.locator(f"#row-components-{payments.pk}")).to_contain_text("Payments")
    assert Component.objects.get(pk=payments.pk).name == "Payments"


def test_it_deletes_from_the_confirmation_page_opened_directly(owner_page, design, components):
    page = owner_page
    orders = components["Orders"]
    page.goto(f"{step_url(design, 'architecture')}components/{orders.pk}/delete/")
    expect(page.locator("ul.impact li")).to_have_count(2)
    page.get_by_role("button", name="Delete all 3").click()

    expect(page.locator(".messages")).to_have_text("Component “Orders” deleted and 2 dependent elements.")
    expect(rows(page, "components")).to_have_count(2)
    assert not Component.objects.filter(pk=orders.pk).exists()
