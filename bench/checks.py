"""Benchmark of the design checks on a large design: every rule, each rule alone, and a ceiling.

Run with `python bench/checks.py`. Uses its own embedded PostgreSQL data directory (var/pgdata-bench),
like bench/run.py. The design has 150 components, 400 interactions (two thirds synchronous, so the
call graph has cycles and long chains), 200 tables of 10 columns and 300 endpoints. The snapshot is
read from the database (the checks never query), a fresh one for each timed run of all checks. The
ceiling, measured in the same run, is one pass reading every field of every element of the snapshot:
what any check of the whole design must at least pay.
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

from checks.engine import run_checks  # noqa: E402
from checks.registry import RULES  # noqa: E402
from designs.models import Design  # noqa: E402
from designs.snapshot import DesignSnapshot, load_snapshot  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "10"))


def _median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _read_everything(snapshot: DesignSnapshot) -> int:
    read = 0
    for record in snapshot.all_elements():
        for name in record.field_names():
            getattr(record, name)
            read += 1
    return read


def main() -> None:
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith="Bench checks").delete()
    user, _ = User.objects.get_or_create(username="bench")
    design = build_large_design(user, name="Bench checks", components=150, interactions=400, tables=200)
    snapshot = load_snapshot(design)
    elements = sum(1 for _ in snapshot.all_elements())
    findings = run_checks(snapshot)

    ceiling = _median_ms(lambda: _read_everything(snapshot))
    # Each run on a snapshot of its own, as a cache miss sees it: rules build their indexes afresh.
    fresh = iter([load_snapshot(design) for _ in range(RUNS)])
    total = _median_ms(lambda: run_checks(next(fresh)))
    per_rule = {rule.id: _median_ms(lambda rule=rule: list(rule.check(snapshot))) for rule in RULES.values()}
    load = _median_ms(lambda: load_snapshot(design))

    print(f"{elements:,} elements, {len(RULES)} rules, {len(findings):,} findings, median of {RUNS} runs")
    print(f"{'what':34} {'ms':>9} {'× ceiling':>10}")
    print(f"{'ceiling: read every field once':34} {ceiling:9.1f} {1:10.1f}")
    print(f"{'all checks (run_checks)':34} {total:9.1f} {total / ceiling:10.1f}")
    for rule_id, ms in sorted(per_rule.items(), key=lambda item: -item[1])[:5]:
        print(f"{'  slowest: ' + rule_id:34} {ms:9.1f} {ms / ceiling:10.1f}")
    print(f"{'for scale: load the snapshot (DB)':34} {load:9.1f} {load / ceiling:10.1f}")
    Design.objects.filter(name__startswith="Bench checks").delete()


if __name__ == "__main__":
    main()
