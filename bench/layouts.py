"""/healthz and another user's page while clients ask for diagram layouts (issue #20, point 3).

Run with `.venv/bin/python bench/layouts.py [--clients 6] [--duration 30]`. Serves the app with
gunicorn as `make run` does (bench/load.py's helpers and database, var/pgdata-load), then:

1. quiet: /healthz and the demo overview, one request at a time, nothing else running;
2. layouts: `--clients` threads ask for architecture views of the large design (150 components
   in 5 bounded contexts, 400 interactions), each a new combination of collapsed contexts,
   direction and purposes, as fast as they are answered, while /healthz and the demo overview
   are timed as in 1.

Prints the latencies (ms) and what the layout requests were answered (drawn, refused past the
views a design state may have, told to retry). Environment variables of the app (e.g.
DIAGRAM_LAYOUTS_AT_ONCE, DIAGRAM_VIEWS_PER_DESIGN) are passed on to gunicorn.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.urls import reverse

# Importing bench/load.py sets Django up on its own database (var/pgdata-load).
from bench.load import _free_port, gunicorn, log_in, prepare

# "A few hundred ms": answers slower than this are counted.
SLOW_MS = 300


def _get(port: int, path: str, cookie: str = "") -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def _probe(port: int, path: str, cookie: str, stop: threading.Event, every: float = 0.1) -> list[float]:
    times = []
    while not stop.is_set():
        status, _, ms = _get(port, path, cookie)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        times.append(ms)
        time.sleep(every)
    return times


def _views(contexts: list[str]) -> Iterator[dict[str, object]]:
    """Every combination of collapsed contexts, direction and purposes: each one a new layout."""
    return (
        {"collapse": list(collapsed), "direction": direction, "purposes": purposes}
        for size in range(1, len(contexts) + 1)
        for collapsed in itertools.combinations(contexts, size)
        for direction in ("LR", "TB")
        for purposes in ("", "1")
    )


def _figures(label: str, times: list[float]) -> str:
    if not times:
        return f"{label:40} no answers"
    times = sorted(times)
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    slow = sum(1 for ms in times if ms > SLOW_MS)
    return f"{label:40} {len(times):6d} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} {slow:8d}"


def _phase(port: int, cookie: str, overview: str, diagram: str, clients: int, duration: float) -> Counter[str]:
    """`clients` layout clients (none: the quiet phase) for `duration` seconds, /healthz and the
    overview probed meanwhile; prints their figures and returns how the layout requests were answered."""
    stop = threading.Event()
    answers: Counter[str] = Counter()
    views = _views([f"context-{i}" for i in range(5)])
    lock = threading.Lock()
    results: dict[str, list[float]] = {}

    def client() -> None:
        while not stop.is_set():
            with lock:
                view = next(views, None)
            if view is None:
                return
            status, body, _ = _get(port, f"{diagram}?{urlencode(view, doseq=True)}", cookie)
            kind = "told to retry" if b"being laid out right now" in body else str(status)
            with lock:
                answers[kind] += 1

    def probe(name: str, path: str, probe_cookie: str) -> None:
        results[name] = _probe(port, path, probe_cookie, stop)

    threads = [
        threading.Thread(target=probe, args=("/healthz", "/healthz", "")),
        threading.Thread(target=probe, args=("demo overview", overview, cookie)),
        *(threading.Thread(target=client) for _ in range(clients)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join()
    phase = f"{clients} layout clients" if clients else "quiet"
    for name, times in results.items():
        print(_figures(f"{phase}: {name}", times), flush=True)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--duration", type=float, default=30)
    args = parser.parse_args()

    demo, large = prepare()
    port = _free_port()
    with gunicorn(port):
        cookie = f"sessionid={log_in(port).sessionid}"
        overview = reverse("designs:overview", args=[demo.slug])
        diagram = reverse("outputs:diagram", args=[large.slug, "architecture"])
        # Warm the demo overview in every worker (each has its own cache without REDIS_URL).
        for _ in range(8):
            _get(port, overview, cookie)
        print(f"{'what':40} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {f'> {SLOW_MS} ms':>8}")
        _phase(port, cookie, overview, diagram, 0, args.duration)
        answers = _phase(port, cookie, overview, diagram, args.clients, args.duration)
        print(f"layout requests answered: {dict(answers)}")


if __name__ == "__main__":
    main()
