"""Benchmarks of the diagrams on a large design: our render against `dot` run directly, and the cache.

Run with `python bench/diagrams.py`. Uses its own embedded PostgreSQL data directory
(var/pgdata-bench), like bench/run.py. For each diagram of a design with 150 components,
400 interactions and 200 tables it times: building the DOT from the snapshot; `dot -Tsvg` run
directly on the same DOT file; our first render (DOT, layout down the degrade ladder, SVG
cut out for pages; cache emptied first); a hit of the cache keyed by DOT (which builds the DOT
to hash it); and a hit of the cache keyed by the design's state, which the views use (no
snapshot, no DOT). Prints a table; bench/README.md records the figures seen.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
from outputs.diagrams import diagram_source  # noqa: E402
from outputs.diagrams.options import ViewOptions  # noqa: E402
from outputs.render import design_diagram_render, diagram_render  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
HIT_RUNS = 50


def timed(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time in ms over `runs`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def raw_dot(path: str) -> None:
    subprocess.run(["dot", "-Tsvg", path, "-o", os.devnull], check=True, capture_output=True)  # noqa: S603, S607


def main() -> None:
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith="Bench diagrams").delete()
    user, _ = User.objects.get_or_create(username="bench")
    design = build_large_design(user, name="Bench diagrams", components=150, interactions=400, tables=200)
    snapshot = load_snapshot(design)
    state = f"{design.pk}:{design.updated_at.isoformat()}"
    views = [
        ("architecture", "whole system", ViewOptions()),
        ("architecture", "one context", ViewOptions(context="context-1")),
        ("architecture", "component, 2 hops", ViewOptions(component="component-000", hops=2)),
        ("architecture", "2 contexts collapsed", ViewOptions(collapse=("context-1", "context-2"))),
        ("erd", "whole system", ViewOptions()),
        ("erd", "one store", ViewOptions(store="component-004")),
        ("sequence", "whole system", ViewOptions()),
        ("deployment", "whole system", ViewOptions()),
    ]
    header = f"{'DOT ms':>7} {'dot ms':>8} {'ours ms':>8} {'ratio':>6} {'DOT hit':>8} {'state hit':>9}"
    print(f"{'diagram':13} {'view':21} {header}  note")
    for name, label, options in views:
        source_ms = timed(lambda name=name, options=options: diagram_source(snapshot, name, options))
        source = diagram_source(snapshot, name, options)
        with tempfile.NamedTemporaryFile("w", suffix=".dot", delete=False) as file:
            file.write(source)
        try:
            dot_ms = timed(lambda path=file.name: raw_dot(path))
            dot_note = ""
        except subprocess.CalledProcessError as error:
            dot_ms, dot_note = float("nan"), f"dot alone fails: {error.stderr.decode().splitlines()[0]}"
        finally:
            Path(file.name).unlink()

        def first(name: str = name, options: ViewOptions = options) -> object:
            cache.clear()
            return diagram_render(snapshot=snapshot, name=name, options=options)

        ours_ms = timed(first)
        rendered = first()
        hit_ms = timed(
            lambda name=name, options=options: diagram_render(snapshot=snapshot, name=name, options=options), HIT_RUNS
        )

        def state_hit(name: str = name, options: ViewOptions = options) -> object:
            return design_diagram_render(design_state=state, load=lambda: snapshot, name=name, options=options).markup

        state_hit()
        state_ms = timed(state_hit, HIT_RUNS)
        note = "; ".join(
            n for n in (dot_note, f"simplified: {rendered.simplification}" if rendered.simplification else "") if n
        )
        figures = f"{source_ms:7.1f} {dot_ms:8.1f} {ours_ms:8.1f} {ours_ms / dot_ms:6.2f} {hit_ms:8.2f} {state_ms:9.2f}"
        print(f"{name:13} {label:21} {figures}  {note}")
    Design.objects.filter(name__startswith="Bench diagrams").delete()


if __name__ == "__main__":
    main()
