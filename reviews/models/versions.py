"""Frozen versions of a design and the reviews asked and decided on them.

A version is the design document (designs/document) stored as one JSON value: everything that
reads a design reads a snapshot, and `snapshot_from_document` gives a version's snapshot without
touching the live rows, so a version renders, exports and diffs exactly as the design did.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from designs.models import Design


def step_choices() -> list[tuple[str, str]]:
    # The registry reads the models, so it is imported when the choices are first asked for.
    from designs.steps import STEPS

    return [(step.key, f"{step.number}. {step.title}") for step in STEPS]


class DesignVersion(models.Model):
    """An immutable numbered snapshot of a design, with who froze it, when and why."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Frozen for review"
        SAVED = "saved", "Saved"
        RESTORE = "restore", "Before a restore"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SAVED)
    message = models.TextField(max_length=2000, blank=True)
    document = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The version a restore brought back, when this one records a restore.
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["design", "number"], name="one_number_per_version")]

    def __str__(self) -> str:
        return f"v{self.number} of {self.design}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Frozen means frozen: a stored version is never rewritten (reviews and comments point at it).
        if self.pk is not None and not kwargs.pop("allow_update", False):
            raise ValueError("A design version is immutable once stored.")
        super().save(*args, **kwargs)


class ReviewRequest(models.Model):
    """A request to review one frozen version; its state follows the reviewers' decisions."""

    class State(models.TextChoices):
        OPEN = "open", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        SUPERSEDED = "superseded", "Superseded by a newer request"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="review_requests")
    version = models.OneToOneField(DesignVersion, on_delete=models.CASCADE, related_name="review_request")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    # Why the review was asked for despite open error findings of the design checks (kept on record).
    waiver = models.TextField(max_length=2000, blank=True)
    open_errors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"review of {self.version}"


class ReviewAssignment(models.Model):
    """One reviewer asked to review a request, for the whole design or for some steps."""

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Empty: the whole design.
    steps = ArrayField(models.CharField(max_length=20, choices=step_choices), blank=True, default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "reviewer"], name="one_assignment_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.request}"

    @property
    def covers(self) -> tuple[str, ...]:
        return tuple(self.steps) or tuple(key for key, _ in step_choices())


class ReviewDecision(models.Model):
    """A reviewer's decision; the latest one of an assignment counts."""

    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="decisions")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    summary = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Why an approval was given despite open error findings (kept on record).
    waiver = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} by {self.assignment.reviewer}"
