"""The Report page and its downloads: every reader may export, strangers get 404."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from designs import services
from designs.models import Role
from tests.conftest import add_member

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _page(design, layout=""):
    return reverse("outputs:report", args=[design.slug]) + (f"?layout={layout}" if layout else "")


def _file(design, fmt):
    return reverse("outputs:report-file", args=[design.slug, fmt])


def test_it_shows_the_full_report_with_contents_diagrams_and_downloads(full, owner_client):
    page = owner_client.get(_page(full)).content.decode()

    assert '<nav class="report-toc"' in page and "4. Database architecture" in page
    assert page.count('<figure class="report-diagram">') == 4
    assert "<td>orders</td>" in page
    for fmt in ("pdf", "brief-pdf", "md", "brief-md", "zip", "sql", "dbml", "openapi-yaml", "openapi-json"):
        assert _file(full, fmt) in page


def test_it_shows_the_brief(full, owner_client):
    page = owner_client.get(_page(full, "brief")).content.decode()

    assert "Technology stack rationale</h2>" in page and "CREATE TABLE orders" in page


def test_it_shows_a_hostile_name_as_text(design, owner_client):
    design.name = "<script>alert(1)</script>"
    design.save()

    page = owner_client.get(_page(design)).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_it_lets_every_role_that_reads_download(full, stranger, role):
    add_member(full, stranger, role)
    client = Client()
    client.force_login(stranger)

    response = client.get(_file(full, "md"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{full.slug}-report.md"'
    assert response.content.decode().startswith("# Full design")
    assert client.get(_page(full)).status_code == 200


def test_it_hides_the_report_from_strangers(full, stranger_client):
    assert stranger_client.get(_page(full)).status_code == 404
    assert stranger_client.get(_file(full, "zip")).status_code == 404


def test_it_refuses_unknown_formats(full, owner_client):
    assert owner_client.get(_file(full, "docx")).status_code == 404


def test_it_links_the_report_from_the_overview(full, owner_client):
    assert _page(full) in owner_client.get(full.get_absolute_url()).content.decode()


def test_the_page_reads_few_queries_and_none_of_the_snapshot_once_cached(
    full, owner_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60):
        first = owner_client.get(_page(full)).content.decode()
    first = first.split('<article class="report">')[1]
    # Session, user, design, the unread count and the findings' decisions (two): the report itself
    # comes from the cache.
    with django_assert_max_num_queries(6):
        again = owner_client.get(_page(full)).content.decode()

    assert again.split('<article class="report">')[1] == first


def test_an_edit_shows_at_once(full, owner_client):
    owner_client.get(_page(full))
    full.refresh_from_db()
    services.design_update(design=full, name="Renamed design", summary=full.summary, base_version=full.version)

    assert "Renamed design" in owner_client.get(_page(full)).content.decode()


def test_a_pdf_downloads_in_the_request_and_a_second_ask_builds_nothing(full, owner_client, settings, tmp_path, caplog):
    settings.REPORT_FILES_DIR = str(tmp_path)
    caplog.set_level("INFO", logger="workbench.slow")

    first = owner_client.get(_file(full, "brief-pdf"))
    again = owner_client.get(_file(full, "brief-pdf"))

    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'attachment; filename="{full.slug}-brief.pdf"'
    assert first.content.startswith(b"%PDF") and again.content == first.content
    assert "Full design" in PdfReader(io.BytesIO(first.content)).pages[0].extract_text()
    builds = [record for record in caplog.records if "pdf build" in record.getMessage()]
    assert len(builds) == 1


def test_an_edit_makes_a_new_pdf(full, owner_client, settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path)
    owner_client.get(_file(full, "brief-pdf"))
    full.refresh_from_db()
    services.design_update(design=full, name="Renamed for print", summary=full.summary, base_version=full.version)

    content = owner_client.get(_file(full, "brief-pdf")).content

    assert "Renamed for print" in PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_a_design_past_the_pdf_limit_says_why_instead_of_typesetting(full, owner_client, settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path)
    settings.PDF_MAX_ELEMENTS = 10

    page = owner_client.get(_page(full)).content.decode()
    refused = owner_client.get(_file(full, "pdf"))

    assert _file(full, "pdf") not in page and "a PDF is typeset for designs of at most 10" in page
    assert _file(full, "md") in page
    assert refused.status_code == 413 and "at most 10" in refused.content.decode()
    assert not list((tmp_path / "pdf").glob("*.pdf"))
