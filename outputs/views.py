"""Diagram views: a diagram as a page (or, for htmx, the figure alone) and as a file to download.

Thin, like every design view: access check, snapshot, render service, response. A diagram that
cannot be laid out still answers 200 with a message drawn in its place; a view naming what the
design does not have answers 400, and one view too many for the design's state 429, each with
the reason where the diagram would be.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from checks.engine import DesignDecisions, decisions_digest, design_decisions
from designs.access import get_design, requires
from designs.snapshot import load_snapshot

from .diagrams import DIAGRAMS, Diagram
from .diagrams.options import DIRECTIONS, ViewOptions
from .pdf_jobs import LAYOUTS as PDF_LAYOUTS
from .pdf_jobs import PdfJob, job_name, job_status, snapshot_job, start_build
from .render import FORMATS, RenderedDiagram, ViewRefused, design_diagram_render
from .report_html import design_report_html
from .reports import FORMATS as REPORT_FORMATS
from .reports import export, export_filename

# Download buttons of the Report page: (format, label). The PDFs have a box each (built on request).
REPORT_DOWNLOADS = (
    ("md", "Markdown report"),
    ("brief-md", "Markdown brief"),
    ("zip", "Archive (zip)"),
    ("sql", "SQL schema"),
    ("dbml", "DBML schema"),
    ("openapi-yaml", "OpenAPI (YAML)"),
    ("openapi-json", "OpenAPI (JSON)"),
)
PDF_FORMATS = {fmt: layout for layout, (fmt, _) in PDF_LAYOUTS.items()}

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


def _authors(design: Any) -> tuple[str, ...]:
    """Owners and editors, for a PDF's cover."""
    return tuple(
        membership.user.get_username()
        for membership in design.memberships.select_related("user")
        .filter(role__in=("owner", "editor"))
        .order_by("user__username")
    )


def _pdf_job(design: Any, layout: str, authors: tuple[str, ...], decisions: DesignDecisions) -> PdfJob:
    # The design's decisions on its findings are printed too, and change without an edit of the design.
    state = f"{design.updated_at.isoformat()}:{decisions_digest(decisions)}"
    name = job_name(design_pk=design.pk, design_state=state, layout=layout, authors=authors)
    return job_status(name, layout)


def _start_pdf(design: Any, layout: str) -> PdfJob:
    authors, decisions = _authors(design), design_decisions(design)
    job = _pdf_job(design, layout, authors, decisions)
    if job.state == "ready" or job.running:
        return job
    return start_build(job.name, layout, snapshot_job(load_snapshot(design), layout, authors, decisions))


@login_required
@requires("view")
@never_cache
@require_GET
def report_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The full report or the brief as HTML with its contents, and the downloads; every reader may export."""
    design = get_design(request, slug, "view")
    layout = "brief" if request.GET.get("layout") == "brief" else "full"
    decisions = design_decisions(design)
    report = design_report_html(
        design_state=f"{design.pk}:{design.updated_at.isoformat()}",
        load=lambda: load_snapshot(design),
        layout=layout,
        decisions=decisions,
    )
    authors = _authors(design)
    context = {
        "design": design,
        "layout": layout,
        # Markdown of escaped user text, cleaned by nh3; the diagrams are dot's SVG of escaped labels.
        "body": mark_safe(report.body),  # noqa: S308
        "toc": report.toc,
        "downloads": REPORT_DOWNLOADS,
        "pdf_jobs": [_pdf_job(design, name, authors, decisions) for name in PDF_LAYOUTS],
    }
    return render(request, "outputs/report.html", context)


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def report_pdf(request: HtmxHttpRequest, slug: str, layout: str) -> HttpResponse:
    """A PDF's progress (GET, which htmx polls) or its build asked for (POST); readers may build one."""
    design = get_design(request, slug, "view")
    if layout not in PDF_LAYOUTS:
        raise Http404("No such layout")
    if request.method == "POST":
        job = _start_pdf(design, layout)
    else:
        job = _pdf_job(design, layout, _authors(design), design_decisions(design))
    if not request.htmx:
        return redirect(_report_url(design, layout))
    context = {"design": design, "job": job}
    return render(request, "outputs/report.html#pdf-job", context)


def _report_url(design: Any, layout: str) -> str:
    query = "?layout=brief" if layout == "brief" else ""
    return f"{reverse('outputs:report', args=[design.slug])}{query}#pdf-{layout}"


@login_required
@requires("view")
@never_cache
@require_GET
def report_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """One export of the report as a file to download; a PDF not built yet is started, and the page shows it."""
    design = get_design(request, slug, "view")
    if fmt not in REPORT_FORMATS:
        raise Http404("No such format")
    if fmt in PDF_FORMATS:
        job = _start_pdf(design, PDF_FORMATS[fmt])
        if job.state != "ready":
            return redirect(_report_url(design, job.layout))
        filename = export_filename(design.slug, fmt)
        response = FileResponse(
            job.path.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
    content, media_type, filename = export(
        load_snapshot(design), fmt, authors=_authors(design), decisions=design_decisions(design)
    )
    return attachment(content, media_type, filename)
