"""Small designs for the checks' tests, built from documents (no database)."""

from __future__ import annotations

from typing import Any

from checks.engine import run_checks
from checks.registry import Finding
from tests.diagram_helpers import snapshot_of


def components(*specs: str, **fields: Any) -> list[dict[str, Any]]:
    """Components written "name:kind", e.g. components("Orders:service", "Orders DB:database")."""
    found = []
    for spec in specs:
        name, kind = spec.split(":")
        found.append({"name": name, "kind": kind, **fields})
    return found


def calls(*specs: str, **fields: Any) -> list[dict[str, Any]]:
    """Interactions written "Source>Target", synchronous HTTPS unless `fields` say otherwise."""
    found = []
    for spec in specs:
        source, target = spec.split(">")
        found.append({"source": source, "target": target, "mode": "sync", "protocol": "https_rest", **fields})
    return found


def findings(rule_id: str, **steps: dict[str, Any]) -> list[Finding]:
    """The findings of one rule on the design the steps describe."""
    return [f for f in run_checks(snapshot_of(**steps)) if f.rule_id == rule_id]
