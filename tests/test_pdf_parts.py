"""A PDF laid out in parts side by side and joined: where the cuts fall, and that the joined file
reads as one document (page numbers, contents, outline, links) and reuses unchanged parts.

The PDFs come from the real worker process (outputs/pdf_worker.py) and real WeasyPrint; pypdf
reads them back.
"""

from __future__ import annotations

import io

import markdown
import pytest
from pypdf import PdfReader

from designs import services
from designs.models import Endpoint
from designs.snapshot import load_snapshot
from outputs.pdf import printed_contents, report_pdf
from outputs.pdf_parts import PART_BUDGET, PdfParts, split_parts
from tests.large_design import build_large_design

pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path / "reports")
    return tmp_path / "reports"


def _parts(source: str) -> list[str]:
    return split_parts(markdown.Markdown(extensions=["tables", "fenced_code", "toc", PdfParts()]).convert(source))


def test_a_table_too_long_for_one_part_is_cut_between_rows_and_each_piece_keeps_its_header():
    rows = "\n".join(f"| row-{i:04} | value {i} | {i * 2} |" for i in range(1200))
    parts = _parts(f"## Columns\n\n| Name | Value | Twice |\n|---|---|---|\n{rows}\n")

    assert len(parts) >= 3
    for part in parts:
        assert part.count("<thead>") == 1 and "<th>Name</th>" in part
    joined = "".join(parts)
    assert [f"row-{i:04}" in joined for i in range(1200)] == [True] * 1200
    assert joined.index("row-0599") < joined.index("row-0600")


def test_cuts_fall_before_headings_and_never_between_a_label_and_its_example():
    endpoint = "### GET /orders/{n}\n\nRequest:\n\n```json\n" + '{"a": 1}\n' * 20 + "```\n\nA closing paragraph.\n"
    source = "## API contracts\n\n" + "\n".join(endpoint.replace("{n}", str(n)) for n in range(200))

    parts = _parts(source)

    assert len(parts) >= 2
    for part in parts[1:]:
        assert part.lstrip().startswith("<h3")
    assert sum(part.count("<h3") for part in parts) == 200


def test_a_small_report_is_one_part():
    assert len(_parts("## One\n\nText.\n\n## Two\n\nMore text.\n")) == 1
    assert PART_BUDGET > 100


def test_the_printed_contents_lists_every_chapter_and_the_sections_of_short_ones():
    toc = [(2, "api", "API contracts"), *((3, f"e{n}", f"GET /e{n}") for n in range(40))]
    toc += [(2, "keys", "Key considerations"), (3, "scale", "Scalability at 10×")]

    printed = printed_contents(tuple(toc))

    assert [text for _, _, text in printed] == ["API contracts", "Key considerations", "Scalability at 10×"]


@pytest.fixture
def large(owner):
    design = build_large_design(owner, components=40, interactions=90, tables=45, endpoints=60, others=10)
    return design


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def test_the_joined_pdf_numbers_every_page_and_its_outline_and_contents_point_at_the_headings(
    large, report_files, settings
):
    settings.PDF_LAYOUT_PROCESSES = 2  # parts laid out side by side, as on a server
    reader = _reader(report_pdf(load_snapshot(large), "full"))

    parts = list((report_files / "pdf-parts").glob("*.pdf"))
    assert len(parts) > 3  # it really was laid out in parts
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    total = len(pages)
    assert "Page " not in pages[0]  # the cover
    for number, text in enumerate(pages[1:], start=2):
        assert text.endswith(f"Page {number} of {total}"), number
    outline = _outline(reader)
    assert [title for depth, title, _ in outline if depth == 0][:3] == [large.name, "Contents", "Executive summary"]
    assert ("4. Database architecture", 0) in [(title, depth) for depth, title, _ in outline]
    # Past 40 tables the ERD is printed with key columns only, and says so.
    assert any("Entity-relationship diagram (key columns only: 45 tables)" in text for text in pages)
    for _, title, page in outline:
        assert title in pages[page], title
    # The contents: each entry's number is the page its heading is on, and each entry links there.
    contents = reader.pages[1]
    links = [annotation.get_object() for annotation in contents.get("/Annots", [])]
    assert len(links) > 10
    page_ids = [page.indirect_reference.idnum for page in reader.pages]
    for link in links:
        target = page_ids.index(link["/Dest"][0].idnum)
        assert target > 1
        assert f" {target + 1} " in f" {pages[1]} "


def test_an_edit_lays_out_again_only_the_parts_it_changed(large, report_files):
    report_pdf(load_snapshot(large), "brief")
    cached = {path.name for path in (report_files / "pdf-parts").glob("*.pdf")}

    last = Endpoint.objects.filter(design=large).order_by("position").last()
    Endpoint.objects.filter(pk=last.pk).update(summary="Lists the last orders")
    services.design_changed(large)
    pdf = report_pdf(load_snapshot(large), "brief")

    after = {path.name for path in (report_files / "pdf-parts").glob("*.pdf")}
    assert len(after - cached) == 1
    assert "Lists the last orders" in " ".join(page.extract_text() for page in _reader(pdf).pages)
