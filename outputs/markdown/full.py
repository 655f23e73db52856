"""The full report: metadata and summary, then all eight steps in order, every section and list."""

from __future__ import annotations

from checks.engine import DesignDecisions
from designs.snapshot import DesignSnapshot
from designs.steps import STEPS

from . import parts
from .escape import md_quote, md_text
from .mermaid import architecture_diagrams, erd_diagrams, sequence_diagrams

# Lists drawn as subsections of their own rather than as a table.
STRUCTURED = {"endpoints", "errors", "decisions", "alternatives"}
# Lists long enough to be written as a data dictionary, a subsection per parent (parts.element_items).
DICTIONARIES = {"columns"}


def header(snapshot: DesignSnapshot, subtitle: str) -> str:
    version = f" · version {snapshot.version}" if snapshot.version is not None else ""
    status = md_text(snapshot.status.replace("_", " "))
    lines = [f"# {md_text(snapshot.name)}", "", f"*{subtitle}* · status: {status}{version}", ""]
    lines += ["## Executive summary", "", md_quote(snapshot.summary) or "No executive summary yet."]
    return "\n".join(lines)


def full_markdown(snapshot: DesignSnapshot, *, figures: bool = False, decisions: DesignDecisions | None = None) -> str:
    """The whole design as one markdown document; with `figures`, placeholders for the Graphviz
    drawings (HTML and PDF) instead of Mermaid blocks. `decisions` are the design's own severities
    and dismissals for its check findings."""
    out = [header(snapshot, "Design report")]
    for step in STEPS:
        out.append(f"## {step.number}. {md_text(step.title)}")
        for spec in step.sections:
            out.append(f"### {md_text(spec.label)}")
            out.append(parts.section_table(snapshot.section(spec.key), spec))
        for spec in step.elements:
            if spec.key in STRUCTURED:
                continue
            out.append(f"### {md_text(spec.label)}")
            if spec.key in DICTIONARIES:
                out.append(parts.element_items(snapshot.elements(spec.key), spec, "####"))
            else:
                out.append(parts.element_table(snapshot.elements(spec.key), spec))
        if step.key == "requirements":
            out.append("### Traceability")
            out.append(parts.traceability_table(snapshot))
        elif step.key == "architecture":
            out.append("### Technology decisions (ADRs)")
            out.append(parts.decisions(snapshot, "####"))
            out.append("### Architecture diagram")
            out.append(
                parts.mermaid_blocks(
                    architecture_diagrams(snapshot), "####", "No components yet.", figure=figures and "architecture"
                )
            )
        elif step.key == "api":
            out.append("### Endpoints")
            out.append(parts.endpoints(snapshot, "####"))
        elif step.key == "database":
            out.append("### Entity-relationship diagram")
            out.append(parts.mermaid_blocks(erd_diagrams(snapshot), "####", "No tables yet.", figure=figures and "erd"))
        elif step.key == "security":
            out.append("### Authentication flows")
            out.append(
                parts.mermaid_blocks(
                    sequence_diagrams(snapshot), "####", "No authentication flow yet.", figure=figures and "sequence"
                )
            )
        elif step.key == "scalability":
            out.append("### Capacity now and at 10×")
            out.append(parts.capacity(snapshot))
        if figures and step.key == "deployment":
            out.append("### Deployment diagram")
            out.append(parts.figure_placeholder("deployment"))
    out.append("## Design review findings")
    out.append(parts.findings(snapshot, "###", decisions))
    return "\n\n".join(out) + "\n"
