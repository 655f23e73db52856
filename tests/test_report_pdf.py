"""The PDF read back: real Typst, real `dot`, pypdf for text, outline, page numbers and font sizes."""

from __future__ import annotations

import io
import math
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from designs.document import snapshot_from_document
from designs.snapshot import load_snapshot
from designs.steps import STEPS
from outputs import pdf
from outputs.pdf import PdfCover, cached_pdf, report_data, report_pdf
from outputs.pdf_figures import FONT_FLOOR
from tests.diagram_helpers import snapshot_of, starter_snapshot
from tests.full_design import build_full_design
from tests.test_diagrams_safety import HOSTILE as DIAGRAM_HOSTILE
from tests.test_markdown_report import HOSTILE as MARKDOWN_HOSTILE

pytestmark = pytest.mark.usefixtures("empty_cache")

# Typst's own syntax, which must print as typed.
TYPST_HOSTILE = [
    '#read("/etc/passwd")',
    '#include "/etc/passwd"',
    "$x^2$ math",
    "@label and <label>",
    "// a line comment",
    "/* a block comment */",
    "back\\slash \\",
    "#set text(red)",
    "a lone ] bracket",
    '#image("/etc/passwd")',
    "#{ panic() }",
    "= not a heading",
]


@pytest.fixture(scope="module")
def demo_pdf() -> tuple[bytes, PdfReader]:
    content = report_pdf(starter_snapshot(), "full", cover=PdfCover(authors=("alice", "bob")))
    return content, PdfReader(io.BytesIO(content))


def _page_texts(reader: PdfReader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _outline(reader: PdfReader, items=None, depth: int = 0) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item)))
    return found


def test_it_prints_every_step_table_and_endpoint(owner):
    full = load_snapshot(build_full_design(owner))

    reader = PdfReader(io.BytesIO(report_pdf(full, "full", cover=PdfCover(authors=("alice",)))))

    flat = " ".join(_page_texts(reader))
    for step in STEPS:
        assert step.title in flat
    for table in full.elements("tables"):
        assert table.name in flat
    for endpoint in full.elements("endpoints"):
        assert endpoint.path in flat
    assert "alice" in flat


def test_the_cover_names_the_design_layout_status_authors_and_date(demo_pdf):
    _, reader = demo_pdf

    cover = _page_texts(reader)[0]

    assert "E-commerce platform (demo)" in cover and "Design report" in cover
    assert "Status" in cover and "Authors alice, bob" in cover and "Date" in cover
    assert reader.metadata.title == "E-commerce platform (demo)"
    assert "alice" in reader.metadata.author


def test_every_page_after_the_cover_has_its_running_header_and_footer(demo_pdf):
    _, reader = demo_pdf
    pages = _page_texts(reader)

    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "E-commerce platform (demo)" in text


def test_the_outline_names_every_heading_and_the_contents_give_the_pages_they_are_on(demo_pdf):
    _, reader = demo_pdf
    pages = _page_texts(reader)
    outline = _outline(reader)

    titles = [title for _, title, _ in outline]
    for step in STEPS:
        assert f"{step.number}. {step.title}" in titles
    assert "Executive summary" in titles and "Design review findings" in titles
    snapshot = starter_snapshot()
    for endpoint in snapshot.elements("endpoints"):
        assert f"{endpoint.method} {endpoint.path}" in titles  # sections too long for the contents
    # Each heading is on the page its bookmark points to, and the printed contents say that page.
    contents = " ".join(text for text in pages[1:4] if "Contents" in text)
    checked = 0
    for depth, title, index in outline:
        assert title[:30] in pages[index], title
        if depth <= 1 and title != "Contents" and f"{title} " in contents:
            printed = contents.split(f"{title} ", 1)[1].lstrip(". ").split(" ", 1)[0]
            assert printed == str(index + 1), title
            checked += 1
    assert checked > 40


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """The PDF matrix product m × n of (a, b, c, d, e, f) matrices."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _printed_text_sizes(reader: PdfReader, stream, resources, ctm: list[float], inside_drawing: bool) -> list:
    """(size in points as printed, inside a drawing) of each text shown, through every transformation:
    the page's, a drawing's placement (a form XObject: dot's PDF of the diagram) and its text matrix."""
    from pypdf.generic import ContentStream

    sizes, stack, font_size, text_matrix = [], [], 0.0, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    for operands, operator in ContentStream(stream, reader).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _multiply([float(x) for x in operands], ctm)
        elif operator == b"Tf":
            font_size = float(operands[1])
        elif operator == b"Tm":
            text_matrix = [float(x) for x in operands]
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            whole = _multiply(text_matrix, ctm)
            sizes.append((abs(font_size) * math.hypot(whole[0], whole[1]), inside_drawing))
        elif operator == b"Do":
            form = resources["/XObject"][operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                placed = _multiply([float(x) for x in form.get("/Matrix", [1, 0, 0, 1, 0, 0])], ctm)
                inner = form.get("/Resources", resources)
                sizes += _printed_text_sizes(reader, form, inner, placed, True)
    return sizes


@pytest.mark.parametrize("layout", ["full", "brief"])
def test_no_printed_text_is_smaller_than_the_floor(layout):
    reader = PdfReader(io.BytesIO(report_pdf(starter_snapshot(), layout)))

    sizes = []
    for page in reader.pages:
        sizes += _printed_text_sizes(reader, page.get_contents(), page["/Resources"], [1, 0, 0, 1, 0, 0], False)

    in_drawings = [size for size, inside in sizes if inside]
    assert len(in_drawings) > 200  # the diagrams' labels are read, not only the page's own text
    assert min(size for size, _ in sizes) >= FONT_FLOOR - 0.05, min(sizes)
    assert min(in_drawings) < 7.5  # some drawing is printed near the floor: the check measures printed sizes


def test_a_large_diagram_is_split_per_bounded_context_with_a_context_map():
    snapshot = starter_snapshot()
    contexts = {c.bounded_context for c in snapshot.elements("components") if c.bounded_context}

    reader = PdfReader(io.BytesIO(report_pdf(snapshot, "brief")))

    flat = " ".join(_page_texts(reader))
    assert "Architecture diagram: context map" in flat
    for context in contexts:
        assert f"Architecture diagram: bounded context {context}" in flat
    for store in {table.store.component.name for table in snapshot.elements("tables")}:
        assert f"Entity-relationship diagram: data store {store}" in flat


def test_a_small_diagram_gets_one_page_of_its_own():
    snapshot = snapshot_of(
        architecture={
            "components": [{"name": "API", "kind": "service"}, {"name": "DB", "kind": "database"}],
            "interactions": [{"source": "API", "target": "DB", "protocol": "SQL"}],
        }
    )

    pages = _page_texts(PdfReader(io.BytesIO(report_pdf(snapshot, "brief"))))

    drawn = [text for text in pages if "Architecture diagram" in text and "API" in text and "SQL" in text]
    assert len(drawn) == 1 and "part " not in drawn[0]


@pytest.mark.parametrize("text", TYPST_HOSTILE + MARKDOWN_HOSTILE + DIAGRAM_HOSTILE[:8])
def test_hostile_text_prints_literally(text):
    snapshot = snapshot_from_document(
        {
            "format": "design-workbench/1",
            "design": {"name": f"Design {text}", "summary": f"Summary {text}"},
            "steps": {
                "architecture": {
                    "components": [{"name": f"C {text}", "kind": "service", "responsibility": f"R {text}"}]
                }
            },
        }
    )

    pages = _page_texts(PdfReader(io.BytesIO(report_pdf(snapshot, "full"))))

    flat = " ".join(pages)
    assert "root:x:0:0" not in flat

    def squeezed(value: str) -> str:
        # A table cell wraps its lines (and breaks a long run with a zero-width space): compare the characters.
        return "".join(ch for ch in value.replace("\u200b", "") if ch.isprintable() and not ch.isspace())

    expected = [f"R {text}", f"C {text}", f"Design {text}"]
    if text in TYPST_HOSTILE:
        expected.append(f"Summary {text}")  # the summary keeps its markdown (bold, code), not Typst's
    if not text.isascii():
        # Right-to-left text is extracted in visual order, and no font here draws emoji: the rest is there.
        expected = ["".join(ch for ch in f"R {text}" if ch.isascii())]
    for one in expected:
        assert squeezed(one) in squeezed(flat), one


def test_typst_reads_nothing_outside_the_compile_root(tmp_path):
    for path in ("/etc/passwd", "../../../../../../etc/passwd"):
        (tmp_path / "report.typ").write_text(f'#read("{path}")')

        with pytest.raises(Exception, match=r"(?i)file not found|escape the project root"):
            typst.compile(str(tmp_path / "report.typ"), root=str(tmp_path))


def test_a_compile_root_holds_only_the_template_the_data_and_the_diagrams(tmp_path):
    report_data(starter_snapshot(), "brief", tmp_path)

    written = {path.relative_to(tmp_path).parts[0] for path in tmp_path.rglob("*")}
    assert written == {"diagrams"}
    assert all(path.suffix == ".pdf" for path in (tmp_path / "diagrams").iterdir())


def test_a_frozen_version_says_which_and_who_approved_it():
    content = report_pdf(starter_snapshot(), "brief", cover=PdfCover(version=3, approved_by=("rita", "sam")))

    cover = _page_texts(PdfReader(io.BytesIO(content)))[0]

    assert "Architecture brief" in cover and "Version 3, approved by rita, sam" in cover


def test_requests_for_the_same_pdf_at_once_cause_one_build(settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path)
    builds = []

    def build() -> bytes:
        builds.append(1)
        time.sleep(0.3)
        return b"%PDF-1.7 one build"

    threads = [threading.Thread(target=cached_pdf, args=("ab" * 32, build)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert builds == [1]
    assert cached_pdf("ab" * 32, build) == b"%PDF-1.7 one build" and builds == [1]


def _build_once_in_a_process(directory: str, marks: str) -> None:
    from django.conf import settings

    settings.REPORT_FILES_DIR = directory

    def build() -> bytes:
        with open(marks, "a") as handle:
            handle.write("built\n")
        time.sleep(0.5)
        return b"%PDF-1.7 shared"

    assert cached_pdf("cd" * 32, build) == b"%PDF-1.7 shared"


def test_processes_sharing_the_directory_share_one_build(settings, tmp_path):
    marks = tmp_path / "marks"
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_build_once_in_a_process, args=(str(tmp_path), str(marks))) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)

    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert marks.read_text() == "built\n"


def test_the_cache_keeps_the_most_recently_used_files(settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path)
    settings.PDF_CACHE_FILES = 2
    for key in ("a1" * 32, "b2" * 32, "c3" * 32):
        cached_pdf(key, lambda key=key: key.encode())

    assert sorted(path.name[:2] for path in Path(tmp_path, "pdf").glob("*.pdf")) == ["b2", "c3"]


def test_a_typst_failure_is_a_build_error(monkeypatch):
    monkeypatch.setattr(pdf, "TEMPLATE", Path(__file__).with_name("fixtures") / "broken.typ")

    with pytest.raises(pdf.PdfBuildError):
        report_pdf(snapshot_of(design={"name": "x"}), "brief")


def test_a_drawing_too_large_for_one_page_prints_in_filled_pieces_at_or_above_the_floor():
    from outputs.pdf_figures import Drawing, _area, plates
    from outputs.render import RenderedDiagram

    drawing = Drawing("", RenderedDiagram(b"", "svg"), width=3000.0, height=1500.0, smallest_font=10.0)

    pieces = plates(drawing, "diagrams/x.svg", "Big")

    assert len(pieces) > 1 and len({piece.landscape for piece in pieces}) == 1
    width, height = _area(pieces[0].landscape)
    for number, piece in enumerate(pieces, start=1):
        assert piece.smallest_text >= FONT_FLOOR
        assert piece.tile[2] <= width + 0.01 and piece.tile[3] <= height + 0.01
        assert f"part {number} of {len(pieces)}" in piece.caption
    # Together the pieces cover the whole drawing as printed, and at least one side fills its page.
    assert math.isclose(max(p.tile[0] + p.tile[2] for p in pieces), pieces[0].width)
    assert math.isclose(pieces[0].tile[2], width) or math.isclose(pieces[0].tile[3], height)
