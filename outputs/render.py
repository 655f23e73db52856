"""Laying out diagrams with Graphviz: the one place that runs `dot` (a service, not a pure function).

`dot`'s time depends on a graph's shape far more than its size: a random 150-node graph with
edge labels takes minutes where a service-shaped one of the same size takes a fraction of a
second. So every layout runs in a subprocess with a timeout, and a layout that times out or
fails is tried again simpler, down a ladder (`LADDER`), until one finishes; the diagram then
says which simplification it shows. When even the last step fails, the answer is a small SVG
saying so (and a log line), never an exception.

Results are cached by a hash of the DOT source in Django's cache framework, so a hit runs no
`dot`, and app servers sharing a cache share the layouts.

A layout is costly, so it is also shared and bounded while it runs: requests for the same layout
wait for one `dot` (a lock per cache key, held by threads of a process and, through a lock file,
by the processes of a machine; the waiters then find it in the cache), one process runs at most
DIAGRAM_LAYOUTS_AT_ONCE layouts, and `dot` runs under `nice`, so a slow layout leaves the CPU to
/healthz and other users' pages. A request that waits longer than DIAGRAM_LAYOUT_WAIT_MS is
answered with a "being drawn, retry" figure instead. The views of one design are checked against
it (a context or component it does not have is refused) and at most DIAGRAM_VIEWS_PER_DESIGN
distinct ones are laid out per design state.
"""

from __future__ import annotations

import hashlib
import html
import logging
import shutil
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import fasteners
from django.conf import settings
from django.core.cache import cache

from designs.caching import cached_by_state, state_key
from designs.snapshot import DesignSnapshot
from workbench import metrics
from workbench.observability import log_duration

from .diagrams import DIAGRAMS, diagram_source, view_problems
from .diagrams.dot import AS_DRAWN, Simplification
from .diagrams.options import ViewOptions

logger = logging.getLogger(__name__)

FORMATS = ("svg", "png", "dot")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "dot": "text/vnd.graphviz; charset=utf-8"}
# The PDF report's drawings (outputs/pdf_figures.py), never offered as a download: one dot run writes
# the SVG (measured: size, smallest text) and the PDF (placed on the page) of the same layout.
PRINT = "svg+pdf"
SVG_NS = "http://www.w3.org/2000/svg"

_CAPPED = "layout effort capped"
_STRAIGHT = f"{_CAPPED}, straight edges"
# Each step leaves out a little more; the first that finishes in time is shown, captioned.
LADDER: tuple[Simplification, ...] = (
    AS_DRAWN,
    Simplification(_CAPPED, capped_effort=True),
    Simplification(
        f"{_STRAIGHT}, edge labels beside the edges", capped_effort=True, straight_edges=True, edge_labels="xlabel"
    ),
    Simplification(f"{_STRAIGHT}, edge labels left out", capped_effort=True, straight_edges=True, edge_labels="none"),
    Simplification(
        f"{_STRAIGHT}, edge labels left out, bounded contexts collapsed",
        capped_effort=True,
        straight_edges=True,
        edge_labels="none",
        collapse_all=True,
    ),
    Simplification(
        "force-directed layout (sfdp), edge labels left out, bounded contexts collapsed",
        edge_labels="none",
        collapse_all=True,
        engine="sfdp",
    ),
)
# Part of every cache key: changing the ladder or the renderer's output must not serve old layouts.
RENDER_VERSION = "1"


# `dot` runs at this niceness: behind the app's own threads whenever they want the CPU.
NICENESS = 10
# Requests of one process that may wait for a layout besides those running one.
WAITING = 2
# Lock files: each cache key maps to one of these many, so they stay few whatever is drawn.
LOCK_STRIPES = 256


class LayoutFailed(Exception):
    """A Graphviz engine exited with an error, or is not installed."""


class ViewRefused(Exception):
    """A view of a diagram that is not drawn: options naming what the design does not have (400), or
    one view too many for this design state (429)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class RenderedDiagram:
    content: bytes
    format: str
    # The simplification stamped on the diagram; "" when it is drawn as designed.
    simplification: str = ""
    failed: bool = False
    # Why it failed, when it did.
    problem: str = ""
    # Not drawn yet: the same layout, or as many as a process runs at once, ran longer than a request waits.
    busy: bool = False
    # With `PRINT` (the PDF report's drawings): dot's PDF of the very layout `content` is the SVG of.
    pdf: bytes = b""

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def markup(self) -> str:
        """The SVG as markup to put inside an HTML page (see `svg_markup`)."""
        return svg_markup(self.content) if self.format == "svg" else ""


def run_engine(engine: str, fmt: str, source: bytes, timeout: float) -> bytes:
    """One layout by a Graphviz engine; raises subprocess.TimeoutExpired (the process is killed) or LayoutFailed."""
    executable = shutil.which(engine)
    if executable is None:
        raise LayoutFailed(f"Graphviz's {engine} is not installed")
    if fmt == PRINT:
        return _run_for_print(executable, source, timeout)
    command = [executable, f"-T{fmt}"]
    # Lower priority through `nice` (it execs the engine, so a timeout kills the engine itself);
    # not preexec_fn, which is unsafe in a threaded server.
    nice = shutil.which("nice")
    if nice is not None:
        command = [nice, "-n", str(NICENESS), *command]
    metrics.count_layout(engine)
    # A fixed argument list and DOT on stdin: nothing from the design reaches the command line.
    completed = subprocess.run(  # noqa: S603
        command, input=source, capture_output=True, timeout=timeout, check=False
    )
    if completed.returncode != 0 or not completed.stdout:
        # The first line says what went wrong ("Error: trouble in init_rank"); the rest is dot's debugging.
        reason = completed.stderr.decode(errors="replace").strip().split("\n", 1)[0][:300]
        raise LayoutFailed(reason or f"{engine} exited with status {completed.returncode}")
    return completed.stdout


def _run_for_print(executable: str, source: bytes, timeout: float) -> bytes:
    """SVG and PDF of one layout by one run of the engine, as the SVG's bytes, a NUL, and the PDF's.

    (An SVG holds no NUL byte, so the first one divides them.)"""
    with tempfile.TemporaryDirectory(prefix="print-diagram-") as directory:
        svg, pdf = Path(directory) / "d.svg", Path(directory) / "d.pdf"
        command = [executable, "-Tsvg", "-o", str(svg), "-Tpdf", "-o", str(pdf)]
        nice = shutil.which("nice")
        if nice is not None:
            command = [nice, "-n", str(NICENESS), *command]
        metrics.count_layout(Path(executable).name)
        # Our own file names in a directory of our own; DOT on stdin: nothing from the design on the command line.
        completed = subprocess.run(  # noqa: S603
            command, input=source, capture_output=True, timeout=timeout, check=False
        )
        if completed.returncode != 0 or not svg.exists() or not pdf.exists():
            reason = completed.stderr.decode(errors="replace").strip().split("\n", 1)[0][:300]
            raise LayoutFailed(reason or f"the engine exited with status {completed.returncode}")
        return svg.read_bytes() + b"\0" + pdf.read_bytes()


def diagram_render(
    *,
    snapshot: DesignSnapshot,
    name: str,
    options: ViewOptions,
    fmt: str = "svg",
    timeout: float | None = None,
    busy_after: float | None = None,
) -> RenderedDiagram:
    """One diagram laid out in `fmt` (svg, png or dot), from the cache when this DOT was laid out before.

    `busy_after`: seconds a page may wait for the layout before it is answered with a "being drawn,
    retry" figure (`busy`), and only a few threads of a process may wait at all; None (reports,
    archives, the command line) waits its turn however long, in the same slots.
    """
    source = diagram_source(snapshot, name, options)
    if fmt == "dot":
        return RenderedDiagram(source.encode(), "dot")
    key = "diagram:" + hashlib.sha256(f"{RENDER_VERSION}\0{fmt}\0dot\0{source}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    if busy_after is None:
        return _single_flight(snapshot, name, options, fmt, source, key, timeout, None)
    with _layout_thread() as admitted:
        if not admitted:
            return _busy(name)
        return _single_flight(snapshot, name, options, fmt, source, key, timeout, busy_after)


def _single_flight(
    snapshot: DesignSnapshot,
    name: str,
    options: ViewOptions,
    fmt: str,
    source: str,
    key: str,
    timeout: float | None,
    wait: float | None,
) -> RenderedDiagram:
    """The layout of `key` by this request, or by the one it waited for, or "busy" after `wait` seconds."""
    with _one_layout(key, wait) as holding:
        if not holding:
            return _busy(name)
        # Drawn by the request this one waited for (shared through the cache).
        cached = cache.get(key)
        if cached is not None:
            return cached
        with _layout_slot(wait) as slot:
            if not slot:
                return _busy(name)
            rendered = _lay_out(
                snapshot, name, options, fmt, source, timeout or settings.DIAGRAM_LAYOUT_TIMEOUT_MS / 1000
            )
        if not rendered.failed:
            cache.set(key, rendered, settings.DIAGRAM_CACHE_SECONDS)
    return rendered


def _busy(name: str) -> RenderedDiagram:
    logger.warning("Diagram %s not drawn: layouts busy for longer than a request waits", name)
    title = f"{DIAGRAMS[name].title} is being drawn"
    message = failure_svg(title, "Other layouts are running; reload the page in a moment.")
    return RenderedDiagram(message, "svg", failed=True, problem="layouts busy", busy=True)


_key_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_key_locks_guard = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0
_threads: threading.BoundedSemaphore | None = None
_threads_size = 0


@contextmanager
def _one_layout(key: str, wait: float | None) -> Iterator[bool]:
    """Held while the layout of `key` runs; True once held, False after `wait` seconds (None: never)
    without it.

    Threads of this process wait on a lock of their own per key; processes of this machine on a lock
    file (one of LOCK_STRIPES, so two keys may rarely share one: they then take turns).
    """
    with _key_locks_guard:
        lock = _key_locks.get(key)
        if lock is None:
            lock = _key_locks[key] = threading.Lock()
    deadline = None if wait is None else time.monotonic() + wait
    if not lock.acquire(timeout=-1 if wait is None else wait):
        yield False
        return
    try:
        stripe = int(key.rsplit(":", 1)[-1][:8], 16) % LOCK_STRIPES
        directory = Path(settings.DIAGRAM_LOCK_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        file_lock = fasteners.InterProcessLock(str(directory / f"layout-{stripe:03}.lock"))
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not file_lock.acquire(timeout=left, delay=0.01, max_delay=0.1):
            yield False
            return
        try:
            yield True
        finally:
            file_lock.release()
    finally:
        lock.release()


@contextmanager
def _layout_thread() -> Iterator[bool]:
    """Whether this request may wait for or run a layout: at most DIAGRAM_LAYOUTS_AT_ONCE + WAITING
    threads of a process do, the others are told at once to retry. A waiting request holds a server
    thread; with gunicorn's four per worker (WEB_THREADS), one stays free for /healthz and pages."""
    global _threads, _threads_size
    with _key_locks_guard:
        size = settings.DIAGRAM_LAYOUTS_AT_ONCE + WAITING
        if _threads is None or _threads_size != size:
            _threads, _threads_size = threading.BoundedSemaphore(size), size
        threads = _threads
    if not threads.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        threads.release()


@contextmanager
def _layout_slot(wait: float | None) -> Iterator[bool]:
    """One of this process's DIAGRAM_LAYOUTS_AT_ONCE layout slots; False after `wait` seconds (None:
    never) without one."""
    global _slots, _slots_size
    with _key_locks_guard:
        if _slots is None or _slots_size != settings.DIAGRAM_LAYOUTS_AT_ONCE:
            _slots, _slots_size = (
                threading.BoundedSemaphore(settings.DIAGRAM_LAYOUTS_AT_ONCE),
                settings.DIAGRAM_LAYOUTS_AT_ONCE,
            )
        slots = _slots
    if not slots.acquire(timeout=wait):  # None: blocks until one is free
        yield False
        return
    try:
        yield True
    finally:
        slots.release()


def design_diagram_render(
    *,
    design_state: str,
    load: Callable[[], DesignSnapshot],
    name: str,
    options: ViewOptions,
    fmt: str = "svg",
) -> RenderedDiagram:
    """`diagram_render` keyed first by the design's state, which every edit changes (its `updated_at`).

    Building the DOT of a large design takes longer than a cache lookup should, and reading its
    snapshot longer still: a hit here does neither. A miss loads the snapshot and falls through
    to the DOT-keyed cache, which states drawing the same DOT share.

    A miss is also where a view is checked: options naming what the design does not have raise
    `ViewRefused` (400), and so does a view past the DIAGRAM_VIEWS_PER_DESIGN distinct ones this
    design state has had laid out (429); the default view of each diagram is always drawn.
    """
    options = options.only(DIAGRAMS[name].options)
    # A frozen dataclass's repr names every option, in field order.
    view = f"{name}:{fmt}:{options!r}"

    def draw() -> RenderedDiagram:
        counted = options != ViewOptions()
        # Refused before the snapshot is read when every slot is another view's: a flood of new views
        # costs a few cache reads each.
        if counted and not _admitted(design_state, view, take=False):
            raise _too_many_views()
        snapshot = load()
        problems = view_problems(snapshot, name, options)
        if problems:
            raise ViewRefused(" ".join(problems))
        if counted and not _admitted(design_state, view):
            raise _too_many_views()
        wait = settings.DIAGRAM_LAYOUT_WAIT_MS / 1000
        return diagram_render(snapshot=snapshot, name=name, options=options, fmt=fmt, busy_after=wait)

    return cached_by_state(
        "diagram-state",
        design_state,
        RENDER_VERSION,
        view,
        build=draw,
        timeout=settings.DIAGRAM_CACHE_SECONDS,
        keep=lambda rendered: not rendered.failed,
    )


def _too_many_views() -> ViewRefused:
    return ViewRefused(
        f"This design has been drawn in {settings.DIAGRAM_VIEWS_PER_DESIGN} different views since it last "
        "changed, the most that are drawn for one version of it. Views drawn before and the whole-system "
        "view are still shown; any edit of the design starts the count again.",
        status=429,
    )


def _admitted(design_state: str, view: str, *, take: bool = True) -> bool:
    """Whether this view is one of the DIAGRAM_VIEWS_PER_DESIGN this design state may have laid out
    (with `take=False`: whether it holds a slot or one is free, taking none).

    Each view takes a numbered slot with the cache's atomic add(), so workers sharing the cache count
    together, and a view that holds a slot keeps it (its layout may have dropped out of the cache).
    """
    state = state_key("diagram-view-slot", design_state, RENDER_VERSION)
    slot_keys = [f"{state}:{slot}" for slot in range(settings.DIAGRAM_VIEWS_PER_DESIGN)]
    if not take:
        held = cache.get_many(slot_keys)
        return len(held) < len(slot_keys) or view in held.values()
    return any(
        cache.add(slot_key, view, settings.DIAGRAM_CACHE_SECONDS) or cache.get(slot_key) == view
        for slot_key in slot_keys
    )


def _lay_out(
    snapshot: DesignSnapshot, name: str, options: ViewOptions, fmt: str, source: str, timeout: float
) -> RenderedDiagram:
    tried: set[tuple[str, str]] = set()
    problem = ""
    for simplification in LADDER:
        if simplification is not AS_DRAWN:
            source = diagram_source(snapshot, name, options, simplification)
        if (simplification.engine, source) in tried:
            continue  # this diagram has nothing this step would leave out
        tried.add((simplification.engine, source))
        started = time.monotonic()
        try:
            content = run_engine(simplification.engine, fmt, source.encode(), timeout)
        except subprocess.TimeoutExpired:
            problem = f"the layout took longer than {timeout:g} s"
        except LayoutFailed as failure:
            problem = str(failure)
        else:
            if simplification.caption:
                logger.info("Diagram %s of %s drawn simplified: %s", name, snapshot.slug, simplification.caption)
            log_duration(
                "dot layout",
                started,
                diagram=name,
                design=snapshot.slug,
                engine=simplification.engine,
                fmt=fmt,
                simplified=simplification.caption or None,
            )
            if fmt == PRINT:
                svg, _, pdf = content.partition(b"\0")
                return RenderedDiagram(svg, "svg", simplification.caption, pdf=pdf)
            return RenderedDiagram(content, fmt, simplification.caption)
        logger.warning(
            "Diagram %s of %s: %s (%s, %.1f s)",
            name,
            snapshot.slug,
            problem,
            simplification.caption or "as drawn",
            time.monotonic() - started,
        )
    logger.error("Diagram %s of %s could not be laid out: %s", name, snapshot.slug, problem)
    message = failure_svg(f"{DIAGRAMS[name].title} could not be drawn", problem)
    return RenderedDiagram(message, "svg", failed=True, problem=problem)


def failure_svg(title: str, reason: str) -> bytes:
    """A small SVG that says what went wrong, in place of the diagram."""
    title, reason = html.escape(title), html.escape(reason[:200])
    return (
        f'<svg xmlns="{SVG_NS}" width="640" height="64" viewBox="0 0 640 64" role="img" class="diagram-failed">'
        f"<title>{title}</title>"
        '<rect x="1" y="1" width="638" height="62" fill="#fdecea" stroke="#c0392b"/>'
        f'<text x="12" y="26" font-family="Helvetica,sans-serif" font-size="14" fill="#7b241c">{title}.</text>'
        f'<text x="12" y="48" font-family="Helvetica,sans-serif" font-size="11" fill="#7b241c">{reason}</text>'
        "</svg>"
    ).encode()


def svg_markup(svg: bytes) -> str:
    """An SVG as markup for an HTML page: from its root element on, without the XML prolog and DOCTYPE.

    Nothing needs removing beyond that: every label is escaped before dot sees it
    (outputs.diagrams.dot.text), so no user text can be markup, and dot writes no script.
    Re-parsing a megabyte of SVG to prove it would cost more than the layout.
    """
    start = svg.find(b"<svg")
    return svg[max(start, 0) :].decode()
