"""The design's decisions on its check findings: read for checks (a provider), written by editors.

Checks reads no database; it asks `checks.engine.design_decisions(design)`, which this module answers
(registered in ReviewsConfig.ready). Writes are one small transaction each and logged in the
design's activity.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from checks.engine import DesignDecisions, cached_findings, split_dismissed
from checks.registry import RULES, Finding
from designs import services as design_services
from designs.caching import design_state
from designs.models import ActivityEntry, Design
from designs.snapshot import load_snapshot

from .models import FindingDismissal, RuleSetting


def decisions(design: Design | str) -> DesignDecisions:
    """Two queries: the design's rule settings and its dismissals (the design, or its slug for a command)."""
    where = {"design__slug": design} if isinstance(design, str) else {"design": design}
    overrides = dict(RuleSetting.objects.filter(**where).values_list("rule_id", "level"))
    dismissed = {
        (d.rule_id, d.target): (d.reason, d.dismissed_by.get_username() if d.dismissed_by else "")
        for d in FindingDismissal.objects.filter(**where).select_related("dismissed_by")
    }
    return DesignDecisions(overrides, dismissed)


def open_findings(design: Design) -> tuple[list[Finding], list[tuple[Finding, str, str]], DesignDecisions]:
    """The design's findings after its own decisions: (open, dismissed with reason and who, decisions)."""
    said = decisions(design)
    findings = cached_findings(design_state(design), lambda: load_snapshot(design), dict(said.overrides))
    open_, dismissed = split_dismissed(findings, said)
    return open_, dismissed, said


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why: a reason is kept on the record."})
    return reason


@transaction.atomic
def dismiss(*, design: Design, rule_id: str, target: str, label: str, reason: str, actor: Any) -> FindingDismissal:
    if rule_id not in RULES:
        raise ValidationError({"rule_id": f"No rule {rule_id}."})
    dismissal, _ = FindingDismissal.objects.update_or_create(
        design=design,
        rule_id=rule_id,
        target=target,
        defaults={"reason": _reason(reason), "label": label[:200], "dismissed_by": actor},
    )
    design_services.record(
        design,
        actor=actor,
        action=ActivityEntry.Action.CHANGED,
        kind="finding",
        label=f"{rule_id} on {label}",
        changes=[("dismissed", "", dismissal.reason)],
    )
    return dismissal


@transaction.atomic
def reopen(*, design: Design, rule_id: str, target: str, actor: Any) -> None:
    FindingDismissal.objects.filter(design=design, rule_id=rule_id, target=target).delete()
    design_services.record(
        design,
        actor=actor,
        action=ActivityEntry.Action.CHANGED,
        kind="finding",
        label=rule_id,
        changes=[("dismissed", "yes", "reopened")],
    )


@transaction.atomic
def set_rule(*, design: Design, rule_id: str, level: str, reason: str, actor: Any) -> None:
    """A rule's severity for this design, or "off"; "default" goes back to the rule's own severity."""
    if rule_id not in RULES:
        raise ValidationError({"rule_id": f"No rule {rule_id}."})
    before = RuleSetting.objects.filter(design=design, rule_id=rule_id).first()
    old = before.level if before else "default"
    if level == "default":
        RuleSetting.objects.filter(design=design, rule_id=rule_id).delete()
    else:
        if level not in RuleSetting.Level.values:
            raise ValidationError({"level": "Choose error, warning, info, off or the rule's default."})
        RuleSetting.objects.update_or_create(
            design=design, rule_id=rule_id, defaults={"level": level, "reason": _reason(reason), "decided_by": actor}
        )
    design_services.record(
        design,
        actor=actor,
        action=ActivityEntry.Action.CHANGED,
        kind="check rule",
        label=rule_id,
        changes=[("severity", old, level)],
    )
