"""Comments on a step or on one element, in threads of one level of replies."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from designs.models import Design

BODY_LIMIT = 10_000


class CommentQuerySet(models.QuerySet["Comment"]):
    def threads(self) -> CommentQuerySet:
        return self.filter(parent__isnull=True)

    def open(self) -> CommentQuerySet:
        return self.threads().filter(resolved_at__isnull=True)


class Comment(models.Model):
    """A thread (no parent) or a reply to one.

    An element is named by its uid, never a foreign key: a comment outlives the element it is
    about, and says so ("element deleted"). What the element was when the comment was written —
    its kind, its label and a fingerprint of its values — is kept as text, so a later reader sees
    what was discussed and whether it has changed since ("outdated").
    """

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="+")
    step_key = models.CharField(max_length=40)
    # The element list (registry key) and the element; both empty for a comment on the step.
    list_key = models.CharField(max_length=40, blank=True)
    element_uid = models.UUIDField(null=True, blank=True)
    element_kind = models.CharField(max_length=100, blank=True)
    element_label = models.CharField(max_length=300, blank=True)
    element_fingerprint = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=BODY_LIMIT)
    # The body as sanitized HTML, rendered once when written (mentions resolved against the members then).
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The design's latest frozen version when this was written (None: before any), for its label.
    after_version = models.PositiveIntegerField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A thread deleted while it has replies keeps its place (and the replies) as "comment deleted".
    deleted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["design", "step_key", "element_uid"], name="comment_design_step_element"),
            models.Index(fields=["parent"], name="comment_parent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(element_uid__isnull=True) | ~models.Q(list_key=""),
                name="comment_element_has_list",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.element_kind} “{self.element_label}”" if self.element_uid else f"step {self.step_key}"
        return f"Comment by {self.author} on {where}"

    def get_absolute_url(self) -> str:
        thread = self.parent if self.parent_id else self
        if thread.element_uid:
            url = reverse("reviews:element-comments", args=[self.design.slug, self.step_key, thread.element_uid])
        else:
            url = reverse("reviews:step-comments", args=[self.design.slug, self.step_key])
        return f"{url}#comment-{self.pk}"

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def version_label(self) -> str:
        """Which state of the design it was written on: the draft after a frozen version, or before any."""
        return f"on the draft after v{self.after_version}" if self.after_version else ""

    def element_state(self, fingerprints: dict[uuid.UUID, Any]) -> str:
        """ "" while the element is as commented, else "outdated" or "element deleted"."""
        if self.element_uid is None:
            return ""
        anchor = fingerprints.get(self.element_uid)
        if anchor is None:
            return "element deleted"
        return "" if anchor.fingerprint == self.element_fingerprint else "outdated"
