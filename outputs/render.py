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
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from designs.snapshot import DesignSnapshot

from .diagrams import DIAGRAMS, diagram_source
from .diagrams.dot import AS_DRAWN, Simplification
from .diagrams.options import ViewOptions

logger = logging.getLogger(__name__)

FORMATS = ("svg", "png", "dot")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "dot": "text/vnd.graphviz; charset=utf-8"}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

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
    # The SVG as markup to embed in a page (SVG only).
    markup: str = ""

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


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
            markup = svg_markup(content) if fmt == "svg" else ""
            return RenderedDiagram(content, fmt, simplification.caption, markup=markup)
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
    return RenderedDiagram(message, "svg", failed=True, problem=problem, markup=message.decode())


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
    """dot's SVG as markup to put inside an HTML page: the XML prolog and DOCTYPE dropped.

    Labels are escaped before dot sees them, so no user text can be markup here; parsing also
    proves the SVG well-formed, and anything scriptable is dropped all the same.
    """
    # dot's own output: no entity declarations, and expat fetches no external DTD.
    root = ET.fromstring(svg)  # noqa: S314
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag.rsplit("}", 1)[-1] in ("script", "foreignObject"):
                parent.remove(child)
        for attribute in list(parent.attrib):
            value = parent.attrib[attribute]
            if attribute.lower().startswith("on") or value.strip().lower().startswith("javascript:"):
                del parent.attrib[attribute]
    return ET.tostring(root, encoding="unicode")
