"""Journey: a reader opens the Report page and downloads the PDF brief, typeset in the request."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path / "reports")


def test_it_downloads_the_pdf_brief_from_the_report_page(owner_page, design, components):
    page = owner_page
    page.goto(reverse("outputs:report", args=[design.slug]) + "?layout=brief")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF brief").click()
    download = download_info.value

    assert download.suggested_filename == f"{design.slug}-brief.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    assert design.name in reader.pages[0].extract_text()
    assert any("Architecture overview" in page.extract_text() for page in reader.pages)
