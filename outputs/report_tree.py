"""A report layout parsed once by Python-Markdown: its HTML for the Report page, its element tree for the PDF.

The PDF never sees markup: `document_nodes` walks the element tree Python-Markdown built and turns
it into plain JSON nodes (heading, paragraph, list, table, code block, quote, figure, and inline
text, strong, emphasis, code and links) that the Typst template (outputs/report.typ) walks. Every
piece of user text reaches Typst as a string value, which Typst prints as the characters it holds.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from designs.markdown_html import BoundedMarkdown

# Python-Markdown keeps raw HTML (its fenced code blocks, entities such as `&lt;`) out of the tree
# behind placeholders `STX wzxhzdk:N ETX` (markdown.util.HTML_PLACEHOLDER).
_STX, _ETX = "\x02", "\x03"
_PLACEHOLDER_PREFIX = "wzxhzdk:"
# Inline nodes: a plain string is text; dicts name their kind in "t".
Inline = str | dict[str, Any]
Block = dict[str, Any]
# A run of characters this long with no space is given break opportunities (zero-width spaces)
# so a long address or identifier wraps in a table cell or code block instead of leaving the page.
LONG_RUN = 40
_ZWSP = "\u200b"


class _QuotedHeadings(Treeprocessor):
    """A heading the user wrote in quoted markdown (the executive summary) becomes a bold paragraph,
    so it stays out of the report's contents and the PDF's outline."""

    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def run(self, root: Element) -> None:
        for quote in root.iter("blockquote"):
            for heading in [child for child in quote.iter() if child.tag in self.HEADINGS]:
                strong = Element("strong")
                strong.text, strong[:] = heading.text, list(heading)
                heading.tag, heading.text, heading[:] = "p", None, [strong]


class _KeepTree(Treeprocessor):
    """Runs last: keeps the finished tree, which serialising to HTML does not change."""

    def run(self, root: Element) -> None:
        self.md.report_tree = root  # type: ignore[attr-defined]


class ReportExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before the table of contents (5) collects the headings.
        md.treeprocessors.register(_QuotedHeadings(md), "quoted_headings", 6)
        # After "unescape" (0) has turned backslash escapes back into characters.
        md.treeprocessors.register(_KeepTree(md), "keep_tree", -10)


@dataclass
class ParsedReport:
    """One layout's markdown, parsed: the HTML Python-Markdown wrote, its tree and its headings."""

    html: str
    tree: Element
    stash: list[str | Element]
    # Python-Markdown's toc tokens: level, id, name (HTML-escaped) and children.
    toc_tokens: list[dict[str, Any]] = field(default_factory=list)


def parse_report(source: str) -> ParsedReport:
    # Bounded (designs.markdown_html): the summary is the user's markdown; raw HTML is only ever ours here.
    extensions = ["tables", "fenced_code", "toc", ReportExtension(), BoundedMarkdown(raw_html=True)]
    converter = markdown.Markdown(extensions=extensions)
    converted = converter.convert(source)
    return ParsedReport(
        converted,
        converter.report_tree,  # type: ignore[attr-defined]
        list(converter.htmlStash.rawHtmlBlocks),
        converter.toc_tokens,  # type: ignore[attr-defined]
    )


def _stashed(stash: list[str | Element], text: str) -> list[Inline | Block]:
    """Text with Python-Markdown's placeholders replaced by what they stand for: an entity's
    character, or a fenced code block (its HTML is our own converter's, parsed as XML)."""
    pieces: list[Inline | Block] = []
    first, *rest = text.split(_STX)
    if first:
        pieces.append(first)
    for piece in rest:
        marker, _, after = piece.partition(_ETX)
        raw: str | Element | None = None
        if marker.startswith(_PLACEHOLDER_PREFIX) and marker[len(_PLACEHOLDER_PREFIX) :].isdigit():
            index = int(marker[len(_PLACEHOLDER_PREFIX) :])
            raw = stash[index] if index < len(stash) else None
        if isinstance(raw, str) and raw.startswith("<pre>"):
            pieces.append(_code_block(raw))
        elif isinstance(raw, str):
            pieces.append(html.unescape(raw))
        else:
            pieces.append(_STX + piece)
        if after:
            pieces.append(after)
    return pieces


def _code_block(raw: str) -> Block:
    # HTML written by Python-Markdown's fenced_code from escaped text: well-formed, no entities declared.
    pre = ElementTree.fromstring(raw)  # noqa: S314
    code = pre.find("code")
    element = code if code is not None else pre
    language = (element.get("class") or "").removeprefix("language-")
    return {"t": "code", "lang": language, "text": breakable((element.text or "").rstrip("\n"))}


def breakable(text: str) -> str:
    """Text with a zero-width space after every LONG_RUN characters of a run with no space."""
    if len(text) <= LONG_RUN:
        return text
    out: list[str] = []
    run = 0
    for character in text:
        out.append(character)
        if character.isspace():
            run = 0
        else:
            run += 1
            if run >= LONG_RUN:
                out.append(_ZWSP)
                run = 0
    return "".join(out)


def _inlines(stash: list[str | Element], element: Element) -> list[Inline]:
    """The inline content of an element (its text and children), as inline nodes."""
    out: list[Inline] = []
    if element.text:
        out += [p for p in _stashed(stash, element.text) if isinstance(p, str)]
    for child in element:
        out += _inline(stash, child)
        if child.tail:
            out += [p for p in _stashed(stash, child.tail) if isinstance(p, str)]
    return _merge_text(out)


def _inline(stash: list[str | Element], element: Element) -> list[Inline]:
    tag = element.tag
    if tag in ("strong", "b"):
        return [{"t": "strong", "c": _inlines(stash, element)}]
    if tag in ("em", "i"):
        return [{"t": "em", "c": _inlines(stash, element)}]
    if tag == "code":
        return [{"t": "code", "text": plain_text(stash, element)}]
    if tag == "br":
        return [{"t": "br"}]
    if tag == "a":
        href = element.get("href") or ""
        children = _inlines(stash, element)
        # Only web and mail addresses become links; anything else prints as its text.
        if href.startswith(("http://", "https://", "mailto:")):
            return [{"t": "link", "url": href, "c": children}]
        return children
    if tag == "img":
        # Images are not shown (a report never fetches what its text names); their description is.
        return [element.get("alt") or ""]
    return _inlines(stash, element)


def _merge_text(items: list[Inline]) -> list[Inline]:
    merged: list[Inline] = []
    for item in items:
        if isinstance(item, str) and merged and isinstance(merged[-1], str):
            merged[-1] += item
        elif item != "":
            merged.append(item)
    return merged


def plain_text(stash: list[str | Element], element: Element) -> str:
    """Every character of an element's text, its children's included, without structure."""
    parts: list[str] = []
    for piece in element.iter():
        if piece is not element and piece.tag == "br":
            parts.append(" ")
        if piece.text:
            parts += [p for p in _stashed(stash, piece.text) if isinstance(p, str)]
        if piece is not element and piece.tail:
            parts += [p for p in _stashed(stash, piece.tail) if isinstance(p, str)]
    return "".join(parts)


def _cells(stash: list[str | Element], row: Element) -> list[list[Inline]]:
    return [_breakable_inlines(_inlines(stash, cell)) for cell in row if cell.tag in ("td", "th")]


def _breakable_inlines(items: list[Inline]) -> list[Inline]:
    return [breakable(item) if isinstance(item, str) else item for item in items]


def _table(stash: list[str | Element], table: Element) -> Block:
    head = table.find("thead")
    body = table.find("tbody")
    header_rows = [row for row in (head if head is not None else []) if row.tag == "tr"]
    header = _cells(stash, header_rows[0]) if header_rows else []
    body_rows = [row for row in (body if body is not None else []) if row.tag == "tr"]
    rows = [_cells(stash, row) for row in body_rows]
    first = (header_rows or body_rows or [Element("tr")])[0]
    align = [cell.get("align") or "" for cell in first]
    return {"t": "table", "header": header, "rows": rows, "align": align}


def _blocks(stash: list[str | Element], parent: Element) -> list[Block]:
    blocks: list[Block] = []
    loose: list[Inline] = []  # text directly inside a list item or quote, outside any paragraph

    def flush() -> None:
        if loose:
            blocks.append({"t": "p", "c": _merge_text(loose[:])})
            loose.clear()

    if parent.text and parent.text.strip():
        loose += [p for p in _stashed(stash, parent.text) if isinstance(p, str)]
    for element in parent:
        tag = element.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            flush()
            blocks.append(
                {"t": "h", "level": int(tag[1]), "id": element.get("id", ""), "text": plain_text(stash, element)}
            )
        elif tag == "p":
            flush()
            blocks += _paragraph(stash, element)
        elif tag in ("ul", "ol"):
            flush()
            items = [_blocks(stash, item) for item in element if item.tag == "li"]
            blocks.append({"t": "list", "ordered": tag == "ol", "items": items})
        elif tag == "table":
            flush()
            blocks.append(_table(stash, element))
        elif tag == "pre":
            flush()
            code = element.find("code")
            text = plain_text(stash, code if code is not None else element).rstrip("\n")
            blocks.append({"t": "code", "lang": "", "text": breakable(text)})
        elif tag == "blockquote":
            flush()
            blocks.append({"t": "quote", "c": _blocks(stash, element)})
        elif tag == "hr":
            flush()
            blocks.append({"t": "hr"})
        elif tag == "div":
            flush()
            blocks += _blocks(stash, element)
        else:
            loose += _inline(stash, element)
        if element.tail and element.tail.strip():
            loose += [p for p in _stashed(stash, element.tail) if isinstance(p, str)]
    flush()
    return blocks


def _paragraph(stash: list[str | Element], element: Element) -> list[Block]:
    """A paragraph, or the code block Python-Markdown left in one as a placeholder."""
    if len(element) == 0 and element.text and element.text.strip().startswith(_STX):
        pieces = _stashed(stash, element.text.strip())
        if len(pieces) == 1 and isinstance(pieces[0], dict):
            return [pieces[0]]
    inlines = _inlines(stash, element)
    return [{"t": "p", "c": inlines}] if inlines else []


def document_nodes(parsed: ParsedReport) -> list[Block]:
    """The report's tree as JSON-ready block nodes, in order."""
    return _blocks(parsed.stash, parsed.tree)
