"""Diagram views: a diagram as a page (or, for htmx, the figure alone) and as a file to download.

Thin, like every design view: access check, snapshot, render service, response. A diagram that
cannot be laid out still answers 200 with a message drawn in its place.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from designs.access import get_design
from designs.snapshot import load_snapshot

from .diagrams import DIAGRAMS, Diagram
from .diagrams.options import DIRECTIONS, ViewOptions
from .render import FORMATS, RenderedDiagram, design_diagram_render
from .report_html import report_html
from .reports import FORMATS as REPORT_FORMATS
from .reports import export

# Download buttons of the Report page: (format, label).
REPORT_DOWNLOADS = (
    ("md", "Markdown report"),
    ("brief-md", "Markdown brief"),
    ("pdf", "PDF report"),
    ("brief-pdf", "PDF brief"),
    ("zip", "Archive (zip)"),
    ("sql", "SQL schema"),
)

# An SVG opened at its own address stays inert: no script, no fetches, only its inline styles.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _render(design: Any, name: str, options: ViewOptions, fmt: str = "svg") -> RenderedDiagram:
    """`design` is what get_design returns (outputs never imports the models)."""
    # Every edit moves updated_at, so an unchanged design is served without reading its snapshot.
    return design_diagram_render(
        design_state=f"{design.pk}:{design.updated_at.isoformat()}",
        load=lambda: load_snapshot(design),
        name=name,
        options=options,
        fmt=fmt,
    )


def _diagram_or_404(name: str) -> Diagram:
    try:
        return DIAGRAMS[name]
    except KeyError:
        raise Http404("No such diagram") from None


@login_required
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def diagram_page(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """The diagram with its view options and downloads; htmx (a step page's panel) gets the figure only."""
    design = get_design(request, slug, "view")
    diagram = _diagram_or_404(name)
    options = ViewOptions.from_query(request.GET)
    rendered = _render(design, name, options)
    query = urlencode(options.to_query(), doseq=True)
    context = {
        "design": design,
        "diagram": diagram,
        "options": options,
        "directions": DIRECTIONS,
        "query": f"?{query}" if query else "",
        "rendered": rendered,
        # dot's SVG re-serialised by outputs.render.svg_markup from escaped labels: no user text is markup.
        "svg": mark_safe(rendered.markup),  # noqa: S308
        "formats": FORMATS,
    }
    template = "outputs/diagram.html#figure" if request.htmx else "outputs/diagram.html"
    return render(request, template, context)


@login_required
@never_cache
@require_GET
def diagram_file(request: HtmxHttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    """The diagram as an SVG, PNG or DOT file to download, with the same view options as the page."""
    design = get_design(request, slug, "view")
    _diagram_or_404(name)
    if fmt not in FORMATS:
        raise Http404("No such format")
    options = ViewOptions.from_query(request.GET)
    rendered = _render(design, name, options, fmt)
    response = HttpResponse(rendered.content, content_type=rendered.media_type)
    filename = f"{design.slug}-{name}.{rendered.format}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SVG_POLICY
    if rendered.simplification:
        response["X-Diagram-Simplified"] = rendered.simplification
    return response


@login_required
@never_cache
@require_GET
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The full report or the brief as HTML with its contents, and the downloads; every reader may export."""
    design = get_design(request, slug, "view")
    layout = "brief" if request.GET.get("layout") == "brief" else "full"
    report = report_html(load_snapshot(design), layout)
    context = {
        "design": design,
        "layout": layout,
        # Markdown of escaped user text, cleaned by nh3; the diagrams are dot's SVG of escaped labels.
        "body": mark_safe(report.body),  # noqa: S308
        "toc": report.toc,
        "downloads": REPORT_DOWNLOADS,
    }
    return render(request, "outputs/report.html", context)


@login_required
@never_cache
@require_GET
def report_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """One export of the report as a file to download."""
    design = get_design(request, slug, "view")
    if fmt not in REPORT_FORMATS:
        raise Http404("No such format")
    authors = tuple(
        membership.user.get_username()
        for membership in design.memberships.select_related("user").filter(role__in=("owner", "editor"))
    )
    content, media_type, filename = export(load_snapshot(design), fmt, authors=authors)
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
