"""Journey: a PDF is built while the Report page stays usable, then downloaded from the same place."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.REPORT_FILES_DIR = str(tmp_path / "reports")


def test_it_shows_progress_keeps_the_page_usable_and_offers_the_download(owner_page, design, components):
    page = owner_page
    page.goto(reverse("outputs:report", args=[design.slug]) + "?layout=brief")
    page.evaluate("window.__marker = 1")

    page.get_by_role("button", name="Build PDF brief").click()

    box = page.locator("#pdf-brief")
    expect(box).to_contain_text("Building the PDF brief")
    # The page answers while the PDF is built: the contents still navigate.
    page.locator(".report-toc a").first.click()
    download = box.get_by_role("link", name="Download PDF brief")
    expect(download).to_be_visible(timeout=120_000)
    assert page.evaluate("window.__marker") == 1  # the same page all along

    response = page.request.get(download.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
