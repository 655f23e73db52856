"""A report layout as PDF through WeasyPrint: cover, contents with page numbers, numbered pages.

The stylesheet is outputs/pdf.css; WeasyPrint itself runs in outputs/pdf_worker.py, which the app
starts as a process of its own (outputs/pdf_jobs.py) and the command line calls in process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils.html import escape

from checks.engine import DesignDecisions
from designs.snapshot import DesignSnapshot

from .pdf_worker import html_to_pdf
from .report_html import report_html

KINDS = {"full": "Design report", "brief": "Architecture brief"}


def report_pdf_document(
    snapshot: DesignSnapshot,
    layout: str = "full",
    *,
    authors: tuple[str, ...] = (),
    decisions: DesignDecisions | None = None,
) -> str:
    """The HTML document WeasyPrint turns into the PDF of one layout: cover, contents, report."""
    report = report_html(snapshot, layout, for_pdf=True, decisions=decisions)
    facts = [("Status", snapshot.status.replace("_", " ")), ("Date", date.today().isoformat())]
    if snapshot.version is not None:
        facts.insert(1, ("Version", str(snapshot.version)))
    if authors:
        facts.append(("Authors", ", ".join(authors)))
    cover = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(snapshot.name)}</title></head>'
        f'<body><section class="cover"><h1>{escape(snapshot.name)}</h1><p>{KINDS[layout]}</p><dl>{cover}</dl>'
        f'</section><h2 class="toc-title">Contents</h2>{report.toc_html()}<main class="report">{report.body}</main>'
        "</body></html>"
    )


def report_pdf(
    snapshot: DesignSnapshot,
    layout: str = "full",
    *,
    authors: tuple[str, ...] = (),
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """The PDF of one layout, built in this process; the cover names the authors when given."""
    return html_to_pdf(report_pdf_document(snapshot, layout, authors=authors), progress)
