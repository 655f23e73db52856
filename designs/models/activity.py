"""The activity log: who created, changed or deleted what in a design, and when.

An entry names what it describes by text (kind, uid, label), never by a foreign key to the
element, so it outlives the element; only the design owns it (deleting the design deletes its log).
designs/services.py writes the entries, inside the transaction of the write they describe.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .base import Design

# Longest old or new value kept for a changed field; the log shows what changed, not whole texts.
VALUE_LIMIT = 120
LABEL_LIMIT = 200


class ActivityEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", "created"
        CHANGED = "changed", "changed"
        DELETED = "deleted", "deleted"
        IMPORTED = "imported", "imported"
        ARCHIVED = "archived", "archived"
        RESTORED = "restored", "restored"
        # Team changes (kind "member"): a member added, given another role, removed; a person invited
        # or the invitation withdrawn (kind "person"); an invitation accepted (kind "design").
        MEMBER_ADDED = "member_added", "added"
        MEMBER_ROLE = "member_role", "changed the role of"
        MEMBER_REMOVED = "member_removed", "removed"
        MEMBER_INVITED = "member_invited", "invited"
        INVITATION_CANCELLED = "invite_cancelled", "withdrew the invitation of"
        MEMBER_JOINED = "member_joined", "joined"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="activity")
    # The user, while they exist; `actor_name` keeps who it was after the account is gone.
    # Neither set: the command line or the system (e.g. `manage.py import_design`).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=Action.choices)
    # The step the element belongs to (a registry key), blank for the design itself and its team.
    step = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=80)  # "component", "load profile", "design", "member"
    uid = models.UUIDField(null=True, blank=True)  # the element's stable uid, when it has one
    label = models.CharField(max_length=LABEL_LIMIT, blank=True)  # its name when the entry was written
    # What changed, as short text: [[field label, old, new], ...]; or [[note]] for other details.
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["design", "-at", "-id"], name="activity_by_design"),
            models.Index(fields=["design", "step", "-at"], name="activity_by_step"),
            models.Index(fields=["design", "actor", "-at"], name="activity_by_actor"),
        ]
        verbose_name_plural = "activity entries"

    def __str__(self) -> str:
        return f"{self.who} {self.get_action_display()} {self.kind} {self.label}".strip()

    @property
    def who(self) -> str:
        return self.actor_name or "command line / system"


def shorten(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value as one short line of text for the log."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
