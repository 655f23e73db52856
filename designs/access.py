"""The one way a view gets a design: by slug, for a user, with a permission."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Design, Membership
from .models.base import Permission


def get_design(request: HttpRequest, slug: str, permission: str = "view") -> Design:
    """Return the design if the user is a member whose role grants `permission`.

    Non-members get 404, so a design's existence is not revealed; members
    without the permission get 403. Archived designs are read-only.
    """
    if permission not in Permission.values:
        raise ValueError(f"Unknown permission {permission!r}; use one of {Permission.values}")
    membership = Membership.objects.select_related("design").filter(design__slug=slug, user_id=request.user.pk).first()
    if membership is None:
        raise Http404("No such design")
    if not membership.can(permission):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) may not {permission} this design.")
    design = membership.design
    if permission == "edit" and design.is_archived:
        raise PermissionDenied("This design is archived; restore it to edit.")
    design.membership = membership  # type: ignore[attr-defined]
    return design
