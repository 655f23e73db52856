"""Benchmark of the OpenAPI import: the big real fixture (STAPI, 80 paths, 120 operations, 363 KB YAML).

Run with `python bench/import_openapi.py`. Uses its own embedded PostgreSQL data directory
(var/pgdata-bench), like bench/run.py. Times, as medians over BENCH_RUNS: reading the file
(YAML, $refs, examples), planning it against an empty design and against the large design of
bench/exports.py (300 endpoints already there), applying it (one transaction), and planning it
again once applied (everything unchanged). Prints a table; README records the figures seen.
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

from designs import services  # noqa: E402
from designs.models import Design  # noqa: E402
from designs.snapshot import load_snapshot  # noqa: E402
from imports.openapi import parse_openapi  # noqa: E402
from imports.openapi_plan import openapi_plan  # noqa: E402
from imports.plan import apply_plan  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
FIXTURE = BASE / "tests" / "fixtures" / "openapi" / "star-trek.yaml"
PREFIX = "Bench OpenAPI import"


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def apply_once(raw: bytes, design_for: Callable[[], Design]) -> float:
    """Median time of planning and applying the file into a fresh design (each run gets its own)."""
    times = []
    for _ in range(RUNS):
        design = design_for()
        start = time.perf_counter()
        _, plan = openapi_plan(raw, load_snapshot(design))
        apply_plan(design, plan)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith=PREFIX).delete()
    user, _ = User.objects.get_or_create(username="bench")
    raw = FIXTURE.read_bytes()
    api = parse_openapi(raw)
    print(f"{FIXTURE.name}: {len(raw) / 1024:.0f} KiB, {len(api.endpoints)} operations, {len(api.skipped)} skipped")

    def empty() -> Design:
        return services.design_create(name=f"{PREFIX} empty", summary="", owner=user)

    large = build_large_design(user, name=f"{PREFIX} large")
    large_snapshot = load_snapshot(large)
    empty_snapshot = load_snapshot(empty())
    rows = [
        ("read the file (parse_openapi)", median_ms(lambda: parse_openapi(raw))),
        ("read + plan, empty design", median_ms(lambda: openapi_plan(raw, empty_snapshot))),
        ("read + plan, large design (300 endpoints)", median_ms(lambda: openapi_plan(raw, large_snapshot))),
        ("read + plan + apply, empty design", apply_once(raw, empty)),
    ]
    _, plan = openapi_plan(raw, large_snapshot)
    print(f"into the large design: {plan.summary()}")
    start = time.perf_counter()
    apply_plan(large, plan)
    rows.append(("apply, large design (one run)", (time.perf_counter() - start) * 1000))
    rows.append(("read + plan again, all unchanged", median_ms(lambda: openapi_plan(raw, load_snapshot(large)))))
    print(f"{'step':45} {'median ms':>10}")
    for label, ms in rows:
        print(f"{label:45} {ms:10.0f}")
    Design.objects.filter(name__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
