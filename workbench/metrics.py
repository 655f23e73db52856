"""Request counters of this process, in Prometheus' text format (served at /metrics).

Per process, honestly so: with several gunicorn workers each keeps its own figures, and a scrape
reaches whichever worker takes it. Every sample carries the worker's `pid` label so figures of
different workers are never mistaken for one series; for exact whole-site figures, sum the JSON
request log lines (`duration_ms`, `status`), which every worker writes (docs/production.md).
"""

from __future__ import annotations

import os
import threading
import time

# Upper bounds in seconds of the duration histogram.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

_lock = threading.Lock()
_started = time.time()
_counts: dict[str, int] = {}
_bucket_counts = [0] * len(BUCKETS)
_duration_sum = 0.0
_duration_count = 0
_layouts: dict[str, int] = {}


def observe(status: int, seconds: float) -> None:
    """Count one answered request."""
    global _duration_sum, _duration_count
    status_class = f"{status // 100}xx"
    with _lock:
        _counts[status_class] = _counts.get(status_class, 0) + 1
        _duration_sum += seconds
        _duration_count += 1
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                _bucket_counts[index] += 1


def count_layout(engine: str) -> None:
    """Count one Graphviz layout started by this process (outputs.render)."""
    with _lock:
        _layouts[engine] = _layouts.get(engine, 0) + 1


def layouts() -> int:
    """Graphviz layouts this process has started, all engines."""
    with _lock:
        return sum(_layouts.values())


def exposition() -> str:
    """This process's figures as Prometheus text exposition format 0.0.4."""
    pid = f'pid="{os.getpid()}"'
    with _lock:
        counts = dict(_counts)
        buckets = list(_bucket_counts)
        total, count = _duration_sum, _duration_count
        layout_counts = dict(_layouts)
    lines = [
        "# HELP workbench_process_start_time_seconds When this worker process started (Unix time).",
        "# TYPE workbench_process_start_time_seconds gauge",
        f"workbench_process_start_time_seconds{{{pid}}} {_started:.3f}",
        "# HELP workbench_http_requests_total Requests answered by this worker process, by status class.",
        "# TYPE workbench_http_requests_total counter",
    ]
    lines += [f'workbench_http_requests_total{{{pid},status_class="{name}"}} {counts[name]}' for name in sorted(counts)]
    lines += [
        "# HELP workbench_http_request_duration_seconds Time to answer a request, in this worker process.",
        "# TYPE workbench_http_request_duration_seconds histogram",
    ]
    # Each bucket counts the requests at or under its bound (observe() adds to every bucket that fits).
    lines += [
        f'workbench_http_request_duration_seconds_bucket{{{pid},le="{bound}"}} {n}'
        for bound, n in zip(BUCKETS, buckets, strict=True)
    ]
    lines += [
        f'workbench_http_request_duration_seconds_bucket{{{pid},le="+Inf"}} {count}',
        f"workbench_http_request_duration_seconds_sum{{{pid}}} {total:.6f}",
        f"workbench_http_request_duration_seconds_count{{{pid}}} {count}",
        "# HELP workbench_diagram_layouts_total Graphviz layouts started by this worker process, by engine.",
        "# TYPE workbench_diagram_layouts_total counter",
    ]
    lines += [
        f'workbench_diagram_layouts_total{{{pid},engine="{engine}"}} {n}' for engine, n in sorted(layout_counts.items())
    ]
    return "\n".join(lines) + "\n"
