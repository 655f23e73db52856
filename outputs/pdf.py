"""A report layout as PDF: cover, contents with page numbers, numbered pages, an outline.

The stylesheet is outputs/pdf.css. This module turns a snapshot into a PDF job, the report's
HTML cut into parts (outputs/pdf_parts.py); WeasyPrint runs in outputs/pdf_worker.py, a process
of its own that lays the parts out side by side, for the app's background builds
(outputs/pdf_jobs.py) and for the command line alike.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.html import escape

from checks.engine import DesignDecisions
from designs.snapshot import DesignSnapshot

from .report_html import report_html

KINDS = {"full": "Design report", "brief": "Architecture brief"}
# A chapter with more sections than this (the endpoints of the API contracts) lists only itself in
# the printed contents; the PDF's outline still names every section.
CONTENTS_SECTIONS_PER_CHAPTER = 25
BASE_DIR = Path(__file__).resolve().parent.parent


class PdfBuildError(RuntimeError):
    """WeasyPrint could not build a PDF; the message holds the end of its error output."""


def report_pdf_job(
    snapshot: DesignSnapshot,
    layout: str = "full",
    *,
    authors: tuple[str, ...] = (),
    decisions: DesignDecisions | None = None,
) -> dict[str, Any]:
    """What outputs/pdf_worker.py builds the PDF of one layout from: cover, headings and body parts."""
    report = report_html(snapshot, layout, for_pdf=True, decisions=decisions)
    facts = [("Status", snapshot.status.replace("_", " ")), ("Date", date.today().isoformat())]
    if snapshot.version is not None:
        facts.insert(1, ("Version", str(snapshot.version)))
    if authors:
        facts.append(("Authors", ", ".join(authors)))
    listed = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    cover = f'<section class="cover"><h1>{escape(snapshot.name)}</h1><p>{KINDS[layout]}</p><dl>{listed}</dl></section>'
    return {
        "title": snapshot.name,
        "cover": cover,
        "toc": printed_contents(report.toc),
        "parts": report.parts(),
        "cache_dir": str(Path(settings.REPORT_FILES_DIR) / "pdf-parts"),
        "processes": settings.PDF_LAYOUT_PROCESSES,
    }


def printed_contents(toc: tuple[tuple[int, str, str], ...]) -> list[list[Any]]:
    """The headings the printed contents list: every chapter, and the sections of the shorter ones."""
    chapters: list[list[tuple[int, str, str]]] = []
    for entry in toc:
        if entry[0] == 2 or not chapters:
            chapters.append([])
        chapters[-1].append(entry)
    printed = []
    for chapter in chapters:
        sections = [entry for entry in chapter if entry[0] != 2]
        kept = sections if len(sections) <= CONTENTS_SECTIONS_PER_CHAPTER else []
        printed += [list(entry) for entry in chapter if entry[0] == 2 or entry in kept]
    return printed


def run_worker(
    job: Callable[[], dict[str, Any]], output: Path, progress: Path, *, timeout: float | None = None
) -> None:
    """Build a job's PDF into `output` (renamed into place when whole); PdfBuildError when it fails.

    The worker starts first and imports WeasyPrint while `job` makes the report's HTML here. On a
    timeout the worker and the processes it forked are killed together (subprocess.TimeoutExpired).
    """
    # Our own interpreter and module, with file names we made: no user input on the command line.
    with subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "outputs.pdf_worker", "-", str(output), str(progress)],  # "-": the job on stdin
        cwd=BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as worker:
        try:
            _, errors = worker.communicate(json.dumps(job()), timeout=timeout)
        except BaseException:
            os.killpg(worker.pid, signal.SIGKILL)
            raise
    if worker.returncode != 0:
        raise PdfBuildError(errors[-4000:])


def report_pdf(
    snapshot: DesignSnapshot,
    layout: str = "full",
    *,
    authors: tuple[str, ...] = (),
    decisions: DesignDecisions | None = None,
) -> bytes:
    """The PDF of one layout, waited for; the cover names the authors when given."""
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as directory:
        output = Path(directory) / "report.pdf"
        run_worker(
            lambda: report_pdf_job(snapshot, layout, authors=authors, decisions=decisions),
            output,
            Path(directory) / "progress",
            timeout=settings.PDF_BUILD_TIMEOUT_SECONDS,
        )
        return output.read_bytes()
