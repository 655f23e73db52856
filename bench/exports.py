"""Benchmarks of the report exports: each format of `export_report`, caches emptied first.

Run with `python bench/exports.py`. Uses its own embedded PostgreSQL data directory
(var/pgdata-bench), like bench/run.py. The large design has 150 components, 400 interactions, 200
tables of 10 columns and 300 endpoints; the demo is the e-commerce starter. Each format is timed
from the snapshot (read once) with Django's cache emptied, so the archive and the PDFs pay for
their Graphviz layouts and every page ("cold"); the PDFs are timed again with the layouts cached
(what a PDF costs after an edit, when the diagrams are already drawn). The ceiling of a PDF is
Typst typesetting as many pages of plain paragraphs in the same process; of the text formats, the
design document as JSON. Prints a table; bench/README.md records the figures seen.
`BENCH_FORMATS=sql,dbml,openapi-yaml` times only those.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
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

from designs.document import document_from_snapshot, document_json, snapshot_from_document  # noqa: E402
from designs.models import Design, Endpoint  # noqa: E402
from designs.snapshot import load_snapshot  # noqa: E402
from outputs.reports import EXPORTS, FORMATS, export  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

STARTER = BASE / "designs" / "starters" / "ecommerce.json"
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
CHOSEN = [name.strip() for name in os.environ.get("BENCH_FORMATS", "").split(",") if name.strip()]


def _median_ms(make, runs: int, *, cold: bool = True) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        if cold:
            cache.clear()
        start = time.perf_counter()
        result = make()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _plain_pages_ms(pages: int) -> float:
    """The ceiling of a PDF: Typst typesetting as many A4 pages of plain paragraphs (about 8 a page)."""
    import tempfile

    import typst

    paragraph = "Plain text of a ceiling page, as long as a paragraph of a report. " * 6
    with tempfile.TemporaryDirectory() as root:
        source = Path(root) / "plain.typ"
        source.write_text(
            '#set page(paper: "a4", margin: 2cm)\n#set text(size: 10.5pt)\n'
            + "\n\n".join(paragraph for _ in range(pages * 8))
        )
        start = time.perf_counter()
        typst.compile(str(source), root=root, font_paths=settings.PDF_FONT_DIRS, ignore_system_fonts=True)
        return (time.perf_counter() - start) * 1000


def _row(label: str, ms: float, content: bytes | int, ceiling: float, what: str) -> None:
    size = content if isinstance(content, int) else len(content)
    print(f"{label:30} {ms:10.1f} {size / 1024:9.0f} {ceiling:11.1f} {ms / ceiling:6.2f}  ({what})", flush=True)


def _snapshot(name: str, edit: str = ""):
    """The demo (from its starter file) or the large design; `edit` becomes one endpoint's summary."""
    if name == "demo":
        document = json.loads(STARTER.read_text())
        if edit:
            document["steps"]["api"]["endpoints"][3]["summary"] = edit
        return snapshot_from_document(document)
    design = Design.objects.get(name="Bench exports")
    if edit:
        endpoint = Endpoint.objects.filter(design=design).order_by("position")[150]
        Endpoint.objects.filter(pk=endpoint.pk).update(summary=edit)
    return load_snapshot(design)


def _pdf_in_a_fresh_process(name: str, fmt: str) -> None:
    """One PDF in this (fresh) process: cold, then after an edit of one endpoint's summary.

    Cold is what a gunicorn worker pays for its first PDF: no diagram laid out, nothing of Typst's
    own caches warm. After an edit the layouts the edit did not touch are cached and Typst's caches
    are warm, as in a worker that has built PDFs before. Prints one JSON line for the parent."""
    snapshot = _snapshot(name)
    cache.clear()
    start = time.perf_counter()
    content = export(snapshot, fmt)[0]
    cold = (time.perf_counter() - start) * 1000
    snapshot = _snapshot(name, edit=f"Edited at {time.time()}")
    start = time.perf_counter()
    export(snapshot, fmt)
    edit = (time.perf_counter() - start) * 1000
    ceiling = _plain_pages_ms(_pages(content))
    print(json.dumps({"cold": cold, "edit": edit, "ceiling": ceiling, "pages": _pages(content), "size": len(content)}))


def _pdfs(name: str) -> None:
    for fmt in [f for f in CHOSEN or FORMATS if EXPORTS[f].pdf]:
        runs = []
        for _ in range(RUNS):
            done = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--pdf", name, fmt], capture_output=True, text=True, check=True
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        figures = {key: statistics.median(run[key] for run in runs) for key in ("cold", "edit", "ceiling")}
        what = f"{runs[0]['pages']} pages; ceiling: Typst typesetting as many plain pages"
        _row(f"{name} {fmt} cold", figures["cold"], runs[0]["size"], figures["ceiling"], what)
        _row(f"{name} {fmt} after an edit", figures["edit"], runs[0]["size"], figures["ceiling"], what)


def _formats(name: str) -> None:
    snapshot = _snapshot(name)
    # The ceiling of the text formats: the design document as JSON, the cheapest full pass over the snapshot.
    document_ms, _ = _median_ms(lambda: document_json(document_from_snapshot(snapshot)), RUNS)
    for fmt in [f for f in CHOSEN or FORMATS if not EXPORTS[f].pdf]:
        ms, content = _median_ms(lambda fmt=fmt: export(snapshot, fmt)[0], RUNS)
        _row(f"{name} {fmt}", ms, content, document_ms, "ceiling: document JSON")
    _pdfs(name)


def main() -> None:
    if sys.argv[1:2] == ["--pdf"]:
        _pdf_in_a_fresh_process(sys.argv[2], sys.argv[3])
        return
    unknown = sorted(set(CHOSEN) - set(FORMATS))
    if unknown:
        raise SystemExit(f"Unknown BENCH_FORMATS {', '.join(unknown)}; use some of {', '.join(FORMATS)}.")
    call_command("migrate", verbosity=0)
    Design.objects.filter(name__startswith="Bench exports").delete()
    user, _ = User.objects.get_or_create(username="bench")
    build_large_design(user, name="Bench exports", components=150, interactions=400, tables=200)
    print(f"{'export':30} {'median ms':>10} {'size KiB':>9} {'ceiling ms':>11} {'ratio':>6}")
    _formats("demo")
    _formats("large")
    Design.objects.filter(name__startswith="Bench exports").delete()


if __name__ == "__main__":
    main()
