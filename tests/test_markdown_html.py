"""User markdown in bounded time (designs.markdown_html): every hostile shape at a field's full length
renders escaped, with work linear in its length (counted, not timed: bench/hostile_documents.py times it)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
import tinyhtml5
from django.db import connection

from designs.document import snapshot_from_document
from designs.markdown_html import PAGE_EXTENSIONS, convert, converter, render_markdown
from designs.models.base import TEXT_LIMIT
from designs.steps import get_step
from outputs.report_html import ReportHtml, report_html
from reviews import services as comment_services
from reviews.markup import render_comment
from reviews.models.comments import BODY_LIMIT
from tests.comment_helpers import member
from tests.hostile_documents import MARKDOWN_SHAPES, hostile_markdown

XHTML = "{http://www.w3.org/1999/xhtml}"

# Python-level steps (traced calls, lines and returns) per character of text: plain paragraphs of
# the same length take about 240; stock Python-Markdown took ~9,000 per character for 9,999 `[`.
STEPS_PER_CHARACTER = 400


def _full(shape: str, limit: int = TEXT_LIMIT) -> str:
    return hostile_markdown(shape, limit)


class _TooMuchWork(Exception):
    pass


def _steps(work: Callable[[], Any], limit: int) -> int:
    """Python steps `work` takes, stopped with an error as soon as it passes `limit` (so a quadratic
    path fails here at once instead of running for seconds)."""
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        if count > limit:
            raise _TooMuchWork(f"more than {limit:,} steps")
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _text(html: str) -> str:
    return "".join(tinyhtml5.parse(f"<div>{html}</div>").itertext())


@pytest.mark.parametrize("shape", MARKDOWN_SHAPES)
def test_it_renders_each_hostile_shape_in_linear_work(shape):
    text = _full(shape)

    steps = _steps(lambda: convert(text, [*PAGE_EXTENSIONS, "nl2br"]), STEPS_PER_CHARACTER * len(text))

    assert steps <= STEPS_PER_CHARACTER * len(text)
    html = render_markdown(text, line_breaks=True)
    # Sanitized as ever: no element the page does not allow, no link but the shape's own `[a](b)`.
    assert "<img" not in html and "<script" not in html and "&lt;" * ("<" in shape) in html
    assert ("<a " in html) == (shape == "[a](b) ")


@pytest.mark.parametrize("shape", ["# a\n", "a\n-\n", "a\n=\n", "***\n", "---\n"])
def test_it_searches_a_block_for_headings_and_rules_once(shape):
    text = _full(shape)
    md = converter(PAGE_EXTENSIONS)

    md.convert(text)

    # Stock Python-Markdown searched the rest of the block again after every line it took off:
    # about 12,500,000 characters for 2,500 headings.
    for name in ("hashheader", "hr"):
        assert md.parser.blockprocessors[name].search.searched <= 2 * len(text)


@pytest.mark.parametrize("shape", ["[", "![", "[\n", "[a](", "[a](<", "[a][", "![a](", "<", "<a href="])
def test_it_shows_brackets_and_angles_that_are_no_link_as_typed(shape):
    text = _full(shape)

    html = render_markdown(text)

    assert _text(html).replace("\n", "") == text.replace("\n", "")
    assert "<a " not in html and "<img" not in html


def test_it_still_renders_links_images_references_and_tables():
    text = (
        "See [the docs](https://example.com/a_(b) 'Docs') and [ref][r], nested [a [b] c](https://example.com/n).\n\n"
        "[r]: https://example.com/r\n\n"
        "| a | b |\n| - | - |\n| 1 | 2 |\n\n"
        "Heading\n=======\n\n# Hash\n\n***\n"
    )

    html = render_markdown(text)

    assert '<a href="https://example.com/a_(b)" title="Docs" rel="noopener noreferrer nofollow">the docs</a>' in html
    assert '<a href="https://example.com/r" rel="noopener noreferrer nofollow">ref</a>' in html
    assert '<a href="https://example.com/n" rel="noopener noreferrer nofollow">a [b] c</a>' in html
    assert "<td>1</td>" in html and "<h1>Heading</h1>" in html and "<h1>Hash</h1>" in html and "<hr>" in html


def test_it_gives_up_links_past_the_scan_budget_and_keeps_the_text():
    # Every `](` opens a destination that never closes: each would read to the end of the text.
    text = _full("[a](")

    html = render_markdown(text)

    assert "<a" not in html and _text(html) == text


def test_it_shows_raw_html_as_typed():
    html = render_markdown("Send `Authorization: Bearer <token>` as <b>Bearer <access JWT></b>")

    assert "<b>" not in html
    assert "&lt;access JWT&gt;" in html and "&lt;b&gt;" in html


def test_it_shows_a_text_nested_past_the_recursion_limit_as_typed():
    text = "\n".join("    " * depth + "- a" for depth in range(sys.getrecursionlimit()))

    html = convert(text)

    assert html.startswith("<p>- a<br>")


def test_it_serves_the_same_text_from_the_cache(empty_cache):
    text = _full("[a](b) ")
    first = render_markdown(text, line_breaks=True)

    steps = _steps(lambda: render_markdown(text, line_breaks=True), 5_000)

    assert steps < 5_000
    assert render_markdown(text, line_breaks=True) == first
    # Options are part of the key.
    assert render_markdown("a\nb") != render_markdown("a\nb", line_breaks=True)


def test_it_renders_a_hostile_comment_in_linear_work():
    text = _full("[", BODY_LIMIT)

    steps = _steps(lambda: render_comment(text, {}), STEPS_PER_CHARACTER * len(text))

    assert steps <= STEPS_PER_CHARACTER * len(text)


@pytest.mark.django_db(transaction=True)
def test_it_renders_a_comment_before_the_design_is_locked(design, owner, monkeypatch):
    member(design, "bob", "editor")
    seen: list[bool] = []

    def spy(body: str, members: Any) -> Any:
        seen.append(connection.in_atomic_block)
        return render_comment(body, members)

    monkeypatch.setattr(comment_services, "render_comment", spy)
    thread = comment_services.comment_create(design=design, author=owner, step=get_step("architecture"), body="@bob [")
    comment_services.comment_reply(thread=thread, author=owner, body="@bob again")
    comment_services.comment_edit(comment=thread, user=owner, body="@bob edited")

    assert seen and not any(seen)
    assert '<span class="mention">@bob</span>' in thread.body_html


@pytest.mark.parametrize("shape", ["[", "![", "[a](", "# a\n", "a\n-\n"])
def test_it_renders_a_hostile_summary_in_the_report_in_linear_work(shape):
    text = _full(shape)
    snapshot = snapshot_from_document({"format": "design-workbench/1", "design": {"name": "S", "summary": text}})
    report: list[ReportHtml] = []

    steps = _steps(lambda: report.append(report_html(snapshot, "brief")), STEPS_PER_CHARACTER * len(text))

    assert steps <= STEPS_PER_CHARACTER * len(text)
    if shape == "[":
        assert "[" * len(text) in report[0].body
