"""Health probes, /metrics, and private caching of signed-in pages."""

from __future__ import annotations

import hmac
import json
import shutil
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from workbench import metrics
from workbench.clients import client_ip

PRIVATE = "private, no-store"


def readiness() -> dict[str, str]:
    """What /readyz checks: the database answers, `dot` is installed, every migration is applied."""
    found: dict[str, str] = {}
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        found["database"] = "ok"
        found["migrations"] = "ok" if not pending else f"{len(pending)} not applied"
    except DatabaseError as problem:
        found["database"] = f"unreachable: {type(problem).__name__}"
        found["migrations"] = "unknown"
        # The next probe must try a fresh connection, not this broken one.
        connection.close_if_unusable_or_obsolete()
    found["dot"] = "ok" if shutil.which("dot") else "missing"
    return found


def _metrics_allowed(request: HttpRequest) -> bool:
    if settings.METRICS_TOKEN:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), settings.METRICS_TOKEN.encode())
    return client_ip(request) in settings.METRICS_ALLOWED_IPS


class OperationsMiddleware:
    """/healthz, /readyz and /metrics, answered before host checks, HTTPS redirects and sessions.

    A load balancer probes by address over plain HTTP, which ALLOWED_HOSTS and SECURE_SSL_REDIRECT
    would refuse; /healthz touches nothing (the process answers), /readyz the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if path == "/healthz":
            return _plain(HttpResponse("ok\n", content_type="text/plain"))
        if path == "/readyz":
            found = readiness()
            ready = all(value == "ok" for value in found.values())
            response = HttpResponse(
                json.dumps(found) + "\n", content_type="application/json", status=200 if ready else 503
            )
            if not ready:
                response["Retry-After"] = "5"
            return _plain(response)
        if path == "/metrics":
            if not _metrics_allowed(request):
                return _plain(HttpResponse("Forbidden\n", content_type="text/plain", status=403))
            return _plain(HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8"))
        return self.get_response(request)


def _plain(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class PrivateCacheMiddleware:
    """Every answer to a signed-in user — design pages, htmx partials, exports — is `private, no-store`.

    They hold a team's designs: no shared cache (a proxy, a CDN) may keep them, nor the browser's
    disk cache after logging out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = PRIVATE
        return response
