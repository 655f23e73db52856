"""The one way a view gets a design: by slug, for a user, with a permission.

Every view of a design carries its rule as `@requires(permission)`: the decorator checks it before
the view runs (so a write refused by role is a 403 before any validation) and leaves the rule on
the view as `design_permission`, which tests/test_role_matrix.py reads for every route.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Design, Membership
from .models.base import Permission

View = TypeVar("View", bound=Callable[..., HttpResponse])

# Where a request keeps the designs it has looked up (slug -> design): the view's own get_design()
# after the decorator's costs no second query.
_CHECKED = "_designs_checked"


def get_design(request: HttpRequest, slug: str, permission: str = "view") -> Design:
    """Return the design if the user is a member whose role grants `permission`.

    Non-members get 404, so a design's existence is not revealed; members
    without the permission get 403. Archived designs are read-only.
    """
    if permission not in Permission.values:
        raise ValueError(f"Unknown permission {permission!r}; use one of {Permission.values}")
    checked: dict[str, Design] = request.__dict__.setdefault(_CHECKED, {})
    design = checked.get(slug)
    if design is None:
        membership = (
            Membership.objects.select_related("design").filter(design__slug=slug, user_id=request.user.pk).first()
        )
        if membership is None:
            raise Http404("No such design")
        design = membership.design
        design.membership = membership  # type: ignore[attr-defined]
        checked[slug] = design
    membership = design.membership  # type: ignore[attr-defined]
    if not membership.can(permission):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) may not {permission} this design.")
    if permission == "edit" and design.is_archived:
        raise PermissionDenied("This design is archived; restore it to edit.")
    return design


def requires(permission: str, *, post: str | None = None) -> Callable[[View], View]:
    """Declare and enforce the permission a design view needs (the URL passes the design's `slug`).

    Anonymous users are sent to log in, non-members get 404, members whose role lacks `permission`
    403 — all before the view reads the request. `post` is the permission a POST needs when it
    differs (a page every reader sees, with a form only editors may send). The view may still call
    get_design() for the design (no second query). `view.design_permission` is the declared rule
    the role-matrix test reads: the permission, or {"get": …, "post": …}.
    """
    for name in (permission, post or permission):
        if name not in Permission.values:
            raise ValueError(f"Unknown permission {name!r}; use one of {Permission.values}")

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            needed = post if post is not None and request.method == "POST" else permission
            get_design(request, kwargs["slug"], needed)
            return view(request, *args, **kwargs)

        rule: str | dict[str, str] = permission if post is None else {"get": permission, "post": post}
        checked.design_permission = rule  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate
