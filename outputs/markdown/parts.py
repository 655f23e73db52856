"""Pieces both layouts share: values as text, tables from the registry, endpoints, decisions, capacity."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from checks.engine import DesignDecisions, run_checks, split_dismissed
from checks.traceability import traceability
from designs.capacity import GROWTH_FACTOR, capacity_from_snapshot
from designs.snapshot import DesignSnapshot, ElementRecord, Record
from designs.steps import STEPS, ElementSpec, SectionSpec, element_label

from .escape import fenced, md_block, md_link, md_table, md_text
from .mermaid import MermaidDiagram


def field_label(spec: SectionSpec | ElementSpec, name: str) -> str:
    return str(spec.model._meta.get_field(name).verbose_name).capitalize()


def value_text(record: Record, name: str) -> str:
    """A field's value as a reader sees it: choice labels, yes/no, names of referenced elements."""
    value = getattr(record, name)
    if value is None or value == "":
        return ""
    if isinstance(value, ElementRecord):
        return element_label(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    field = record.spec.model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


_WEB_LINK = URLValidator(schemes=["http", "https"])


def cell_value(record: Record, name: str) -> str:
    """A field in a table cell: as `value_text`, but a web address (a runbook) is a link; only http(s)."""
    text = value_text(record, name)
    if not text or "://" not in text or record.spec.model._meta.get_field(name).choices:
        return text
    try:
        _WEB_LINK(text)
    except ValidationError:
        return text
    return md_link(text)


def section_table(record: Record | None, spec: SectionSpec) -> str:
    if record is None or not any(value_text(record, name) for name in spec.fields):
        return "Not filled in yet."
    return md_table(["Field", "Value"], [[field_label(spec, name), cell_value(record, name)] for name in spec.fields])


def element_table(
    records: Iterable[ElementRecord], spec: ElementSpec, fields: Iterable[str] | None = None, empty: str = ""
) -> str:
    records = list(records)
    if not records:
        return empty or f"No {spec.label.lower()} yet."
    fields = list(fields or spec.fields)
    headers = [field_label(spec, name) for name in fields]
    rows = [[cell_value(record, name) for name in fields] for record in records]
    if spec.key == "indexes":
        headers.insert(2, "Columns")
        for row, record in zip(rows, records, strict=True):
            row.insert(2, ", ".join(column.name for column in record.columns))
    return md_table(headers, rows)


def element_items(records: Iterable[ElementRecord], spec: ElementSpec, heading: str) -> str:
    """A long list as a data dictionary: a subsection per parent (the list's `group_by`), one line per
    element, its name in bold then each field that differs from its default (a yes/no field by its
    name when yes). The full report writes the columns so: two thousand of them as table rows would be tens of
    thousands of cells, most of them "no", and a PDF spends a millisecond on each."""
    records = list(records)
    if not records:
        return f"No {spec.label.lower()} yet."
    groups: dict[object, list[ElementRecord]] = {}
    for record in records:
        groups.setdefault(getattr(record, spec.group_by) if spec.group_by else None, []).append(record)
    name_field = next((name for name in ("name", "title", "code") if name in spec.fields), spec.fields[0])
    out = []
    for parent, members in groups.items():
        if parent is not None:
            out.append(f"{heading} {md_text(element_label(parent))}")
        lines = []
        for record in members:
            facts = []
            for name in spec.fields:
                if name in (name_field, spec.group_by):
                    continue
                value, field = getattr(record, name), spec.model._meta.get_field(name)
                title = str(field.verbose_name)
                title = title[:1].upper() + title[1:]
                if isinstance(value, bool):
                    if value:
                        facts.append(md_text(title))
                elif value != field.default and (text := value_text(record, name)):
                    facts.append(f"{md_text(title)}: {md_text(text)}")
            lines.append(" · ".join([f"- **{md_text(value_text(record, name_field))}**", *facts]))
        out.append("\n".join(lines))
    return "\n\n".join(out)


def traceability_table(snapshot: DesignSnapshot) -> str:
    """Which components and endpoints serve each functional requirement (the Traceability page's matrix)."""
    matrix = traceability(snapshot)
    if not matrix.rows:
        return "No functional requirements yet."
    if not matrix.started:
        return "Nothing is linked to a requirement yet (components and endpoints: Serves requirements)."
    rows = []
    for row in matrix.rows:
        components = [c.name for c in matrix.components if c in row.components]
        endpoints = [f"{e.method} {e.path}" for e in matrix.endpoints if e in row.endpoints]
        rows.append(
            [
                element_label(row.requirement),
                value_text(row.requirement, "priority"),
                ", ".join(components) or "—",
                ", ".join(endpoints) or "—",
            ]
        )
    out = [md_table(["Requirement", "Priority", "Served by components", "Served by endpoints"], rows)]
    if matrix.unserved:
        out.append("Served by nothing: " + md_text(", ".join(element_label(r) for r in matrix.unserved)) + ".")
    return "\n\n".join(out)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def json_block(example: str) -> str:
    """An example body: pretty JSON when it parses, else the text as typed (still fenced)."""
    try:
        return fenced(json.dumps(json.loads(example), indent=2, ensure_ascii=False), "json")
    except ValueError:
        return fenced(example, "text")


def endpoints(snapshot: DesignSnapshot, heading: str) -> str:
    records = snapshot.elements("endpoints")
    if not records:
        return "No endpoints yet."
    parts = []
    for endpoint in records:
        # One line of facts: a list of four would be four boxes more per endpoint in a long PDF.
        facts = [
            f"Service: {md_text(value_text(endpoint, 'service')) or 'none named'}",
            f"auth: {'required' if endpoint.auth_required else 'none'}"
            + (f" ({md_text(endpoint.roles_scopes)})" if endpoint.roles_scopes else ""),
            f"idempotent: {_yes(endpoint.idempotent)}",
            f"paginated: {_yes(endpoint.paginated)}",
            f"exposes: {md_text(value_text(endpoint, 'exposes_classification')) or 'not classified'}",
        ]
        body = [f"{heading} {md_text(endpoint.method)} {md_text(endpoint.path)}"]
        if endpoint.summary:
            body.append(md_text(endpoint.summary))
        body.append(" · ".join(facts) + ".")
        body.append("Request:" if endpoint.request_example else "Request: no body.")
        if endpoint.request_example:
            body.append(json_block(endpoint.request_example))
        body.append(f"Success ({md_text(endpoint.success_status or '—')}):")
        body.append(json_block(endpoint.response_example) if endpoint.response_example else "No example body.")
        errors = snapshot.referring(endpoint, "errors", "endpoint")
        if not errors:
            body.append("Errors: none listed.")
        for error in errors:
            body.append(f"Error {md_text(error.status)}: {md_text(error.meaning)}")
            if error.example:
                body.append(json_block(error.example))
        parts.append("\n\n".join(body))
    return "\n\n".join(parts)


def decisions(snapshot: DesignSnapshot, heading: str) -> str:
    records = snapshot.elements("decisions")
    if not records:
        return "No technology decisions yet."
    parts = []
    for decision in records:
        body = [
            f"{heading} {md_text(decision.code)} {md_text(decision.area)}: {md_text(decision.choice)}",
            f"Status: {md_text(value_text(decision, 'status'))}",
        ]
        for field in ("context", "justification", "consequences"):
            text = getattr(decision, field)
            body.append(f"**{field_label(decision.spec, field)}:** " + (md_block(text) if text else "not written yet."))
        alternatives = snapshot.referring(decision, "alternatives", "decision")
        if alternatives:
            body.append("Alternatives weighed:")
            body.append(
                "\n".join(
                    f"- {md_text(a.option)}: {md_text(a.tradeoffs) or 'no trade-offs noted'}" for a in alternatives
                )
            )
        else:
            body.append("No alternative weighed yet.")
        parts.append("\n\n".join(body))
    return "\n\n".join(parts)


def _figure(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.1f} {unit}"


def capacity(snapshot: DesignSnapshot) -> str:
    """The load now and at 10×, and the instances each scaled component needs for the part of the
    peak it serves (its scaling rule's share or own rate; the whole peak without either)."""
    report = capacity_from_snapshot(snapshot)
    if report.load is None:
        return "No capacity estimate yet: the load profile lacks " + md_text(", ".join(report.missing)) + "."
    load = report.load
    growth = Decimal(GROWTH_FACTOR)

    def at_10x(value: Decimal | None) -> Decimal | None:
        return None if value is None else value * growth

    rows = [
        ["Average requests/s", _figure(load.average_rps, "req/s"), _figure(at_10x(load.average_rps), "req/s")],
        ["Peak requests/s", _figure(load.peak_rps, "req/s"), _figure(at_10x(load.peak_rps), "req/s")],
        ["Peak reads/s", _figure(load.peak_read_rps, "req/s"), _figure(at_10x(load.peak_read_rps), "req/s")],
        ["Peak writes/s", _figure(load.peak_write_rps, "req/s"), _figure(at_10x(load.peak_write_rps), "req/s")],
        ["Storage per year", _figure(load.storage_gb_per_year, "GB"), _figure(at_10x(load.storage_gb_per_year), "GB")],
        [
            "Peak bandwidth",
            _figure(load.peak_bandwidth_mbps, "Mbit/s"),
            _figure(at_10x(load.peak_bandwidth_mbps), "Mbit/s"),
        ],
    ]
    parts = [md_table(["Figure", "Now", f"At {GROWTH_FACTOR}×"], rows)]
    if report.components:
        needs = [
            [
                need.component.name,
                need.serves,
                _figure(need.peak_rps, "req/s"),
                need.instances_now if need.instances_now is not None else "—",
                need.instances_at_10x if need.instances_at_10x is not None else "—",
                need.rule.max_instances,
                "yes" if need.exceeds_max_at_10x else "no",
            ]
            for need in report.components
        ]
        headers = [
            "Component",
            "Serves",
            "Peak now",
            "Instances now",
            f"Instances at {GROWTH_FACTOR}×",
            "Max instances",
            "Above max",
        ]
        parts.append(md_table(headers, needs))
    else:
        parts.append("No scaling rules yet, so no instance counts.")
    return "\n\n".join(parts)


def figure_placeholder(kind: str) -> str:
    """Where the HTML and PDF put the Graphviz drawing of a diagram instead of its Mermaid source."""
    return f"[[diagram:{kind}]]"


def mermaid_blocks(diagrams: list[MermaidDiagram], heading: str, empty: str, *, figure: str = "") -> str:
    """The Mermaid sources of one diagram, or, when `figure` names it, the placeholder of its drawing."""
    if figure:
        return figure_placeholder(figure)
    if not diagrams:
        return empty
    return "\n\n".join(f"{heading} {md_text(d.title)}\n\n{fenced(d.source, 'mermaid')}" for d in diagrams)


# The brief names this many elements per rule; the full report lists every finding under its rule.
BRIEF_FINDINGS_PER_RULE = 5


def findings(
    snapshot: DesignSnapshot, heading: str, decisions: DesignDecisions | None = None, *, per_rule: bool = False
) -> str:
    """The design checks' findings, worst first, then those the design dismissed with their reasons.

    `per_rule` (the brief): one row per rule with its count and the first few elements it names.
    """
    decisions = decisions or DesignDecisions()
    found, dismissed = split_dismissed(run_checks(snapshot, dict(decisions.overrides)), decisions)
    steps = {step.key: f"{step.number}. {step.title}" for step in STEPS}
    out = []
    if found and per_rule:
        by_rule: dict[str, list] = {}
        for f in found:
            by_rule.setdefault(f.rule_id, []).append(f)
        rows = []
        for rule_id, hits in by_rule.items():
            named = ", ".join(f.element for f in hits[:BRIEF_FINDINGS_PER_RULE])
            more = f" and {len(hits) - BRIEF_FINDINGS_PER_RULE} more" if len(hits) > BRIEF_FINDINGS_PER_RULE else ""
            rule = hits[0].rule
            rows.append([hits[0].severity.label, f"{rule_id} {rule.title}", len(hits), named + more, rule.fix])
        out.append(md_table(["Severity", "Rule", "Findings", "Where", "Fix"], rows))
    elif found:
        # Each rule once, with its fix, then every finding of it: a table row per finding would repeat
        # the fix hundreds of times on a large design.
        by_rule = {}
        for f in found:
            by_rule.setdefault(f.rule_id, []).append(f)
        for rule_id, hits in by_rule.items():
            rule = hits[0].rule
            where = ", ".join(dict.fromkeys(steps[f.step] for f in hits))
            count = f"{len(hits)} finding" + ("s" if len(hits) > 1 else "")
            out.append(f"{heading}# {md_text(rule_id)} {md_text(rule.title)}")
            out.append(f"{md_text(hits[0].severity.label)} · {md_text(where)} · {count}. **Fix:** {md_text(rule.fix)}")
            out.append("\n".join(f"- {md_text(f.message)}" for f in hits))
    else:
        out.append("The design checks found nothing to report.")
    if dismissed:
        out += [f"{heading} Dismissed findings", ""]
        rows = [[f.rule_id, f.message, reason, who or "—"] for f, reason, who in dismissed]
        out.append(md_table(["Rule", "Finding", "Reason", "Dismissed by"], rows))
    if decisions.overrides:
        out += [f"{heading} Rules this design changed", ""]
        out.append(
            md_table(["Rule", "Severity here"], [[rule, level] for rule, level in sorted(decisions.overrides.items())])
        )
    return "\n\n".join(out)
