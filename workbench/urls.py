from __future__ import annotations

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="designs:dashboard", permanent=False)),
    path("accounts/", include("accounts.urls")),
    # Before designs': a step's comments/ would otherwise be taken for one of its element lists.
    path("", include("reviews.urls")),
    path("designs/", include("designs.urls")),
    path("designs/", include("outputs.urls")),
    path("designs/", include("imports.urls")),
    path("designs/", include("checks.urls")),
]

# A database outage is a 503 with Retry-After, not a 500 (workbench/errors.py).
handler500 = "workbench.errors.server_error_or_unavailable"

if settings.BENCH_URLS:
    urlpatterns.append(path("bench/", include("bench.ceilings")))
