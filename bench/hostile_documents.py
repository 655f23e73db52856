"""Hostile design documents and import files: how long refusing each takes, how much memory, how big
the answer is; and hostile markdown: how long rendering each shape at a field's full length takes.

Run with `.venv/bin/python bench/hostile_documents.py [WORDS]` (WORDS picks the cases whose name
contains them; `markdown` the markdown table alone). Each document of tests/hostile_documents.py,
just under the 10 MiB limit, goes through parse_document + import_design (what `manage.py
import_design` runs) and through the upload view with Django's test client. Then each import file of
tests/hostile_imports.py (issue #20's: the OpenAPI reference bomb, the 9 MB MySQL dump, 4 MB of
CREATE TABLE, a DEFAULT 3,000 parentheses deep) goes through its parser in this process and through
its import page, which parses in a limited child process (imports/bounded.py). Uses its own embedded
PostgreSQL (var/pgdata-bench), as bench/run.py does. Prints tables; bench/README.md records the figures seen.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("REQUEST_LOG", "false")  # the tables, not a log line per upload

from bench.django_setup import setup  # noqa: E402

setup()

import markdown  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from designs import services  # noqa: E402
from designs.document import DocumentError, import_design, parse_document  # noqa: E402
from designs.markdown_html import render_markdown  # noqa: E402
from imports.openapi import parse_openapi  # noqa: E402
from imports.plan import ImportFileError  # noqa: E402
from imports.sql import parse_sql  # noqa: E402
from reviews.markup import render_comment  # noqa: E402
from tests.hostile_documents import HOSTILE, MARKDOWN_SHAPES, hostile_markdown  # noqa: E402
from tests.hostile_imports import HOSTILE_IMPORTS  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def best_ms(fn: Callable[[], object]) -> float:
    """The best wall time of RUNS: on a shared machine the least disturbed by other work."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def best_cpu_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return min(times)


def markdown_table() -> None:
    """Each hostile shape at 10,000 characters: stock Python-Markdown as the pages used it (one run:
    seconds each), the bounded renderer on a cold cache and on a hit, a comment. CPU time of this
    process (best of RUNS), which other work on a shared machine disturbs less than wall time."""
    stock = os.environ.get("BENCH_STOCK", "1") == "1"
    header = f"{'stock ms':>9} {'page ms':>8} {'cached ms':>9} {'comment ms':>10}"
    print(f"{'markdown shape × 10,000 characters':36} {header}")
    for shape in MARKDOWN_SHAPES:
        text = hostile_markdown(shape)
        before = "—"
        if stock:
            start = time.process_time()
            markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists", "nl2br"])
            before = f"{(time.process_time() - start) * 1000:9.0f}"

        def cold(text: str = text) -> object:
            cache.clear()
            return render_markdown(text, line_breaks=True)

        page = best_cpu_ms(cold)
        hit = best_cpu_ms(lambda text=text: render_markdown(text, line_breaks=True))
        comment = best_cpu_ms(lambda text=text: render_comment(text, {}))
        print(f"{shape!r:36} {before:>9} {page:8.1f} {hit:9.2f} {comment:10.1f}", flush=True)


def main() -> None:
    words = sys.argv[1:]
    if not words or "markdown" in words:
        markdown_table()
        if words:
            return
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the error page links hashed static names
    user, _ = User.objects.get_or_create(username="bench")
    client = Client()
    client.force_login(user)

    print(
        f"{'document':40} {'MB':>5} {'refuse ms':>10} {'peak MiB':>9} {'errors':>7} {'text KB':>8} "
        f"{'upload ms':>10} {'page KB':>8}"
    )
    for name, build in HOSTILE.items():
        if words and not all(word in name for word in words):
            continue
        raw = build()

        def refuse(raw: bytes = raw) -> DocumentError:
            try:
                import_design(parse_document(raw), owner=user)
            except DocumentError as exc:
                return exc
            raise AssertionError("a hostile document was imported")

        refuse_ms = best_ms(refuse)
        tracemalloc.start()
        error = refuse()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # What the import_design command prints.
        text = len("\n".join(error.lines()).encode())

        def upload(raw: bytes = raw) -> object:
            response = client.post(reverse("designs:import"), {"file": SimpleUploadedFile("design.json", raw)})
            assert response.status_code == 400, response.status_code
            upload.size = len(response.content)  # type: ignore[attr-defined]
            return response

        upload_ms = best_ms(upload)
        print(
            f"{name:40} {len(raw) / 1e6:5.1f} {refuse_ms:10.0f} {peak / 2**20:9.0f} {len(error.errors):7d} "
            f"{text / 1000:8.1f} {upload_ms:10.0f} {upload.size / 1000:8.1f}",  # type: ignore[attr-defined]
            flush=True,
        )
    hostile_imports(client, user, words)


class _ChildPeaks(logging.Handler):
    """The peak memory of each parse in a child process, from its `import parse` log line."""

    def __init__(self, peaks: list[float]) -> None:
        super().__init__()
        self.peaks = peaks

    def emit(self, record: logging.LogRecord) -> None:
        event = record.msg if isinstance(record.msg, dict) else {}
        if event.get("event") == "import parse" and event.get("peak_mib") is not None:
            self.peaks.append(event["peak_mib"])


def hostile_imports(client: Client, user: User, words: list[str]) -> None:
    """Issue #20's import files: refused in this process by the parser, then through the import page."""
    peaks: list[float] = []
    slow = logging.getLogger("workbench.slow")
    slow.addHandler(_ChildPeaks(peaks))
    slow.setLevel(logging.INFO)
    slow.propagate = False
    design = services.design_create(name="Hostile imports", summary="", owner=user)
    print(
        f"\n{'import file':48} {'KB':>6} {'refuse ms':>10} {'peak MiB':>9} {'page ms':>8} {'status':>6} "
        f"{'child MiB':>9}  answer"
    )
    for name, (dialect, build) in HOSTILE_IMPORTS.items():
        if words and not all(word in name for word in words):
            continue
        raw = build()

        def refuse(raw: bytes = raw, dialect: str = dialect) -> str:
            try:
                if dialect == "openapi":
                    parse_openapi(raw)
                else:
                    parse_sql(raw.decode(), dialect=dialect, store="db")
            except ImportFileError as exc:
                return str(exc)
            return "read (not refused)"

        refuse_ms = best_ms(refuse)
        tracemalloc.start()
        answer = refuse()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        def upload(raw: bytes = raw, dialect: str = dialect) -> object:
            if dialect == "openapi":
                url, data = reverse("imports:openapi", args=[design.slug]), {"service": "", "new_service": ""}
            else:
                url, data = reverse("imports:sql", args=[design.slug]), {"dialect": dialect, "new_store": "db"}
            response = client.post(url, {**data, "file": SimpleUploadedFile("file", raw)})
            upload.status = response.status_code  # type: ignore[attr-defined]
            return response

        peaks.clear()
        page_ms = best_ms(upload)
        child = max(peaks, default=0.0)
        print(
            f"{name:48} {len(raw) / 1000:6.0f} {refuse_ms:10.0f} {peak / 2**20:9.1f} {page_ms:8.0f} "
            f"{upload.status:6d} {child:9.0f}  {answer[:90]}",  # type: ignore[attr-defined]
            flush=True,
        )


if __name__ == "__main__":
    main()
