"""What a rule is, what it finds, and the one registry of rules.

A rule is a pure function of a `DesignSnapshot` yielding `Hit`s; `@rule(...)` registers it with a
stable id, a default severity and the words a reader needs (title, explanation, fix). The engine
(`checks.engine`) turns hits into `Finding`s: plain data (ids, text, a uid), so findings can be
cached, serialised and compared without the rule's code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from designs.snapshot import DesignSnapshot, ElementRecord
from designs.steps import STEPS


class Severity(IntEnum):
    """Ordered: a lower value is worse, so sorting puts errors first."""

    ERROR = 0
    WARNING = 1
    INFO = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"Unknown severity {value!r}; use error, warning or info.") from None


@dataclass(frozen=True)
class Hit:
    """One thing a rule found: the element it points at, or a section or list key when it is about the
    design as a whole (e.g. "release" for a missing rollback procedure), and what to say about it."""

    where: ElementRecord | str
    message: str


Check = Callable[[DesignSnapshot], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    step: str
    title: str
    explanation: str
    fix: str
    check: Check


RULES: dict[str, Rule] = {}

# The step each section and element list belongs to, so a finding links to the page that shows it.
STEP_OF: dict[str, str] = {spec.key: step.key for step in STEPS for spec in (*step.sections, *step.elements)}
STEP_NUMBER: dict[str, int] = {step.key: step.number for step in STEPS}
SECTION_KEYS = frozenset(spec.key for step in STEPS for spec in step.sections)
SPEC_LABEL: dict[str, str] = {spec.key: spec.label for step in STEPS for spec in (*step.sections, *step.elements)}


def rule(id: str, severity: Severity, step: str, *, title: str, explanation: str, fix: str) -> Callable[[Check], Check]:
    """Register the decorated function as the rule `id`; ids are stable, never reused."""
    if step not in STEP_NUMBER:
        raise ValueError(f"{id}: no step {step!r}")

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"Rule {id} is registered twice")
        RULES[id] = Rule(id, severity, step, title, explanation, fix, check)
        return check

    return register


@dataclass(frozen=True)
class Finding:
    """One finding: which rule, how severe (after the design's overrides), what and where."""

    rule_id: str
    severity: Severity
    message: str
    step: str
    # The list or section key ("components", "release") the finding points into.
    target: str
    uid: uuid.UUID | None
    # What a reader calls the element, or the section's title.
    element: str

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    @property
    def element_step(self) -> str:
        """The step whose page lists the element (or section) the finding points at."""
        return STEP_OF[self.target]

    @property
    def anchor(self) -> str:
        """The id of the list or section on the finding's step page ("" when it is on another page)."""
        if self.element_step != self.step:
            return ""
        return f"section-{self.target}" if self.target in SECTION_KEYS else f"list-{self.target}"

    def sort_key(self) -> tuple[int, int, str]:
        return (self.severity, STEP_NUMBER[self.step], self.rule_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "severity": self.severity.label,
            "title": self.rule.title,
            "message": self.message,
            "fix": self.rule.fix,
            "step": self.step,
            "target": self.target,
            "target_step": self.element_step,
            "uid": str(self.uid) if self.uid else None,
            "element": self.element,
        }
