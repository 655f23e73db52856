"""An OpenAPI document as an import plan for step 3: endpoints, their error responses, their services.

imports/openapi.py reads the file into a `ParsedApi`; this turns it into the `Parsed` items that
imports.plan compares with the design (an endpoint matches by `METHOD /path`) and writes. Every
endpoint needs an owning service: each OpenAPI tag (operations without one form their own group)
maps to a service component by name, an existing one or one the import creates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from designs.models import ApiSettings, ComponentKind
from designs.models.api import path_shape, validate_path
from designs.models.architecture import SERVICE_KINDS
from designs.snapshot import DesignSnapshot
from imports.bounded import run_bounded
from imports.openapi import ParsedApi, ParsedEndpoint, parse_openapi
from imports.plan import ImportFileError, ImportPlan, Item, Parsed, Ref, Skipped, build_plan, fold

NAME_LIMIT = 100  # Component.name


@dataclass(frozen=True)
class TagGroup:
    """The endpoints of one OpenAPI tag (tag None: those without a tag), and the service proposed for them."""

    tag: str | None
    endpoints: int
    proposed: str

    @property
    def label(self) -> str:
        return self.tag if self.tag is not None else "Endpoints without a tag"


def service_names(snapshot: DesignSnapshot) -> list[str]:
    """The design's components that may own endpoints (services, web apps, gateways, workers)."""
    return [c.name for c in snapshot.elements("components") if c.kind in SERVICE_KINDS]


def tag_groups(api: ParsedApi, snapshot: DesignSnapshot) -> list[TagGroup]:
    """One group per tag in use, in the document's order; each proposes an existing service of that
    name (ignoring case), else a new service named after the tag (or the API's title when untagged)."""
    existing = {fold(name): name for name in service_names(snapshot)}
    # Names taken by components that cannot own endpoints (a database called "Orders"): not proposed.
    taken = {fold(c.name) for c in snapshot.elements("components")} - set(existing)
    counts: dict[str | None, int] = {}
    for endpoint in api.endpoints:
        counts[endpoint.tag] = counts.get(endpoint.tag, 0) + 1
    order = [t for t in api.tags if t in counts] + ([None] if None in counts else [])
    groups = []
    for tag in order:
        name = tag if tag is not None else (api.title or "API")
        name = name.strip()[:NAME_LIMIT] or "API"
        if fold(name) in taken:
            name = f"{name[: NAME_LIMIT - 8]} service"
        groups.append(TagGroup(tag, counts[tag], existing.get(fold(name), name)))
    return groups


def service_problem(snapshot: DesignSnapshot, name: str) -> str | None:
    """Why `name` cannot own endpoints, or None: it names a component of another kind, or is no name."""
    name = name.strip()
    if not name:
        return "Name the service that owns these endpoints."
    if len(name) > NAME_LIMIT:
        return f"A component name has at most {NAME_LIMIT} characters."
    for component in snapshot.elements("components"):
        if fold(component.name) == fold(name) and component.kind not in SERVICE_KINDS:
            return (
                f"“{component.name}” is a {ComponentKind(component.kind).label.lower()}; "
                "an endpoint belongs to a service, web app, API gateway or worker."
            )
    return None


def openapi_parsed(api: ParsedApi, snapshot: DesignSnapshot, services: Mapping[str | None, str]) -> Parsed:
    """The items step 3 should hold after importing `api`, with `services` mapping each tag to a service name.

    An endpoint step 3 cannot hold (a path the model refuses, a second path with the same route as
    another, e.g. /orders/{id} beside /orders/{orderId}) is skipped with the reason, so the rest imports.
    """
    stored_routes: dict[tuple[str, str], str] = {}
    for endpoint in snapshot.elements("endpoints"):
        stored_routes.setdefault((endpoint.method, path_shape(endpoint.path)), endpoint.path)
    existing = {fold(c.name): c.name for c in snapshot.elements("components")}
    items: list[Item] = []
    skipped: list[Skipped] = list(api.skipped)
    used_services: dict[str, str] = {}
    routes: dict[tuple[str, str], str] = {}
    for endpoint in api.endpoints:
        if (problem := _path_problem(endpoint, routes, stored_routes)) is not None:
            skipped.append(Skipped("endpoint", endpoint.key, problem, endpoint.pointer))
            continue
        service = services[endpoint.tag].strip()
        # A service named like a stored component is that component, spelt as it is stored.
        service = existing.get(fold(service), service)
        used_services.setdefault(fold(service), service)
        items.append(_endpoint_item(endpoint, used_services[fold(service)]))
        items += _error_items(endpoint)
    components = [
        Item("components", name, {"name": name, "kind": ComponentKind.SERVICE}, where="", create_only=True)
        for name in used_services.values()
    ]
    methods, unheld = _auth_methods(api, [i for i in items if i.list == "endpoints"])
    skipped += unheld
    if api.base_path:
        conventions = snapshot.section("conventions")
        design_base = conventions.base_path if conventions is not None else ApiSettings().base_path
        if design_base.rstrip("/") != api.base_path:
            skipped.append(
                Skipped(
                    "server",
                    api.servers[0].resolved,
                    f"the design's base path {design_base} is kept; change it in the API conventions if it moved",
                    "/servers/0",
                )
            )
    return Parsed(items=components + items + methods, skipped=skipped)


def _auth_methods(api: ParsedApi, endpoint_items: list[Item]) -> tuple[list[Item], list[Skipped]]:
    """The security schemes the imported endpoints use, as step 5's authentication methods (added when
    the design has none of that name): the OpenAPI export then writes them back as security schemes."""
    keys = {item.key for item in endpoint_items}
    used: list[str] = []
    for endpoint in api.endpoints:
        if endpoint.key in keys:
            used += [name for name in endpoint.schemes if name not in used]
    schemes = {scheme.name: scheme for scheme in api.schemes}
    items, skipped = [], []
    for name in used:
        scheme = schemes[name]
        where = f"/components/securitySchemes/{name.replace('~', '~0').replace('/', '~1')}"
        described = f"{scheme.type} {scheme.detail}".strip()
        if scheme.kind is None:
            skipped.append(
                Skipped(
                    "security scheme",
                    f"{name} ({described})",
                    "step 5 has no kind of authentication method for it; its endpoints still require auth",
                    where,
                )
            )
            continue
        values = {
            "name": name[:NAME_LIMIT],
            "kind": scheme.kind,
            "notes": f"From the OpenAPI security scheme {name} ({described}).",
        }
        items.append(Item("auth", name[:NAME_LIMIT], values, where=where, create_only=True))
    return items, skipped


def _path_problem(
    endpoint: ParsedEndpoint, routes: dict[tuple[str, str], str], stored: Mapping[tuple[str, str], str]
) -> str | None:
    try:
        validate_path(endpoint.path)
    except ValidationError as exc:
        return exc.messages[0]
    if len(endpoint.path) > 300:
        return "the path is longer than the 300 characters step 3 holds"
    route = (endpoint.method, path_shape(endpoint.path))
    if route in routes and routes[route] != endpoint.path:
        return f"the same route as {endpoint.method} {routes[route]} above"
    stored_path = stored.get(route)
    if stored_path is not None and stored_path != endpoint.path:
        return f"the same route as {endpoint.method} {stored_path}, already in the design"
    routes.setdefault(route, endpoint.path)
    return None


def _endpoint_item(endpoint: ParsedEndpoint, service: str) -> Item:
    values = {
        "service": Ref("components", service),
        "method": endpoint.method,
        "path": endpoint.path,
        "summary": endpoint.summary,
        "auth_required": endpoint.auth_required,
        "roles_scopes": endpoint.roles_scopes,
        "success_status": endpoint.success_status,
        "idempotent": endpoint.idempotent,
        "paginated": endpoint.paginated,
        "collection": endpoint.collection,
    }
    # An example the file does not give leaves the design's own in place.
    if endpoint.request_example:
        values["request_example"] = endpoint.request_example
    if endpoint.response_example:
        values["response_example"] = endpoint.response_example
    return Item("endpoints", endpoint.key, values, where=endpoint.pointer)


def _error_items(endpoint: ParsedEndpoint) -> list[Item]:
    items = []
    for error in endpoint.errors:
        values = {"endpoint": Ref("endpoints", endpoint.key), "status": error.status, "meaning": error.meaning}
        if error.example:
            values["example"] = error.example
        where = f"{endpoint.pointer}/responses/{error.status}"
        items.append(Item("errors", f"{endpoint.key} {error.status}", values, where=where))
    return items


def openapi_plan(
    raw: bytes,
    snapshot: DesignSnapshot,
    *,
    service: str | None = None,
    services: Mapping[str | None, str] | None = None,
) -> tuple[ParsedApi, ImportPlan]:
    """Read the file and plan its import: everything into `service`, or each tag into `services[tag]`,
    or (neither given) each tag into the service tag_groups() proposes. Raises ImportFileError."""
    api = run_bounded(parse_openapi, raw)  # in a child process with memory and time limits
    if service is not None:
        if (problem := service_problem(snapshot, service)) is not None:
            raise ImportFileError(problem)
        mapping: Mapping[str | None, str] = {g.tag: service for g in tag_groups(api, snapshot)}
    elif services is not None:
        mapping = services
    else:
        mapping = {g.tag: g.proposed for g in tag_groups(api, snapshot)}
    return api, build_plan(snapshot, openapi_parsed(api, snapshot, mapping))
