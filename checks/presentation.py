"""What the design review shows: findings grouped by the step where they are fixed, with counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from designs.snapshot import DesignSnapshot, load_snapshot
from designs.steps import STEPS, Step

from .engine import counts
from .registry import SECTION_KEYS, Finding

# Findings the overview's card lists per step; the review page lists them all.
CARD_FINDINGS_PER_STEP = 5


@dataclass(frozen=True)
class StepFindings:
    step: Step
    findings: list[Finding]
    counts: dict[str, int]

    @property
    def first(self) -> list[Finding]:
        return self.findings[:CARD_FINDINGS_PER_STEP]

    @property
    def more(self) -> int:
        return max(0, len(self.findings) - CARD_FINDINGS_PER_STEP)


@dataclass(frozen=True)
class Review:
    findings: list[Finding]
    counts: dict[str, int]
    steps: list[StepFindings]


def review(findings: list[Finding]) -> Review:
    """Findings (already worst first) grouped by step in the registry's order; steps without any left out."""
    by_step: dict[str, list[Finding]] = {step.key: [] for step in STEPS}
    for finding in findings:
        by_step[finding.step].append(finding)
    steps = [StepFindings(step, by_step[step.key], counts(by_step[step.key])) for step in STEPS if by_step[step.key]]
    return Review(findings, counts(findings), steps)


def element_links(design: Any, findings: list[Finding], snapshot: DesignSnapshot | None) -> dict[Finding, str]:
    """Where each finding's element is read in full (its read view), else its list on its step page."""
    if any(f.uid is not None for f in findings) and snapshot is None:
        snapshot = load_snapshot(design)
    links = {}
    for finding in findings:
        record = snapshot.element(finding.uid) if finding.uid is not None and snapshot is not None else None
        list_step = finding.element_step
        page = reverse("designs:step", args=[design.slug, list_step])
        if record is not None and record.pk is not None:
            links[finding] = reverse("designs:element-detail", args=[design.slug, list_step, finding.target, record.pk])
        else:
            anchor = f"section-{finding.target}" if finding.target in SECTION_KEYS else f"list-{finding.target}"
            links[finding] = f"{page}#{anchor}"
    return links
