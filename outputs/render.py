"""Laying out diagrams with Graphviz: the one place that runs `dot` (a service, not a pure function).

`dot`'s time depends on a graph's shape far more than its size: a random 150-node graph with
edge labels takes minutes where a service-shaped one of the same size takes a fraction of a
second. So every layout runs in a subprocess with a timeout, and a layout that times out or
fails is tried again simpler, down a ladder (`LADDER`), until one finishes; the diagram then
says which simplification it shows. When even the last step fails, the answer is a small SVG
saying so (and a log line), never an exception.

Results are cached by a hash of the DOT source in Django's cache framework, so a hit runs no
`dot`, and app servers sharing a cache share the layouts.
"""

from __future__ import annotations

import hashlib
import html
import logging
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from designs.snapshot import DesignSnapshot
from workbench.observability import log_duration

from .diagrams import DIAGRAMS, diagram_source
from .diagrams.dot import AS_DRAWN, Simplification
from .diagrams.options import ViewOptions

logger = logging.getLogger(__name__)

FORMATS = ("svg", "png", "dot")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "dot": "text/vnd.graphviz; charset=utf-8"}
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


class LayoutFailed(Exception):
    """A Graphviz engine exited with an error, or is not installed."""


@dataclass(frozen=True)
class RenderedDiagram:
    content: bytes
    format: str
    # The simplification stamped on the diagram; "" when it is drawn as designed.
    simplification: str = ""
    failed: bool = False
    # Why it failed, when it did.
    problem: str = ""

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
    # A fixed argument list and DOT on stdin: nothing from the design reaches the command line.
    completed = subprocess.run(  # noqa: S603
        [executable, f"-T{fmt}"], input=source, capture_output=True, timeout=timeout, check=False
    )
    if completed.returncode != 0 or not completed.stdout:
        # The first line says what went wrong ("Error: trouble in init_rank"); the rest is dot's debugging.
        reason = completed.stderr.decode(errors="replace").strip().split("\n", 1)[0][:300]
        raise LayoutFailed(reason or f"{engine} exited with status {completed.returncode}")
    return completed.stdout


def diagram_render(
    *, snapshot: DesignSnapshot, name: str, options: ViewOptions, fmt: str = "svg", timeout: float | None = None
) -> RenderedDiagram:
    """One diagram laid out in `fmt` (svg, png or dot), from the cache when this DOT was laid out before."""
    source = diagram_source(snapshot, name, options)
    if fmt == "dot":
        return RenderedDiagram(source.encode(), "dot")
    key = "diagram:" + hashlib.sha256(f"{RENDER_VERSION}\0{fmt}\0dot\0{source}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    rendered = _lay_out(snapshot, name, options, fmt, source, timeout or settings.DIAGRAM_LAYOUT_TIMEOUT_MS / 1000)
    if not rendered.failed:
        cache.set(key, rendered, settings.DIAGRAM_CACHE_SECONDS)
    return rendered


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
    """
    # A frozen dataclass's repr names every option, in field order.
    view = repr(options)
    key = (
        "diagram-state:"
        + hashlib.sha256(f"{RENDER_VERSION}\0{design_state}\0{name}\0{fmt}\0{view}".encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    rendered = diagram_render(snapshot=load(), name=name, options=options, fmt=fmt)
    if not rendered.failed:
        cache.set(key, rendered, settings.DIAGRAM_CACHE_SECONDS)
    return rendered


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
