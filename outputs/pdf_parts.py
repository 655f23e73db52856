"""Where the PDF of a report is cut into parts that WeasyPrint lays out side by side.

WeasyPrint is single-threaded pure Python and spends about a millisecond per table cell, so a
large report takes many seconds on one core. outputs/pdf_worker.py lays out the parts in a pool of
processes, one per core, and joins them; a part that has not changed since the last PDF comes
from its cache. This module only decides the cuts, as a Python-Markdown extension run on the
report's own element tree (nothing is re-parsed): before a heading, once the part so far has
reached its budget, and between the rows of a table too long for one part (each piece keeps the
header row). A cut starts a new page, as every chapter does anyway; inside a chapter it leaves the
rest of one page blank, a small price for a PDF in a fraction of the time.

The budget is a fixed amount of work, not a share of the report, so the parts before an edit keep
their contents and their cache entries.
"""

from __future__ import annotations

import copy
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

# The paragraph that marks a cut in the HTML, split on by `split_parts`.
PART_BREAK = "[[pdf-part]]"
PART_BREAK_HTML = f"<p>{PART_BREAK}</p>"
# About one unit of layout work per element, or per 60 characters of text: roughly a millisecond
# of WeasyPrint on the machine the figures in README come from.
PART_BUDGET = 1500
# A chapter starts a new page anyway, so it may start a part once a third of the budget is used.
CHAPTER_BUDGET = PART_BUDGET // 3
CHARACTERS_PER_UNIT = 60
# A drawing is one unit per this many characters of its markup, an <img> of the SVG in base64
# (WeasyPrint draws every label as text).
FIGURE_CHARACTERS_PER_UNIT = 450
CUT_BEFORE = {"h2", "h3", "h4"}


def figure_cost(markup: str) -> int:
    """The layout work of one drawing in the units of PART_BUDGET."""
    return len(markup) // FIGURE_CHARACTERS_PER_UNIT


def split_parts(html: str) -> list[str]:
    """The HTML of a report converted with `PdfParts`, cut where it marks a part break."""
    return [part for part in html.split(PART_BREAK_HTML) if part.strip()]


class _Cuts(Treeprocessor):
    def __init__(self, md: Markdown, figures: dict[str, int]) -> None:
        super().__init__(md)
        self.figures = figures

    def cost(self, element: Element) -> int:
        units, characters = 0, 0
        for node in element.iter():
            units += 1
            text = node.text or ""
            # A fenced code block is stashed by Python-Markdown until the tree is serialized.
            for stashed in HTML_PLACEHOLDER_RE.finditer(text):
                characters += len(str(self.md.htmlStash.rawHtmlBlocks[int(stashed[1])]))
            units += self.figures.get(text, 0)
            characters += len(text) + len(node.tail or "")
        return units + characters // CHARACTERS_PER_UNIT

    def run(self, root: Element) -> None:
        children = list(root)
        for child in children:
            root.remove(child)
        used = 0
        for child in children:
            cost = self.cost(child)
            figure = child.tag == "p" and (child.text or "") in self.figures
            # A drawing as costly as a whole part gets a part of its own.
            alone = figure and cost >= PART_BUDGET
            budget = CHAPTER_BUDGET if child.tag == "h2" else PART_BUDGET
            if ((child.tag in CUT_BEFORE or figure) and used >= budget) or (alone and used):
                root.append(_break())
                used = 0
            if child.tag == "table" and used + cost > PART_BUDGET:
                used = self._split_table(root, child, used)
                continue
            root.append(child)
            used += cost
            if alone:
                root.append(_break())
                used = 0

    def _split_table(self, root: Element, table: Element, used: int) -> int:
        """Append `table` as pieces that each fill what is left of a part; returns the last one's cost."""
        head = table.find("thead")
        body = table.find("tbody")
        if body is None or len(body) < 2:
            root.append(table)
            return used + self.cost(table)
        head_cost = self.cost(head) if head is not None else 0
        piece: list[Element] = []
        for row in list(body):
            row_cost = self.cost(row)
            if piece and used + row_cost > PART_BUDGET:
                root.append(_table_piece(table, head, piece))
                root.append(_break())
                piece, used = [], head_cost
            piece.append(row)
            used += row_cost
        root.append(_table_piece(table, head, piece))
        return used


def _break() -> Element:
    marker = Element("p")
    marker.text = PART_BREAK
    return marker


def _table_piece(table: Element, head: Element | None, rows: list[Element]) -> Element:
    piece = Element(table.tag, table.attrib)
    if head is not None:
        piece.append(copy.deepcopy(head))
    body = Element("tbody")
    body.extend(rows)
    piece.append(body)
    return piece


class PdfParts(Extension):
    """Marks the cuts of `split_parts` in a report converted for the PDF."""

    def __init__(self, figures: dict[str, int] | None = None) -> None:
        super().__init__()
        # The cost of each drawing by its placeholder paragraph's text: far more than the text's.
        self.figures = figures or {}

    def extendMarkdown(self, md: Markdown) -> None:
        # After the inline patterns (20) and the table of contents (5): the text and ids are final.
        md.treeprocessors.register(_Cuts(md, self.figures), "pdf_parts", 1)
