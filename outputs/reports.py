"""The report exports of a design: markdown in two layouts, SQL, the archive, HTML and PDF.

Pure text builders live in `outputs.markdown` and `outputs.sql`; this module is the thin service
around them that runs Graphviz (through `outputs.render`), WeasyPrint and zipfile.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.utils.text import slugify

from checks.engine import DesignDecisions
from designs.snapshot import DesignSnapshot, ElementRecord

from .dbml import schema_dbml
from .diagrams import DIAGRAMS
from .diagrams.options import ViewOptions
from .markdown import brief_markdown, full_markdown
from .markdown.escape import md_block, md_text
from .markdown.parts import value_text
from .openapi import openapi_json, openapi_yaml
from .render import diagram_render
from .sql import schema_sql

LAYOUTS: dict[str, Callable[..., str]] = {"full": full_markdown, "brief": brief_markdown}
FORMATS = ("md", "brief-md", "pdf", "brief-pdf", "zip", "sql", "openapi-yaml", "openapi-json", "dbml")
# Fixed so an unchanged design gives a byte-identical archive.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def design_slug(snapshot: DesignSnapshot) -> str:
    return snapshot.slug or slugify(snapshot.name) or "design"


def adr_markdown(snapshot: DesignSnapshot, decision: ElementRecord) -> str:
    """One technology decision as a MADR-style record."""
    alternatives = snapshot.referring(decision, "alternatives", "decision")
    lines = [
        f"# {md_text(decision.code)} {md_text(decision.area)}: {md_text(decision.choice)}",
        "",
        f"- Status: {md_text(value_text(decision, 'status'))}",
        f"- Design: {md_text(snapshot.name)}",
        "",
        "## Context and problem statement",
        "",
        md_block(decision.context) or "Not written yet.",
        "",
        "## Considered options",
        "",
        f"- {md_text(decision.choice)} (chosen)",
        *(f"- {md_text(a.option)}" for a in alternatives),
        "",
        "## Decision outcome",
        "",
        f"Chosen option: {md_text(decision.choice)}.",
        "",
        md_block(decision.justification) or "No justification written yet.",
        "",
        "## Alternatives considered",
        "",
    ]
    if alternatives:
        for alternative in alternatives:
            lines += [
                f"### {md_text(alternative.option)}",
                "",
                md_block(alternative.tradeoffs) or "No trade-offs noted.",
                "",
            ]
    else:
        lines += ["No alternative weighed yet.", ""]
    lines += ["## Consequences", "", md_block(decision.consequences) or "Not written yet.", ""]
    return "\n".join(lines)


def adr_files(snapshot: DesignSnapshot) -> dict[str, str]:
    """adr/0001-<slug>.md per decision, numbered in the design's order."""
    files = {}
    for number, decision in enumerate(snapshot.elements("decisions"), start=1):
        slug = slugify(f"{decision.area} {decision.choice}")[:60].strip("-") or "decision"
        files[f"adr/{number:04}-{slug}.md"] = adr_markdown(snapshot, decision)
    return files


def report_zip(snapshot: DesignSnapshot) -> bytes:
    """Both markdown layouts, each diagram as SVG and DOT, schema.sql, schema.dbml, openapi.yaml and the ADRs,
    in one archive."""
    slug = design_slug(snapshot)
    files: dict[str, str | bytes] = {
        f"{slug}-report.md": full_markdown(snapshot),
        f"{slug}-brief.md": brief_markdown(snapshot),
        "schema.sql": schema_sql(snapshot),
        "schema.dbml": schema_dbml(snapshot),
        "openapi.yaml": openapi_yaml(snapshot),
    }
    for name in DIAGRAMS:
        for fmt in ("svg", "dot"):
            files[f"diagrams/{name}.{fmt}"] = diagram_render(
                snapshot=snapshot, name=name, options=ViewOptions(), fmt=fmt
            ).content
    files.update(adr_files(snapshot))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            info = zipfile.ZipInfo(f"{slug}/{path}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


# What each format downloads as, after the design's slug.
FILE_SUFFIXES = {
    "md": "report.md",
    "brief-md": "brief.md",
    "pdf": "report.pdf",
    "brief-pdf": "brief.pdf",
    "zip": "report.zip",
    "sql": "schema.sql",
    "dbml": "schema.dbml",
    "openapi-yaml": "openapi.yaml",
    "openapi-json": "openapi.json",
}


def export_filename(slug: str, fmt: str) -> str:
    return f"{slug}-{FILE_SUFFIXES[fmt]}"


def export(
    snapshot: DesignSnapshot, fmt: str, *, authors: tuple[str, ...] = (), decisions: DesignDecisions | None = None
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of one export format; `authors` go on a PDF's cover."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    filename = export_filename(design_slug(snapshot), fmt)
    if fmt == "md":
        return full_markdown(snapshot, decisions=decisions).encode(), "text/markdown; charset=utf-8", filename
    if fmt == "brief-md":
        return brief_markdown(snapshot, decisions=decisions).encode(), "text/markdown; charset=utf-8", filename
    if fmt == "sql":
        return schema_sql(snapshot).encode(), "application/sql; charset=utf-8", filename
    if fmt == "dbml":
        return schema_dbml(snapshot).encode(), "text/plain; charset=utf-8", filename
    if fmt == "openapi-yaml":
        return openapi_yaml(snapshot).encode(), "application/yaml; charset=utf-8", filename
    if fmt == "openapi-json":
        return openapi_json(snapshot).encode(), "application/json; charset=utf-8", filename
    if fmt == "zip":
        return report_zip(snapshot), "application/zip", filename
    from .pdf import report_pdf  # here: outputs.pdf reads this module's layouts (through report_html)

    layout = "brief" if fmt == "brief-pdf" else "full"
    return report_pdf(snapshot, layout, authors=authors), "application/pdf", filename
