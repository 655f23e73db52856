"""Benchmarks of the report exports on a large design: each format of `export_report`, cache emptied first.

Run with `python bench/exports.py`. Uses its own embedded PostgreSQL data directory
(var/pgdata-bench), like bench/run.py. The design has 150 components, 400 interactions, 200 tables
of 10 columns and 300 endpoints. Each format is timed from the snapshot (read once) with the
diagram cache emptied, so the archive and the PDFs pay for their Graphviz layouts. Prints a table;
README records the figures seen. `BENCH_FORMATS=sql,dbml,openapi-yaml` times only those (the PDFs take
minutes on this design).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from bench.django_setup import setup  # noqa: E402

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from designs.models import Design  # noqa: E402
from designs.snapshot import load_snapshot  # noqa: E402
from outputs.reports import FORMATS, export  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "1"))
CHOSEN = [name.strip() for name in os.environ.get("BENCH_FORMATS", "").split(",") if name.strip()]


def main() -> None:
    unknown = sorted(set(CHOSEN) - set(FORMATS))
    if unknown:
        raise SystemExit(f"Unknown BENCH_FORMATS {', '.join(unknown)}; use some of {', '.join(FORMATS)}.")
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith="Bench exports").delete()
    user, _ = User.objects.get_or_create(username="bench")
    design = build_large_design(user, name="Bench exports", components=150, interactions=400, tables=200)
    snapshot = load_snapshot(design)
    print(f"{'format':12} {'median ms':>10} {'size KiB':>9}")
    for fmt in CHOSEN or FORMATS:
        times = []
        for _ in range(RUNS):
            cache.clear()
            start = time.perf_counter()
            content, _, _ = export(snapshot, fmt)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{fmt:12} {statistics.median(times):10.1f} {len(content) / 1024:9.0f}")
    Design.objects.filter(name__startswith="Bench exports").delete()


if __name__ == "__main__":
    main()
