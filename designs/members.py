"""A design's team: invite an existing user, change a member's role, remove a member.

Each change is one transaction that locks the design row first, so changes of one team are made
one after the other: two owners demoting each other at the same moment cannot leave the design
without an owner — the second sees the first's change and is refused. Refusals are
ValidationErrors keyed by the form field they concern ("user", "role"); nothing is written then.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from . import models as m
from .services import Action, Actor, record

LAST_OWNER = "{name} is the only owner of this design: make another member an owner first."


def _lock(design: m.Design) -> m.Design:
    # Not services._lock: the team of an archived design may still change (it is read-only for edits).
    return m.Design.objects.select_for_update().get(pk=design.pk)


def _role(role: str) -> str:
    if role not in m.Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(m.Role.values)}."})
    return role


def find_user(identifier: str) -> AbstractBaseUser:
    """The account with this username or e-mail address (either ignoring case)."""
    wanted = identifier.strip()
    if not wanted:
        raise ValidationError({"user": "Type the username or e-mail address of the person to invite."})
    users = get_user_model()._default_manager
    user = users.filter(username=wanted).first() or users.filter(username__iexact=wanted).first()
    if user is None and "@" in wanted:
        matches = list(users.filter(email__iexact=wanted)[:2])
        if len(matches) > 1:
            raise ValidationError({"user": f"Several accounts use “{wanted}”; invite by username instead."})
        user = matches[0] if matches else None
    if user is None:
        raise ValidationError({"user": f"No user “{wanted}” — they need to sign up first."})
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


@transaction.atomic
def invite(design: m.Design, *, identifier: str, role: str, actor: Actor = None) -> m.Membership:
    """Add an existing user to the design with `role`."""
    _role(role)
    locked = _lock(design)
    user = find_user(identifier)
    existing = m.Membership.objects.filter(design=locked, user=user).first()
    if existing is not None:
        raise ValidationError(
            {"user": f"{user.get_username()} is already a member ({existing.get_role_display().lower()})."}
        )
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
    """Add `user` with `role`, or change their role if they are a member (the add_member command)."""
    _lock(design)
    existing = m.Membership.objects.filter(design=design, user=user).first()
    if existing is None:
        return invite(design, identifier=user.get_username(), role=role, actor=actor), True
    return change_role(design, member_pk=existing.pk, role=role, actor=actor), False
