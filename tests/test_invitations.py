"""The invited person's side: an invitation on the dashboard and by e-mail, accepted or declined;
nothing of the design is theirs until they accept. And a design's name is one line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from designs import members
from designs.models import Design, Invitation, Membership, Role
from tests.comment_helpers import client_for
from tests.conftest import make_user


@pytest.fixture
def invitation(design, owner, stranger, django_capture_on_commit_callbacks) -> Invitation:
    with django_capture_on_commit_callbacks(execute=True):
        return members.invite(design, identifier="mallory", role=Role.EDITOR, actor=owner)


def _url(name: str, invitation: Invitation) -> str:
    return reverse(f"designs:{name}", args=[invitation.pk])


def test_the_invited_person_gets_one_e_mail_with_the_link(invitation):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mallory@example.com"]
    assert message.subject == "[Design Workbench] alice invited you to Checkout platform"
    assert f"http://127.0.0.1:8000{_url('invitation', invitation)}" in message.body
    assert "as editor" in message.body


def test_an_invitation_to_an_address_nobody_has_mails_no_one(design, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        members.invite(design, identifier="someone@elsewhere.example", role=Role.VIEWER, actor=owner)
    assert mail.outbox == []


def test_the_dashboard_lists_it_with_accept_and_decline_that_work_without_javascript(
    invitation, stranger_client, design
):
    html = stranger_client.get(reverse("designs:dashboard")).content.decode()
    assert "alice</strong>\n    invited you to <strong>Checkout platform</strong> as editor." in html
    for name in ("invitation-accept", "invitation-decline"):
        assert f'action="{_url(name, invitation)}"' in html and f'hx-post="{_url(name, invitation)}"' in html
    # Not theirs yet: not on their list, not readable.
    assert f'href="{design.get_absolute_url()}"' not in html
    assert stranger_client.get(design.get_absolute_url()).status_code == 404


def test_the_e_mailed_link_shows_the_invitation_to_its_person_only(invitation, stranger_client, db):
    page = stranger_client.get(_url("invitation", invitation)).content.decode()
    assert "Accept" in page and "Decline" in page
    other = client_for(make_user("eve"))
    for name, method in (("invitation", "get"), ("invitation-accept", "post"), ("invitation-decline", "post")):
        assert getattr(other, method)(_url(name, invitation)).status_code == 404
    assert not Membership.objects.filter(user__username="eve").exists()
    # Signed out (an e-mailed link opened cold): to the login page, and back here afterwards.
    answer = Client().get(_url("invitation", invitation))
    assert answer.status_code == 302 and answer.url == f"{reverse('login')}?next={_url('invitation', invitation)}"


def test_accepting_with_htmx_joins_and_opens_the_design(invitation, stranger, stranger_client, design, htmx_headers):
    response = stranger_client.post(_url("invitation-accept", invitation), **htmx_headers)
    assert response.status_code == 200 and response["HX-Redirect"] == design.get_absolute_url()
    assert Membership.objects.get(design=design, user=stranger).role == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert stranger_client.get(design.get_absolute_url()).status_code == 200
    # Answered: off the dashboard, and a second answer is refused.
    assert "invited you" not in stranger_client.get(reverse("designs:dashboard")).content.decode()
    again = stranger_client.post(_url("invitation-decline", invitation))
    assert again.status_code == 409
    assert "This invitation is no longer open" in again.content.decode()


def test_declining_leaves_the_design_closed_to_them(invitation, stranger, stranger_client, design):
    response = stranger_client.post(_url("invitation-decline", invitation))
    assert response.status_code == 302 and response.url == reverse("designs:dashboard")
    assert "You declined the invitation to “Checkout platform”." in stranger_client.get(response.url).content.decode()
    assert not Membership.objects.filter(design=design, user=stranger).exists()
    assert stranger_client.get(design.get_absolute_url()).status_code == 404


def test_a_withdrawn_or_expired_invitation_cannot_be_accepted(invitation, owner_client, stranger_client, design):
    cancel = reverse("designs:member-invitation-cancel", args=[design.slug, invitation.pk])
    assert owner_client.post(cancel).status_code == 302
    refused = stranger_client.post(_url("invitation-accept", invitation), HTTP_HX_REQUEST="true")
    assert "This invitation is no longer open" in refused.content.decode()
    assert not Membership.objects.filter(design=design, user__username="mallory").exists()

    fresh = members.invite(design, identifier="mallory", role=Role.VIEWER)
    Invitation.objects.filter(pk=fresh.pk).update(created_at=fresh.created_at - timedelta(days=15))
    assert "invited you" not in stranger_client.get(reverse("designs:dashboard")).content.decode()
    assert stranger_client.post(_url("invitation-accept", fresh)).status_code == 409
    # An expired invitation makes way for a new one.
    members.invite(design, identifier="mallory", role=Role.VIEWER)


def test_only_owners_see_who_is_invited(invitation, design, owner_client, db):
    viewer = make_user("vera")
    Membership.objects.create(design=design, user=viewer, role=Role.VIEWER)
    members_url = reverse("designs:members", args=[design.slug])
    assert '<td data-label="invited">mallory</td>' in owner_client.get(members_url).content.decode()
    assert "mallory" not in client_for(viewer).get(members_url).content.decode()


def test_the_add_member_command_adds_without_asking(design, stranger):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("add_member", design.slug, "mallory", "viewer", stdout=out)
    assert Membership.objects.get(design=design, user=stranger).role == Role.VIEWER
    assert not Invitation.objects.exists()


# ---------------------------------------------------------------- a design's name is one line


def test_a_line_break_typed_into_a_name_becomes_a_space(owner_client, owner):
    response = owner_client.post(reverse("designs:create"), {"name": "Checkout\r\nBcc: x@example.com", "summary": ""})
    design = Design.objects.get(created_by=owner)
    assert response.status_code == 302
    assert design.name == "Checkout Bcc: x@example.com"
    edit = reverse("designs:edit", args=[design.slug])
    owner_client.post(edit, {"name": "Two\nlines", "summary": "", "base_version": design.version})
    design.refresh_from_db()
    assert design.name == "Two lines"


def test_the_database_refuses_a_name_with_a_line_break(design):
    with pytest.raises(IntegrityError, match="design_name_single_line"), transaction.atomic():
        Design.objects.filter(pk=design.pk).update(name="one\ntwo")
