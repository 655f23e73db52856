"""Findings as text for a terminal, JSON for scripts, and SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .engine import counts
from .registry import RULES, Finding, Severity

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
TOOL_NAME = "Design Workbench checks"


def _tally(findings: Sequence[Finding]) -> str:
    tally = counts(list(findings))
    plural = {"error": "errors", "warning": "warnings", "info": "info"}
    return ", ".join(f"{n} {name if n == 1 else plural[name]}" for name, n in tally.items())


def as_text(findings: Sequence[Finding], *, name: str) -> str:
    lines = [f"Design checks of “{name}”: {_tally(findings)}"]
    for finding in findings:
        where = f" {finding.element}" if finding.element else ""
        lines += [
            "",
            f"{finding.severity.label:<7} {finding.rule_id:<10} [{finding.step}]{where}",
            f"    {finding.message}",
            f"    {finding.rule.title}. Fix: {finding.rule.fix}",
        ]
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding], *, name: str) -> str:
    document = {"design": name, "counts": counts(list(findings)), "findings": [f.as_dict() for f in findings]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _identifier(title: str) -> str:
    """A rule's title as SARIF's PascalCase rule name, e.g. "TableWithoutAPrimaryKey"."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _location(finding: Finding, artifact: str | None) -> dict[str, Any]:
    named = finding.element or finding.target
    location: dict[str, Any] = {
        "logicalLocations": [
            {"name": named, "fullyQualifiedName": f"{finding.step}/{finding.target}/{named}", "kind": "element"}
        ]
    }
    if artifact:
        location["physicalLocation"] = {"artifactLocation": {"uri": quote(artifact)}}
    return location


def as_sarif(findings: Sequence[Finding], *, name: str, artifact: str | None = None) -> str:
    """One run of one tool; every rule is described, so a viewer can explain a result of any of them.

    Locations are logical (the design's elements have no lines); with a design document file
    the file is the physical location too, which is what code-scanning pages need to show a result.
    """
    rule_ids = list(RULES)
    rules = [
        {
            "id": rule.id,
            "name": _identifier(rule.title),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.explanation},
            "help": {"text": rule.fix},
            "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
            "properties": {"step": rule.step},
        }
        for rule in RULES.values()
    ]
    results = [
        {
            "ruleId": finding.rule_id,
            "ruleIndex": rule_ids.index(finding.rule_id),
            "level": SARIF_LEVEL[finding.severity],
            "message": {"text": f"{finding.message} {finding.rule.fix}"},
            "locations": [_location(finding, artifact)],
            "partialFingerprints": {"designElement/v1": f"{finding.rule_id}:{finding.uid or finding.target}"},
            "properties": {"step": finding.step, "severity": finding.severity.label},
        }
        for finding in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "rules": rules}},
                "automationDetails": {"description": {"text": f"Design checks of “{name}”"}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
