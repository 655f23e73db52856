"""HTML to PDF through WeasyPrint, in this process or as a process of its own.

`python -m outputs.pdf_worker DOCUMENT.html OUTPUT.pdf PROGRESS` is what outputs/pdf_jobs.py runs
for the app: a large report keeps WeasyPrint busy for many seconds of pure Python, which in a
thread of the app server would hold the GIL against every other request of that worker, and its
memory is returned when the process ends. This module imports neither Django nor the rest of the
app, so the process starts in a fraction of a second.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from weasyprint import CSS, HTML

STYLESHEET_PATH = Path(__file__).with_name("pdf.css")
_stylesheet: CSS | None = None


def stylesheet() -> CSS:
    global _stylesheet
    if _stylesheet is None:
        _stylesheet = CSS(string=STYLESHEET_PATH.read_text())
    return _stylesheet


class _ProgressHandler(logging.Handler):
    """Hands WeasyPrint's progress lines ("Step 5 - Creating layout - Page 12") to a callback."""

    def __init__(self, report: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        self.report(record.getMessage())


def html_to_pdf(document: str, progress: Callable[[str], None] | None = None) -> bytes:
    """The PDF of one HTML document with the report stylesheet; `progress` hears each step and page."""
    if progress is None:
        return HTML(string=document).write_pdf(stylesheets=[stylesheet()])
    logger = logging.getLogger("weasyprint.progress")
    handler = _ProgressHandler(progress)
    level, logger.level = logger.level, logging.INFO
    logger.addHandler(handler)
    try:
        return HTML(string=document).write_pdf(stylesheets=[stylesheet()])
    finally:
        logger.removeHandler(handler)
        logger.level = level


def progress_writer(path: Path) -> Callable[[str], None]:
    """A callback that keeps the latest progress line in `path`, at most ~4 writes a second."""
    last = 0.0

    def write(message: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < 0.25 and "Page" in message:
            return
        last = now
        partial = path.with_suffix(".tmp")
        partial.write_text(message)
        os.replace(partial, path)

    return write


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m outputs.pdf_worker DOCUMENT.html OUTPUT.pdf PROGRESS", file=sys.stderr)
        return 2
    document, output, progress = (Path(arg) for arg in argv)
    pdf = html_to_pdf(document.read_text(), progress_writer(progress))
    partial = output.with_suffix(".partial")
    partial.write_bytes(pdf)
    os.replace(partial, output)  # readers never see half a file
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
