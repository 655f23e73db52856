"""A report layout as sanitized HTML with a table of contents, for the Report page and the PDF.

The markdown is the same the downloads give, with the Graphviz drawings in place of the Mermaid
sources; it is rendered by Python-Markdown and then cleaned by nh3 with a short allow-list, so
whatever escaping might miss still cannot become a script, a style or an event handler. The
drawings go in after the cleaning: they are our own SVG, every label escaped before dot sees it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from xml.etree.ElementTree import Element

import markdown
import nh3
from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from checks.engine import DesignDecisions, decisions_digest
from designs.markdown_html import BoundedMarkdown
from designs.snapshot import DesignSnapshot

from .diagrams import DIAGRAMS
from .diagrams.options import ViewOptions
from .markdown.parts import figure_placeholder
from .pdf_parts import PdfParts, figure_cost, split_parts
from .render import diagram_render
from .reports import LAYOUTS

HEADINGS = {f"h{level}": {"id"} for level in range(1, 5)}
# Links keep their address (nh3 keeps only http, https and mailto ones, below).
ATTRIBUTES = {**HEADINGS, "a": {"href"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}
TAGS = {"h1", "h2", "h3", "h4", "p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "table", "thead", "tbody"}
TAGS |= {"tr", "th", "td", "a", "blockquote", "hr"}
# Bump when the HTML of a report changes in a way the design's state does not capture.
REPORT_HTML_VERSION = "2"
# Past this many components, the PDF draws the architecture one node per bounded context.
PRINT_COMPONENTS = 60
# Past this many tables, the PDF draws the ERD with key columns only.
PRINT_TABLES = 40
# A diagram wider than this (points) gets a landscape page of its own in the PDF.
WIDE_POINTS = 700


@dataclass(frozen=True)
class ReportHtml:
    title: str
    body: str
    # (level, id, text) of each heading of level 2 and 3, in order.
    toc: tuple[tuple[int, str, str], ...]

    def parts(self) -> list[str]:
        """The body cut where the PDF lays it out in parts (only a report made `for_pdf` has cuts)."""
        return split_parts(self.body)


class _QuotedHeadings(Treeprocessor):
    """A heading the user wrote in quoted markdown (the executive summary) becomes a bold paragraph,
    so it stays out of the report's contents and the PDF's outline."""

    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def run(self, root: Element) -> None:
        for quote in root.iter("blockquote"):
            for heading in [child for child in quote.iter() if child.tag in self.HEADINGS]:
                strong = Element("strong")
                strong.text, strong[:] = heading.text, list(heading)
                heading.tag, heading.text, heading[:] = "p", None, [strong]


class QuotedHeadings(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before the table of contents (5) collects the headings.
        md.treeprocessors.register(_QuotedHeadings(md), "quoted_headings", 6)


def _print_options(snapshot: DesignSnapshot, name: str) -> tuple[ViewOptions, str]:
    """How a diagram is drawn on paper: a large architecture one node per bounded context, a large
    schema with its key columns only.

    A page cannot show a hundred components or two thousand columns legibly, and drawing them is
    most of a large PDF's build time (every label is text WeasyPrint lays out); the page view, the
    archive and the downloads keep everything, and the brief prints every column in its DDL.
    """
    if name == "erd":
        tables = snapshot.elements("tables")
        if len(tables) <= PRINT_TABLES:
            return ViewOptions(), ""
        return ViewOptions(keys_only=True), f"key columns only: {len(tables)} tables"
    if name != "architecture":
        return ViewOptions(), ""
    components = snapshot.elements("components")
    contexts = tuple(dict.fromkeys(c.bounded_context for c in components if c.bounded_context))
    if len(components) <= PRINT_COMPONENTS or not contexts:
        return ViewOptions(), ""
    return ViewOptions(collapse=contexts), f"one node per bounded context: {len(components)} components"


def _figure(snapshot: DesignSnapshot, name: str, *, for_pdf: bool) -> str:
    options, note = _print_options(snapshot, name) if for_pdf else (ViewOptions(), "")
    rendered = diagram_render(snapshot=snapshot, name=name, options=options, fmt="svg")
    title = escape(DIAGRAMS[name].title)
    notes = [text for text in (note, rendered.simplification) if text]
    caption = f"<figcaption>{title}" + (f" ({escape('; '.join(notes))})" if notes else "") + "</figcaption>"
    if not for_pdf:
        return f'<figure class="report-diagram">{rendered.markup}{caption}</figure>'
    found = re.search(rb'<svg[^>]*\swidth="([\d.]+)pt"', rendered.content[:2000])
    wide = found is not None and float(found[1]) > WIDE_POINTS
    # An <img> of the SVG scales to the page as one picture (WeasyPrint draws it as vectors).
    source = "data:image/svg+xml;base64," + base64.b64encode(rendered.content).decode()
    return f'<figure class="diagram{" wide" if wide else ""}"><img src="{source}" alt="{title}">{caption}</figure>'


def report_html(
    snapshot: DesignSnapshot, layout: str = "full", *, for_pdf: bool = False, decisions: DesignDecisions | None = None
) -> ReportHtml:
    """One layout ("full" or "brief") as HTML; `for_pdf` embeds the diagrams as images sized for pages."""
    source = LAYOUTS[layout](snapshot, figures=True, decisions=decisions)
    figures = {
        name: _figure(snapshot, name, for_pdf=for_pdf) for name in DIAGRAMS if figure_placeholder(name) in source
    }
    # Bounded: the summary is the user's markdown (designs.markdown_html); raw HTML is only ever ours here.
    extensions: list = ["tables", "fenced_code", "toc", QuotedHeadings(), BoundedMarkdown(raw_html=True)]
    if for_pdf:
        extensions.append(PdfParts({figure_placeholder(name): figure_cost(markup) for name, markup in figures.items()}))
    converter = markdown.Markdown(extensions=extensions)
    html = converter.convert(source)
    html = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, link_rel=None, url_schemes={"http", "https", "mailto"})
    for name, markup in figures.items():
        html = html.replace(f"<p>{figure_placeholder(name)}</p>", markup)
    toc: list[tuple[int, str, str]] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            if token["level"] in (2, 3):
                toc.append((token["level"], token["id"], unescape(token["name"])))
            walk(token["children"])

    walk(converter.toc_tokens)
    return ReportHtml(snapshot.name, html, tuple(toc))


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
    key = (
        "report-html:" + hashlib.sha256(f"{REPORT_HTML_VERSION}\0{design_state}\0{layout}\0{said}".encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is None:
        cached = report_html(load(), layout, decisions=decisions)
        cache.set(key, cached, settings.DIAGRAM_CACHE_SECONDS)
    return cached
