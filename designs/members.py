"""A design's team: invite someone (they accept or decline), change a member's role, remove a member.

Nobody joins a design without saying yes: `invite` stores an invitation, which the person answers
on their dashboard or through the link e-mailed to them; only `accept` makes a membership. The owner
gets the same answer whether or not the username or address has an account (the invitation is
stored either way and listed as waiting; one to an address nobody has yet waits for whoever signs
up with it, and is e-mailed to no one). `add_member` (the management command, an administrator's
tool) adds people directly, without asking them.

Each change is one transaction that locks the design row first, so changes of one team are made
one after the other: two owners demoting each other at the same moment cannot leave the design
without an owner — the second sees the first's change and is refused. Refusals are
ValidationErrors keyed by the form field they concern ("user", "role"); nothing is written then.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from . import models as m
from .services import Action, Actor, record

logger = logging.getLogger(__name__)

LAST_OWNER = "{name} is the only owner of this design: make another member an owner first."
# Invitations one design may have waiting at once: enough for a team, not a mailing list.
MAX_OPEN_INVITATIONS = 50
INVITED = (
    "Invitation to “{identifier}” saved. If they have an account, they see it on their dashboard and get "
    "an e-mail; they join when they accept."
)


def _lock(design: m.Design) -> m.Design:
    # Not services._lock: the team of an archived design may still change (it is read-only for edits).
    return m.Design.objects.select_for_update().get(pk=design.pk)


def _role(role: str) -> str:
    if role not in m.Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(m.Role.values)}."})
    return role


def find_user(identifier: str) -> AbstractBaseUser | None:
    """The account with this username or e-mail address (either ignoring case), or None.

    An address several accounts share names none of them here; the stored invitation is then open to
    each account with that address (Invitation.objects.for_user), and the first to answer decides."""
    wanted = identifier.strip()
    users = get_user_model()._default_manager
    user = users.filter(username=wanted).first() or users.filter(username__iexact=wanted).first()
    if user is None and "@" in wanted:
        matches = list(users.filter(email__iexact=wanted)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


def _member(design: m.Design, member_pk: int) -> m.Membership:
    membership = (
        m.Membership.objects.select_for_update().select_related("user").filter(design=design, pk=member_pk).first()
    )
    if membership is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: "That person is no longer a member; the list shows the team as it is now."}
        )
    return membership


def _owners(design: m.Design) -> int:
    return m.Membership.objects.filter(design=design, role=m.Role.OWNER).count()


def _identifier(identifier: str) -> str:
    wanted = m.one_line(identifier).lower()
    if not wanted:
        raise ValidationError({"user": "Type the username or e-mail address of the person to invite."})
    return wanted


@transaction.atomic
def invite(design: m.Design, *, identifier: str, role: str, actor: Actor = None) -> m.Invitation:
    """Invite whoever has this username or e-mail address to join with `role`; they accept or decline.

    Refusals name only what the owner can see anyway: a member's username, an invitation already
    waiting (listed on the page), an answer the person gave. Whether an account exists is never said.
    """
    _role(role)
    wanted = _identifier(identifier)
    locked = _lock(design)
    if m.Membership.objects.filter(design=locked, user__username__iexact=wanted).exists():
        raise ValidationError({"user": f"{wanted} is already a member."})
    invitations = m.Invitation.objects.filter(design=locked)
    # An invitation nobody answered in time is over: it makes way for a new one.
    invitations.filter(status=m.Invitation.Status.PENDING).exclude(pk__in=invitations.open()).update(
        status=m.Invitation.Status.CANCELLED, answered_at=timezone.now()
    )
    if invitations.open().filter(identifier=wanted).exists():
        raise ValidationError({"user": f"“{wanted}” is invited already and has not answered yet."})
    since = timezone.now() - timedelta(days=settings.INVITATION_DAYS)
    if invitations.filter(identifier=wanted, status=m.Invitation.Status.DECLINED, answered_at__gte=since).exists():
        raise ValidationError({"user": f"“{wanted}” declined an invitation to this design recently."})
    if invitations.open().count() >= MAX_OPEN_INVITATIONS:
        raise ValidationError(
            {"user": f"{MAX_OPEN_INVITATIONS} invitations are waiting for an answer; cancel some first."}
        )
    user = find_user(wanted)
    invitation = m.Invitation.objects.create(
        design=locked, identifier=wanted, user=user, role=role, invited_by=actor if actor is not None else None
    )
    record(
        locked,
        actor=actor,
        action=Action.MEMBER_INVITED,
        kind="person",
        label=wanted,
        changes=[["role", "—", invitation.get_role_display()]],
    )
    if user is not None and user.email:
        transaction.on_commit(lambda: _mail_invitation(invitation, user.email))
    return invitation


def _mail_invitation(invitation: m.Invitation, address: str) -> None:
    site = settings.SITE_URL.rstrip("/")
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An owner"
    design = m.one_line(invitation.design.name)
    role = invitation.get_role_display().lower()
    subject = m.one_line(f"[Design Workbench] {inviter} invited you to {design}")[:150]
    body = (
        f"{inviter} invited you to the design “{design}” as {role}.\n\n"
        f"Accept or decline: {site}{invitation.get_absolute_url()}\n\n"
        "Until you accept, the design is not shared with you. If this means nothing to you, decline it "
        "or let it expire.\n"
    )
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=m.one_line(settings.DEFAULT_FROM_EMAIL),
            recipient_list=[m.one_line(address)],
        )
    except Exception:
        # The invitation waits on the dashboard all the same.
        logger.exception("Could not e-mail invitation %s", invitation.pk)


def _answerable(user: Any, invitation_pk: int) -> m.Invitation:
    invitation = (
        m.Invitation.objects.for_user(user)
        .select_for_update()
        .select_related("design")
        .filter(pk=invitation_pk)
        .first()
    )
    if invitation is None:
        # Not theirs, or no such invitation: the same, as for a design they are not on.
        raise Http404("No such invitation")
    if invitation.status != m.Invitation.Status.PENDING or not m.Invitation.objects.open().filter(pk=invitation.pk):
        raise ValidationError({NON_FIELD_ERRORS: "This invitation is no longer open (answered, cancelled or expired)."})
    return invitation


@transaction.atomic
def accept(*, user: AbstractBaseUser, invitation_pk: int) -> m.Membership:
    """Join the design with the invitation's role (a member already keeps the role they have)."""
    invitation = _answerable(user, invitation_pk)
    locked = _lock(invitation.design)
    invitation.status, invitation.answered_at, invitation.user = m.Invitation.Status.ACCEPTED, timezone.now(), user
    invitation.save(update_fields=["status", "answered_at", "user"])
    membership = m.Membership.objects.filter(design=locked, user=user).first()
    if membership is not None:
        return membership
    membership = m.Membership.objects.create(design=locked, user=user, role=invitation.role)
    record(
        locked,
        actor=user,
        action=Action.MEMBER_JOINED,
        kind="design",
        label=locked.name,
        changes=[["role", "—", membership.get_role_display()]],
    )
    return membership


@transaction.atomic
def decline(*, user: AbstractBaseUser, invitation_pk: int) -> m.Invitation:
    invitation = _answerable(user, invitation_pk)
    invitation.status, invitation.answered_at, invitation.user = m.Invitation.Status.DECLINED, timezone.now(), user
    invitation.save(update_fields=["status", "answered_at", "user"])
    return invitation


@transaction.atomic
def cancel(design: m.Design, *, invitation_pk: int, actor: Actor = None) -> m.Invitation:
    """Withdraw an invitation still waiting for its answer."""
    locked = _lock(design)
    invitation = m.Invitation.objects.select_for_update().filter(design=locked, pk=invitation_pk).first()
    if invitation is None or invitation.status != m.Invitation.Status.PENDING:
        raise ValidationError(
            {NON_FIELD_ERRORS: "That invitation is no longer waiting; the list shows it as it is now."}
        )
    invitation.status, invitation.answered_at = m.Invitation.Status.CANCELLED, timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    record(locked, actor=actor, action=Action.INVITATION_CANCELLED, kind="person", label=invitation.identifier)
    return invitation


def _add(locked: m.Design, user: AbstractBaseUser, role: str, actor: Actor) -> m.Membership:
    membership = m.Membership.objects.create(design=locked, user=user, role=role)
    record(
        locked,
        actor=actor,
        action=Action.MEMBER_ADDED,
        kind="member",
        label=user.get_username(),
        changes=[["role", "—", membership.get_role_display()]],
    )
    return membership


@transaction.atomic
def change_role(design: m.Design, *, member_pk: int, role: str, actor: Actor = None) -> m.Membership:
    """Give a member another role; the last owner keeps theirs."""
    _role(role)
    locked = _lock(design)
    membership = _member(locked, member_pk)
    if membership.role == role:
        return membership
    if membership.role == m.Role.OWNER and _owners(locked) == 1:
        raise ValidationError({"role": LAST_OWNER.format(name=membership.user.get_username())})
    old = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role"])
    record(
        locked,
        actor=actor,
        action=Action.MEMBER_ROLE,
        kind="member",
        label=membership.user.get_username(),
        changes=[["role", old, membership.get_role_display()]],
    )
    return membership


@transaction.atomic
def remove(design: m.Design, *, member_pk: int, actor: Actor = None) -> m.Membership:
    """Take a member off the design (their comments and the log keep their name); not the last owner."""
    locked = _lock(design)
    membership = _member(locked, member_pk)
    if membership.role == m.Role.OWNER and _owners(locked) == 1:
        raise ValidationError({NON_FIELD_ERRORS: LAST_OWNER.format(name=membership.user.get_username())})
    membership.delete()
    record(
        locked,
        actor=actor,
        action=Action.MEMBER_REMOVED,
        kind="member",
        label=membership.user.get_username(),
        changes=[["role", membership.get_role_display(), "—"]],
    )
    return membership


@transaction.atomic
def set_role(design: m.Design, *, user: AbstractBaseUser, role: str, actor: Actor = None) -> tuple[m.Membership, bool]:
    """Add `user` with `role`, or change their role if they are a member (the add_member command).

    An administrator's tool: it adds without an invitation, so without the person's consent."""
    _role(role)
    locked = _lock(design)
    existing = m.Membership.objects.filter(design=locked, user=user).first()
    if existing is None:
        return _add(locked, user, role, actor), True
    return change_role(design, member_pk=existing.pk, role=role, actor=actor), False
