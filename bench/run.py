"""Benchmarks on a large design: page renders and saves through the full Django stack.

Run with `make bench`. Uses its own embedded PostgreSQL data directory
(var/pgdata-bench) so it never touches the dev or test databases. Requests go
through Django's test client (middleware, templates, real PostgreSQL), not
over a socket, so the figures are repeatable and exclude network and gunicorn.
Prints a table; bench/README.md records the figures seen.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from bench.django_setup import setup  # noqa: E402

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from designs import services  # noqa: E402
from designs.document import (  # noqa: E402
    document_json,
    export_design,
    import_design,
    parse_document,
    snapshot_from_document,
)
from designs.models import Component, Design  # noqa: E402
from designs.snapshot import load_snapshot  # noqa: E402
from designs.steps import STEPS  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float, int]:
    """Median and best wall time in ms over `runs`, and the query count of one run."""
    fn()  # warm caches (templates, form classes)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    return statistics.median(times), min(times), len(queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages link hashed static names
    Design.objects.filter(name__startswith="Bench ").delete()
    user, _ = User.objects.get_or_create(username="bench")
    client = Client()
    client.force_login(user)

    start = time.perf_counter()
    design = build_large_design(user, name="Bench large design")
    built_ms = (time.perf_counter() - start) * 1000
    component_count = Component.objects.filter(design=design).count()
    for i in range(49):
        services.design_create(name=f"Bench design {i}", summary="", owner=user)

    rows: list[tuple[str, float, float, int, str]] = []

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            page.size = len(response.content)  # type: ignore[attr-defined]
            return response

        return get

    for name, url in [
        ("dashboard (50 designs)", reverse("designs:dashboard")),
        ("overview", reverse("designs:overview", args=[design.slug])),
    ] + [(f"step {s.number} {s.key}", reverse("designs:step", args=[design.slug, s.key])) for s in STEPS]:
        fn = page(url)
        median, best, queries = timed(fn)
        rows.append((f"GET {name}", median, best, queries, f"{page.size // 1024} KiB"))  # type: ignore[attr-defined]

    counter = iter(range(10_000))

    def add_component() -> object:
        n = next(counter)
        return client.post(
            reverse("designs:element-create", args=[design.slug, "architecture", "components"]),
            {"new-components-name": f"Bench component {n}", "new-components-kind": "service"},
            HTTP_HX_REQUEST="true",
        )

    median, best, queries = timed(add_component)
    rows.append(("POST add component (htmx)", median, best, queries, "incl. completeness"))

    component = Component.objects.filter(design=design).first()

    def edit_component() -> object:
        component.refresh_from_db()
        prefix = f"edit-components-{component.pk}"
        response = client.post(
            reverse("designs:element-edit", args=[design.slug, "architecture", "components", component.pk]),
            {
                f"{prefix}-name": component.name,
                f"{prefix}-kind": component.kind,
                f"{prefix}-base_version": component.version,
                f"{prefix}-responsibility": f"v{component.version}",
            },
            HTTP_HX_REQUEST="true",
        )
        assert b"changed by someone else" not in response.content
        return response

    median, best, queries = timed(edit_component)
    rows.append(("POST edit component (htmx)", median, best, queries, ""))

    median, best, queries = timed(lambda: services.design_changed(design))
    rows.append(("recompute completeness", median, best, queries, "all 8 rules"))

    median, best, queries = timed(lambda: load_snapshot(design))
    rows.append(("load snapshot (database)", median, best, queries, "what every output reads"))
    exported = export_design(design)
    median, best, queries = timed(lambda: snapshot_from_document(exported))
    rows.append(("snapshot from document", median, best, queries, "a frozen version, no database"))

    # As the download and upload views do: the document as JSON text, and back.
    raw = document_json(export_design(design)).encode()
    median, best, queries = timed(lambda: document_json(export_design(design)))
    rows.append(("export large design (JSON)", median, best, queries, f"{len(raw) // 1024} KiB"))

    copies: list[Design] = []
    # Each import writes a whole design, so fewer runs; the copies are deleted untimed afterwards.
    median, best, queries = timed(lambda: copies.append(import_design(parse_document(raw), owner=user)), runs=3)
    for copy in copies:
        copy.delete()
    rows.append(("import large design (JSON)", median, best, queries, "a new design each run"))

    reset_queries()
    print(
        f"Large design built in {built_ms:.0f} ms: "
        f"{component_count} components, 300 interactions, "
        "200 tables x 10 columns, 300 endpoints, 30 rows in every other list."
    )
    print(f"{'what':38} {'median ms':>10} {'best ms':>9} {'queries':>8}  note")
    for what, median, best, queries, note in rows:
        print(f"{what:38} {median:10.1f} {best:9.1f} {queries:8d}  {note}")
    Design.objects.filter(name__startswith="Bench ").delete()


if __name__ == "__main__":
    main()
