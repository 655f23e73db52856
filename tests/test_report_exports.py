"""The report exports read back: the archive's files, the ADRs, the HTML and the brief PDF's text
(tests/test_report_pdf.py reads the PDF's pages, outline, contents and diagrams)."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from designs.snapshot import load_snapshot
from outputs.pdf import report_pdf
from outputs.report_html import report_html
from outputs.reports import adr_files, report_zip
from tests.diagram_helpers import snapshot_of, starter_snapshot
from tests.full_design import build_full_design

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def full(owner):
    return load_snapshot(build_full_design(owner))


def _pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_it_archives_both_layouts_each_diagram_the_schema_and_the_adrs():
    snapshot = starter_snapshot()

    archive = zipfile.ZipFile(io.BytesIO(report_zip(snapshot)))

    slug = "e-commerce-platform-demo"
    names = set(archive.namelist())
    assert {f"{slug}/{slug}-report.md", f"{slug}/{slug}-brief.md", f"{slug}/schema.sql"} <= names
    for diagram in ("architecture", "erd", "sequence", "deployment"):
        assert f"{slug}/diagrams/{diagram}.svg" in names and f"{slug}/diagrams/{diagram}.dot" in names
        assert archive.read(f"{slug}/diagrams/{diagram}.svg").lstrip().startswith(b"<?xml")
    adrs = sorted(n for n in names if "/adr/" in n)
    assert len(adrs) == len(snapshot.elements("decisions"))
    assert adrs[0].startswith(f"{slug}/adr/0001-")
    assert b"CREATE TABLE customers" in archive.read(f"{slug}/schema.sql")


def test_it_writes_each_adr_with_the_madr_sections():
    snapshot = starter_snapshot()
    decision = snapshot.elements("decisions")[0]

    text = next(iter(adr_files(snapshot).values()))

    for heading in ("## Context and problem statement", "## Considered options", "## Decision outcome"):
        assert heading in text
    assert "## Alternatives considered" in text and "## Consequences" in text
    assert "- Status: " in text
    for alternative in snapshot.referring(decision, "alternatives", "decision"):
        assert alternative.option.split()[0] in text


def test_it_renders_sanitized_html_with_a_toc_and_the_svg_diagrams():
    snapshot = snapshot_of(
        architecture={"components": [{"name": "<script>alert(1)</script>", "kind": "service"}]},
    )

    report = report_html(snapshot)

    assert "<script" not in report.body.replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.body
    assert report.body.count("<svg") == 4
    chapters = [text for level, _, text in report.toc if level == 2]
    assert chapters[:2] == ["Executive summary", "1. Requirements analysis"]


def test_it_prints_the_brief_with_its_sections_and_a_hostile_name_as_text():
    snapshot = snapshot_of(architecture={"components": [{"name": "<b>x</b> | `y`", "kind": "service"}]})

    _, text = _pdf_text(report_pdf(snapshot, "brief"))

    flat = " ".join(text.split())
    for section in ("Architecture overview", "Service definitions", "API contracts", "Technology stack rationale"):
        assert section in flat
    assert "<b>x</b> | `y`" in flat


def test_the_brief_sums_findings_up_per_rule_and_the_full_report_lists_each_under_its_rule():
    from checks.engine import run_checks
    from outputs.markdown import brief_markdown, full_markdown
    from tests.diagram_helpers import tangled_snapshot

    snapshot = tangled_snapshot(components=12, interactions=20)
    rule_id = run_checks(snapshot)[0].rule_id
    total = sum(1 for f in run_checks(snapshot) if f.rule_id == rule_id)
    brief = brief_markdown(snapshot).split("## Design review findings")[1]
    full = full_markdown(snapshot).split("## Design review findings")[1]
    assert "| Severity | Rule | Findings | Where | Fix |" in brief and f"| {total} |" in brief
    assert full.count(f"#### {rule_id} ") == 1
    listed = full.split(f"#### {rule_id} ")[1].split("####")[0]
    assert listed.count("\n- ") == total


def test_the_full_report_traces_each_requirement_to_what_serves_it(full):
    from checks.traceability import traceability
    from outputs.markdown import full_markdown
    from outputs.markdown.escape import md_text

    text = full_markdown(full).split("### Traceability")[1].split("\n### ")[0]

    matrix = traceability(full)
    served = [row for row in matrix.rows if row.components]
    assert served
    for row in served:
        line = next(line for line in text.splitlines() if line.startswith(f"| {row.requirement.code} "))
        for component in row.components:
            assert md_text(component.name) in line
    for requirement in matrix.unserved:
        assert requirement.code in text.split("Served by nothing:")[1]
