"""A report layout as sanitized HTML with a table of contents, for the Report page.

The markdown is the same the downloads give, with the Graphviz drawings in place of the Mermaid
sources; it is parsed by Python-Markdown (outputs/report_tree.py, which the PDF reads too) and
cleaned by nh3 with a short allow-list, so whatever escaping might miss still cannot become a
script, a style or an event handler. The
drawings go in after the cleaning: they are our own SVG, every label escaped before dot sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import nh3
from django.conf import settings
from django.utils.html import escape

from checks.engine import DesignDecisions, decisions_digest
from designs.caching import cached_by_state
from designs.snapshot import DesignSnapshot

from .diagrams import DIAGRAMS
from .diagrams.options import ViewOptions
from .markdown import LAYOUTS
from .markdown.parts import figure_placeholder
from .pdf import pdf_refusal
from .render import diagram_render
from .report_tree import parse_report

HEADINGS = {f"h{level}": {"id"} for level in range(1, 5)}
# Links keep their address (nh3 keeps only http, https and mailto ones, below).
ATTRIBUTES = {**HEADINGS, "a": {"href"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}
TAGS = {"h1", "h2", "h3", "h4", "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "table", "thead", "tbody"}
TAGS |= {"tr", "th", "td", "a", "blockquote", "hr"}
# Bump when the HTML of a report changes in a way the design's state does not capture.
REPORT_HTML_VERSION = "4"


@dataclass(frozen=True)
class ReportHtml:
    title: str
    body: str
    # (level, id, text) of each heading of level 2 and 3, in order.
    toc: tuple[tuple[int, str, str], ...]
    # Why the design gets no PDF (too many elements), or "".
    pdf_refusal: str = ""


def _figure(snapshot: DesignSnapshot, name: str) -> str:
    rendered = diagram_render(snapshot=snapshot, name=name, options=ViewOptions(), fmt="svg")
    title = escape(DIAGRAMS[name].title)
    note = f" ({escape(rendered.simplification)})" if rendered.simplification else ""
    return f'<figure class="report-diagram">{rendered.markup}<figcaption>{title}{note}</figcaption></figure>'


def report_html(
    snapshot: DesignSnapshot, layout: str = "full", *, decisions: DesignDecisions | None = None
) -> ReportHtml:
    """One layout ("full" or "brief") as HTML, its diagrams drawn in place."""
    source = LAYOUTS[layout](snapshot, figures=True, decisions=decisions)
    parsed = parse_report(source)
    html = nh3.clean(
        parsed.html, tags=TAGS, attributes=ATTRIBUTES, link_rel=None, url_schemes={"http", "https", "mailto"}
    )
    for name in DIAGRAMS:
        placeholder = f"<p>{figure_placeholder(name)}</p>"
        if placeholder in html:
            html = html.replace(placeholder, _figure(snapshot, name))
    toc: list[tuple[int, str, str]] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            if token["level"] in (2, 3):
                toc.append((token["level"], token["id"], unescape(token["name"])))
            walk(token["children"])

    walk(parsed.toc_tokens)
    return ReportHtml(snapshot.name, html, tuple(toc), pdf_refusal(sum(1 for _ in snapshot.all_elements())))


def design_report_html(
    *,
    design_state: str,
    load: Callable[[], DesignSnapshot],
    layout: str = "full",
    decisions: DesignDecisions | None = None,
) -> ReportHtml:
    """`report_html` for the Report page, cached by the design's state (every edit changes it).

    The HTML of a large design takes a second or more to build (markdown, nh3, four diagrams); a
    reader opening the page again, or a colleague opening it after them, gets it from the cache.
    """
    said = decisions_digest(decisions) if decisions is not None else ""
    return cached_by_state(
        "report-html",
        design_state,
        REPORT_HTML_VERSION,
        layout,
        said,
        build=lambda: report_html(load(), layout, decisions=decisions),
        timeout=settings.DIAGRAM_CACHE_SECONDS,
    )
