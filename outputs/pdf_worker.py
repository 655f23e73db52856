"""A report's PDF through WeasyPrint, its parts laid out side by side: the process the app runs.

`python -m outputs.pdf_worker JOB.json OUTPUT.pdf PROGRESS` (JOB.json "-": the job on stdin, sent
while WeasyPrint is imported) is what outputs/pdf.py runs, for the
app's background builds (outputs/pdf_jobs.py) and for the command line alike. A large report keeps
WeasyPrint busy for seconds of pure Python, which in the app server would hold the GIL against
every other request; here its memory is returned when the process ends. This module imports
neither Django nor the rest of the app, so the process starts in well under a second.

The job is the report already cut into parts (outputs/pdf_parts.py), with its cover and headings:

    {"title": str, "cover": html, "toc": [[level, id, text], ...], "parts": [html, ...],
     "cache_dir": str or null, "processes": int}

The build:
1. lays out every part, and the cover and contents with stand-in page numbers, in a pool of
   processes; a part laid out before (same HTML, same stylesheet) comes from `cache_dir`;
2. lays out the cover and contents again with the real page numbers, and the footers
   ("Page 12 of 240") of the body pages on blank pages of the same sizes;
3. joins them with pypdf: the pages in order, each footer drawn over its page, the outline of
   every heading, and the links of the contents.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import Fit
from weasyprint import CSS, HTML
from weasyprint.anchors import make_page_bookmark_tree  # internals of the pinned WeasyPrint: the outline
from weasyprint.matrix import Matrix  # of the joined parts nests as WeasyPrint nests one document's

STYLESHEET_PATH = Path(__file__).with_name("pdf.css")
# Bump when a part's PDF changes for a reason its HTML and the stylesheet do not show.
PARTS_VERSION = "1"
# WeasyPrint measures in CSS pixels from the top left; PDF in points from the bottom left.
POINTS_PER_PIXEL = 0.75
# Parts kept in the cache directory, the most recently used.
CACHED_PARTS = 600
# The body's footers are drawn separately (their numbers are known only once every part is laid out).
NO_FOOTER = "@page { @bottom-center { content: none; } }"
FOOTER = '@page { @bottom-center { content: "Page " counter(page) " of %d"; } }'
STAMP = "@page { @bottom-center { content: string(page-number); } } .stamp { string-set: page-number attr(data-text); }"

_stylesheet: CSS | None = None


def stylesheet() -> CSS:
    global _stylesheet
    if _stylesheet is None:
        _stylesheet = CSS(string=STYLESHEET_PATH.read_text())
    return _stylesheet


def html_to_pdf(document: str) -> bytes:
    """The PDF of one HTML document with the report stylesheet, laid out in this process."""
    return HTML(string=document).write_pdf(stylesheets=[stylesheet()])


def lay_out(document: str, page_css: str) -> dict[str, Any]:
    """One document as PDF, with what joining needs: page sizes, anchors, bookmarks, internal links.

    Positions are in PDF points. Links to anchors of other parts are taken out before the PDF is
    written (WeasyPrint would drop them with an error) and put back by `join`.
    """
    document_ = HTML(string=document).render(stylesheets=[stylesheet(), CSS(string=page_css)])
    pages, anchors, bookmarks, links = [], {}, [], []
    for index, page in enumerate(document_.pages):
        height = page.height

        def point(x: float, y: float, height: float = height) -> tuple[float, float]:
            return x * POINTS_PER_PIXEL, (height - y) * POINTS_PER_PIXEL

        pages.append([page.width, page.height])
        for name, (x, y, _, _) in page.anchors.items():
            anchors.setdefault(name, [index, *point(x, y)])
        bookmarks.append([[level, label, [x, y], state] for level, label, (x, y), state in page.bookmarks])
        for kind, target, (x1, y1, x2, y2), _ in page.links:
            if kind == "internal":
                links.append([index, target, *point(x1, y2), *point(x2, y1)])
        page.links[:] = [link for link in page.links if link[0] != "internal"]
    return {"pdf": document_.write_pdf(), "pages": pages, "anchors": anchors, "bookmarks": bookmarks, "links": links}


def _document(title: str, body: str, css_class: str = "report") -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f'<body><main class="{css_class}">{body}</main></body></html>'
    )


def front_document(job: dict[str, Any], numbers: dict[str, int] | None) -> str:
    """The cover and the contents; `numbers` are the headings' page numbers (stand-ins without)."""
    items = []
    for level, anchor, text in job["toc"]:
        number = numbers.get(anchor, "") if numbers is not None else 888
        items.append(
            f'<li class="toc-level-{level}"><a href="#{escape(anchor)}"><span class="toc-page">{number}</span>'
            f"{escape(text)}</a></li>"
        )
    contents = f'<h2 class="toc-title">Contents</h2><nav class="toc"><ol>{"".join(items)}</ol></nav>'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(job["title"])}</title></head>'
        f"<body>{job['cover']}{contents}</body></html>"
    )


def stamp_document(sizes: list[list[float]], first: int, total: int) -> str:
    """Blank pages of the given sizes whose footers read "Page <first> of <total>" onwards."""
    pages = []
    for offset, (width, height) in enumerate(sizes):
        wide = " wide-page" if width > height else ""
        pages.append(f'<div class="stamp{wide}" data-text="Page {first + offset} of {total}"></div>')
    return f'<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>{"".join(pages)}</body></html>'


class PartCache:
    """Laid-out parts on disk, by a hash of everything their layout depends on."""

    def __init__(self, directory: str | None) -> None:
        self.directory = Path(directory) if directory else None
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)

    def key(self, document: str, page_css: str) -> str:
        inputs = "\0".join((PARTS_VERSION, weasyprint.__version__, STYLESHEET_PATH.read_text(), page_css, document))
        return hashlib.sha256(inputs.encode()).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        if self.directory is None:
            return None
        try:
            layout = json.loads((self.directory / f"{key}.json").read_text())
            layout["pdf"] = (self.directory / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        os.utime(self.directory / f"{key}.json")
        return layout

    def put(self, key: str, layout: dict[str, Any]) -> None:
        if self.directory is None:
            return
        _write_atomically(self.directory / f"{key}.pdf", layout["pdf"])
        meta = {name: value for name, value in layout.items() if name != "pdf"}
        _write_atomically(self.directory / f"{key}.json", json.dumps(meta).encode())

    def prune(self) -> None:
        """Keep the most recently used parts; builds running at the same time may race, harmlessly."""
        if self.directory is None:
            return
        entries = sorted(self.directory.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in entries[CACHED_PARTS:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".pdf").unlink(missing_ok=True)


class _Layouts:
    """Documents laid out by the pool, or taken from the cache; each new layout is cached."""

    def __init__(self, pool: ProcessPoolExecutor, cache: PartCache) -> None:
        self.pool, self.cache = pool, cache
        self.cached = 0

    def start(self, document: str, page_css: str) -> Callable[[], dict[str, Any]]:
        """Start laying out `document`; the returned function waits for its layout."""
        key = self.cache.key(document, page_css)
        layout = self.cache.get(key)
        if layout is not None:
            self.cached += 1
            return lambda: layout
        future = self.pool.submit(lay_out, document, page_css)

        @functools.cache  # waited for once, cached once
        def result() -> dict[str, Any]:
            layout = future.result()
            self.cache.put(key, layout)
            return layout

        return result


def build_pdf(job: dict[str, Any], progress: Callable[[str], None] = lambda message: None) -> bytes:
    """The PDF of a job (see the module's docstring)."""
    cache = PartCache(job.get("cache_dir"))
    documents = [
        _document(job["title"], part, "report report-start" if index == 0 else "report")
        for index, part in enumerate(job["parts"])
    ]
    processes = max(1, int(job.get("processes") or 1))
    # Forked, so WeasyPrint is imported once; this process has no other threads to fork with.
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        layouts = _Layouts(pool, cache)
        front_guess = layouts.start(front_document(job, None), NO_FOOTER)
        # The longest first, so the pool does not end waiting on one late large part.
        order = sorted(range(len(documents)), key=lambda index: -len(documents[index]))
        before = layouts.cached
        started = {index: layouts.start(documents[index], NO_FOOTER) for index in order}
        progress(f"laying out {len(documents)} parts ({layouts.cached - before} unchanged)")
        parts: list[dict[str, Any]] = [{}] * len(documents)
        for done, index in enumerate(order, start=1):
            parts[index] = started[index]()
            progress(f"laid out {done} of {len(documents)} parts")
        body = [page for layout in parts for page in layout["pages"]]
        front_pages = len(front_guess()["pages"])
        # The contents' own length decides where the body starts; numbers of equal width keep it.
        for _ in range(3):
            total = front_pages + len(body)
            front = layouts.start(front_document(job, _heading_numbers(parts, first=front_pages + 1)), FOOTER % total)
            # The footers in two halves, beside the contents: the pool has as many processes as cores.
            half = (len(body) + 1) // 2 or 1
            stamps = [
                layouts.start(stamp_document(body[first : first + half], front_pages + 1 + first, total), STAMP)
                for first in range(0, len(body), half)
            ]
            progress("numbering the pages")
            if len(front()["pages"]) == front_pages:
                break
            front_pages = len(front()["pages"])
        footers = [stamp() for stamp in stamps]
    cache.prune()
    progress("joining the parts")
    return join(job["title"], front(), parts, footers)


def _heading_numbers(layouts: list[dict[str, Any]], first: int) -> dict[str, int]:
    numbers, page = {}, first
    for layout in layouts:
        for anchor, (index, _, _) in layout["anchors"].items():
            numbers.setdefault(anchor, page + index)
        page += len(layout["pages"])
    return numbers


def join(title: str, front: dict[str, Any], parts: list[dict[str, Any]], stamps: list[dict[str, Any]]) -> bytes:
    """The front pages and the parts as one PDF, with the body's footers, the outline and the contents' links."""
    writer = PdfWriter()
    starts = []
    for layout in (front, *parts):
        starts.append(len(writer.pages))
        writer.append(PdfReader(io.BytesIO(layout["pdf"])), import_outline=False)
    body_start = starts[1] if parts else len(writer.pages)
    footers = [page for layout in stamps for page in PdfReader(io.BytesIO(layout["pdf"])).pages]
    for offset, stamp in enumerate(footers):
        page = writer.pages[body_start + offset]
        page.merge_page(stamp)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
    _add_outline(writer, [front, *parts], starts)
    anchors = {}
    for layout, start in zip((front, *parts), starts, strict=True):
        for name, (index, x, y) in layout["anchors"].items():
            anchors.setdefault(name, (start + index, x, y))
    for index, target, x1, y1, x2, y2 in front["links"]:
        if target in anchors:
            page, x, y = anchors[target]
            link = Link(rect=(x1, y1, x2, y2), target_page_index=page, fit=Fit.xyz(left=x, top=y))
            writer.add_annotation(page_number=index, annotation=link)
    writer.add_metadata({"/Title": title, "/Producer": "Design Workbench (WeasyPrint, pypdf)"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _add_outline(writer: PdfWriter, layouts: list[dict[str, Any]], starts: list[int]) -> None:
    """Every bookmark of every part, nested as WeasyPrint nests those of one document."""
    root: list = []
    skipped_levels: list[int] = []
    last_by_depth = [root]
    previous_level = 0
    for layout, start in zip(layouts, starts, strict=True):
        for index, ((_, height), bookmarks) in enumerate(zip(layout["pages"], layout["bookmarks"], strict=True)):
            page = SimpleNamespace(
                bookmarks=[(level, label, tuple(xy), state) for level, label, xy, state in bookmarks]
            )
            matrix = Matrix(a=POINTS_PER_PIXEL, d=-POINTS_PER_PIXEL, f=height * POINTS_PER_PIXEL)
            previous_level = make_page_bookmark_tree(
                page, skipped_levels, last_by_depth, previous_level, start + index, matrix
            )

    def add(items: list, parent: Any) -> None:
        for label, (page, x, y), children, _ in items:
            item = writer.add_outline_item(title=label, page_number=page, parent=parent, fit=Fit.xyz(left=x, top=y))
            add(children, item)

    add(root, None)


def progress_writer(path: Path) -> Callable[[str], None]:
    """A callback that keeps the latest progress line in `path`."""

    def write(message: str) -> None:
        _write_atomically(path, message.encode())

    return write


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(content)
    os.replace(partial, path)  # readers never see half a file


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m outputs.pdf_worker JOB.json|- OUTPUT.pdf PROGRESS", file=sys.stderr)
        return 2
    job_path, output, progress = (Path(arg) for arg in argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    started = time.monotonic()
    job = json.loads(sys.stdin.read() if str(job_path) == "-" else job_path.read_text())
    pdf = build_pdf(job, progress_writer(progress))
    _write_atomically(output, pdf)
    print(f"{len(pdf)} bytes in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
