"""A reviewer comments on a component from its row and the owner replies, in place with htmx."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from designs.models import Role
from reviews.models import Comment
from tests.conftest import add_member, make_user

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_comments_on_an_element_and_replies_without_reloading(new_page, owner, design, components):
    rita = make_user("rita")
    add_member(design, rita, Role.REVIEWER)
    page = new_page(rita)
    page.goto(step_url(design, "architecture"))

    page.locator("#list-components tbody tr").filter(has_text="Orders").get_by_role("link", name="Comment").click()
    expect(page.get_by_role("heading", name="Comments on component “Orders”")).to_be_visible()
    page.evaluate("window.__marker = 1")
    page.get_by_label("Comment").fill("Is **Orders** idempotent? @alice")
    page.get_by_role("button", name="Comment").click()
    thread = page.locator(".thread").first
    expect(thread.locator(".comment-body strong")).to_have_text("Orders")
    expect(thread.locator(".mention")).to_have_text("@alice")
    assert page.evaluate("window.__marker") == 1

    owner_page = new_page(owner)
    owner_page.goto(step_url(design, "architecture"))
    expect(owner_page.locator("#unread-count")).to_have_text("1")
    row = owner_page.locator("#list-components tbody tr").filter(has_text="Orders")
    expect(row.locator(".thread-link")).to_contain_text("1 open")
    row.locator(".thread-link").click()
    owner_thread = owner_page.locator(".thread").first
    owner_page.evaluate("window.__marker = 2")
    owner_thread.get_by_label("Reply").fill("Yes, by request id.")
    owner_thread.get_by_role("button", name="Reply").click()
    expect(owner_page.locator(".thread .replies")).to_contain_text("Yes, by request id.")
    owner_page.locator(".thread").first.get_by_role("button", name="Resolve").click()
    expect(owner_page.locator(".thread .mark-resolved")).to_contain_text("Resolved by alice")
    assert owner_page.evaluate("window.__marker") == 2

    assert Comment.objects.filter(parent__isnull=False, body="Yes, by request id.").exists()
    owner_page.goto(step_url(design, "architecture"))
    row = owner_page.locator("#list-components tbody tr").filter(has_text="Orders")
    expect(row.locator(".thread-link")).to_have_text("Comment on “Orders”")


def test_deleting_a_comment_asks_first(new_page, owner, design, components):
    page = new_page(owner)
    page.goto(step_url(design, "architecture"))
    page.locator("#list-components tbody tr").filter(has_text="Orders").get_by_role("link", name="Comment").click()
    page.get_by_label("Comment").fill("Typo here.")
    page.get_by_role("button", name="Comment").click()
    thread = page.locator(".thread").first
    expect(thread.locator(".comment-body")).to_have_text("Typo here.")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    thread.get_by_role("button", name="Delete").click()
    expect(thread.locator(".comment-body")).to_have_text("Typo here.")
    assert asked and asked[0].startswith("Delete this comment?")
    assert Comment.objects.get(body="Typo here.").deleted_at is None

    page.once("dialog", lambda dialog: dialog.accept())
    thread.get_by_role("button", name="Delete").click()
    expect(page.locator(".comment-body", has_text="Typo here.")).to_have_count(0)
    assert not Comment.objects.filter(body="Typo here.", deleted_at__isnull=True).exists()
