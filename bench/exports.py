"""Benchmarks of the report exports on a large design: each format of `export_report`, cache emptied first.

Run with `python bench/exports.py`. Uses its own embedded PostgreSQL data directory
(var/pgdata-bench), like bench/run.py. The design has 150 components, 400 interactions, 200 tables
of 10 columns and 300 endpoints. Each format is timed from the snapshot (read once) with the
diagram cache and the PDF parts' cache emptied, so the archive and the PDFs pay for their Graphviz
layouts and every page. Then each PDF again after one endpoint's summary changed: the parts the edit
did not touch come from the cache. Prints a table; README records the figures seen.
`BENCH_FORMATS=sql,dbml,openapi-yaml` times only those.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from bench.django_setup import setup  # noqa: E402

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from designs import services  # noqa: E402
from designs.document import document_from_snapshot, document_json  # noqa: E402
from designs.models import Design, Endpoint  # noqa: E402
from designs.snapshot import load_snapshot  # noqa: E402
from outputs.reports import FORMATS, export  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "1"))
CHOSEN = [name.strip() for name in os.environ.get("BENCH_FORMATS", "").split(",") if name.strip()]


def _forget_pdf_parts() -> None:
    shutil.rmtree(Path(settings.REPORT_FILES_DIR) / "pdf-parts", ignore_errors=True)


def _median_ms(make, runs: int, *, cold: bool = True) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        if cold:
            cache.clear()
            _forget_pdf_parts()
        start = time.perf_counter()
        result = make()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _plain_pages_ms(pages: int) -> float:
    """The ceiling of a PDF: WeasyPrint laying out as many pages of plain paragraphs, same stylesheet."""
    from outputs.pdf_worker import html_to_pdf

    # About one A4 page of 9.5 pt text per fifteen such paragraphs.
    body = "".join(
        f"<p>{'Plain text of a ceiling page, as long as a paragraph of a report. ' * 6}</p>" for _ in range(pages * 8)
    )
    start = time.perf_counter()
    html_to_pdf(f"<!doctype html><html><body>{body}</body></html>")
    return (time.perf_counter() - start) * 1000


def main() -> None:
    unknown = sorted(set(CHOSEN) - set(FORMATS))
    if unknown:
        raise SystemExit(f"Unknown BENCH_FORMATS {', '.join(unknown)}; use some of {', '.join(FORMATS)}.")
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith="Bench exports").delete()
    user, _ = User.objects.get_or_create(username="bench")
    design = build_large_design(user, name="Bench exports", components=150, interactions=400, tables=200)
    snapshot = load_snapshot(design)
    # The ceiling of the text formats: the design document as JSON, the cheapest full pass over the snapshot.
    document_ms, _ = _median_ms(lambda: document_json(document_from_snapshot(snapshot)), RUNS)
    print(f"{'format':12} {'median ms':>10} {'size KiB':>9} {'ceiling ms':>11} {'ratio':>6}")
    for fmt in CHOSEN or FORMATS:
        ms, result = _median_ms(lambda fmt=fmt: export(snapshot, fmt)[0], RUNS)
        content = result
        if fmt.endswith("pdf"):
            pages = _pages(content)
            ceiling, what = _plain_pages_ms(pages), f"{pages} plain pages"
        else:
            ceiling, what = document_ms, "document JSON"
        print(f"{fmt:12} {ms:10.1f} {len(content) / 1024:9.0f} {ceiling:11.1f} {ms / ceiling:6.1f}  ({what})")
    for fmt in [name for name in CHOSEN or FORMATS if name.endswith("pdf")]:
        # Warm the parts' cache, change one endpoint's summary, and time the PDF of the edited design.
        export(snapshot, fmt)
        edited = Endpoint.objects.filter(design=design).order_by("position")[150]
        Endpoint.objects.filter(pk=edited.pk).update(summary=f"Edited for {fmt}")
        services.design_changed(design)
        now = load_snapshot(design)
        ms, content = _median_ms(lambda fmt=fmt, now=now: export(now, fmt)[0], 1, cold=False)
        print(f"{fmt + ' edit':12} {ms:10.1f} {len(content) / 1024:9.0f}  (one endpoint changed, other parts cached)")
    Design.objects.filter(name__startswith="Bench exports").delete()


if __name__ == "__main__":
    main()
