"""Journey: a newcomer signs up, starts a design and finds the eight steps."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from designs.models import Design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_up_creates_a_design_and_shows_its_overview(new_page):
    page = new_page()
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Your designs")).to_be_visible()
    expect(page.get_by_text("No designs yet.")).to_be_visible()
    assert User.objects.filter(username="newcomer").exists()

    page.get_by_role("link", name="New design").click()
    page.get_by_label("Name").fill("Ticket shop")
    page.get_by_label("Executive summary").fill("Sells **concert tickets**.\n\n- web shop\n- box office")
    page.get_by_role("button", name="Create design").click()

    expect(page.get_by_role("heading", name="Ticket shop", level=1)).to_be_visible()
    summary = page.locator(".prose").first
    expect(summary.locator("strong")).to_have_text("concert tickets")
    expect(summary.locator("li")).to_have_text(["web shop", "box office"])

    steps = page.locator("#step-nav li")
    expect(steps).to_have_count(8)
    expect(steps.first).to_contain_text("Requirements analysis")
    expect(steps.last).to_contain_text("Deployment strategy")
    for i in range(8):
        expect(steps.nth(i).locator(".mark")).to_have_text(re.compile("^[●◐○]$"))
        expect(steps.nth(i).locator(".figure")).to_have_text(re.compile(r"^\d+/\d+$"))

    design = Design.objects.get(name="Ticket shop")
    assert design.memberships.get().user.username == "newcomer"
    assert page.url.endswith(design.get_absolute_url())
