"""The invited person's side: their open invitations on the dashboard, and one invitation's page (the
e-mailed link), each with Accept and Decline (htmx, and plain forms without JavaScript)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import members as team
from .models import Invitation

# Invitations listed on the dashboard: more than a person is sent in a fortnight, bounded all the same.
LISTED = 20


def open_invitations(user: Any) -> list[Invitation]:
    """The user's invitations waiting for an answer, newest first."""
    found = Invitation.objects.open().for_user(user).select_related("design", "invited_by")
    return list(found.order_by("-created_at", "-id")[:LISTED])


def _open_for(request: HttpRequest, pk: int) -> Invitation:
    invitation = Invitation.objects.for_user(request.user).select_related("design", "invited_by").filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def _answered(request: HttpRequest, text: str, to: str) -> HttpResponse:
    messages.success(request, text)
    if request.htmx:
        return HttpResponseClientRedirect(to)
    return redirect(to)


@login_required
@require_GET
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """One invitation, as the e-mailed link shows it: someone else's is a 404."""
    found = _open_for(request, pk)
    is_open = Invitation.objects.open().filter(pk=found.pk).exists()
    return render(request, "designs/invitation.html", {"invitation": found, "is_open": is_open})


@login_required
@require_POST
def invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership = team.accept(user=request.user, invitation_pk=pk)
    except ValidationError as refusal:
        return _refused(request, pk, refusal)
    role = membership.get_role_display().lower()
    return _answered(request, f"You joined “{membership.design.name}” as {role}.", membership.design.get_absolute_url())


@login_required
@require_POST
def invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        declined = team.decline(user=request.user, invitation_pk=pk)
    except ValidationError as refusal:
        return _refused(request, pk, refusal)
    return _answered(request, f"You declined the invitation to “{declined.design.name}”.", reverse("designs:dashboard"))


def _refused(request: HttpRequest, pk: int, refusal: ValidationError) -> HttpResponse:
    """An invitation answered, withdrawn or expired meanwhile: it says so in place (409 without htmx,
    which swaps only successful answers)."""
    found = _open_for(request, pk)
    context = {"invitation": found, "is_open": False, "refused": " ".join(refusal.messages)}
    if request.htmx:
        return render(request, "designs/invitation.html#answer", context)
    return render(request, "designs/invitation.html", context, status=409)
