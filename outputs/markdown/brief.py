"""The architecture brief: exactly the sections an architecture review reads, in this order."""

from __future__ import annotations

from checks.engine import DesignDecisions
from designs.snapshot import DesignSnapshot

from ..sql import schema_sql
from . import parts
from .escape import fenced, md_block, md_text
from .full import header
from .mermaid import architecture_diagrams, erd_diagrams

SECTIONS = (
    "Executive summary",
    "Architecture overview",
    "Service definitions",
    "API contracts",
    "Data schema",
    "Technology stack rationale",
    "Key considerations",
    "Design review findings",
)


def _step(snapshot: DesignSnapshot, key: str):
    return snapshot.steps[key].step


def _sections(snapshot: DesignSnapshot, step_key: str, keys: tuple[str, ...]) -> list[str]:
    step = _step(snapshot, step_key)
    out = []
    for key in keys:
        spec = step.section(key)
        out += [f"#### {md_text(spec.label)}", parts.section_table(snapshot.section(key), spec)]
    return out


def _list(snapshot: DesignSnapshot, step_key: str, key: str, fields: tuple[str, ...] | None = None) -> list[str]:
    spec = _step(snapshot, step_key).element(key)
    return [f"#### {md_text(spec.label)}", parts.element_table(snapshot.elements(key), spec, fields)]


def brief_markdown(snapshot: DesignSnapshot, *, figures: bool = False, decisions: DesignDecisions | None = None) -> str:
    """The brief as one markdown document (the summary comes with the header); `figures` as for
    `full_markdown`."""
    out = [header(snapshot, "Architecture brief")]

    out.append("## Architecture overview")
    style = snapshot.section("style")
    if style is not None and style.style:
        out.append(f"Style: {md_text(parts.value_text(style, 'style'))}.")
        if style.rationale:
            out.append(md_block(style.rationale))
    else:
        out.append("No architecture style chosen yet.")
    out.append(
        parts.mermaid_blocks(
            architecture_diagrams(snapshot), "###", "No components yet.", figure=figures and "architecture"
        )
    )

    out.append("## Service definitions")
    components = snapshot.elements("components")
    spec = _step(snapshot, "architecture").element("components")
    out.append(parts.element_table(components, spec))
    out += _list(snapshot, "architecture", "interactions")

    out.append("## API contracts")
    out.append(parts.section_table(snapshot.section("conventions"), _step(snapshot, "api").section("conventions")))
    out.append(parts.endpoints(snapshot, "###"))

    out.append("## Data schema")
    if snapshot.elements("tables"):
        out.append(fenced(schema_sql(snapshot).rstrip(), "sql"))
        out.append(parts.mermaid_blocks(erd_diagrams(snapshot), "###", "", figure=figures and "erd"))
    else:
        out.append("No tables yet.")

    out.append("## Technology stack rationale")
    out.append(parts.decisions(snapshot, "###"))

    out.append("## Key considerations")
    out.append("### Scalability at 10×")
    out.append(parts.capacity(snapshot))
    out += _list(snapshot, "scalability", "bottlenecks")
    out.append("### Threats and mitigations")
    threats = _step(snapshot, "security").element("threats")
    out.append(parts.element_table(snapshot.elements("threats"), threats))
    out.append("### Observability")
    out += _sections(snapshot, "deployment", ("observability",))
    out += _list(snapshot, "deployment", "alerts")
    out += _list(snapshot, "deployment", "slos")
    out.append("### Deployment and CI/CD")
    out += _sections(snapshot, "deployment", ("release",))
    out += _list(snapshot, "deployment", "environments")
    out += _list(snapshot, "deployment", "pipeline")
    if figures:
        out.append(parts.figure_placeholder("deployment"))
    out.append("## Design review findings")
    out.append(parts.findings(snapshot, "###", decisions, per_rule=True))
    return "\n\n".join(out) + "\n"
