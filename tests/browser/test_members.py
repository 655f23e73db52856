"""Journey: an owner invites people and withdraws an invitation, builds the team in place, is kept as
the last owner, hands over and leaves; an invited person accepts on their dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from designs import members
from designs.models import Invitation, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_invites_changes_roles_and_leaves(owner_page: Page, owner, design, stranger):
    page = owner_page
    page.goto(design.get_absolute_url())
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()

    page.get_by_label("Username or e-mail").fill("nobody")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("#team")).to_contain_text("Invitation to “nobody” saved.")

    page.get_by_label("Username or e-mail").fill("mallory@example.com")
    page.locator("#id_invite-role").select_option("editor")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("#team")).to_contain_text("Invitation to “mallory@example.com” saved.")
    expect(page.locator("table.invitations")).to_contain_text("mallory@example.com")
    page.locator("table.invitations tr", has_text="nobody").get_by_role("button", name="Withdraw").click()
    expect(page.locator("#team")).to_contain_text("Invitation to “nobody” withdrawn.")
    # mallory says yes (she clicks it in the test below); the team then lists her.
    members.accept(
        user=stranger, invitation_pk=Invitation.objects.get(design=design, identifier="mallory@example.com").pk
    )
    page.reload()
    mallory = Membership.objects.get(design=design, user=stranger)

    mine = Membership.objects.get(design=design, user=owner)
    page.get_by_label("Role of alice").select_option("viewer")
    page.locator(f"#member-{mine.pk}").get_by_role("button", name="Change role").click()
    expect(page.locator(f"#id_member-{mine.pk}-role_error")).to_contain_text("alice is the only owner of this design")
    expect(page.get_by_label("Role of alice")).to_have_value("owner")

    page.get_by_label("Role of mallory").select_option("owner")
    page.locator(f"#member-{mallory.pk}").get_by_role("button", name="Change role").click()
    expect(page.locator("#team")).to_contain_text("mallory is now owner.")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#member-{mine.pk}").get_by_role("button", name="Remove myself").click()
    page.wait_for_url(f"**{reverse('designs:dashboard')}")
    expect(page.locator(".messages")).to_contain_text("You left “Checkout platform”.")
    assert dict(Membership.objects.filter(design=design).values_list("user__username", "role")) == {"mallory": "owner"}


def test_an_invited_person_accepts_on_the_dashboard(new_page, owner, design, stranger):
    members.invite(design, identifier="mallory", role="reviewer", actor=owner)
    page = new_page(stranger)
    page.goto(reverse("designs:dashboard"))
    invitation = page.locator(".invitations .invitation")
    expect(invitation).to_contain_text("alice invited you to Checkout platform as reviewer.")
    expect(page.locator("#design-list")).not_to_contain_text("Checkout platform")

    invitation.get_by_role("button", name="Accept").click()

    page.wait_for_url(f"**{design.get_absolute_url()}")
    expect(page.locator(".messages")).to_contain_text("You joined “Checkout platform” as reviewer.")
    assert Membership.objects.get(design=design, user=stranger).role == "reviewer"
