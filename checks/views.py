"""The design review page, the traceability matrix, threat suggestions and the threats CSV.

Every page here reads the design's snapshot; the two writes (accepting and dismissing a threat
suggestion) go through designs.threat_suggestions, the domain's write path.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from designs import presentation as page
from designs import threat_suggestions
from designs.access import get_design, requires
from designs.caching import design_state
from designs.snapshot import load_snapshot
from designs.steps import get_step

from .engine import cached_findings, design_decisions, split_dismissed
from .presentation import element_links, review
from .registry import RULES
from .threat_csv import threats_csv
from .threats import find_suggestion, suggest_threats
from .traceability import traceability

# Longest dismissal reason taken from a request (the model's text limit is larger; a reason is a sentence).
REASON_LIMIT = 2000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def review_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """All findings; the overview's card loads the summary partial once its page is shown."""
    design = get_design(request, slug, "view")
    decisions = design_decisions(design)
    # Every edit moves updated_at, so an unchanged design is checked once, not on every visit.
    findings = cached_findings(design_state(design), lambda: load_snapshot(design), dict(decisions.overrides))
    findings, dismissed = split_dismissed(findings, decisions)
    context = {
        "design": design,
        "review": review(findings),
        "dismissed": dismissed,
        "overrides": sorted(decisions.overrides.items()),
        "rules": sorted(RULES.values(), key=lambda rule: rule.id),
        "can_decide": design.membership.can("edit") and not design.is_archived,  # type: ignore[attr-defined]
    }
    if request.htmx:
        return render(request, "checks/review.html#summary", context)
    return render(request, "checks/review.html", {**context, "nav": page.nav(design)})


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def step_findings(request: HtmxHttpRequest, slug: str, step_key: str) -> HttpResponse:
    """One step's open findings, each linked to its element's read view (the step page loads this list)."""
    design = get_design(request, slug, "view")
    try:
        step = get_step(step_key)
    except KeyError:
        raise Http404("No such step") from None
    decisions = design_decisions(design)
    snapshot: list = []

    def load():  # the snapshot is read once, for the findings and the links
        snapshot.append(load_snapshot(design))
        return snapshot[0]

    found = cached_findings(design_state(design), load, dict(decisions.overrides))
    found, _ = split_dismissed([f for f in found if f.step == step.key], decisions)
    links = element_links(design, found, snapshot[0] if snapshot else None)
    context = {"design": design, "step": step, "findings": [(f, links.get(f, "")) for f in found]}
    template = "checks/step_findings.html#list" if request.htmx else "checks/step_findings.html"
    return render(request, template, context)


@login_required
@requires("view")
@never_cache
@require_GET
def traceability_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Requirements × the components and endpoints that serve them, with the gaps listed."""
    design = get_design(request, slug, "view")
    matrix = traceability(load_snapshot(design))
    # Columns only for what serves something: a design of 300 components stays a readable table.
    serving_components = [c for c in matrix.components if c.requirements]
    serving_endpoints = [e for e in matrix.endpoints if e.requirements]
    rows = [
        {
            "requirement": row.requirement,
            "served": row.served,
            "components": [c in row.components for c in serving_components],
            "endpoints": [e in row.endpoints for e in serving_endpoints],
        }
        for row in matrix.rows
    ]
    context = {
        "design": design,
        "nav": page.nav(design),
        "matrix": matrix,
        "rows": rows,
        "serving_components": serving_components,
        "serving_endpoints": serving_endpoints,
    }
    return render(request, "checks/traceability.html", context)


def _suggestions_context(design: Any, **extra: Any) -> dict[str, Any]:
    snapshot = load_snapshot(design)
    suggestions = suggest_threats(snapshot, threat_suggestions.dismissed_ids(design))
    return {
        "design": design,
        "suggestions": suggestions,
        "dismissed": threat_suggestions.dismissals(design),
        "can_edit": page.can_edit(design),
        "reason_errors": {},
        "reasons": {},
        **extra,
    }


def _security_url(design: Any, anchor: str = "threat-suggestions") -> str:
    return f"{reverse('designs:step', args=[design.slug, 'security'])}#{anchor}"


def _suggestions_response(request: HtmxHttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    if request.htmx:
        # htmx swaps only 2xx responses: a refused input comes back as the panel with its message, as the step forms do.
        return render(request, "checks/threat_suggestions.html#suggestions", context)
    return render(
        request, "checks/threat_suggestions.html", {**context, "nav": page.nav(context["design"])}, status=status
    )


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def suggestions_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The threat suggestions; step 5's panel loads the partial once its page is shown."""
    design = get_design(request, slug, "view")
    return _suggestions_response(request, _suggestions_context(design))


@login_required
@requires("edit")
@require_POST
def suggestion_accept(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Add the suggested threat to step 5, then show it there."""
    design = get_design(request, slug, "edit")
    wanted = request.POST.get("suggestion", "")[:64]
    suggestion = find_suggestion(load_snapshot(design), wanted, threat_suggestions.dismissed_ids(design))
    if suggestion is None:
        context = _suggestions_context(design, problem="That suggestion no longer applies; the list is current.")
        return _suggestions_response(request, context, status=400)
    try:
        threat = threat_suggestions.accept(
            design=design,
            category=suggestion.category,
            target_kind=suggestion.target_kind,
            target_uid=suggestion.target_uid,
            description=suggestion.explanation,
            mitigation=suggestion.mitigation,
            actor=request.user,
        )
    except ValidationError as exc:
        context = _suggestions_context(design, problem=" ".join(exc.messages))
        return _suggestions_response(request, context, status=400)
    target = _security_url(design, f"row-threats-{threat.pk}")
    if request.htmx:
        # The new threat shows in step 5's list: the page is loaded afresh at its row (the address
        # differs only by its fragment, so htmx is told to reload too, or the browser would only scroll).
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        if (request.htmx.current_url_abs_path or "").split("#")[0] == target.split("#")[0]:
            response["HX-Refresh"] = "true"
        return response
    return redirect(target)


@login_required
@requires("edit")
@require_POST
def suggestion_dismiss(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Remember that a suggestion does not apply, with the reason; it is not proposed again."""
    design = get_design(request, slug, "edit")
    wanted = request.POST.get("suggestion", "")[:64]
    reason = request.POST.get("reason", "")[:REASON_LIMIT]
    suggestion = find_suggestion(load_snapshot(design), wanted, threat_suggestions.dismissed_ids(design))
    if suggestion is None:
        context = _suggestions_context(design, problem="That suggestion no longer applies; the list is current.")
        return _suggestions_response(request, context, status=400)
    try:
        threat_suggestions.dismiss(
            design=design, suggestion_id=suggestion.id, title=suggestion.title, reason=reason, actor=request.user
        )
    except ValidationError as exc:
        errors = {suggestion.id: " ".join(exc.messages)}
        context = _suggestions_context(design, reason_errors=errors, reasons={suggestion.id: reason})
        return _suggestions_response(request, context, status=400)
    if request.htmx:
        return _suggestions_response(request, _suggestions_context(design))
    return redirect(_security_url(design))


@login_required
@requires("view")
@never_cache
@require_GET
def threats_download(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 5's threats as CSV, for a risk register or a spreadsheet."""
    design = get_design(request, slug, "view")
    response = HttpResponse(threats_csv(load_snapshot(design)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{design.slug}-threats.csv"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
