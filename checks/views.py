"""The design review page: every finding of the design's checks, grouped by step; htmx gets the card."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from designs import presentation as page
from designs.access import get_design, requires
from designs.snapshot import load_snapshot
from designs.steps import get_step

from .engine import cached_findings, design_decisions, split_dismissed
from .presentation import element_links, review
from .registry import RULES


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
    findings = cached_findings(
        f"{design.pk}:{design.updated_at.isoformat()}", lambda: load_snapshot(design), dict(decisions.overrides)
    )
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

    found = cached_findings(f"{design.pk}:{design.updated_at.isoformat()}", load, dict(decisions.overrides))
    found, _ = split_dismissed([f for f in found if f.step == step.key], decisions)
    links = element_links(design, found, snapshot[0] if snapshot else None)
    context = {"design": design, "step": step, "findings": [(f, links.get(f, "")) for f in found]}
    template = "checks/step_findings.html#list" if request.htmx else "checks/step_findings.html"
    return render(request, template, context)
