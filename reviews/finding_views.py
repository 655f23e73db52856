"""Editors' decisions on the design review's findings: dismiss (with a reason), reopen, change a rule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from designs.access import get_design, requires

from . import findings


def _back(design, anchor: str = "") -> HttpResponse:
    return redirect(reverse("checks:review", args=[design.slug]) + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, problem: ValidationError) -> None:
    messages.error(request, " ".join(problem.messages))


@login_required
@requires("edit")
@require_POST
def finding_dismiss(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "edit")
    post = request.POST
    try:
        findings.dismiss(
            design=design,
            rule_id=post.get("rule_id", ""),
            target=post.get("target", "")[:64],
            label=post.get("label", ""),
            reason=post.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as problem:
        _refused(request, problem)
    else:
        messages.success(request, f"Dismissed {post.get('rule_id')} on {post.get('label')}; the reason is on record.")
    return _back(design, f"findings-{post.get('step', '')}")


@login_required
@requires("edit")
@require_POST
def finding_reopen(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "edit")
    findings.reopen(
        design=design,
        rule_id=request.POST.get("rule_id", ""),
        target=request.POST.get("target", ""),
        actor=request.user,
    )
    return _back(design, "dismissed")


@login_required
@requires("edit")
@require_POST
def rule_setting(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "edit")
    post = request.POST
    try:
        findings.set_rule(
            design=design,
            rule_id=post.get("rule_id", ""),
            level=post.get("level", ""),
            reason=post.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as problem:
        _refused(request, problem)
    else:
        messages.success(request, f"{post.get('rule_id')} is now {post.get('level')} for this design.")
    return _back(design, "rule-settings")
