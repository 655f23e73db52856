"""PDF exports built beside the request, so a large report never holds a request (or a tab) open.

WeasyPrint needs seconds for a report of a few hundred pages, longer than a request should wait.
So the Report page asks for a PDF, gets its progress at once, and polls; the PDF is built by a
thread of the app process that turns the snapshot into a PDF job and runs WeasyPrint in processes
of their own (outputs/pdf_worker.py: no GIL held against the other requests, their memory returned
when they end, and a timeout that can stop them).

Everything about a build lives in files of REPORT_FILES_DIR, named after the design, the layout and
a hash of what the PDF depends on (the design's state, the authors, the stylesheet), so every app
process, and every app server sharing the directory, sees the same builds:

    <name>.building   claimed with O_EXCL by whoever starts it: {"pid", "host", "started"}
    <name>.progress   the latest progress line of outputs/pdf_worker.py ("laid out 3 of 12 parts")
    <name>.pdf        the finished file (renamed into place, never half written)
    <name>.failed     why the last build failed
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from designs.snapshot import DesignSnapshot
from workbench.observability import log_duration

from .pdf import PdfBuildError, report_pdf_job, run_worker

logger = logging.getLogger(__name__)

# Layout: (export format, label).
LAYOUTS = {"full": ("pdf", "PDF report"), "brief": ("brief-pdf", "PDF brief")}
# Bump when the PDF's HTML changes in a way the design's state does not capture.
DOCUMENT_VERSION = "2"
# The same file outputs/pdf_worker.py reads (not imported from there: that would load WeasyPrint).
STYLESHEET_PATH = Path(__file__).with_name("pdf.css")

INTERRUPTED = "The build was interrupted (the server restarted, or it ran too long)."

_builds_at_once: threading.BoundedSemaphore | None = None
_semaphore_lock = threading.Lock()


@dataclass(frozen=True)
class PdfJob:
    """What the Report page shows of one PDF: none yet, queued, building, ready or failed."""

    name: str
    layout: str
    state: str
    progress: str = ""
    # Since the build started (queued, building), or how long it took (ready).
    seconds: float = 0.0
    size: int = 0
    error: str = ""

    @property
    def path(self) -> Path:
        return files_dir() / f"{self.name}.pdf"

    @property
    def fmt(self) -> str:
        return LAYOUTS[self.layout][0]

    @property
    def label(self) -> str:
        return LAYOUTS[self.layout][1]

    @property
    def running(self) -> bool:
        return self.state in ("queued", "building")


def files_dir() -> Path:
    path = Path(settings.REPORT_FILES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_name(*, design_pk: int, design_state: str, layout: str, authors: tuple[str, ...]) -> str:
    """The file name of one PDF: a new one whenever anything the PDF shows may have changed."""
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout {layout!r}")
    inputs = json.dumps([DOCUMENT_VERSION, design_state, layout, authors, STYLESHEET_PATH.read_text()])
    return f"design-{design_pk}-{layout}-{hashlib.sha256(inputs.encode()).hexdigest()[:20]}"


def _claim_alive(claim: dict) -> bool:
    """Whether the process that claimed a build may still be at it."""
    if time.time() - claim.get("started", 0) > settings.PDF_BUILD_TIMEOUT_SECONDS + 60:
        return False
    if claim.get("host") != socket.gethostname():
        return True  # another app server's process: trust the timeout
    try:
        os.kill(int(claim["pid"]), 0)
    except (OSError, KeyError, ValueError):
        return False
    return True


def job_status(name: str, layout: str) -> PdfJob:
    base = files_dir() / name
    pdf = base.with_suffix(".pdf")
    if pdf.exists():
        stat = pdf.stat()
        took = _read(base.with_suffix(".took"))
        return PdfJob(name, layout, "ready", seconds=float(took or 0), size=stat.st_size)
    claim_text = _read(base.with_suffix(".building"))
    if claim_text is not None:
        try:
            claim = json.loads(claim_text or "{}")
        except ValueError:
            claim = {}
        if _claim_alive(claim):
            line = _read(base.with_suffix(".progress")) or ""
            state = "queued" if line == "queued" else "building"
            text = "waiting for another PDF to finish" if state == "queued" else (line or "starting")
            return PdfJob(name, layout, state, progress=text, seconds=time.time() - claim.get("started", time.time()))
        return PdfJob(name, layout, "failed", error=INTERRUPTED)
    error = _read(base.with_suffix(".failed"))
    if error is not None:
        return PdfJob(name, layout, "failed", error=error)
    return PdfJob(name, layout, "none")


def start_build(name: str, layout: str, job: Callable[[], dict[str, Any]]) -> PdfJob:
    """Start building `name` unless it is ready or under way; `job` gives the PDF job (in the thread)."""
    status = job_status(name, layout)
    if status.state == "ready" or status.running:
        return status
    base = files_dir() / name
    claim = base.with_suffix(".building")
    if status.state == "failed":
        claim.unlink(missing_ok=True)  # a dead claim, or none
        base.with_suffix(".failed").unlink(missing_ok=True)
    try:
        fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return job_status(name, layout)  # someone else started it a moment ago
    with os.fdopen(fd, "w") as handle:
        json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}, handle)
    _write(base.with_suffix(".progress"), "queued")
    _forget_older(name)
    # The build's log lines carry the request id of the request that asked for it.
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(build, name, job), name=f"pdf {name}", daemon=True).start()
    return job_status(name, layout)


def build(name: str, job: Callable[[], dict[str, Any]]) -> None:
    """Build one claimed PDF: the job here, WeasyPrint in its own processes; the claim goes at the end."""
    base = files_dir() / name
    built = base.with_name(f"{name}.pdf.new")
    started = time.monotonic()
    try:
        with _semaphore():
            _write(base.with_suffix(".progress"), "preparing the report")
            run_worker(job, built, base.with_suffix(".progress"), timeout=settings.PDF_BUILD_TIMEOUT_SECONDS)
        _write(base.with_suffix(".took"), f"{time.monotonic() - started:.1f}")
        log_duration("pdf build", started, job=name)
        # Only now is it ready for every reader: its build is recorded first.
        os.replace(built, base.with_suffix(".pdf"))
    except PdfBuildError as error:
        logger.error("PDF %s failed: %s", name, error)
        _write(base.with_suffix(".failed"), "WeasyPrint could not build this PDF; the server log has the details.")
    except subprocess.TimeoutExpired:
        logger.error("PDF %s took longer than %s s", name, settings.PDF_BUILD_TIMEOUT_SECONDS)
        limit = settings.PDF_BUILD_TIMEOUT_SECONDS
        _write(base.with_suffix(".failed"), f"Building this PDF took longer than {limit} s.")
    except Exception:
        logger.exception("PDF %s failed", name)
        _write(base.with_suffix(".failed"), "This PDF could not be built; the server log has the details.")
    finally:
        built.unlink(missing_ok=True)
        for suffix in (".progress", ".building"):
            base.with_suffix(suffix).unlink(missing_ok=True)


def _semaphore() -> threading.BoundedSemaphore:
    global _builds_at_once
    with _semaphore_lock:
        if _builds_at_once is None:
            _builds_at_once = threading.BoundedSemaphore(max(1, settings.PDF_BUILDS_AT_ONCE))
        return _builds_at_once


def _forget_older(name: str) -> None:
    """Older PDFs of the same design and layout are stale once a new one is asked for."""
    prefix = name.rsplit("-", 1)[0] + "-"
    for path in files_dir().glob(f"{prefix}*"):
        if not path.name.startswith(name) and path.suffix in (".pdf", ".failed", ".took"):
            path.unlink(missing_ok=True)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def _write(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    os.replace(partial, path)


def snapshot_job(
    snapshot: DesignSnapshot, layout: str, authors: tuple[str, ...], decisions: Any = None
) -> Callable[[], dict[str, Any]]:
    """The deferred job of a PDF, for `start_build`: its HTML takes a second to make on a large design."""

    def job() -> dict[str, Any]:
        return report_pdf_job(snapshot, layout, authors=authors, decisions=decisions)

    return job
