"""Diagrams on paper: each on a page of its own, in the orientation that fits it, never printed smaller
than a reader can read.

A diagram is scaled to fill its page. When that would print its smallest text under FONT_FLOOR, it
is split the way a reader would want it: the architecture into a context map plus one page per
bounded context, the deployment one environment a page, the ERD into a keys-only overview plus one
page per data store, the authentication sequences one method a page. A part that is still too large
for one page at the floor is printed at the floor across several pages, each captioned with its
place ("part 2 of 4").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

from designs.snapshot import DesignSnapshot

from .diagrams import DIAGRAMS
from .diagrams.options import ViewOptions
from .render import PRINT, RenderedDiagram, diagram_render

# No printed diagram text smaller than this (points).
FONT_FLOOR = 6.0
# A small diagram is enlarged at most this much: three boxes filling a page read as a poster.
MOST_ENLARGED = 1.6
# The text area of a diagram's A4 page as outputs/report.typ sets it (1.5 cm at the sides, 2 and
# 1.8 cm above and below, where the running header and footer sit), less room for the heading
# above the first part and the caption below. The tolerance absorbs rounding at the floor.
A4 = (595.28, 841.89)
CM = 28.3465
MARGINS = ((1.5 + 1.5) * CM, (2.0 + 1.8) * CM)
CAPTION_ROOM = 64.0
TOLERANCE = 0.02
# The direction each diagram is printed in: a page holds a top-to-bottom architecture better.
PRINT_DIRECTIONS = {"architecture": "TB", "erd": "TB"}
# A design this large is never legible as one drawing: its parts are drawn straight away.
SPLIT_COMPONENTS = 40
SPLIT_TABLES = 24
# An overview that needs more pages than this at the floor is left out: its parts follow anyway.
OVERVIEW_PAGES = 4
OVERVIEW = "overview, key columns only"
CONTEXT_MAP = "context map: one node per bounded context"
OVERVIEW_TABLES = 60
# A view printed on more pages than this in its usual direction is laid out the other way too.
OTHER_DIRECTION_PAST = 2
# The layouts of one report run side by side (each `dot` is a process of its own).
LAYOUT_THREADS = 2


@dataclass(frozen=True)
class Plate:
    """One printed page of a diagram: the SVG, the width it is printed at, and which piece shows."""

    src: str
    width: float
    landscape: bool
    caption: str
    # (x, y, width, height) in printed points of the piece shown, when the drawing spans pages.
    tile: tuple[float, float, float, float] | None = None
    # The smallest text on the page, in printed points.
    smallest_text: float = 0.0

    def as_data(self) -> dict:
        tile = None
        if self.tile is not None:
            x, y, width, height = self.tile
            tile = {"x": round(x, 2), "y": round(y, 2), "width": round(width, 2), "height": round(height, 2)}
        return {
            "src": self.src,
            "width": round(self.width, 2),
            "landscape": self.landscape,
            "caption": self.caption,
            "tile": tile,
        }


@dataclass(frozen=True)
class Drawing:
    """A laid-out view with what printing it needs to know: its size and its smallest text."""

    view: str
    rendered: RenderedDiagram
    width: float
    height: float
    smallest_font: float


def _measure(rendered: RenderedDiagram) -> tuple[float, float, float]:
    """(width, height, smallest font size) of dot's SVG, in points, read by an XML parser."""
    width = height = 0.0
    smallest = math.inf
    # dot's own SVG: every label escaped before dot saw it, no entity declarations to expand.
    for _, element in ElementTree.iterparse(_Bytes(rendered.content), events=("start",)):  # noqa: S314
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "svg" and not width:
            width = _points(element.get("width"))
            height = _points(element.get("height"))
        elif tag == "text":
            size = element.get("font-size")
            if size:
                smallest = min(smallest, float(size))
    return width, height, (smallest if smallest != math.inf else 14.0)


class _Bytes:
    """A file-like view of bytes for iterparse, without copying them."""

    def __init__(self, content: bytes) -> None:
        self.content, self.at = content, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.content) if size < 0 else self.at + size
        chunk = self.content[self.at : end]
        self.at += len(chunk)
        return chunk


def _points(value: str | None) -> float:
    text = (value or "0").strip()
    for unit, factor in (("pt", 1.0), ("px", 0.75), ("in", 72.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text or 0)


def _area(landscape: bool) -> tuple[float, float]:
    width, height = (A4[1], A4[0]) if landscape else A4
    return width - MARGINS[0], height - MARGINS[1] - CAPTION_ROOM


def _fit(drawing: Drawing) -> tuple[float, bool]:
    """The scale that fills a page, and whether that page is landscape (the orientation that fits best)."""
    best = (0.0, False)
    for landscape in (False, True):
        width, height = _area(landscape)
        scale = min(width / max(drawing.width, 1), height / max(drawing.height, 1), MOST_ENLARGED)
        best = max(best, (scale, landscape))
    return best


def fits(drawing: Drawing) -> bool:
    scale, _ = _fit(drawing)
    return drawing.smallest_font * scale >= FONT_FLOOR - TOLERANCE


def plates(drawing: Drawing, src: str, caption: str) -> list[Plate]:
    """The pages one drawing prints on: one when it fits at the floor, else pieces of it at the floor."""
    scale, landscape = _fit(drawing)
    if fits(drawing):
        smallest = drawing.smallest_font * scale
        return [Plate(src, drawing.width * scale, landscape, caption, smallest_text=smallest)]
    scale = FONT_FLOOR / drawing.smallest_font
    printed = (drawing.width * scale, drawing.height * scale)

    def pieces(landscape: bool) -> tuple[int, int]:
        width, height = _area(landscape)
        return math.ceil(printed[0] / width), math.ceil(printed[1] / height)

    def filled(landscape: bool) -> float:
        """The scale at which the pieces fill their pages: as many pages as the floor needs, each full."""
        columns, rows = pieces(landscape)
        width, height = _area(landscape)
        return min(width * columns / drawing.width, height * rows / drawing.height, MOST_ENLARGED)

    # The fewer pages; of as many, the larger print.
    landscape = min((False, True), key=lambda side: (math.prod(pieces(side)), -filled(side)))
    columns, rows = pieces(landscape)
    scale = filled(landscape)
    printed = (drawing.width * scale, drawing.height * scale)
    # Pieces of equal size, so every page of the drawing is filled the same way.
    width, height = printed[0] / columns, printed[1] / rows
    out = []
    count = columns * rows
    for row in range(rows):
        for column in range(columns):
            number = row * columns + column + 1
            out.append(
                Plate(
                    src,
                    printed[0],
                    landscape,
                    f"{caption} (part {number} of {count}: row {row + 1}, column {column + 1})",
                    tile=(column * width, row * height, width, height),
                    smallest_text=drawing.smallest_font * scale,
                )
            )
    return out


# dot names the font it measured labels with as "Helvetica,sans-Serif" (fontconfig gave it DejaVu Sans,
# see scripts/ensure-system-packages). Typst would draw an unknown family in the page's own font, a
# serif of other widths; named exactly, every label keeps the width dot made room for.
DOT_FONT_FAMILY = b'font-family="Helvetica,sans-Serif"'
PRINT_FONT_FAMILY = b'font-family="DejaVu Sans"'


def for_print(svg: bytes) -> bytes:
    """dot's SVG with its labels' font named as Typst knows it."""
    return svg.replace(DOT_FONT_FAMILY, PRINT_FONT_FAMILY)


def _parts(snapshot: DesignSnapshot, name: str) -> list[tuple[str, ViewOptions]]:
    """The views a diagram splits into on paper, each with what its caption says it shows."""
    if name == "deployment":
        environments = [e.name for e in snapshot.elements("environments")]
        if len(environments) <= 1:
            return []
        return [(f"environment {environment}", ViewOptions(environment=environment)) for environment in environments]
    if name == "architecture":
        components = snapshot.elements("components")
        contexts = list(dict.fromkeys(c.bounded_context for c in components if c.bounded_context))
        if len(contexts) <= 1:
            return []
        # Each context in full; the components it talks to in other contexts as one node per context.
        return [(CONTEXT_MAP, ViewOptions(collapse=tuple(contexts)))] + [
            (
                f"bounded context {context}",
                ViewOptions(context=context, collapse=tuple(c for c in contexts if c != context)),
            )
            for context in contexts
        ]
    if name == "erd":
        stores = list(dict.fromkeys(t.store.component.name for t in snapshot.elements("tables") if t.store))
        if len(stores) <= 1:
            return []
        # A schema past OVERVIEW_TABLES tables cannot print its keys-only overview on OVERVIEW_PAGES pages:
        # it is not drawn at all (the per-store pages follow either way).
        overview = (
            [(OVERVIEW, ViewOptions(keys_only=True))] if len(snapshot.elements("tables")) <= OVERVIEW_TABLES else []
        )
        return overview + [(f"data store {store}", ViewOptions(store=store)) for store in stores]
    if name == "sequence":
        methods = [m.name for m in snapshot.elements("auth") if snapshot.referring(m, "flow", "method")]
        return [(f"authentication method {method}", ViewOptions(method=method)) for method in methods]
    return []


def _too_large_to_try(snapshot: DesignSnapshot, name: str) -> bool:
    if name in ("architecture", "deployment"):
        return len(snapshot.elements("components")) > SPLIT_COMPONENTS
    if name == "erd":
        return len(snapshot.elements("tables")) > SPLIT_TABLES
    return False


def _draw(snapshot: DesignSnapshot, name: str, options: ViewOptions, view: str) -> Drawing:
    """A view laid out in the direction that prints best: the diagram's usual one for paper, and
    when that takes more than OTHER_DIRECTION_PAST pages, the other one too (the fewer pages win)."""
    first = PRINT_DIRECTIONS.get(name, "LR")
    drawing = _lay_out(snapshot, name, replace(options, direction=first), view)
    # A whole diagram or an overview is one view: worth a second layout to save a page. A design split
    # into dozens of parts would double dozens of layouts for them.
    past = 1 if view in ("", OVERVIEW, CONTEXT_MAP) else OTHER_DIRECTION_PAST
    if len(plates(drawing, "", "")) <= past or drawing.rendered.failed or name == "sequence":
        return drawing
    other = _lay_out(snapshot, name, replace(options, direction="LR" if first == "TB" else "TB"), view)
    return other if len(plates(other, "", "")) < len(plates(drawing, "", "")) else drawing


def _lay_out(snapshot: DesignSnapshot, name: str, options: ViewOptions, view: str) -> Drawing:
    rendered = diagram_render(snapshot=snapshot, name=name, options=options, fmt=PRINT)
    width, height, smallest = _measure(rendered)
    return Drawing(view, rendered, width, height, smallest)


def _printed_file(drawing: Drawing) -> tuple[str, bytes]:
    """(suffix, content) of the file a drawing prints from: dot's PDF of the layout that was measured.

    The SVG says how large the drawing is and how small its text; the page gets the PDF dot wrote in
    the same run: cairo embeds each font once and Typst places the page as one object, where an
    SVG's every label is shaped again (and again on each page a drawing spans), about eight times the
    typesetting and ten times the file. A drawing that could not be laid out prints the SVG that says so."""
    if drawing.rendered.pdf:
        return "pdf", drawing.rendered.pdf
    return "svg", for_print(drawing.rendered.content)


def print_diagrams(snapshot: DesignSnapshot, names: Iterable[str], directory: Path) -> dict[str, list[Plate]]:
    """Each named diagram laid out for paper, its files written into `directory` (the compile's root)."""
    names = list(names)
    wholes: dict[str, Drawing] = {}
    with ThreadPoolExecutor(LAYOUT_THREADS) as pool:
        tried = [name for name in names if not _too_large_to_try(snapshot, name)]
        for name, drawing in zip(tried, pool.map(lambda n: _draw(snapshot, n, ViewOptions(), ""), tried), strict=True):
            wholes[name] = drawing
        views: list[tuple[str, str, ViewOptions]] = []
        for name in names:
            whole = wholes.get(name)
            if whole is not None and (fits(whole) or whole.rendered.failed):
                continue
            parts = _parts(snapshot, name)
            if not parts and whole is None:
                wholes[name] = _draw(snapshot, name, ViewOptions(), "")
            views += [(name, view, options) for view, options in parts]
        drawn = list(pool.map(lambda v: (v[0], _draw(snapshot, v[0], v[2], v[1])), views))
    chosen_of: dict[str, list[Drawing]] = {}
    for name in names:
        parts = [drawing for part_name, drawing in drawn if part_name == name]
        if parts and parts[0].view == OVERVIEW and len(plates(parts[0], "", "")) > OVERVIEW_PAGES:
            parts = parts[1:]
        chosen_of[name] = parts or [wholes[name]]
    files = {id(drawing): _printed_file(drawing) for name in names for drawing in chosen_of[name]}
    printed: dict[str, list[Plate]] = {}
    for name in names:
        title = DIAGRAMS[name].title
        chosen = chosen_of[name]
        out: list[Plate] = []
        for number, drawing in enumerate(chosen, start=1):
            suffix, content = files[id(drawing)]
            src = f"diagrams/{name}-{number}.{suffix}"
            (directory / src).parent.mkdir(exist_ok=True)
            (directory / src).write_bytes(content)
            caption = title
            notes = [note for note in (drawing.view, drawing.rendered.simplification) if note]
            if notes:
                caption += f": {'; '.join(notes)}"
            if len(chosen) > 1:
                caption += f" ({number} of {len(chosen)})"
            out += plates(drawing, src, caption)
        printed[name] = out
    return printed
