"""The role matrix: every design route × anonymous, stranger, viewer, reviewer, editor, owner.

The routes are not listed here: the test walks the URLconf and takes every route of the
`designs`, `outputs` and `reviews` namespaces whose URL names a design (`<slug:slug>`), so a route
added later is checked too — and fails until it declares its rule.

How to declare the rule of a new route
--------------------------------------
Decorate its view with `designs.access.requires`, which both enforces and declares the permission
(one of "view", "comment", "edit", "manage"; see ROLE_PERMISSIONS in designs/models/base.py)::

    @login_required
    @requires("comment")          # checked before the view runs: a refused write is 403, not 400
    @require_POST
    def comment_create(request, slug, step_key): ...

The view may call `get_design(request, slug, "comment")` as before (no second query). If the URL
has a keyword this test cannot fill yet (say `<int:comment_pk>`), add an entry to PARAMETERS below:
a function of the World (the full design, its members) giving candidate values, the working one
first. A view that truly cannot carry the decorator may be given a rule in RULES instead.

What is asserted, for each supported method (GET and/or POST, as the owner finds them: 405 means
not supported), plain and as htmx: anonymous → redirect to the login page (401 for htmx); stranger → 404; a member
whose role lacks the permission → 403; a member whose role has it → neither of those (200, 204, 302
elsewhere than the login page, or 400 for an empty form). Every request runs in a savepoint that is
rolled back, so a write allowed to one role (an archive, a delete) does not change the next case.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from designs.models import ROLE_PERMISSIONS, Component, Design, Membership, Role
from designs.steps import STEPS
from tests.conftest import add_member, make_user
from tests.full_design import build_full_design

NAMESPACES = ("designs", "outputs", "reviews", "checks", "imports")
PEOPLE = ("anonymous", "stranger", "viewer", "reviewer", "editor", "owner")

# Rules for views that cannot carry @requires (prefer the decorator): "namespace:name" -> permission.
RULES: dict[str, str] = {}


@dataclass
class World:
    design: Design
    users: dict[str, User]

    def membership(self, person: str) -> Membership:
        return Membership.objects.get(design=self.design, user=self.users[person])


def _first_component(world: World) -> list[Any]:
    return list(Component.objects.filter(design=world.design).order_by("pk").values_list("pk", flat=True)[:1])


def _version_number(world: World) -> list[Any]:
    from reviews.versions import freeze_version

    version = world.design.versions.first() or freeze_version(
        design=world.design, author=world.users["owner"], message="for the matrix"
    )
    return [version.number]


def _review_pk(world: World) -> list[Any]:
    from reviews.models import ReviewRequest
    from reviews.versions import request_review

    review = ReviewRequest.objects.filter(design=world.design).first() or request_review(
        waiver="Known gaps, tracked in the backlog",
        design=world.design,
        author=world.users["owner"],
        message="",
        reviewers={world.users[Role.REVIEWER]: []},
    )
    return [review.pk]


def _comment_pk(world: World) -> list[Any]:
    from designs.steps import get_step
    from reviews.models import Comment
    from reviews.services import comment_create

    comment = Comment.objects.filter(design=world.design).first() or comment_create(
        design=world.design, author=world.users["owner"], step=get_step("architecture"), body="A thread"
    )
    return [comment.pk]


def _pks(world: World) -> list[Any]:
    # Elements, review requests and comments are all <int:pk>: the first the owner finds is used.
    return [*_first_component(world), *_review_pk(world), *_comment_pk(world)]


def _invitation_pk(world: World) -> list[Any]:
    from designs.models import Invitation

    invitation = Invitation.objects.create(design=world.design, identifier="invited@example.com", role=Role.VIEWER)
    return [invitation.pk]


def _element_uid(world: World) -> list[Any]:
    return [Component.objects.filter(design=world.design).order_by("pk").first().uid]


# Routes on what is one person's own (the owner's comment, the reviewer's assignment): that person
# must be allowed; another member allowed by role gets 403 on what is not theirs.
OWN_ONLY = {"reviews:comment-edit": "owner", "reviews:comment-delete": "owner", "reviews:review": Role.REVIEWER}

# URL keyword -> candidate values (a function of the World). For each route the first combination
# the owner does not get 404 for is used, so related keywords (a step, its list, an element of it)
# line up as long as the consistent values come first.
PARAMETERS: dict[str, Callable[[World], list[Any]]] = {
    "slug": lambda world: [world.design.slug],
    "step_key": lambda world: ["architecture", *[step.key for step in STEPS if step.key != "architecture"]],
    "section_key": lambda world: ["style"],
    "element_key": lambda world: ["components"],
    "pk": _pks,
    "number": _version_number,
    "uid": _element_uid,
    "member_pk": lambda world: [world.membership("viewer").pk],
    "invitation_pk": _invitation_pk,
    "name": lambda world: ["architecture"],
    "fmt": lambda world: ["svg", "md"],
    "layout": lambda world: ["full", "brief"],
}


@dataclass(frozen=True)
class Route:
    name: str  # "designs:overview"
    pattern: str  # "designs/<slug:slug>/"
    parameters: tuple[str, ...]
    callback: Any


def _parameters(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)  # a re_path()


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "", params: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        here = (*params, *_parameters(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if entry.namespace and namespace:
                inner = f"{namespace}:{entry.namespace}"
            yield from _walk(entry.url_patterns, inner, prefix + str(entry.pattern), here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield Route(name or prefix + str(entry.pattern), prefix + str(entry.pattern), here, entry.callback)


def design_routes() -> list[Route]:
    """Every route of our apps' namespaces that names a design."""
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if route.name.split(":")[0] in NAMESPACES and "slug" in route.parameters
    ]


def _declared(route: Route) -> str | dict[str, str] | None:
    return RULES.get(route.name) or getattr(route.callback, "design_permission", None)


def test_it_finds_the_routes_it_is_meant_to_check():
    names = {route.name for route in design_routes()}
    assert {"designs:overview", "designs:element-delete", "designs:members", "outputs:report-file"} <= names
    assert "designs:dashboard" not in names  # names no design


def test_every_design_route_declares_its_rule():
    missing = [f"{route.name} ({route.pattern})" for route in design_routes() if _declared(route) is None]
    assert not missing, (
        "These routes declare no role rule; decorate their views with @requires(permission) from "
        "designs/access.py (see this module's docstring): " + ", ".join(missing)
    )
    unknown = {
        route.name: _declared(route)
        for route in design_routes()
        if not set(_permissions(_declared(route))) <= ROLE_PERMISSIONS[Role.OWNER]
    }
    assert not unknown


@pytest.fixture
def world(db, monkeypatch) -> World:
    # The matrix is about who may download a PDF, not the typesetting (tests/test_report_pdf.py reads PDFs).
    from outputs import views as output_views

    monkeypatch.setattr(output_views, "cached_pdf", lambda key, build: b"%PDF-1.7 (not typeset here)")
    owner = make_user("olivia")
    design = build_full_design(owner)
    users = {"owner": owner, "stranger": make_user("stan")}
    for role in (Role.VIEWER, Role.REVIEWER, Role.EDITOR):
        users[role] = make_user(f"{role}-person")
        add_member(design, users[role], role)
    return World(design, users)


def _client(world: World, person: str) -> Client:
    client = Client()
    if person != "anonymous":
        client.force_login(world.users[person])
    return client


def _send(client: Client, method: str, url: str, htmx: bool = False) -> Any:
    """One request whose writes are undone afterwards (a savepoint rolled back)."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with transaction.atomic():
        response = getattr(client, method)(url, **headers)
        transaction.set_rollback(True)
    return response


def _url(world: World, route: Route, owner: Client) -> tuple[str, list[str]]:
    """The route's URL with its keywords filled, and the methods the view takes."""
    unknown = [name for name in route.parameters if name not in PARAMETERS]
    assert not unknown, f"{route.name}: add candidate values for {unknown} to PARAMETERS in {__name__}"
    candidates = [PARAMETERS[name](world) for name in route.parameters]
    tried = []
    for values in itertools.product(*candidates):
        url = reverse(route.name, kwargs=dict(zip(route.parameters, values, strict=True)))
        methods = []
        for method in ("get", "post"):
            status = _send(owner, method, url).status_code
            if status not in (404, 405):
                methods.append(method)
        if methods:
            return url, methods
        tried.append(url)
    raise AssertionError(f"{route.name}: the owner gets 404/405 on every URL tried ({tried}); fix PARAMETERS")


def _permissions(rule: str | dict[str, str] | None) -> list[str]:
    if rule is None:
        return []
    return [rule] if isinstance(rule, str) else list(rule.values())


def _for_method(rule: str | dict[str, str], method: str) -> str:
    """The permission one method needs: a route may ask more of a POST than of a GET."""
    return rule if isinstance(rule, str) else rule[method]


def _expected(person: str, permission: str) -> str:
    if person == "anonymous":
        return "login"
    if person == "stranger":
        return "404"
    return "allowed" if permission in ROLE_PERMISSIONS[person] else "403"


def _outcome(response: Any) -> str:
    status = response.status_code
    if status == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return "login"
    if status == 401 and response.wsgi_request.htmx:
        return "login"  # accounts/middleware.py: htmx is told the session ended instead of redirected
    if status in (403, 404):
        return str(status)
    if status in (200, 204, 302, 400):
        return "allowed"
    return f"unexpected {status}"


@pytest.mark.parametrize("route", design_routes(), ids=lambda route: route.name)
def test_the_role_matrix(world, route):
    permission = _declared(route)
    assert permission, f"{route.name} declares no rule (see test_every_design_route_declares_its_rule)"
    clients = {person: _client(world, person) for person in PEOPLE}
    url, methods = _url(world, route, clients["owner"])
    wrong = []
    for method, person in itertools.product(methods, PEOPLE):
        expected = _expected(person, _for_method(permission, method))
        # htmx requests get the same answer; an allowed one is checked plain only, to keep the run short.
        for htmx in (False,) if expected == "allowed" else (False, True):
            got = _outcome(_send(clients[person], method, url, htmx=htmx))
            if got == "403" and expected == "allowed" and OWN_ONLY.get(route.name, person) != person:
                continue
            if got != expected:
                wrong.append(
                    f"{method.upper()} {url} as {person}{' (htmx)' if htmx else ''}: {got}, expected {expected}"
                )
    assert not wrong, f"{route.name} requires {permission!r}:\n" + "\n".join(wrong)


def test_a_route_without_a_rule_is_named(monkeypatch):
    def undeclared(request, slug):  # what a new view without @requires looks like
        raise AssertionError("not called")

    route = Route("reviews:new-thing", "designs/<slug:slug>/new-thing/", ("slug",), undeclared)
    monkeypatch.setattr(f"{__name__}.design_routes", lambda: [route])
    with pytest.raises(AssertionError, match=r"reviews:new-thing \(designs/<slug:slug>/new-thing/\)"):
        test_every_design_route_declares_its_rule()


def test_requires_refuses_before_the_view_reads_the_request(rf, design, stranger):
    from django.core.exceptions import PermissionDenied

    from designs.access import requires

    calls = []

    @requires("edit")
    def write(request, slug):
        calls.append(slug)

    add_member(design, stranger, Role.REVIEWER)
    request = rf.post("/", {})
    request.user = stranger
    with pytest.raises(PermissionDenied):
        write(request, slug=design.slug)
    assert calls == [] and write.design_permission == "edit"
