"""Step 5's threats as CSV, from the snapshot: one row per threat, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from designs.snapshot import DesignSnapshot
from designs.steps import element_label

HEADER = ("Category", "Target", "Description", "Likelihood", "Impact", "Mitigation", "Status")
# A cell a spreadsheet would run as a formula (CSV injection, OWASP): =, +, -, @, and tab/CR that
# some spreadsheets strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula: a leading quote marks it as text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _pretty(value: str) -> str:
    return value.replace("_", " ").capitalize()


def threats_csv(snapshot: DesignSnapshot) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for threat in snapshot.elements("threats"):
        target = threat.target_component or threat.target_interaction
        row = (
            _pretty(threat.category),
            element_label(target) if target is not None else "The system",
            threat.description,
            _pretty(threat.likelihood),
            _pretty(threat.impact),
            threat.mitigation,
            _pretty(threat.status),
        )
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
