"""The report exports of a design: markdown in two layouts, SQL, the archive, HTML and PDF.

Pure text builders live in `outputs.markdown` and `outputs.sql`; this module is the thin service
around them that runs Graphviz (through `outputs.render`), Typst (`outputs.pdf`) and zipfile; `EXPORTS`
is the one table of formats that views, panels, version pages and the command line read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

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
from .pdf import PdfCover, report_pdf
from .render import diagram_render
from .sql import schema_sql

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


@dataclass(frozen=True)
class ExportFormat:
    """One thing a design downloads as: the format's name (the command's --format, the URL's last
    part), its label on buttons, media type, file name after the design's slug, and its builder."""

    key: str
    label: str
    media_type: str
    suffix: str
    build: Callable[[DesignSnapshot, PdfCover, DesignDecisions | None], bytes]

    def filename(self, slug: str) -> str:
        return f"{slug}-{self.suffix}"

    @property
    def pdf(self) -> bool:
        """Typeset by Typst: kept by the state it shows, and refused past the page limits."""
        return self.media_type == "application/pdf"

    @property
    def binary(self) -> bool:
        """Bytes rather than text (a text format names its charset): the command line never prints one to a terminal."""
        return "charset=" not in self.media_type


def _text(make: Callable[[DesignSnapshot], str]) -> Callable[[DesignSnapshot, PdfCover, DesignDecisions | None], bytes]:
    return lambda snapshot, cover, decisions: make(snapshot).encode()


# Every export, in the order the Report page and a version's page offer them. The live design and
# every frozen version download each of them.
EXPORTS: dict[str, ExportFormat] = {
    export.key: export
    for export in (
        ExportFormat(
            "pdf",
            "PDF report",
            "application/pdf",
            "report.pdf",
            lambda snapshot, cover, decisions: report_pdf(snapshot, "full", cover=cover, decisions=decisions),
        ),
        ExportFormat(
            "brief-pdf",
            "PDF brief",
            "application/pdf",
            "brief.pdf",
            lambda snapshot, cover, decisions: report_pdf(snapshot, "brief", cover=cover, decisions=decisions),
        ),
        ExportFormat(
            "md",
            "Markdown report",
            "text/markdown; charset=utf-8",
            "report.md",
            lambda snapshot, cover, decisions: full_markdown(snapshot, decisions=decisions).encode(),
        ),
        ExportFormat(
            "brief-md",
            "Markdown brief",
            "text/markdown; charset=utf-8",
            "brief.md",
            lambda snapshot, cover, decisions: brief_markdown(snapshot, decisions=decisions).encode(),
        ),
        ExportFormat("zip", "Archive (zip)", "application/zip", "report.zip", lambda s, c, d: report_zip(s)),
        ExportFormat("sql", "SQL schema", "application/sql; charset=utf-8", "schema.sql", _text(schema_sql)),
        ExportFormat("dbml", "DBML schema", "text/plain; charset=utf-8", "schema.dbml", _text(schema_dbml)),
        ExportFormat(
            "openapi-yaml", "OpenAPI (YAML)", "application/yaml; charset=utf-8", "openapi.yaml", _text(openapi_yaml)
        ),
        ExportFormat(
            "openapi-json", "OpenAPI (JSON)", "application/json; charset=utf-8", "openapi.json", _text(openapi_json)
        ),
    )
}
FORMATS = tuple(EXPORTS)


def export_filename(slug: str, fmt: str) -> str:
    return EXPORTS[fmt].filename(slug)


def export(
    snapshot: DesignSnapshot, fmt: str, *, cover: PdfCover | None = None, decisions: DesignDecisions | None = None
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of one export format; `cover` is what a PDF's cover adds."""
    if fmt not in EXPORTS:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    chosen = EXPORTS[fmt]
    return (
        chosen.build(snapshot, cover or PdfCover(), decisions),
        chosen.media_type,
        chosen.filename(design_slug(snapshot)),
    )
