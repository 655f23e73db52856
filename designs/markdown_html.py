"""User markdown as sanitized HTML in bounded time: the one renderer every page, comment and report uses.

Stock Python-Markdown is quadratic on a few shapes a 10,000-character field can hold: every `[` or
`![` scans to its closing `]` (to the end of the text when there is none: 9,999 `[` took 9.5 s), a
`](` or `](<` that never closes scans to the end for its `)`, and after each heading, rule or setext
line taken off the front of a block the rest is searched (headings, rules) and split into lines
(tables, setext headings) again: 2,500 headings of one block took a second. Raw HTML
goes through Python's `html.parser` (quadratic on runs of `<`) and is not ours to keep anyway: nh3
would drop most of it, and text such as `Bearer <access JWT>` vanished as an unknown tag.

`BoundedMarkdown` is the configuration that removes those paths, the same syntax otherwise:

- a link's text is found in a table of matching brackets computed once per text, not by a scan per `[`;
- the scans for a link's destination share a budget of characters per conversion; past it, a `[`
  that would need more stays the text it is (only a text built to be slow gets there);
- the heading and rule processors remember their search of a block for the rest of it, the setext
  processor splits off two lines, not all, and the tables extension tests a block's first two lines,
  which is all its rule reads;
- raw HTML is text (shown as typed);
- a text nested past Python's recursion limit is shown as plain paragraphs.

`render_markdown` is the cached renderer the templates use: HTML by a hash of the text and options.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable, Iterator
from typing import Any

import markdown
import nh3
from django.core.cache import cache
from django.utils.html import escape, linebreaks
from markdown.blockparser import BlockParser
from markdown.blockprocessors import HashHeaderProcessor, HRProcessor, SetextHeaderProcessor
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LINK_RE,
    REFERENCE_RE,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)

# Bump when the HTML for the same text changes (the cache is keyed by it).
RENDER_VERSION = "1"
# Characters the destination scans of one conversion may read, at least; a text may read four times
# its own length, which a text of ordinary links never comes near (each reads its own destination).
LINK_SCAN_BUDGET = 20_000
LINK_SCAN_PER_CHARACTER = 4
# Rendered HTML stays in the cache this long; the text is its key, so it is never stale.
CACHE_SECONDS = 7 * 24 * 3600

# No images: a remote <img> in a summary would report every reader's visit to its host.
PAGE_TAGS = nh3.ALLOWED_TAGS - {"img"}
PAGE_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
LINK_REL = "noopener noreferrer nofollow"

_BRACKETS = re.compile(r"[\[\]]")


class _Brackets:
    """Where each `[` of a text closes, as its offset from the text's end (-1: never), in one pass.

    Offsets from the end stay true for every later text of the same conversion that ends with the
    same characters: a match replaces what lies before the scan position with a placeholder and
    keeps the rest, and the inline processor only moves forward.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # The last text found to end like this one from an index on: asked again about a later `[`
        # (one call per `[`, in order), it needs no compare.
        self.checked: tuple[str, int] | None = None
        closes: dict[int, int] = {}
        open_at: list[int] = []
        length = len(text)
        for found in _BRACKETS.finditer(text):
            if found[0] == "[":
                open_at.append(length - found.start())
            elif open_at:
                closes[open_at.pop()] = length - found.start()
        for start in open_at:
            closes[start] = -1
        self.closes = closes

    def close_of(self, data: str, index: int) -> int | None:
        """Index in `data` of the `]` closing the `[` just before `index`; None when it never closes,
        or when this table is not of `data` (the caller then builds one that is)."""
        tail = len(data) - index
        checked = self.checked
        if checked is None or checked[0] is not data or index < checked[1]:
            if tail >= len(self.text) or not self.text.endswith(data[index:]):
                raise LookupError
            self.checked = (data, index)
        close = self.closes.get(tail + 1)
        if close is None:
            raise LookupError
        return None if close < 0 else len(data) - close


class _Budget:
    """The conversion's state shared by its link processors: bracket tables and the scan budget."""

    def __init__(self) -> None:
        self.tables: list[_Brackets] = []
        self.left = 0

    def reset(self, source: str) -> None:
        self.tables = []
        self.left = max(LINK_SCAN_BUDGET, LINK_SCAN_PER_CHARACTER * len(source))

    def close_of(self, data: str, index: int) -> int | None:
        for table in self.tables:
            try:
                return table.close_of(data, index)
            except LookupError:
                continue
        # A link's own text (processed on its own) and the text it sits in are both in use at once:
        # keep a few tables, newest first.
        table = _Brackets(data[index - 1 :])
        self.tables = [table, *self.tables[:7]]
        return table.close_of(data, index)


class _BoundedLinks:
    """`getText` and `getLink` of Python-Markdown's link processors, bounded; mixed into each of them."""

    budget: _Budget

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        close = self.budget.close_of(data, index)
        if close is None:
            return "", index, False
        return data[index:close], close + 1, True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        budget = self.budget
        if budget.left <= 0:
            return "", None, index, False
        end = min(len(data), index + budget.left)
        href, title, after, handled = super().getLink(data[:end], index)  # type: ignore[misc]
        budget.left -= (after if handled else end) - index
        return href, title, after, handled


def _bounded(cls: type) -> type:
    return type(f"Bounded{cls.__name__}", (_BoundedLinks, cls), {})


# Name, class, pattern and priority of each, as `markdown.inlinepatterns.build_inlinepatterns` registers them.
_LINK_PROCESSORS = [
    ("reference", ReferenceInlineProcessor, REFERENCE_RE, 170),
    ("link", LinkInlineProcessor, LINK_RE, 160),
    ("image_link", ImageInlineProcessor, IMAGE_LINK_RE, 150),
    ("image_reference", ImageReferenceInlineProcessor, IMAGE_REFERENCE_RE, 140),
    ("short_reference", ShortReferenceInlineProcessor, REFERENCE_RE, 130),
    ("short_image_ref", ShortImageReferenceInlineProcessor, IMAGE_REFERENCE_RE, 125),
]
_BOUNDED_CLASSES = {name: _bounded(cls) for name, cls, _, _ in _LINK_PROCESSORS}
# As `markdown.blockprocessors.build_block_parser` and `markdown.extensions.tables` register them.
_HASH_HEADER_PRIORITY = 70
_SETEXT_PRIORITY = 60
_RULE_PRIORITY = 50
_TABLE_PRIORITY = 75


def _lines(text: str) -> Iterator[str]:
    """The lines of a text one at a time, so a loop that stops early has not split the rest."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


class _TwoLineTable(TableProcessor):
    """The tables extension's test on a block's first two lines, which is what its rule reads; the
    stock test split every line of the block, again after each line a heading or rule took off it."""

    def test(self, parent: etree.Element, block: str) -> bool:
        head = block.split("\n", 2)
        if len(head) < 2 or not super().test(parent, "\n".join(head[:2])):
            return False
        if len(head) == 3 and len(self._split_row(head[0].strip(" "))) == 1:
            # A table of one column needs a pipe on every row (checked until the first without one).
            for line in _lines(head[2]):
                row = line.strip(" ")
                if not row.startswith("|") and self.RE_END_BORDER.search(row) is None:
                    return False
        return True


class _Search:
    """A block processor's search of a whole block, remembered for the blocks later cut from its end.

    The heading and rule processors search every line of a block; each heading, rule or setext
    line taken off the front hands the rest on as a new block, searched again from its start. A
    search that found nothing in a text finds nothing in its tail (the tails start at a line, where
    the patterns anchor), and one that found a match finds the same first match in any tail that
    still holds it; only a tail past the match is searched again.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        # (text, offset from its end of the first match's start, or -1 for none), newest first;
        # a few, as a part cut off the front is parsed on its own in between.
        self.seen: list[tuple[str, int]] = []
        # Characters searched in all (up to the end of a match), for the tests' bound.
        self.searched = 0

    def __call__(self, block: str) -> re.Match[str] | None:
        for text, found in self.seen:
            if len(block) <= len(text) and text.endswith(block):
                if found < 0:
                    return None
                if found <= len(block):
                    return self.pattern.search(block, len(block) - found)
                break
        match = self.pattern.search(block)
        self.searched += match.end() if match else len(block)
        self.seen = [(block, len(block) - match.start() if match else -1), *self.seen[:3]]
        return match


class _HashHeader(HashHeaderProcessor):
    def __init__(self, parser: BlockParser) -> None:
        super().__init__(parser)
        self.search = _Search(self.RE)

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.search(block) is not None


class _Rule(HRProcessor):
    def __init__(self, parser: BlockParser) -> None:
        super().__init__(parser)
        self.search = _Search(self.SEARCH_RE)

    def test(self, parent: etree.Element, block: str) -> bool:
        match = self.search(block)
        if match is None:
            return False
        # What `run` reads (as the stock test leaves it).
        self.match = match
        return True


class _Setext(SetextHeaderProcessor):
    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        # The stock run split the whole block into lines and joined all but two again.
        lines = blocks.pop(0).split("\n", 2)
        heading = etree.SubElement(parent, "h1" if lines[1].startswith("=") else "h2")
        heading.text = lines[0].strip()
        if len(lines) > 2:
            blocks.insert(0, lines[2])


class _Reset(markdown.preprocessors.Preprocessor):
    def __init__(self, md: markdown.Markdown, budget: _Budget) -> None:
        super().__init__(md)
        self.budget = budget

    def run(self, lines: list[str]) -> list[str]:
        self.budget.reset("\n".join(lines))
        return lines


class BoundedMarkdown(Extension):
    """Python-Markdown in time linear in the text (see the module's docstring); list it after `tables`."""

    def __init__(self, *, raw_html: bool = False, **kwargs: Any) -> None:
        self.raw_html = raw_html
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        budget = _Budget()
        md.preprocessors.register(_Reset(md, budget), "bounded_reset", 100)
        for name, _, pattern, priority in _LINK_PROCESSORS:
            processor = _BOUNDED_CLASSES[name](pattern, md)
            processor.budget = budget
            md.inlinePatterns.register(processor, name, priority)
        blocks = md.parser.blockprocessors
        blocks.register(_HashHeader(md.parser), "hashheader", _HASH_HEADER_PRIORITY)
        blocks.register(_Setext(md.parser), "setextheader", _SETEXT_PRIORITY)
        blocks.register(_Rule(md.parser), "hr", _RULE_PRIORITY)
        if "table" in md.parser.blockprocessors:
            config = md.parser.blockprocessors["table"].config
            md.parser.blockprocessors.register(_TwoLineTable(md.parser, config), "table", _TABLE_PRIORITY)
        if not self.raw_html:
            md.preprocessors.deregister("html_block", strict=False)
            md.inlinePatterns.deregister("html", strict=False)


def converter(extensions: Iterable[Any] = ()) -> markdown.Markdown:
    """A Python-Markdown converter with the given extensions, bounded."""
    return markdown.Markdown(extensions=[*extensions, BoundedMarkdown()])


def plain_html(text: str) -> str:
    """The text as typed, in paragraphs and line breaks: what a text too deeply nested to render shows."""
    return linebreaks(escape(text))


def convert(text: str, extensions: Iterable[Any] = ()) -> str:
    """Markdown to (unsanitized) HTML, bounded; a text nested past the recursion limit becomes `plain_html`."""
    try:
        return converter(extensions).convert(text)
    except RecursionError:
        return plain_html(text)


def render_markdown(text: str, *, line_breaks: bool = False) -> str:
    """A user's markdown as sanitized HTML for a page, from the cache when the same text was rendered."""
    text = text or ""
    options = "nl2br" if line_breaks else ""
    key = "markdown:" + hashlib.sha256(f"{RENDER_VERSION}\0{options}\0{text}".encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        extensions = [*PAGE_EXTENSIONS, "nl2br"] if line_breaks else PAGE_EXTENSIONS
        html = nh3.clean(convert(text, extensions), tags=PAGE_TAGS, link_rel=LINK_REL)
        cache.set(key, html, CACHE_SECONDS)
    return html
