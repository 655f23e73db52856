"""Running the checks: every registered rule over one snapshot, with the design's overrides.

`run_checks` is computed on demand (a page, a review, the command), never on every save;
`cached_findings` keeps the result per design state, as the diagrams and reports do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designs import steps
from designs.caching import cached_by_state
from designs.snapshot import DesignSnapshot, ElementRecord
from designs.steps import element_label

from . import rules as _rules  # noqa: F401  (importing it registers the rules)
from .registry import RULES, SPEC_LABEL, Finding, Rule, Severity

OFF = "off"
# Findings are cached per design state, overrides and the rules' own source (with the registry, which names
# each element), so a deploy that changes a rule or a label never serves findings an older one made.
_RULES_SOURCE = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for path in (
            *(Path(__file__).with_name(name) for name in ("rules.py", "registry.py")),
            Path(steps.__file__),
        )
    )
).hexdigest()[:16]
CACHE_SECONDS = 7 * 24 * 3600


def parse_overrides(settings: Mapping[str, str] | None) -> dict[str, Severity | None]:
    """The design's overrides as rule id → severity, or None for a rule turned off.

    Values are a severity name ("error", "warning", "info") or "off". An id no rule has any more is
    ignored (a stored override outlives a retired rule); a bad value raises ValueError naming it.
    """
    parsed: dict[str, Severity | None] = {}
    for rule_id, value in (settings or {}).items():
        if rule_id not in RULES:
            continue
        if not isinstance(value, str):
            raise ValueError(f"The override of {rule_id} must be error, warning, info or off, not {value!r}.")
        parsed[rule_id] = None if value.strip().lower() == OFF else Severity.parse(value)
    return parsed


def _finding(rule: Rule, severity: Severity, where: ElementRecord | str, message: str) -> Finding:
    # The finding belongs to the step where it is fixed (the rule's), which may not be the element's:
    # a service with no health check is listed in step 2 and fixed in step 8.
    if isinstance(where, ElementRecord):
        return Finding(rule.id, severity, message, rule.step, where.spec.key, where.uid, element_label(where))
    return Finding(rule.id, severity, message, rule.step, where, None, SPEC_LABEL[where])


def run_checks(snapshot: DesignSnapshot, settings: Mapping[str, str] | None = None) -> list[Finding]:
    """Every enabled rule's findings, worst first, then by step, rule and the order the rule found them."""
    overrides = parse_overrides(settings)
    findings: list[Finding] = []
    for rule in RULES.values():
        severity = overrides.get(rule.id, rule.severity)
        if severity is None:
            continue
        findings += [_finding(rule, severity, hit.where, hit.message) for hit in rule.check(snapshot)]
    findings.sort(key=Finding.sort_key)
    return findings


def cached_findings(
    design_state: str, load: Callable[[], DesignSnapshot], settings: Mapping[str, str] | None = None
) -> list[Finding]:
    """`run_checks` keyed by the design's state (e.g. "pk:updated_at", which every edit changes): a hit
    neither loads the snapshot nor runs a rule."""
    overrides = json.dumps(dict(settings or {}), sort_keys=True)
    return cached_by_state(
        "checks",
        design_state,
        _RULES_SOURCE,
        overrides,
        build=lambda: run_checks(load(), settings),
        timeout=CACHE_SECONDS,
    )


def counts(findings: list[Finding]) -> dict[str, int]:
    """How many findings of each severity, every severity named (zero included)."""
    tally = {severity.label: 0 for severity in Severity}
    for finding in findings:
        tally[finding.severity.label] += 1
    return tally


# ---------------------------------------------------------------- what a design decided about its findings


@dataclass(frozen=True)
class DesignDecisions:
    """A design's own say on its findings: rules whose severity it changed or turned off, and findings
    dismissed with a reason. Kept by another app (reviews) and handed in through `register_decisions`,
    so checks reads no database."""

    overrides: Mapping[str, str] = field(default_factory=dict)
    # (rule id, target: the element's uid or the list key) -> (reason, who)
    dismissed: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


_decisions_provider: Callable[[Any], DesignDecisions] | None = None


def register_decisions(provider: Callable[[Any], DesignDecisions]) -> None:
    global _decisions_provider
    _decisions_provider = provider


def design_decisions(design: Any) -> DesignDecisions:
    """The decisions of a design (or of the design with this slug)."""
    return _decisions_provider(design) if _decisions_provider is not None else DesignDecisions()


def target_of(finding: Finding) -> str:
    return str(finding.uid) if finding.uid is not None else finding.target


def split_dismissed(
    findings: list[Finding], decisions: DesignDecisions
) -> tuple[list[Finding], list[tuple[Finding, str, str]]]:
    """(open findings, dismissed ones with their reason and who dismissed them)."""
    open_, dismissed = [], []
    for finding in findings:
        said = decisions.dismissed.get((finding.rule_id, target_of(finding)))
        if said is None:
            open_.append(finding)
        else:
            dismissed.append((finding, *said))
    return open_, dismissed


def decisions_digest(decisions: DesignDecisions) -> str:
    """A short fingerprint of a design's decisions, for the keys of cached reports that print them."""
    text = json.dumps([sorted(decisions.overrides.items()), sorted(map(list, decisions.dismissed.items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:12]
