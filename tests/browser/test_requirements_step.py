"""Journey: the load profile section of step 1 — errors next to the field, then "Saved"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from designs.models import LoadProfile

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID = {
    "daily_active_users": "50000",
    "requests_per_user_per_day": "40",
    "peak_factor": "3.5",
    "reads_per_write": "10",
}


def fill_load_profile(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.locator(f"#id_load-{name}").fill(value)


def test_it_shows_field_errors_then_saves_the_load_profile(owner_page, design):
    page = owner_page
    page.goto(step_url(design, "requirements"))
    page.evaluate("window.__marker = 1")
    section = page.locator("#section-load")
    step = page.locator("#step-nav li").filter(has_text="Requirements analysis")
    expect(step.locator(".figure")).to_have_text("0/7")

    # A number input never lets "lots" through; a browser without number inputs
    # would, and then the server's check is what the user sees.
    page.locator("#id_load-daily_active_users").evaluate("input => { input.type = 'text' }")
    fill_load_profile(page, {**VALID, "daily_active_users": "lots", "peak_factor": "0.5"})
    section.get_by_role("button", name="Save load profile").click()

    expect(section.locator("#id_load-daily_active_users_error")).to_have_text("Enter a whole number.")
    expect(section.locator("#id_load-peak_factor_error")).to_have_text(
        "Ensure this value is greater than or equal to 1."
    )
    expect(section.locator(".field.has-error")).to_have_count(2)
    expect(section.locator(".saved")).to_have_count(0)
    assert not LoadProfile.objects.filter(design=design).exists()

    fill_load_profile(page, VALID)
    section.get_by_role("button", name="Save load profile").click()

    expect(section.locator(".saved")).to_have_text("Saved.")
    expect(section.locator(".field.has-error")).to_have_count(0)
    # Shown as typed, not padded to the column's two decimals.
    expect(page.locator("#id_load-peak_factor")).to_have_value("3.5")
    expect(step.locator(".figure")).to_have_text("1/7")
    assert page.evaluate("window.__marker") == 1
    load = LoadProfile.objects.get(design=design)
    assert load.daily_active_users == 50000
    assert (load.requests_per_user_per_day, load.peak_factor, load.reads_per_write) == (
        Decimal("40"),
        Decimal("3.5"),
        Decimal("10"),
    )


def test_it_saves_the_load_profile_without_javascript(new_page, owner, design):
    page = new_page(owner, javascript=False)
    page.goto(step_url(design, "requirements"))
    fill_load_profile(page, {**VALID, "peak_factor": "0.5"})
    page.get_by_role("button", name="Save load profile").click()
    expect(page.locator("#id_load-peak_factor_error")).to_have_text("Ensure this value is greater than or equal to 1.")
    # The rest of the input survives the round trip.
    expect(page.locator("#id_load-daily_active_users")).to_have_value("50000")

    page.locator("#id_load-peak_factor").fill("2")
    page.get_by_role("button", name="Save load profile").click()
    expect(page.locator(".messages")).to_have_text("Load profile saved.")
    assert page.url.endswith("#section-load")
    expect(page.locator("#id_load-peak_factor")).to_have_value("2")
    assert LoadProfile.objects.get(design=design).peak_factor == Decimal("2")
