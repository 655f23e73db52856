"""Diagram views: a diagram as a page (or, for htmx, the figure alone) and as a file to download.

Thin, like every design view: access check, snapshot, render service, response. A diagram that
cannot be laid out still answers 200 with a message drawn in its place; a view naming what the
design does not have answers 400, and one view too many for the design's state 429, each with
the reason where the diagram would be.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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

from checks.engine import DesignDecisions, decisions_digest, design_decisions
from designs.access import get_design, requires
from designs.caching import design_state
from designs.snapshot import DesignSnapshot, load_snapshot

from .diagrams import DIAGRAMS, Diagram
from .diagrams.options import DIRECTIONS, ViewOptions
from .pdf import PdfCover, PdfTooLarge, cached_pdf, pdf_cache_key
from .render import FORMATS, RenderedDiagram, ViewRefused, design_diagram_render
from .report_html import design_report_html
from .reports import EXPORTS, export_filename

# An SVG opened at its own address stays inert: no script, no fetches, only its inline styles.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A file to download: named, and never sniffed into something the browser would run."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _render(design: Any, name: str, options: ViewOptions, fmt: str = "svg") -> RenderedDiagram:
    """`design` is what get_design returns (outputs never imports the models)."""
    # Every edit moves updated_at, so an unchanged design is served without reading its snapshot.
    return design_diagram_render(
        design_state=design_state(design),
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
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def diagram_page(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """The diagram with its view options and downloads; htmx (a step page's panel) gets the figure only."""
    design = get_design(request, slug, "view")
    diagram = _diagram_or_404(name)
    options = ViewOptions.from_query(request.GET).only(diagram.options)
    try:
        rendered: RenderedDiagram | None = _render(design, name, options)
    except ViewRefused as refused:
        rendered, refusal, status = None, refused.message, refused.status
    else:
        refusal, status = "", 200
    query = urlencode(options.to_query(), doseq=True)
    context = {
        "design": design,
        "diagram": diagram,
        "options": options,
        "directions": DIRECTIONS,
        "query": f"?{query}" if query else "",
        "rendered": rendered,
        "refusal": refusal,
        # dot's SVG re-serialised by outputs.render.svg_markup from escaped labels: no user text is markup.
        "svg": mark_safe(rendered.markup) if rendered else "",  # noqa: S308
        "formats": FORMATS,
    }
    template = "outputs/diagram.html#figure" if request.htmx else "outputs/diagram.html"
    return render(request, template, context, status=status)


@login_required
@requires("view")
@never_cache
@require_GET
def diagram_file(request: HtmxHttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    """The diagram as an SVG, PNG or DOT file to download, with the same view options as the page."""
    design = get_design(request, slug, "view")
    _diagram_or_404(name)
    if fmt not in FORMATS:
        raise Http404("No such format")
    options = ViewOptions.from_query(request.GET).only(DIAGRAMS[name].options)
    try:
        rendered = _render(design, name, options, fmt)
    except ViewRefused as refused:
        return HttpResponse(refused.message, content_type="text/plain; charset=utf-8", status=refused.status)
    if rendered.busy:
        response = HttpResponse(
            "Other layouts are running; try again in a moment.", content_type="text/plain; charset=utf-8", status=503
        )
        response["Retry-After"] = "5"
        return response
    response = attachment(rendered.content, rendered.media_type, f"{design.slug}-{name}.{rendered.format}")
    response["Content-Security-Policy"] = SVG_POLICY
    if rendered.simplification:
        response["X-Diagram-Simplified"] = rendered.simplification
    return response


def design_authors(design: Any) -> tuple[str, ...]:
    """Owners and editors, for a PDF's cover."""
    return tuple(
        membership.user.get_username()
        for membership in design.memberships.select_related("user")
        .filter(role__in=("owner", "editor"))
        .order_by("user__username")
    )


def export_response(
    *,
    fmt: str,
    filename: str,
    state: str,
    load: Callable[[], DesignSnapshot],
    cover: PdfCover,
    decisions: DesignDecisions | None = None,
) -> HttpResponse:
    """One export of a design (or of a frozen version) as a file to download.

    A PDF is kept by everything it shows (`state` names the design's state, or the version), so
    asking again, or a colleague asking at the same time, costs no second build.
    """
    chosen = EXPORTS[fmt]
    if chosen.pdf:
        said = decisions_digest(decisions) if decisions is not None else ""
        key = pdf_cache_key(state, fmt, cover.authors, cover.version, cover.approved_by, said, date.today().isoformat())
        try:
            content = cached_pdf(key, lambda: chosen.build(load(), cover, decisions))
        except PdfTooLarge as refusal:
            return HttpResponse(str(refusal), status=413, content_type="text/plain; charset=utf-8")
    else:
        content = chosen.build(load(), cover, decisions)
    return attachment(content, chosen.media_type, filename)


@login_required
@requires("view")
@never_cache
@require_GET
def report_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The full report or the brief as HTML with its contents, and the downloads; every reader may export."""
    design = get_design(request, slug, "view")
    layout = "brief" if request.GET.get("layout") == "brief" else "full"
    report = design_report_html(
        design_state=design_state(design),
        load=lambda: load_snapshot(design),
        layout=layout,
        decisions=design_decisions(design),
    )
    context = {
        "design": design,
        "layout": layout,
        # Markdown of escaped user text, cleaned by nh3; the diagrams are dot's SVG of escaped labels.
        "body": mark_safe(report.body),  # noqa: S308
        "toc": report.toc,
        "downloads": [e for e in EXPORTS.values() if not (report.pdf_refusal and e.pdf)],
        "pdf_refusal": report.pdf_refusal,
    }
    return render(request, "outputs/report.html", context)


@login_required
@requires("view")
@never_cache
@require_GET
def report_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """One export of the report as a file to download, PDFs included (built in the request)."""
    design = get_design(request, slug, "view")
    if fmt not in EXPORTS:
        raise Http404("No such format")
    return export_response(
        fmt=fmt,
        filename=export_filename(design.slug, fmt),
        state=design_state(design),
        load=lambda: load_snapshot(design),
        cover=PdfCover(authors=design_authors(design)),
        decisions=design_decisions(design),
    )
