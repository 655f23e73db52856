"""A report layout as PDF, typeset by Typst from one fixed template fed the report as data.

outputs/report.typ is the template; the report reaches it as report.json, the JSON nodes of the
Python-Markdown tree the Report page's HTML is written from (outputs/report_tree.py). User text is
only ever a string value there, so nothing a user types becomes Typst markup or code. Each compile
runs in a fresh, empty root directory holding the template, the data and the diagrams' SVG files,
which is all Typst can read. A report of a few hundred pages takes about a second, so a PDF is built
in the request that asks for it, like every other download, and kept by design state
(`cached_pdf`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import fasteners
import typst
from django.conf import settings

from checks.engine import DesignDecisions
from designs.snapshot import DesignSnapshot
from workbench.observability import log_duration

from .diagrams import DIAGRAMS
from .markdown import LAYOUTS
from .markdown.parts import figure_placeholder
from .pdf_figures import print_diagrams
from .report_tree import document_nodes, parse_report

KINDS = {"full": "Design report", "brief": "Architecture brief"}
TEMPLATE = Path(__file__).with_name("report.typ")
# A chapter with more sections than this (the endpoints of the API contracts) lists only itself in
# the printed contents; the PDF's outline still names every section.
CONTENTS_SECTIONS_PER_CHAPTER = 25
# Bump when the PDF changes in a way the inputs of its cache key do not capture.
PDF_VERSION = "typst-1"
# Lock files a build of one PDF holds, so two requests for the same PDF cause one build. A fixed
# set, never deleted (a lock file removed while someone waits on it would not exclude anyone).
LOCK_STRIPES = 64


_THREAD_LOCKS = [threading.Lock() for _ in range(LOCK_STRIPES)]


class PdfBuildError(RuntimeError):
    """Typst could not typeset a report; the message says why."""


class PdfTooLarge(PdfBuildError):
    """The design has more elements than a PDF is typeset for in one request (PDF_MAX_ELEMENTS)."""


def pdf_refusal(elements: int) -> str:
    """Why a design this large gets no PDF, or "" when it gets one."""
    limit = settings.PDF_MAX_ELEMENTS
    if elements <= limit:
        return ""
    return (
        f"This design has {elements:,} elements; a PDF is typeset for designs of at most {limit:,}, "
        "so that it is ready within a request. Download the markdown report or the zip archive instead."
    )


@dataclass(frozen=True)
class PdfCover:
    """What the cover says beyond the design itself."""

    authors: tuple[str, ...] = ()
    # The number of a frozen version, and the reviewers who approved it when a review did.
    version: int | None = None
    approved_by: tuple[str, ...] = ()
    day: date | None = None


def report_data(
    snapshot: DesignSnapshot,
    layout: str,
    directory: Path,
    *,
    cover: PdfCover = PdfCover(),
    decisions: DesignDecisions | None = None,
) -> dict[str, Any]:
    """The report as the template reads it; the diagrams' SVG files are written into `directory`."""
    parsed = parse_report(LAYOUTS[layout](snapshot, figures=True, decisions=decisions))
    nodes = document_nodes(parsed)
    figures = {
        name: node
        for name in DIAGRAMS
        for node in nodes
        if node.get("t") == "p" and node["c"] == [figure_placeholder(name)]
    }
    printed = print_diagrams(snapshot, figures, directory)
    day = cover.day or date.today()
    return {"cover": _cover(snapshot, layout, cover, day), "nodes": _print_nodes(nodes, printed)}


def _cover(snapshot: DesignSnapshot, layout: str, cover: PdfCover, day: date) -> dict[str, Any]:
    facts = [["Layout", KINDS[layout]], ["Status", snapshot.status.replace("_", " ").capitalize()]]
    if cover.version is not None:
        version = str(cover.version)
        if cover.approved_by:
            version += f", approved by {', '.join(cover.approved_by)}"
        facts.append(["Version", version])
    if cover.authors:
        facts.append(["Authors", ", ".join(cover.authors)])
    facts.append(["Date", day.isoformat()])
    return {
        "title": snapshot.name,
        "kind": KINDS[layout],
        "facts": facts,
        "authors": list(cover.authors),
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def _print_nodes(nodes: list[dict[str, Any]], printed: dict[str, list]) -> list[dict[str, Any]]:
    """The body as printed: the title and the line under it are on the cover; markdown's chapters
    (##) are the PDF's first level; a diagram takes the heading just above it onto its own page."""
    placeholders = {figure_placeholder(name): name for name in printed}
    out: list[dict[str, Any]] = []
    started = False
    for node in nodes:
        if node["t"] == "h" and node["level"] == 1:
            continue
        if node["t"] == "h" and node["level"] == 2:
            started = True
        if not started:
            continue
        if node["t"] == "h":
            node = {**node, "level": min(node["level"] - 1, 4), "outlined": node["level"] <= 3}
        elif node["t"] == "table":
            node = {**node, "widths": column_widths(node)}
        elif node["t"] == "p" and len(node["c"]) == 1 and node["c"][0] in placeholders:
            heading = out.pop() if out and out[-1]["t"] == "h" else None
            plates = [plate.as_data() for plate in printed[placeholders[node["c"][0]]]]
            node = {"t": "figure", "heading": heading, "plates": plates}
        out.append(node)
    _contents_sections(out)
    return out


# Characters of table text (8 pt DejaVu Sans condensed) one line of the page's text area holds.
TABLE_LINE_CHARACTERS = 105
# The widest a column's longest word makes it before it may wrap inside words (characters).
LONGEST_WORD = 18


def column_widths(table: dict[str, Any]) -> list[str | float]:
    """Each column's width for the template: "auto" (as wide as its content) when the whole table fits
    the line, else a share of the line, as browsers size table columns: each column gets its longest
    word, and the room left goes to the columns in proportion to how much more their longest cell needs.
    Prose gets room, codes and flags stay narrow, and no column breaks a word it could keep whole."""
    rows = [table["header"], *table["rows"]]
    count = max((len(row) for row in rows), default=0)
    natural = [0] * count
    least = [1] * count
    for row in rows:
        for index, cell in enumerate(row):
            text = _text(cell)
            natural[index] = max(natural[index], len(text))
            least[index] = max(least[index], min(LONGEST_WORD, max((len(w) for w in text.split()), default=1)))
    room = TABLE_LINE_CHARACTERS - 2 * count
    if sum(natural) <= room:
        return ["auto"] * count
    spare = max(room - sum(least), 0)
    wanted = sum(n - m for n, m in zip(natural, least, strict=True)) or 1
    return [round(m + spare * (n - m) / wanted, 2) for n, m in zip(natural, least, strict=True)]


def _text(inlines: list[Any]) -> str:
    return "".join(
        item if isinstance(item, str) else _text(item["c"]) if "c" in item else item.get("text", "") for item in inlines
    )


def _contents_sections(nodes: list[dict[str, Any]]) -> None:
    """Sections of a chapter with more than CONTENTS_SECTIONS_PER_CHAPTER stay out of the printed contents."""
    chapter: list[dict[str, Any]] = []
    for node in [*nodes, {"t": "h", "level": 1}]:
        heading = node if node["t"] == "h" else (node.get("heading") if node["t"] == "figure" else None)
        if heading is None:
            continue
        if heading["level"] == 1:
            if len(chapter) > CONTENTS_SECTIONS_PER_CHAPTER:
                for section in chapter:
                    section["outlined"] = False
            chapter = []
        elif heading["level"] == 2:
            chapter.append(heading)


def report_pdf(
    snapshot: DesignSnapshot,
    layout: str = "full",
    *,
    cover: PdfCover = PdfCover(),
    decisions: DesignDecisions | None = None,
) -> bytes:
    """Typeset one layout ("full" or "brief") as PDF; PdfTooLarge past PDF_MAX_ELEMENTS, before any work."""
    refusal = pdf_refusal(sum(1 for _ in snapshot.all_elements()))
    if refusal:
        raise PdfTooLarge(refusal)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as name:
        root = Path(name)
        data = report_data(snapshot, layout, root, cover=cover, decisions=decisions)
        (root / "report.json").write_text(json.dumps(data, ensure_ascii=False))
        shutil.copyfile(TEMPLATE, root / "report.typ")
        try:
            pdf = typst.compile(
                str(root / "report.typ"),
                root=str(root),
                font_paths=[d for d in settings.PDF_FONT_DIRS if Path(d).is_dir()],
                ignore_system_fonts=True,
            )
        except Exception as error:  # typst raises its own TypstError, and RuntimeError on a panic
            raise PdfBuildError(str(error)[:2000]) from error
    log_duration("pdf build", started, design=snapshot.slug, layout=layout)
    return pdf


def pdf_cache_key(*parts: object) -> str:
    """A cache key for one PDF: what it shows (the design's state, layout, cover) and how it is made."""
    made_by = [PDF_VERSION, typst.__version__, TEMPLATE.read_text()]
    return hashlib.sha256(json.dumps([*made_by, *map(str, parts)]).encode()).hexdigest()


def cached_pdf(key: str, build: Callable[[], bytes]) -> bytes:
    """The PDF stored under `key` in REPORT_FILES_DIR, built first when missing.

    Every worker of a machine shares the directory (and app servers sharing it share it too). A
    build holds a file lock, so requests arriving together for the same PDF wait for one build and
    then read its file.
    """
    directory = Path(settings.REPORT_FILES_DIR) / "pdf"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key}.pdf"
    found = _read(path)
    if found is not None:
        return found
    stripe = int(key[:8], 16) % LOCK_STRIPES
    # A file lock excludes other processes only; the threads of this one take a lock of their own first.
    with _THREAD_LOCKS[stripe], fasteners.InterProcessLock(str(directory / f"build-{stripe}.lock")):
        found = _read(path)
        if found is not None:
            return found
        content = build()
        partial = path.with_name(f"{key}.{os.getpid()}.partial")
        partial.write_bytes(content)
        os.replace(partial, path)
    _prune(directory)
    return content


def _read(path: Path) -> bytes | None:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    path.touch()  # most recently used: kept longest by _prune
    return content


def _prune(directory: Path) -> None:
    """Keep the PDF_CACHE_FILES most recently used PDFs (a changed design's old PDFs age out)."""
    files = []
    for path in directory.glob("*.pdf"):
        try:
            files.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    files.sort(reverse=True)
    for _, path in files[settings.PDF_CACHE_FILES :]:
        path.unlink(missing_ok=True)
