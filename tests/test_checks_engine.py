"""run_checks: overrides, order, the starter's verdict, database and document alike, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.engine import cached_findings, counts, parse_overrides, run_checks
from checks.registry import RULES, Severity
from designs.document import document_from_snapshot, snapshot_from_document
from designs.snapshot import load_snapshot
from tests.checks_helpers import components
from tests.diagram_helpers import snapshot_of, starter_snapshot, tangled_snapshot, wide_schema_snapshot

# A service with no health check (DEPLOY-001, warning) and a table without a primary key (DB-001, error).
DESIGN = {
    "architecture": {"components": components("Orders:service", "DB:database")},
    "database": {
        "stores": [{"component": "DB", "engine": "PostgreSQL", "encrypted_at_rest": True}],
        "tables": [{"store": "DB", "name": "events"}],
        "columns": [{"table": "events", "name": "payload", "data_type": "jsonb"}],
    },
}


def _ids(findings):
    return [f.rule_id for f in findings]


def test_it_sorts_by_severity_then_step():
    findings = run_checks(snapshot_of(**DESIGN))

    assert findings[0].rule_id == "DB-001"
    severities = [f.severity for f in findings]
    assert severities == sorted(severities)
    steps = [f.sort_key()[1] for f in findings if f.severity is Severity.WARNING]
    assert steps == sorted(steps)


def test_it_applies_a_design_s_overrides():
    findings = run_checks(snapshot_of(**DESIGN), {"DB-001": "info", "DEPLOY-001": "off", "DB-004": "ERROR"})

    assert "DEPLOY-001" not in _ids(findings)
    [table] = [f for f in findings if f.rule_id == "DB-001"]
    assert table.severity is Severity.INFO
    assert findings[0].rule_id == "DB-004" and findings[0].severity is Severity.ERROR


def test_it_ignores_an_override_of_a_rule_that_no_longer_exists():
    assert parse_overrides({"OLD-999": "off"}) == {}


@pytest.mark.parametrize(
    ("value", "message"), [("fatal", "Unknown severity 'fatal'"), (True, "must be error, warning")]
)
def test_it_refuses_a_bad_override(value, message):
    with pytest.raises(ValueError, match=message):
        run_checks(snapshot_of(**DESIGN), {"DB-001": value})


def test_it_finds_no_error_in_the_starter():
    findings = run_checks(starter_snapshot())

    assert [(f.rule_id, f.message) for f in findings if f.severity is Severity.ERROR] == []


def test_every_rule_is_described():
    for rule in RULES.values():
        assert rule.title and rule.explanation.endswith(".") and rule.fix.endswith(".")
        assert rule.id.split("-")[0] in {"REQ", "ARCH", "API", "DB", "SEC", "PERF", "SCALE", "DEPLOY"}


def test_it_checks_the_stored_design_and_its_document_alike(full):
    stored = load_snapshot(full)
    frozen = snapshot_from_document(document_from_snapshot(stored))

    assert run_checks(stored) == run_checks(frozen)


def test_it_caches_findings_by_design_state(empty_cache):
    loads = []

    def load():
        loads.append(1)
        return snapshot_of(**DESIGN)

    first = cached_findings("7:2026-12-02T03:00:00", load)
    again = cached_findings("7:2026-12-02T03:00:00", load)
    assert first == again and len(loads) == 1

    cached_findings("7:2026-12-02T03:05:00", load)
    assert len(loads) == 2
    muted = cached_findings("7:2026-12-02T03:05:00", load, {"DB-001": "off"})
    assert len(loads) == 3 and "DB-001" not in _ids(muted)


def test_it_counts_every_severity():
    assert counts(run_checks(snapshot_of(**DESIGN), {"DEPLOY-001": "off"})) == {"error": 1, "warning": 5, "info": 1}


def test_a_finding_reads_as_plain_data():
    [finding] = [f for f in run_checks(snapshot_of(**DESIGN)) if f.rule_id == "DB-001"]

    assert finding.as_dict() == {
        "rule": "DB-001",
        "severity": "error",
        "title": "Table without a primary key",
        "message": "events has no primary key.",
        "fix": RULES["DB-001"].fix,
        "step": "database",
        "target": "tables",
        "target_step": "database",
        "uid": str(finding.uid),
        "element": "events",
    }


def test_it_checks_a_large_design():
    # 150 components in 400 random synchronous interactions (cycles, long chains), 200 tables of 10 columns.
    # How fast is bench/checks.py's to say (~25 ms on a busy machine); a test asserts no timing.
    graph, schema = tangled_snapshot(150, 400, contexts=5), wide_schema_snapshot()
    found = run_checks(graph) + run_checks(schema)
    assert {"ARCH-002", "ARCH-003", "DB-002"} <= {f.rule_id for f in found}


def test_the_docs_list_every_rule():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "checks.md").read_text(encoding="utf-8")
    missing = [r.id for r in RULES.values() if f"| `{r.id}` | {r.severity.label} | {r.title} |" not in docs]
    assert missing == []
