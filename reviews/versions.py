"""Versions and review requests: freezing, requesting, deciding, restoring. Each write is one transaction.

A review covers the whole design or some steps per reviewer. Its state follows the latest decision
of each reviewer: any request for changes → changes requested; every reviewer approving → approved.
An approval goes stale only when a step it covers changes afterwards (compared with the frozen
version), not on any edit, so a security approval survives an edit of the deployment step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from designs import services as design_services
from designs.document import export_design, replace_design_content, snapshot_from_document
from designs.models import Design, Membership
from designs.models.base import Permission
from designs.snapshot import DesignSnapshot
from outputs.pdf import PdfCover

from .diff import changed_step_keys
from .models import DesignVersion, Notification, ReviewAssignment, ReviewDecision, ReviewRequest
from .notifications import notify

State = ReviewRequest.State
Verdict = ReviewDecision.Verdict


def version_snapshot(version: DesignVersion) -> DesignSnapshot:
    """What the design was when this version was frozen."""
    return snapshot_from_document(version.document)


@transaction.atomic
def freeze_version(
    *, design: Design, author: AbstractBaseUser | None, message: str, kind: str = DesignVersion.Kind.SAVED
) -> DesignVersion:
    """Store the design as it is now as the next numbered version."""
    locked = Design.objects.select_for_update().get(pk=design.pk)
    number = (DesignVersion.objects.filter(design=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    return DesignVersion.objects.create(
        design=locked, number=number, kind=kind, message=message.strip(), document=export_design(locked), author=author
    )


def _set_status(design: Design, status: str) -> None:
    with design_services.editing(design) as locked:
        if locked.status != status:
            locked.status = status
            locked.save(update_fields=["status"])


@transaction.atomic
def request_review(
    *,
    design: Design,
    author: AbstractBaseUser,
    message: str,
    reviewers: Mapping[AbstractBaseUser, Iterable[str]],
    waiver: str = "",
) -> ReviewRequest:
    """Freeze a version and ask each reviewer (for all steps, or the ones given) to review it.

    An open request before it is superseded: its decisions stay on the record, but no longer count.
    """
    if not reviewers:
        raise ValidationError({"reviewers": "Choose at least one reviewer."})
    members = {
        membership.user_id: membership
        for membership in Membership.objects.filter(design=design, user__in=[user.pk for user in reviewers])
    }
    for user in reviewers:
        membership = members.get(user.pk)
        if membership is None or not membership.can(Permission.COMMENT):
            raise ValidationError({"reviewers": f"{user.get_username()} is not a member who may review this design."})
        if user.pk == author.pk:
            raise ValidationError({"reviewers": "You cannot review your own request."})
    errors = _open_errors(design)
    waiver = _waiver(errors, waiver, "ask for a review")
    version = freeze_version(design=design, author=author, message=message, kind=DesignVersion.Kind.REVIEW)
    ReviewRequest.objects.filter(design=design, state=State.OPEN).update(state=State.SUPERSEDED)
    request = ReviewRequest.objects.create(
        design=design, version=version, requested_by=author, waiver=waiver, open_errors=len(errors)
    )
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(request=request, reviewer=user, steps=sorted(set(steps))) for user, steps in reviewers.items()
    )
    _set_status(design, Design.Status.IN_REVIEW)
    url = reverse("reviews:review", args=[design.slug, request.pk])
    for user, steps in reviewers.items():
        scope = ", ".join(sorted(set(steps))) if steps else "the whole design"
        notify(
            user,
            Notification.Kind.REVIEW_REQUESTED,
            design,
            f"{author.get_username()} asks you to review v{version.number} of {design.name} ({scope}).",
            url,
        )
    return request


def _open_errors(design: Design) -> list[Any]:
    """The design's open error findings (after its own severities and dismissals)."""
    from .findings import open_findings

    found, _, _ = open_findings(design)
    return [finding for finding in found if finding.severity.label == "error"]


def _waiver(errors: list[Any], waiver: str, what: str) -> str:
    """With open errors, a reason to go ahead anyway is required; it is kept with the request or approval."""
    waiver = " ".join(waiver.split())
    if errors and not waiver:
        named = "; ".join(f"{f.rule_id} {f.message}" for f in errors[:3]) + ("…" if len(errors) > 3 else "")
        raise ValidationError(
            {
                "waiver": f"The design has {len(errors)} open error finding{'s' if len(errors) != 1 else ''} "
                f"({named}). To {what} anyway, say why in the waiver."
            }
        )
    return waiver if errors else ""


@dataclass(frozen=True)
class AssignmentState:
    assignment: ReviewAssignment
    decision: ReviewDecision | None
    # Steps this reviewer covers that changed in the draft since the frozen version.
    stale_steps: tuple[str, ...] = ()

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.verdict == Verdict.APPROVE and not self.stale_steps

    @property
    def changes_requested(self) -> bool:
        return self.decision is not None and self.decision.verdict == Verdict.REQUEST_CHANGES


def assignment_states(request: ReviewRequest, live: DesignSnapshot | None = None) -> list[AssignmentState]:
    """Each reviewer's latest decision, and whether an approval went stale against the live design."""
    changed: set[str] = set()
    if live is not None:
        changed = changed_step_keys(version_snapshot(request.version), live)
    states = []
    assignments = request.assignments.select_related("reviewer").prefetch_related("decisions")
    for assignment in assignments.order_by("reviewer__username"):
        decisions = list(assignment.decisions.all())
        latest = decisions[0] if decisions else None
        stale: tuple[str, ...] = ()
        if latest is not None and latest.verdict == Verdict.APPROVE:
            stale = tuple(step for step in assignment.covers if step in changed)
        states.append(AssignmentState(assignment, latest, stale))
    return states


def approvers(version: DesignVersion) -> tuple[str, ...]:
    """Who approved this version, when a review of it ended approved (for its PDF's cover)."""
    request = ReviewRequest.objects.filter(version=version, state=State.APPROVED).first()
    if request is None:
        return ()
    return tuple(state.assignment.reviewer.get_username() for state in assignment_states(request) if state.approved)


def frozen_version_export(slug: str, number: int) -> tuple[DesignSnapshot, PdfCover] | None:
    """A frozen version's snapshot and its PDF cover (number, approvers), for the command line."""
    version = DesignVersion.objects.filter(design__slug=slug, number=number).first()
    if version is None:
        return None
    return version_snapshot(version), PdfCover(version=version.number, approved_by=approvers(version))


def outcome(states: list[AssignmentState]) -> str:
    if any(state.changes_requested for state in states):
        return State.CHANGES_REQUESTED
    if states and all(state.approved for state in states):
        return State.APPROVED
    return State.OPEN


@transaction.atomic
def decide(
    *, request: ReviewRequest, reviewer: AbstractBaseUser, verdict: str, summary: str, waiver: str = ""
) -> ReviewDecision:
    """Record a reviewer's decision and move the request (and the design's status) on.

    The request row is locked, so two reviewers deciding at once are applied one after the
    other: each decision counts once, and the second sees the first when computing the outcome.
    """
    locked = ReviewRequest.objects.select_for_update().select_related("version").get(pk=request.pk)
    if locked.state == State.SUPERSEDED:
        raise ValidationError("This review was superseded by a newer request; decide on that one.")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choose approve or request changes."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what you found: a summary is required."})
    assignment = locked.assignments.filter(reviewer=reviewer).first()
    if assignment is None:
        raise ValidationError("You are not a reviewer of this request.")
    if verdict == Verdict.APPROVE:
        waiver = _waiver(_open_errors(locked.design), waiver, "approve")
    else:
        waiver = ""
    decision = ReviewDecision.objects.create(
        assignment=assignment, verdict=verdict, summary=summary.strip(), waiver=waiver
    )
    locked.state = outcome(assignment_states(locked))
    locked.save(update_fields=["state"])
    status = {
        State.APPROVED: Design.Status.APPROVED,
        State.CHANGES_REQUESTED: Design.Status.CHANGES_REQUESTED,
    }.get(locked.state, Design.Status.IN_REVIEW)
    _set_status(locked.design, status)
    if locked.requested_by is not None and locked.requested_by_id != reviewer.pk:
        verdict_text = "approved" if verdict == Verdict.APPROVE else "requested changes to"
        notify(
            locked.requested_by,
            Notification.Kind.DECISION,
            locked.design,
            f"{reviewer.get_username()} {verdict_text} v{locked.version.number} of {locked.design.name}.",
            reverse("reviews:review", args=[locked.design.slug, locked.pk]),
        )
    return decision


@transaction.atomic
def restore_version(*, design: Design, version: DesignVersion, author: AbstractBaseUser) -> DesignVersion:
    """Make `version` the current draft; the draft it replaces is frozen first, so nothing is lost."""
    if version.design_id != design.pk:
        raise ValidationError("That version belongs to another design.")
    message = f"Draft before restoring v{version.number}"
    before = freeze_version(design=design, author=author, message=message, kind=DesignVersion.Kind.RESTORE)
    document: dict[str, Any] = {**version.document, "design": {**version.document["design"]}}
    replace_design_content(design, document, actor=author, label=f"version {version.number}")
    DesignVersion.objects.filter(pk=before.pk).update(restored_from=version.number)
    return before


def side_snapshot(design: Design, side: str) -> tuple[DesignSnapshot, str]:
    """A diff side by name: a version number ("3" or "v3") or "draft" (the live design); (snapshot, label)."""
    from designs.snapshot import load_snapshot

    text = side.strip().lower()
    if text in ("draft", "live", "current"):
        return load_snapshot(design), "draft"
    number = text.removeprefix("v")
    if not number.isdigit():
        raise ValidationError(f"{side!r} is neither a version number (e.g. 3 or v3) nor “draft”.")
    version = DesignVersion.objects.filter(design=design, number=int(number)).first()
    if version is None:
        raise ValidationError(f"This design has no version {number}.")
    return version_snapshot(version), f"v{version.number}"
