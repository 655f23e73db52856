"""Journeys of reading an element in full as a viewer, and of starting a design from a starter."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from designs.models import Design, Role, TechnologyDecision
from tests.conftest import add_member, make_user
from tests.full_design import build_full_design

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_WORDS = "and that is the whole of the justification."
JUSTIFICATION = (
    "Orders need **ACID** transactions across an order and its lines. "
    + "PostgreSQL gives serializable isolation, mature tooling and a team that knows it. " * 6
    + LAST_WORDS
)


@pytest.fixture
def reading(owner):
    design = build_full_design(owner)
    TechnologyDecision.objects.filter(design=design, code="ADR-1").update(justification=JUSTIFICATION)
    viewer = make_user("victor")
    add_member(design, viewer, Role.VIEWER)
    return design, viewer


def test_a_viewer_opens_a_long_adr_justification_and_reads_it_whole(new_page, reading):
    design, viewer = reading
    page = new_page(viewer)
    page.goto(step_url(design, "architecture"))
    adr = TechnologyDecision.objects.get(design=design, code="ADR-1")
    row = page.locator(f"#row-decisions-{adr.pk}")
    expect(row).not_to_contain_text(LAST_WORDS)
    cut = row.get_by_role("link", name="truncated — open to read all")
    expect(cut).to_have_text("…")
    expect(row.get_by_role("link", name="Edit")).to_have_count(0)

    open_link = row.locator("a.open-detail:not(.cut)")
    expect(open_link).to_have_accessible_name("Open technology decision ADR-1 Order database: PostgreSQL 16")
    open_link.click()
    detail = page.locator(f"#detail-decisions-{adr.pk}")
    expect(detail).to_be_visible()
    expect(detail.get_by_role("heading", name="Technology decision “ADR-1")).to_be_focused()
    justification = detail.locator("dd").nth(5)
    expect(justification).to_contain_text(LAST_WORDS)
    expect(justification.locator("strong")).to_have_text("ACID")
    expect(detail).to_contain_text("DynamoDB")  # its alternative, with its trade-offs
    expect(open_link).to_have_attribute("aria-expanded", "true")
    assert page.url.endswith(step_url(design, "architecture"))

    # Open again folds it; the cut cell's "…" opens it too; Close and Escape fold it.
    open_link.click()
    expect(detail).to_have_count(0)
    expect(open_link).to_have_attribute("aria-expanded", "false")
    cut.click()
    expect(detail).to_contain_text(LAST_WORDS)
    expect(page.locator("tr.detail")).to_have_count(1)
    detail.get_by_role("link", name="Close").click()
    expect(detail).to_have_count(0)
    expect(open_link).to_be_focused()
    open_link.click()
    expect(detail.locator("h3")).to_be_focused()
    page.keyboard.press("Escape")
    expect(detail).to_have_count(0)


def test_a_viewer_reads_an_element_whole_without_javascript(new_page, reading):
    design, viewer = reading
    page = new_page(viewer, javascript=False)
    page.goto(step_url(design, "architecture"))
    adr = TechnologyDecision.objects.get(design=design, code="ADR-1")
    page.locator(f"#row-decisions-{adr.pk}").locator("a.open-detail:not(.cut)").click()
    expect(page).to_have_url(re.compile(r"/decisions/\d+/view/$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Technology decision “ADR-1 Order database: PostgreSQL 16”")
    expect(page.locator(".detail-fields")).to_contain_text(LAST_WORDS)
    page.get_by_role("link", name="Back to Technology decisions (ADRs)").click()
    expect(page).to_have_url(re.compile(rf"/steps/architecture/#row-decisions-{adr.pk}$"))


def test_an_edit_drops_the_read_view_it_would_leave_stale(owner_page, reading):
    design, _ = reading
    page = owner_page
    page.goto(step_url(design, "architecture"))
    adr = TechnologyDecision.objects.get(design=design, code="ADR-1")
    row = page.locator(f"#row-decisions-{adr.pk}")
    row.locator("a.open-detail:not(.cut)").click()
    expect(page.locator(f"#detail-decisions-{adr.pk}")).to_be_visible()
    row.get_by_role("link", name="Edit").click()
    expect(page.locator("#list-decisions tr.editing")).to_be_visible()
    expect(page.locator(f"#detail-decisions-{adr.pk}")).to_have_count(0)


def test_a_new_user_starts_a_design_from_the_starter(new_page, db):
    user = make_user("newcomer")
    page = new_page(user)
    page.goto(reverse("designs:dashboard"))
    page.get_by_role("link", name=re.compile("From the starter “E-commerce platform")).click()
    expect(page.get_by_role("radio", name=re.compile("E-commerce platform"))).to_be_checked()
    page.get_by_label("Name").fill("Our shop")
    page.get_by_role("button", name="Create design").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Our shop")
    expect(page.locator(".message.success")).to_contain_text("Started “Our shop” from “E-commerce platform (demo)”.")
    expect(page.locator(".figure.big")).to_have_text("100%")
    design = Design.objects.get(name="Our shop")
    assert design.memberships.get().user == user
    page.goto(step_url(design, "api"))
    expect(page.locator("#list-endpoints tbody tr").first).to_contain_text("/accounts")

    # And it can be copied from its overview.
    page.goto(design.get_absolute_url())
    page.get_by_role("link", name="Duplicate").click()
    expect(page.get_by_label("Name of the copy")).to_have_value("Copy of Our shop")
    page.get_by_role("button", name="Create the copy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy of Our shop")
