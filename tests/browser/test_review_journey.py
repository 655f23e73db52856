"""Journey: an editor asks for a review of a frozen version; the reviewer approves it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from designs.models import Role
from tests.conftest import add_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_review_runs_from_request_to_approval(new_page, owner, design, components):
    rita = make_user("rita")
    add_member(design, rita, Role.REVIEWER)

    page = new_page(owner)
    page.goto(reverse("reviews:reviews", args=[design.slug]))
    page.get_by_label("Message").fill("Ready for the architecture board")
    page.get_by_role("checkbox", name="rita").check()
    page.get_by_role("button", name="Freeze and ask for review").click()

    expect(page.locator("h1")).to_have_text("Review of version 1")
    expect(page.locator(".page-head .status")).to_have_text("In review")
    expect(page.locator(".review-assignments")).to_contain_text("waiting")

    reviewer = new_page(rita)
    reviewer.goto(page.url)
    reviewer.get_by_label("Approve").check()
    reviewer.get_by_label("Summary").fill("The interactions are sound.")
    reviewer.get_by_role("button", name="Record decision").click()

    expect(reviewer.locator(".page-head .status")).to_have_text("Approved")
    expect(reviewer.locator(".review-assignments")).to_contain_text("The interactions are sound.")
    page.goto(design.get_absolute_url())
    expect(page.locator(".meta .status").first).to_have_text("Approved")
