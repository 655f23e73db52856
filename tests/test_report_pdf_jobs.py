"""PDFs built beside the request: the Report page asks for one, polls its progress, then downloads it.

Real WeasyPrint in a real process of its own; the files live in a directory of the test's own.
"""

from __future__ import annotations

import io
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from designs import services
from designs.models import Role
from outputs import pdf_jobs
from tests.conftest import add_member

pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path / "reports")
    return tmp_path / "reports"


def _pdf_url(design, layout="full"):
    return reverse("outputs:report-pdf", args=[design.slug, layout])


def _file(design, fmt="pdf"):
    return reverse("outputs:report-file", args=[design.slug, fmt])


def _wait_until_settled(client, design, layout="full", htmx_headers=None, seconds=180):
    """Polls as the page does (htmx GET every second) until the job stops running; the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        page = client.get(_pdf_url(design, layout), **htmx_headers).content.decode()
        if 'hx-trigger="every 1s"' not in page or time.monotonic() > deadline:
            return page
        time.sleep(0.5)


def test_the_report_page_offers_to_build_each_pdf(full, owner_client):
    page = owner_client.get(reverse("outputs:report", args=[full.slug])).content.decode()

    assert 'id="pdf-full"' in page and 'id="pdf-brief"' in page
    assert f'hx-post="{_pdf_url(full)}"' in page and f'hx-post="{_pdf_url(full, "brief")}"' in page
    assert "Build PDF report" in page and "Build PDF brief" in page
    for fmt in ("md", "brief-md", "zip", "sql"):
        assert _file(full, fmt) in page


def test_it_builds_the_pdf_with_progress_then_downloads_it(full, owner_client, htmx_headers):
    started = owner_client.post(_pdf_url(full), **htmx_headers).content.decode()

    # The answer comes at once, with the progress box that polls itself.
    assert 'hx-trigger="every 1s"' in started and "Building the PDF report" in started
    settled = _wait_until_settled(owner_client, full, htmx_headers=htmx_headers)
    assert "Download PDF report" in settled and _file(full) in settled

    response = owner_client.get(_file(full))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{full.slug}-report.pdf"'
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Authors" in reader.pages[0].extract_text() and "alice" in reader.pages[0].extract_text()
    assert "Database architecture" in text and "orders" in text
    assert len(reader.outline) >= 8


def test_a_second_request_joins_the_running_build(full, owner_client, htmx_headers, report_files):
    owner_client.post(_pdf_url(full, "brief"), **htmx_headers)
    owner_client.post(_pdf_url(full, "brief"), **htmx_headers)

    claims = list(report_files.glob("*.building"))
    _wait_until_settled(owner_client, full, "brief", htmx_headers)
    assert len(claims) == 1
    assert len(list(report_files.glob("*.pdf"))) == 1


def test_downloading_a_pdf_not_built_yet_starts_it_and_shows_the_page(full, owner_client, htmx_headers):
    response = owner_client.get(_file(full, "brief-pdf"))

    assert response.status_code == 302
    assert response["Location"] == reverse("outputs:report", args=[full.slug]) + "?layout=brief#pdf-brief"
    assert "Download PDF brief" in _wait_until_settled(owner_client, full, "brief", htmx_headers)
    download = owner_client.get(_file(full, "brief-pdf"))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_without_javascript_the_build_form_posts_and_comes_back(full, owner_client, htmx_headers):
    response = owner_client.post(_pdf_url(full))

    assert response.status_code == 302 and response["Location"].endswith("#pdf-full")
    _wait_until_settled(owner_client, full, htmx_headers=htmx_headers)


def test_an_edit_makes_the_built_pdf_stale(full, owner_client, htmx_headers):
    owner_client.post(_pdf_url(full), **htmx_headers)
    assert "Download PDF report" in _wait_until_settled(owner_client, full, htmx_headers=htmx_headers)

    full.refresh_from_db()
    services.design_update(design=full, name="Full design, renamed", summary=full.summary, base_version=full.version)

    assert "Build PDF report" in owner_client.get(_pdf_url(full), **htmx_headers).content.decode()


def test_a_build_that_runs_too_long_fails_with_a_message_and_can_be_retried(full, owner_client, htmx_headers, settings):
    settings.PDF_BUILD_TIMEOUT_SECONDS = 0
    owner_client.post(_pdf_url(full, "brief"), **htmx_headers)

    failed = _wait_until_settled(owner_client, full, "brief", htmx_headers)
    assert "took longer than 0 s" in failed and "Try the PDF brief again" in failed


def test_a_claim_whose_process_is_gone_counts_as_interrupted(full, owner, report_files):
    name = pdf_jobs.job_name(design_pk=full.pk, design_state="x", layout="full", authors=())
    pdf_jobs.files_dir()
    (report_files / f"{name}.building").write_text(json.dumps({"pid": 2**22 + 1, "host": "", "started": 0}))

    assert pdf_jobs.job_status(name, "full").state == "failed"
    assert pdf_jobs.job_status(name, "full").error == pdf_jobs.INTERRUPTED


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_every_reader_may_build_a_pdf(full, stranger, role, htmx_headers):
    add_member(full, stranger, role)
    client = Client()
    client.force_login(stranger)

    assert "Building the PDF brief" in client.post(_pdf_url(full, "brief"), **htmx_headers).content.decode()
    _wait_until_settled(client, full, "brief", htmx_headers)


def test_strangers_and_unknown_layouts_get_404(full, stranger_client, owner_client):
    assert stranger_client.post(_pdf_url(full)).status_code == 404
    assert stranger_client.get(_pdf_url(full)).status_code == 404
    assert owner_client.get(_pdf_url(full, "poster")).status_code == 404


def test_the_progress_answer_reads_few_queries(full, owner_client, htmx_headers, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        owner_client.get(_pdf_url(full), **htmx_headers)
