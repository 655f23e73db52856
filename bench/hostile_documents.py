"""Hostile design documents: how long refusing each takes, how much memory, how big the answer is.

Run with `.venv/bin/python bench/hostile_documents.py [WORDS]` (WORDS picks the cases whose name
contains them). Each document of tests/hostile_documents.py, just under the 10 MiB limit, goes
through parse_document + import_design (what `manage.py import_design` runs) and through the
upload view with Django's test client. Uses its own embedded PostgreSQL (var/pgdata-bench), as
bench/run.py does. Prints a table; README records the figures seen.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("WORKBENCH_PGDATA", str(BASE / "var" / "pgdata-bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from designs.document import DocumentError, import_design, parse_document  # noqa: E402
from tests.hostile_documents import HOSTILE  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def best_ms(fn: Callable[[], object]) -> float:
    """The best wall time of RUNS: on a shared machine the least disturbed by other work."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the error page links hashed static names
    user, _ = User.objects.get_or_create(username="bench")
    client = Client()
    client.force_login(user)
    words = sys.argv[1:]

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


if __name__ == "__main__":
    main()
