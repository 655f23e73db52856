"""The ceilings bench/load.py measures every target against.

`trivial` is the fastest answer the stack can give (middleware, no database);
`one_query` adds what every real page pays: the session and user lookups of a
logged-in request, plus one query of its own. Routed under /bench/ only when
WORKBENCH_BENCH_URLS is true (workbench/urls.py), so production never serves them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "bench"


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def one_query(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return HttpResponse(str(value), content_type="text/plain")


urlpatterns = [
    path("trivial/", trivial, name="trivial"),
    path("one-query/", one_query, name="one-query"),
]
