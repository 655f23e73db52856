"""The members page: owners invite, change roles and remove; the last owner stays an owner."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from designs import members, services
from designs.models import ActivityEntry, Design, Invitation, Membership, Role
from tests.conftest import add_member, make_user


def _members_url(design: Design) -> str:
    return reverse("designs:members", args=[design.slug])


def _role_url(design: Design, membership: Membership) -> str:
    return reverse("designs:member-role", args=[design.slug, membership.pk])


def _remove_url(design: Design, membership: Membership) -> str:
    return reverse("designs:member-remove", args=[design.slug, membership.pk])


def _roles(design: Design) -> dict[str, str]:
    return dict(Membership.objects.filter(design=design).values_list("user__username", "role"))


def _owner_membership(design: Design, owner: User) -> Membership:
    return Membership.objects.get(design=design, user=owner)


def test_it_lists_the_team_for_every_reader_but_offers_the_forms_to_owners_only(client, design, owner, stranger):
    add_member(design, stranger, Role.VIEWER)
    client.force_login(stranger)
    html = client.get(_members_url(design)).content.decode()
    assert "alice" in html and "mallory (you)" in html
    assert "Viewer" in html and "Owner" in html
    assert 'name="invite-user"' not in html
    assert "Change role" not in html
    owner_client = Client()
    owner_client.force_login(owner)
    html = owner_client.get(_members_url(design)).content.decode()
    assert "Change role" in html and "Username or e-mail" in html


def test_the_overview_links_the_members_and_activity_pages(owner_client, design):
    html = owner_client.get(design.get_absolute_url()).content.decode()
    assert f'href="{_members_url(design)}"' in html
    assert f'href="{reverse("designs:activity", args=[design.slug])}"' in html


def _invite(client: Client, design: Design, identifier: str, role: str = "reviewer", **headers):
    url = reverse("designs:member-invite", args=[design.slug])
    return client.post(url, {"invite-user": identifier, "invite-role": role}, **headers)


def _accept(client: Client, invitation: Invitation, **headers):
    return client.post(reverse("designs:invitation-accept", args=[invitation.pk]), **headers)


@pytest.mark.parametrize("identifier", ["mallory", "MALLORY", "mallory@example.com", " Mallory@Example.com "])
def test_an_owner_invites_by_username_or_email_and_they_join_when_they_accept(
    owner_client, design, stranger, stranger_client, identifier
):
    response = _invite(owner_client, design, identifier)

    assert response.status_code == 302
    assert _roles(design) == {"alice": "owner"}  # not before they say yes
    page = owner_client.get(response["Location"]).content.decode()
    assert f"Invitation to “{identifier.strip().lower()}” saved." in page
    invitation = Invitation.objects.get(design=design)
    assert (invitation.user, invitation.role, invitation.status) == (stranger, "reviewer", "pending")
    entry = ActivityEntry.objects.get(design=design, action="member_invited")
    assert (entry.actor_name, entry.label) == ("alice", identifier.strip().lower())
    # The design is not theirs to see yet.
    assert stranger_client.get(design.get_absolute_url()).status_code == 404

    joined = _accept(stranger_client, invitation)

    assert joined.status_code == 302 and joined.url == design.get_absolute_url()
    assert _roles(design) == {"alice": "owner", "mallory": "reviewer"}
    assert "You joined “Checkout platform” as reviewer." in stranger_client.get(joined.url).content.decode()
    entry = ActivityEntry.objects.get(design=design, action="member_joined")
    assert (entry.actor_name, entry.changes) == ("mallory", [["role", "—", "Reviewer"]])


def _shape(html: str, design: Design, identifier: str) -> str:
    """The answer with what must differ taken out: the design, the name typed, ids, the CSRF token."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r"\d+", "N", html.replace(design.slug, "SLUG").replace(identifier, "WHO"))


@pytest.mark.parametrize("htmx", [False, True])
def test_the_invite_answer_is_the_same_whether_or_not_the_address_has_an_account(
    owner_client, owner, design, stranger, htmx
):
    other = services.design_create(name="Checkout platform", summary="", owner=owner)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    answers = []
    for target, identifier in ((design, "mallory@example.com"), (other, "nobody@example.com")):
        response = _invite(owner_client, target, identifier, "viewer", **headers)
        assert response.status_code == (200 if htmx else 302)
        html = (owner_client.get(response["Location"]) if not htmx else response).content.decode()
        assert f"Invitation to “{identifier}” saved. If they have an account, they see it" in html
        assert f'<td data-label="invited">{identifier}</td>' in html
        answers.append(_shape(html, target, identifier))
    assert answers[0] == answers[1]
    assert _roles(design) == {"alice": "owner"}
    # The invitation to the account is stored with it; the other waits for a sign-up.
    assert Invitation.objects.get(design=design).user == stranger
    assert Invitation.objects.get(design=other).user is None


def test_an_invitation_to_an_address_without_an_account_waits_for_whoever_signs_up_with_it(
    owner_client, design, client
):
    _invite(owner_client, design, "newcomer@example.com", "editor")
    password = "a-long-enough-pass-77"
    client.post(
        reverse("signup"),
        {"username": "newcomer", "email": "newcomer@example.com", "password1": password, "password2": password},
    )
    dashboard = client.get(reverse("designs:dashboard")).content.decode()
    assert "invited you to <strong>Checkout platform</strong> as editor." in dashboard
    _accept(client, Invitation.objects.get(design=design))
    assert _roles(design) == {"alice": "owner", "newcomer": "editor"}


def test_inviting_a_member_again_says_they_are_one(owner_client, design, stranger):
    add_member(design, stranger, Role.EDITOR)
    response = _invite(owner_client, design, "mallory", "viewer")
    assert response.status_code == 400
    assert "mallory is already a member." in response.content.decode()
    assert _roles(design) == {"alice": "owner", "mallory": "editor"}
    assert not Invitation.objects.exists()


def test_inviting_twice_or_after_a_decline_says_so(owner_client, design, stranger, stranger_client):
    _invite(owner_client, design, "mallory")
    again = _invite(owner_client, design, "MALLORY")
    assert "“mallory” is invited already and has not answered yet." in again.content.decode()
    stranger_client.post(reverse("designs:invitation-decline", args=[Invitation.objects.get().pk]))
    after = _invite(owner_client, design, "mallory")
    assert "“mallory” declined an invitation to this design recently." in after.content.decode()
    assert Invitation.objects.filter(design=design).count() == 1


def test_an_invite_without_a_name_or_with_a_bad_role_is_refused_next_to_the_field(owner_client, design):
    url = reverse("designs:member-invite", args=[design.slug])
    html = owner_client.post(url, {"invite-user": "", "invite-role": "king"}).content.decode()
    assert 'id="id_invite-user_error"' in html and 'id="id_invite-role_error"' in html
    assert _roles(design) == {"alice": "owner"}


def test_an_owner_changes_a_role_in_place(owner_client, design, stranger, htmx_headers):
    membership = add_member(design, stranger, Role.VIEWER)
    data = {f"member-{membership.pk}-role": "editor"}
    response = owner_client.post(_role_url(design, membership), data, **htmx_headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "mallory is now editor." in html
    assert _roles(design)["mallory"] == "editor"
    entry = ActivityEntry.objects.get(design=design, action="member_role")
    assert entry.changes == [["role", "Viewer", "Editor"]]


def test_the_last_owner_cannot_be_demoted_not_even_by_themselves(owner_client, owner, design, htmx_headers):
    mine = _owner_membership(design, owner)
    for headers in ({}, htmx_headers):
        response = owner_client.post(_role_url(design, mine), {f"member-{mine.pk}-role": "editor"}, **headers)
        html = response.content.decode()
        assert response.status_code == (200 if headers else 400)
        assert "alice is the only owner of this design: make another member an owner first." in html
        assert f'id="id_member-{mine.pk}-role_error"' in html  # next to that member's role
    assert _roles(design) == {"alice": "owner"}
    assert not ActivityEntry.objects.filter(design=design, action="member_role").exists()


def test_the_last_owner_cannot_be_removed_not_even_by_themselves(owner_client, owner, design, stranger):
    add_member(design, stranger, Role.EDITOR)
    mine = _owner_membership(design, owner)
    response = owner_client.post(_remove_url(design, mine))
    assert response.status_code == 400
    assert "alice is the only owner of this design" in response.content.decode()
    assert _roles(design) == {"alice": "owner", "mallory": "editor"}


def test_with_a_second_owner_an_owner_may_step_down_or_leave(owner_client, owner, design, stranger, htmx_headers):
    add_member(design, stranger, Role.OWNER)
    mine = _owner_membership(design, owner)
    response = owner_client.post(_role_url(design, mine), {f"member-{mine.pk}-role": "editor"}, **htmx_headers)
    html = response.content.decode()
    assert "alice is now editor." in html
    assert "Change role" not in html  # no longer an owner: the forms are gone
    assert owner_client.post(_remove_url(design, mine)).status_code == 403
    services_design = Design.objects.get(pk=design.pk)
    members.change_role(services_design, member_pk=mine.pk, role=Role.OWNER)
    left = owner_client.post(_remove_url(design, mine), **htmx_headers)
    assert left.status_code == 204 and left["HX-Redirect"] == reverse("designs:dashboard")
    assert _roles(design) == {"mallory": "owner"}
    assert owner_client.get(_members_url(design)).status_code == 404


def test_an_owner_removes_a_member_and_the_log_keeps_their_name(owner_client, design, stranger):
    membership = add_member(design, stranger, Role.REVIEWER)
    response = owner_client.post(_remove_url(design, membership))
    assert response.status_code == 302
    assert "mallory removed from the design." in owner_client.get(response["Location"]).content.decode()
    assert _roles(design) == {"alice": "owner"}
    entry = ActivityEntry.objects.get(design=design, action="member_removed")
    assert (entry.label, entry.changes) == ("mallory", [["role", "Reviewer", "—"]])


def test_a_change_to_someone_removed_meanwhile_says_so(owner_client, design, stranger):
    membership = add_member(design, stranger, Role.VIEWER)
    Membership.objects.filter(pk=membership.pk).delete()
    response = owner_client.post(_role_url(design, membership), {f"member-{membership.pk}-role": "editor"})
    assert response.status_code == 400
    assert "That person is no longer a member" in response.content.decode()
    assert _roles(design) == {"alice": "owner"}


def test_members_of_another_design_cannot_be_changed_through_mine(owner_client, design, stranger):
    theirs = services.design_create(name="Theirs", summary="", owner=stranger)
    their_membership = Membership.objects.get(design=theirs)
    response = owner_client.post(_role_url(design, their_membership), {f"member-{their_membership.pk}-role": "viewer"})
    assert response.status_code == 400
    assert Membership.objects.get(pk=their_membership.pk).role == "owner"


def test_the_team_of_an_archived_design_still_changes(owner_client, design, stranger, stranger_client):
    services.design_set_archived(design=design, archived=True)
    response = _invite(owner_client, design, "mallory", "viewer")
    assert response.status_code == 302
    _accept(stranger_client, Invitation.objects.get(design=design))
    assert _roles(design)["mallory"] == "viewer"


def test_the_add_member_command_keeps_the_last_owner(design, owner):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="only owner"):
        call_command("add_member", design.slug, owner.username, "viewer")
    assert _roles(design) == {"alice": "owner"}
    entry_count = ActivityEntry.objects.filter(design=design, action__startswith="member").count()
    assert entry_count == 0


def test_the_service_refuses_an_unknown_role(design, stranger):
    with pytest.raises(ValidationError) as refused:
        members.invite(design, identifier="mallory", role="admin")
    assert "role" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    """Each request in its own thread and connection: the design row lock makes the second wait and see the first."""
    alice, bob = make_user("alice"), make_user("bob")
    design = services.design_create(name="Race", summary="", owner=alice)
    add_member(design, bob, Role.OWNER)
    memberships = {m.user.username: m for m in Membership.objects.filter(design=design).select_related("user")}
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(actor: str, target: str) -> None:
        try:
            start.wait()
            members.change_role(design, member_pk=memberships[target].pk, role=Role.EDITOR)
            outcomes[actor] = "done"
        except ValidationError as error:
            outcomes[actor] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=("alice", "bob")),
        threading.Thread(target=demote, args=("bob", "alice")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values(), key=lambda outcome: outcome != "done") == [
        "done",
        "alice is the only owner of this design: make another member an owner first."
        if outcomes["bob"] != "done"
        else "bob is the only owner of this design: make another member an owner first.",
    ]
    roles = sorted(_roles(design).values())
    assert roles == ["editor", "owner"]
