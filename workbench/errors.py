"""The 500 handler: a clear 503 with Retry-After while the database is unreachable.

Django calls handler500 inside its `except` for the uncaught exception, so the exception is at
hand. A database that refuses connections is an outage, not a bug: the page says so and asks to
come back, htmx requests get a short message (static/js/workbench.js shows it and leaves the
form as typed), and nothing here touches the database. The connection is dropped, so the next
request reconnects and the app recovers by itself when PostgreSQL returns.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = (
    "The workbench cannot reach its database just now. Nothing was saved; what you typed is still here. "
    "Try again in a minute."
)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(UNAVAILABLE, content_type="text/plain; charset=utf-8", status=503)
    else:
        # No request passed: the context processors would query the database.
        response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error_or_unavailable(request: HttpRequest) -> HttpResponse:
    problem = sys.exc_info()[1]
    while problem is not None:
        if isinstance(problem, OperationalError | InterfaceError):
            return database_unavailable(request)
        problem = problem.__cause__ or problem.__context__
    return server_error(request)
