"""The two markdown layouts, from snapshots (no database), read back as markdown and as HTML."""

from __future__ import annotations

import re
from html import unescape

import markdown
import pytest

from designs.document import snapshot_from_document
from designs.steps import STEPS
from outputs.markdown import brief_markdown, full_markdown
from outputs.markdown.brief import SECTIONS
from outputs.markdown.escape import fenced, md_block, md_table, md_text, mermaid_text
from outputs.markdown.mermaid import MAX_CHARACTERS, MAX_EDGES, architecture_diagrams, erd_diagrams
from outputs.report_html import report_html
from tests.diagram_helpers import snapshot_of, starter_snapshot, tangled_snapshot, wide_schema_snapshot

HOSTILE = [
    "a | b",
    "`tick` and ```fence",
    "<script>alert(1)</script>",
    "# not a heading",
    "1. not a list",
    "- not an item",
    "*bold* _em_ [link](http://x) ![img](http://x)",
    "~~~ no fence",
]


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "fenced_code"])


def _table_rows(html: str) -> list[int]:
    """The number of cells of each row of each table."""
    return [len(re.findall(r"<t[dh]>", row)) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]


@pytest.mark.parametrize("name", HOSTILE)
def test_it_keeps_a_hostile_cell_in_its_table_and_inert(name):
    html = _html(md_table(["Name", "Other"], [[name, "x"], ["y", "z"]]))

    assert _table_rows(html) == [2, 2, 2]
    for tag in ("<script", "<h1", "<ol", "<ul", "<pre", "<code", "<em", "<strong", "<a ", "<img", "<del"):
        assert tag not in html
    assert name in unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("name", HOSTILE)
def test_it_keeps_a_hostile_line_a_paragraph(name):
    html = _html(md_text(name))

    assert html.startswith("<p>")
    assert "<script" not in html and "<h1" not in html and "<pre" not in html


def test_it_fences_code_longer_than_any_backticks_inside():
    block = fenced('{"a": "```"}\n````', "json")

    assert block.startswith("`````json\n")
    assert "<pre><code" in _html(block + "\n\nafter") and "<p>after</p>" in _html(block + "\n\nafter")


def test_it_writes_mermaid_labels_without_quotes_or_statement_ends():
    label = mermaid_text('say "hi"; end\n<b>#')

    assert '"' not in label and ";" in label  # only inside entity codes
    assert re.fullmatch(r"([A-Za-z0-9 ]|#\d+;)+", label)


def test_it_writes_every_step_section_and_list_of_the_full_report():
    snapshot = starter_snapshot()

    text = full_markdown(snapshot)

    for step in STEPS:
        assert f"## {step.number}. {md_text(step.title)}" in text
    for record in (*snapshot.elements("components"), *snapshot.elements("tables"), *snapshot.elements("threats")):
        assert f"| {md_text(record.name if 'name' in record.spec.fields else record.description)} |" in text
    for endpoint in snapshot.elements("endpoints"):
        assert f"#### {endpoint.method} {md_text(endpoint.path)}" in text
    assert "| Average requests/s |" in text and "At 10×" in text
    assert "```json" in text
    assert text.count("```mermaid\nsequenceDiagram") == len(
        [m for m in snapshot.elements("auth") if snapshot.referring(m, "flow", "method")]
    )
    assert "```mermaid\nerDiagram" in text and "```mermaid\nflowchart LR" in text


def test_it_writes_exactly_the_sections_of_the_brief_in_order():
    text = brief_markdown(starter_snapshot())

    assert re.findall(r"^## (.+)$", text, re.M) == list(SECTIONS)
    assert "```sql\n" in text and "CREATE TABLE customers" in text and "CREATE UNIQUE INDEX" in text
    for endpoint in ("POST /orders", "GET /products"):
        assert f"### {endpoint}" in text
    assert "Alternatives weighed:" in text


def test_it_says_so_when_parts_are_empty():
    snapshot = snapshot_of()

    full, brief = full_markdown(snapshot), brief_markdown(snapshot)

    assert "No executive summary yet." in full
    assert "No endpoints yet." in full and "No tables yet." in brief
    assert "No technology decisions yet." in brief and "No capacity estimate yet" in brief
    assert "| --- |" not in brief


def test_it_escapes_hostile_names_in_both_layouts():
    snapshot = snapshot_of(
        architecture={
            "components": [{"name": name, "kind": "service", "bounded_context": name} for name in HOSTILE],
            "interactions": [{"source": HOSTILE[0], "target": HOSTILE[2], "protocol": "grpc"}],
        },
        api={"endpoints": [{"method": "GET", "path": "/x/`y`", "summary": HOSTILE[2], "response_example": "```"}]},
    )

    for text in (full_markdown(snapshot), brief_markdown(snapshot)):
        html = _html(text)
        assert "<script" not in html
        assert "not a heading</h" not in html
        assert all(len(set(_table_rows(t))) == 1 for t in re.findall(r"<table>.*?</table>", html, re.S))


def test_it_splits_a_large_architecture_per_bounded_context_under_mermaids_limits():
    snapshot = tangled_snapshot(components=150, interactions=900, contexts=5)

    diagrams = architecture_diagrams(snapshot)

    assert len(diagrams) > 1
    assert any("ctx-3" in d.title for d in diagrams)
    for diagram in diagrams:
        assert diagram.source.count("-->") + diagram.source.count("-.->") <= MAX_EDGES
        assert len(diagram.source) <= MAX_CHARACTERS


def test_it_keeps_a_small_erd_whole():
    assert [d.title for d in erd_diagrams(starter_snapshot())] == ["Entity-relationship diagram"]


def test_it_splits_a_large_erd_per_data_store_under_mermaids_limits():
    diagrams = erd_diagrams(wide_schema_snapshot())

    assert len(diagrams) >= 4
    assert {d.title.split(": ")[1].split(" (")[0] for d in diagrams} == {"DB 0", "DB 1", "DB 2", "DB 3"}
    for diagram in diagrams:
        assert len(diagram.source) <= MAX_CHARACTERS
        assert diagram.source.count("--") <= MAX_EDGES


def test_it_links_a_runbook_that_is_a_web_address_and_only_those():
    snapshot = snapshot_of(
        deployment={
            "alerts": [
                {
                    "name": "Errors",
                    "condition": "5xx",
                    "threshold": "> 2%",
                    "runbook": "https://runbooks.example/a|b`c",
                },
                {"name": "Lag", "condition": "lag", "threshold": "> 1 min", "runbook": "javascript:alert(1)"},
                {"name": "Disk", "condition": "disk", "threshold": "> 90%", "runbook": "see runbooks/disk.md"},
            ]
        }
    )
    text = full_markdown(snapshot)
    assert "<https://runbooks.example/a%7Cb%60c>" in text
    html = _html(text)
    assert '<a href="https://runbooks.example/a%7Cb%60c">' in html
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    assert all(len(set(_table_rows(t))) == 1 for t in re.findall(r"<table>.*?</table>", html, re.S))


def test_both_layouts_end_with_the_design_review_findings():
    from checks.engine import DesignDecisions, run_checks, target_of
    from outputs.markdown import brief_markdown, full_markdown
    from tests.diagram_helpers import starter_snapshot

    snapshot = starter_snapshot()
    for text in (full_markdown(snapshot), brief_markdown(snapshot)):
        assert "\n## Design review findings\n" in text
    leaky = snapshot_of(
        architecture={"components": [{"name": "Orders", "kind": "service", "responsibility": "x"}]},
        api={
            "endpoints": [
                {
                    "service": "Orders",
                    "summary": "x",
                    "method": "GET",
                    "path": "/customers/{id}",
                    "auth_required": False,
                    "exposes_classification": "pii",
                }
            ]
        },
    )
    finding = run_checks(leaky)[0]
    decisions = DesignDecisions(dismissed={(finding.rule_id, target_of(finding)): ("Accepted | risk", "alice")})
    text = full_markdown(leaky, decisions=decisions)
    findings = text.split("## Design review findings")[1]
    assert "### Dismissed findings" in findings and "Accepted \\| risk" in findings and "alice" in findings


def test_the_executive_summary_keeps_its_markdown_inside_a_quote_it_cannot_leave():
    from designs.document import snapshot_from_document
    from outputs.report_html import report_html

    summary = (
        "Sells **shoes** online.\n\n- one\n- two\n\n## Not a chapter\n\n| a |\n\n```\nnever closed\n<script>x</script>"
    )
    design = {"name": "Quoted", "summary": summary}
    snapshot = snapshot_from_document({"format": "design-workbench/1", "design": design, "steps": {}})

    for text in (full_markdown(snapshot), brief_markdown(snapshot)):
        assert "> Sells **shoes** online." in text and "> ## Not a chapter" in text
        assert "<script>" not in text
        html = _html(text)
        assert "<strong>shoes</strong>" in html and "<li>one</li>" in html
        assert "<script" not in html
    assert re.findall(r"^## (.+)$", brief_markdown(snapshot), re.M) == list(SECTIONS)
    report = report_html(snapshot)
    assert "<strong>shoes</strong>" in report.body and "<script" not in report.body
    assert "Not a chapter" in report.body and "Not a chapter" not in [text for _, _, text in report.toc]
    chapters = [text for level, _, text in report.toc if level == 2]
    assert chapters[:2] == ["Executive summary", "1. Requirements analysis"]


# The summary of issue #20: links to scripts and data, a tracking image and a Mermaid directive.
UNSAFE_SUMMARY = (
    "[click](javascript:alert(1)) [page](data:text/html;base64,PHNjcmlwdD5hbGVydCgyKTwvc2NyaXB0Pg==) "
    "[shout](JAVASCRIPT:alert(3)) [spaced]( <javascript:alert(4)>) [escaped\\](javascript:alert(5)) "
    "![pixel](https://tracker.example/p.gif) ![ref pixel][p] [defined][d] [docs](https://example.com/docs) "
    "[mail](mailto:team@example.com) [relative](docs/a.md)\n\n"
    "[p]: https://tracker.example/q.gif\n"
    "[d]:\n  data:text/html,x\n\n"
    "```mermaid\n%%{init: {'securityLevel': 'loose', 'themeCSS': 'x'}}%%\ngraph TD; A-->B\n```"
)


def _summary_snapshot(summary: str):
    return snapshot_from_document({"format": "design-workbench/1", "design": {"name": "S", "summary": summary}})


def test_the_summary_keeps_only_web_mail_and_relative_links_and_no_images_or_mermaid_directives():
    text = full_markdown(_summary_snapshot(UNSAFE_SUMMARY))
    html = _html(text)

    hrefs = re.findall(r'href="([^"]*)"', html)
    assert {"https://example.com/docs", "mailto:team@example.com", "docs/a.md"} <= set(hrefs)
    # An image is left a link to its address at most, which loads nothing.
    assert all(href.startswith(("https://", "mailto:")) or href == "docs/a.md" for href in hrefs)
    assert "<img" not in html
    assert "%%{" not in text and "> %% {init: {'securityLevel': 'loose', 'themeCSS': 'x'}}%%" in text
    # What is left out shows as the text typed.
    for shown in ("[click](javascript:alert(1))", "[defined]", "(javascript:alert(5))"):
        assert shown in unescape(re.sub(r"<[^>]+>", "", html))


def test_the_mermaid_directive_is_a_comment_in_user_paragraphs_too():
    assert md_block("%%{init: {'theme': 'dark'}}%%\nnext") == "%% {init: {'theme': 'dark'}}%%  \nnext"


def test_the_report_page_keeps_web_links_and_drops_the_others():
    report = report_html(_summary_snapshot(UNSAFE_SUMMARY), "brief")

    hrefs = re.findall(r'href="([^"]*)"', report.body)
    assert {"https://example.com/docs", "mailto:team@example.com", "docs/a.md"} <= set(hrefs)
    assert all(href.startswith(("https://", "mailto:")) or href == "docs/a.md" for href in hrefs)
    assert '<a href="https://example.com/docs">docs</a>' in report.body
    assert "<img" not in report.body and "javascript" not in "".join(hrefs)
