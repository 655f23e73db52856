"""Versions, diffs and reviews of a design: thin views over reviews/versions.py.

Every view starts from designs.access.get_design with the permission it needs: readers see
versions, diffs and reviews; editors freeze, restore and ask for reviews; the reviewers a request
names decide on it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designs.access import get_design, requires
from designs.models import Design
from designs.snapshot import load_snapshot
from outputs.diagrams.diff import merged_snapshot
from outputs.diagrams.options import ViewOptions
from outputs.pdf import PdfCover
from outputs.render import diagram_render
from outputs.report_html import design_report_html
from outputs.reports import EXPORTS, export_filename
from outputs.views import SVG_POLICY, attachment, design_authors, export_response

from . import versions as services
from .diff import diff_snapshots
from .models import DesignVersion, ReviewRequest
from .version_forms import DecisionForm, ReviewRequestForm, VersionForm

# The diagrams the Compare page draws as a diff.
DIFF_DIAGRAMS = {"architecture": "Architecture", "erd": "Entity-relationship"}


def _version(design: Design, number: int) -> DesignVersion:
    version = DesignVersion.objects.filter(design=design, number=number).select_related("author").first()
    if version is None:
        raise Http404("No such version")
    return version


def _add_errors(form: Any, problem: ValidationError) -> None:
    """A service's refusal next to the field it names, or above the form when the form has no such field."""
    if not hasattr(problem, "error_dict"):
        form.add_error(None, problem)
        return
    for name, errors in problem.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _can(design: Design, permission: str) -> bool:
    return design.membership.can(permission) and not (permission == "edit" and design.is_archived)  # type: ignore[attr-defined]


@login_required
@requires("view", post="edit")
@never_cache
@require_http_methods(["GET", "POST"])
def version_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every version with author, date, message and review outcome; editors save a new one here."""
    design = get_design(request, slug, "edit" if request.method == "POST" else "view")
    form = VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = services.freeze_version(design=design, author=request.user, message=form.cleaned_data["message"])
        messages.success(request, f"Saved version {version.number}.")
        return redirect("reviews:versions", design.slug)
    versions = (
        DesignVersion.objects.filter(design=design)
        .select_related("author", "review_request")
        .annotate(reviewers=Count("review_request__assignments"))
        .defer("document")
    )
    context = {"design": design, "versions": versions, "form": form, "can_edit": _can(design, "edit")}
    return render(request, "reviews/versions.html", context)


@login_required
@requires("view")
@never_cache
@require_GET
def version_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One version read-only: every step, the diagrams and the downloads, from its own snapshot."""
    design = get_design(request, slug, "view")
    version = _version(design, number)
    report = design_report_html(
        design_state=f"version-{version.pk}", load=lambda: services.version_snapshot(version), layout="full"
    )
    context = {
        "design": design,
        "version": version,
        # Markdown of escaped user text cleaned by nh3, and dot's SVG of escaped labels (outputs.report_html).
        "body": mark_safe(report.body),  # noqa: S308
        "toc": report.toc,
        "downloads": EXPORTS.values(),
        "can_edit": _can(design, "edit"),
    }
    return render(request, "reviews/version.html", context)


@login_required
@requires("view")
@never_cache
@require_GET
def version_file(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
    """A frozen version in any export format, exactly as the live design downloads; its PDF's cover
    names the version and who approved it."""
    design = get_design(request, slug, "view")
    if fmt not in EXPORTS:
        raise Http404("No such format")
    version = _version(design, number)
    return export_response(
        fmt=fmt,
        filename=export_filename(f"{design.slug}-v{version.number}", fmt),
        state=f"version-{version.pk}",
        load=lambda: services.version_snapshot(version),
        cover=PdfCover(authors=design_authors(design), version=version.number, approved_by=services.approvers(version)),
    )


@login_required
@requires("edit")
@never_cache
@require_POST
def version_restore(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Make a version the draft again; the draft it replaces is saved as a version first."""
    design = get_design(request, slug, "edit")
    version = _version(design, number)
    kept = services.restore_version(design=design, version=version, author=request.user)
    messages.success(request, f"Restored version {version.number}; the draft it replaced is version {kept.number}.")
    return redirect(design.get_absolute_url())


@login_required
@requires("view")
@never_cache
@require_GET
def diff_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What changed between two versions, or a version and the draft; `?format=md` downloads it."""
    design = get_design(request, slug, "view")
    numbers = list(DesignVersion.objects.filter(design=design).values_list("number", flat=True))
    sides = _sides(request, numbers)
    error = ""
    diff = None
    try:
        before, before_label = services.side_snapshot(design, sides["from"])
        after, after_label = services.side_snapshot(design, sides["to"])
        diff = diff_snapshots(before, after, labels=(before_label, after_label))
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if diff is not None and request.GET.get("format") == "md":
        filename = f"{design.slug}-diff-{diff.before}-{diff.after}.md"
        return attachment(diff.as_markdown(), "text/markdown; charset=utf-8", filename)
    context = {
        "design": design,
        "diff": diff,
        "diff_diagrams": DIFF_DIAGRAMS,
        "error": error,
        "sides": sides,
        "choices": ["draft", *(f"v{n}" for n in numbers)],
    }
    return render(request, "reviews/diff.html", context, status=400 if error else 200)


def _sides(request: HttpRequest, numbers: list[int]) -> dict[str, str]:
    """From the latest version (or the draft, before any) to the draft, unless the query says otherwise."""
    default_from = f"v{numbers[0]}" if numbers else "draft"
    return {"from": request.GET.get("from") or default_from, "to": request.GET.get("to") or "draft"}


@login_required
@requires("view")
@never_cache
@require_GET
def diff_diagram(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """The architecture diagram or the ERD of `to`, with what `from` had, coloured by change (SVG)."""
    design = get_design(request, slug, "view")
    if name not in DIFF_DIAGRAMS:
        raise Http404("No such diagram")
    sides = _sides(request, list(DesignVersion.objects.filter(design=design).values_list("number", flat=True)))
    try:
        before, before_label = services.side_snapshot(design, sides["from"])
        after, after_label = services.side_snapshot(design, sides["to"])
    except ValidationError as problem:
        raise Http404(" ".join(problem.messages)) from None
    diff = diff_snapshots(before, after, labels=(before_label, after_label))
    options = ViewOptions(marks=tuple(sorted(diff.by_uid().items())))
    rendered = diagram_render(snapshot=merged_snapshot(before, after), name=name, options=options, fmt="svg")
    response = HttpResponse(rendered.content, content_type=rendered.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SVG_POLICY
    return response


@login_required
@requires("view", post="edit")
@never_cache
@require_http_methods(["GET", "POST"])
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The design's review requests; an editor asks for a new one (freezing a version) here."""
    design = get_design(request, slug, "edit" if request.method == "POST" else "view")
    can_request = _can(design, "edit")
    form = ReviewRequestForm(request.POST or None, design=design, author=request.user) if can_request else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            review = services.request_review(
                design=design,
                author=request.user,
                message=form.cleaned_data["message"],
                reviewers=form.reviewers(),
                waiver=form.cleaned_data["waiver"],
            )
        except ValidationError as problem:
            _add_errors(form, problem)
        else:
            messages.success(request, f"Version {review.version.number} is frozen and in review.")
            return redirect("reviews:review", design.slug, review.pk)
    reviews = (
        ReviewRequest.objects.filter(design=design)
        .select_related("version", "requested_by")
        .annotate(reviewers=Count("assignments"))
    )
    context = {"design": design, "reviews": reviews, "form": form}
    return render(request, "reviews/reviews.html", context, status=400 if form is not None and form.errors else 200)


@login_required
@requires("view", post="comment")
@never_cache
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One review: who covers what, each latest decision (stale when a covered step changed since)."""
    design = get_design(request, slug, "comment" if request.method == "POST" else "view")
    review = ReviewRequest.objects.filter(design=design, pk=pk).select_related("version", "requested_by").first()
    if review is None:
        raise Http404("No such review")
    states = services.assignment_states(review, load_snapshot(design))
    mine = next((state for state in states if state.assignment.reviewer_id == request.user.pk), None)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if mine is None:
            raise PermissionDenied("You are not a reviewer of this request.")
        if form.is_valid():
            try:
                services.decide(request=review, reviewer=request.user, **form.cleaned_data)
            except ValidationError as problem:
                _add_errors(form, problem)
            else:
                messages.success(request, "Your decision is recorded.")
                return redirect("reviews:review", design.slug, review.pk)
    context = {
        "design": design,
        "review": review,
        "states": states,
        "outcome": services.outcome(states) if review.state != review.State.SUPERSEDED else review.state,
        "mine": mine,
        "form": form if mine is not None and review.state != review.State.SUPERSEDED else None,
        "state_labels": dict(ReviewRequest.State.choices),
    }
    return render(request, "reviews/review.html", context, status=400 if form.errors else 200)
