"""Benchmarks of the SQL and OpenAPI imports: parse, plan against the design, apply in one transaction.

Run with `python bench/imports.py`. Uses its own embedded PostgreSQL data directory (var/pgdata-bench),
like bench/run.py. Two files: the `pg_dump --schema-only` of this project (tests/fixtures/, 56 tables),
and the DDL the workbench itself exports for a large design (tests/large_design.py: 200 tables of 10
columns, with their foreign keys and indexes). Each is imported into a fresh empty design, then again
into the design that now holds it (everything unchanged: the plan's cost alone, no write). The OpenAPI
import is timed the same way on the STAPI description (tests/fixtures/openapi/star-trek.yaml: 80 paths,
120 operations), into a fresh empty design and into a design as large as bench/run.py's (300 endpoints).
Prints a table of medians; bench/README.md records the figures seen.
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from designs import services  # noqa: E402
from designs.models import Design  # noqa: E402
from designs.snapshot import load_snapshot  # noqa: E402
from imports.openapi import parse_openapi  # noqa: E402
from imports.openapi_plan import openapi_parsed, tag_groups  # noqa: E402
from imports.plan import Parsed, apply_plan, build_plan  # noqa: E402
from imports.sql import parse_sql  # noqa: E402
from outputs.sql import schema_sql  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PREFIX = "Bench imports"


def _timed(step: Callable[[], object]) -> tuple[float, object, int]:
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = step()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, result, len(queries)


def bench(label: str, text: str, user: User) -> None:
    rows: dict[str, list[tuple[float, int]]] = {}
    summary = ""
    for run in range(RUNS):
        design = services.design_create(name=f"{PREFIX} {label} {run}", summary="", owner=user)
        ms, parsed, _ = _timed(lambda: parse_sql(text, store="main"))
        rows.setdefault("parse", []).append((ms, 0))
        ms, plan, queries = _timed(lambda d=design, p=parsed: build_plan(load_snapshot(d), p))
        rows.setdefault("snapshot + plan", []).append((ms, queries))
        ms, _, queries = _timed(lambda d=design, p=plan: apply_plan(d, p))
        rows.setdefault("apply (one transaction)", []).append((ms, queries))
        summary = plan.summary()
        ms, again, queries = _timed(lambda d=design: build_plan(load_snapshot(d), parse_sql(text, store="main")))
        rows.setdefault("again: parse + plan, nothing to write", []).append((ms, queries))
        assert not again.writes, again.summary()
    print(f"\n{label}: {len(text) / 1024:.0f} KiB, {summary}")
    print(f"{'step':40} {'median ms':>10} {'best ms':>9} {'queries':>8}")
    for step, found in rows.items():
        times = [ms for ms, _ in found]
        print(f"{step:40} {statistics.median(times):10.1f} {min(times):9.1f} {found[0][1]:8}")


def _openapi_items(text: str, design: Design) -> Parsed:
    """The OpenAPI file read and turned into items for `design`, each tag into its proposed service."""
    api = parse_openapi(text)
    snapshot = load_snapshot(design)
    return openapi_parsed(api, snapshot, {g.tag: g.proposed for g in tag_groups(api, snapshot)})


def bench_openapi(label: str, text: str, user: User, design_for: Callable[[int], Design], runs: int) -> None:
    rows: dict[str, list[tuple[float, int]]] = {}
    summary = ""
    for run in range(runs):
        design = design_for(run)
        ms, parsed, _ = _timed(lambda d=design: _openapi_items(text, d))
        rows.setdefault("parse (with the design's names)", []).append((ms, 0))
        ms, plan, queries = _timed(lambda d=design, p=parsed: build_plan(load_snapshot(d), p))
        rows.setdefault("snapshot + plan", []).append((ms, queries))
        ms, _, queries = _timed(lambda d=design, p=plan: apply_plan(d, p))
        rows.setdefault("apply (one transaction)", []).append((ms, queries))
        summary = plan.summary()
        ms, again, queries = _timed(lambda d=design: build_plan(load_snapshot(d), _openapi_items(text, d)))
        rows.setdefault("again: parse + plan, nothing to write", []).append((ms, queries))
        assert not again.writes, again.summary()
    print(f"\n{label}: {len(text) / 1024:.0f} KiB, {summary}")
    print(f"{'step':40} {'median ms':>10} {'best ms':>9} {'queries':>8}")
    for step, found in rows.items():
        times = [ms for ms, _ in found]
        print(f"{step:40} {statistics.median(times):10.1f} {min(times):9.1f} {found[0][1]:8}")


def main() -> None:
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith=PREFIX).delete()
    user, _ = User.objects.get_or_create(username="bench")
    bench("pg_dump of this project", (BASE / "tests" / "fixtures" / "workbench_schema.sql").read_text(), user)
    large = build_large_design(user, name=f"{PREFIX} source", components=150, interactions=400, tables=200)
    bench("large design's exported DDL", schema_sql(load_snapshot(large)), user)
    stapi = (BASE / "tests" / "fixtures" / "openapi" / "star-trek.yaml").read_text()
    bench_openapi(
        "STAPI OpenAPI into an empty design",
        stapi,
        user,
        lambda run: services.design_create(name=f"{PREFIX} openapi {run}", summary="", owner=user),
        RUNS,
    )
    # One run: building a large design takes longer than the import.
    bench_openapi(
        "STAPI OpenAPI into a large design (300 endpoints)",
        stapi,
        user,
        lambda run: build_large_design(user, name=f"{PREFIX} openapi large {run}"),
        1,
    )
    Design.objects.filter(name__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
