"""What the design review shows: findings grouped by the step where they are fixed, with counts."""

from __future__ import annotations

from dataclasses import dataclass

from designs.steps import STEPS, Step

from .engine import counts
from .registry import Finding

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
