"""The Versions, Compare and Reviews pages, through the test client on real PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from designs import models as m
from designs import services
from designs.models import Design, Role
from reviews.models import DesignVersion, ReviewRequest
from reviews.versions import freeze_version
from tests.conftest import add_member, make_user

pytestmark = pytest.mark.usefixtures("empty_cache")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rita(full):
    user = make_user("rita")
    add_member(full, user, Role.REVIEWER)
    return user


def _rename(design, name):
    design.refresh_from_db()
    services.design_update(design=design, name=name, summary=design.summary, base_version=design.version)


def test_an_editor_saves_a_version_and_everyone_reading_sees_it(full, owner_client, rita):
    response = owner_client.post(reverse("reviews:versions", args=[full.slug]), {"message": "Baseline <b>"})
    assert response.status_code == 302

    page = _client(rita).get(reverse("reviews:versions", args=[full.slug])).content.decode()
    assert "v1" in page and "Baseline &lt;b&gt;" in page and "alice" in page
    assert "Save version" not in page  # a reviewer reads, and does not save
    assert _client(rita).post(reverse("reviews:versions", args=[full.slug]), {"message": "x"}).status_code == 403


def test_a_version_shows_the_design_as_it_was_with_its_downloads(full, owner, owner_client):
    freeze_version(design=full, author=owner, message="")
    _rename(full, "Renamed later")

    page = owner_client.get(reverse("reviews:version", args=[full.slug, 1])).content.decode()
    assert "Full design" in page and "Renamed later" not in page.split('<article class="report">')[1]
    assert page.count('<figure class="report-diagram">') == 4

    download = owner_client.get(reverse("reviews:version-file", args=[full.slug, 1, "md"]))
    assert download["Content-Disposition"] == f'attachment; filename="{full.slug}-v1-report.md"'
    assert download.content.decode().startswith("# Full design")
    assert owner_client.get(reverse("reviews:version", args=[full.slug, 9])).status_code == 404


def test_a_version_downloads_in_every_format_the_live_design_offers(full, owner, owner_client, settings, tmp_path):
    from outputs.reports import EXPORTS

    settings.REPORT_FILES_DIR = str(tmp_path)
    freeze_version(design=full, author=owner, message="")
    _rename(full, "Renamed later")
    page = owner_client.get(reverse("reviews:version", args=[full.slug, 1])).content.decode()

    for fmt, export in EXPORTS.items():
        url = reverse("reviews:version-file", args=[full.slug, 1, fmt])
        assert url in page
        download = owner_client.get(url)
        assert download.status_code == 200 and download["Content-Type"] == export.media_type, fmt
        assert download["Content-Disposition"] == f'attachment; filename="{full.slug}-v1-{export.suffix}"'
        if fmt in ("md", "brief-md", "sql", "dbml", "openapi-yaml", "openapi-json"):
            assert b"Renamed later" not in download.content
    assert owner_client.get(reverse("reviews:version-file", args=[full.slug, 1, "docx"])).status_code == 404


def test_an_approved_versions_pdf_says_which_version_and_who_approved_it(full, owner, settings, tmp_path, rita):
    from reviews.versions import decide, request_review

    settings.REPORT_FILES_DIR = str(tmp_path)
    request = request_review(waiver="Known gaps", design=full, author=owner, message="", reviewers={rita: []})
    decide(request=request, reviewer=rita, verdict="approve", waiver="Known gaps", summary="Fine")

    pdf = _client(rita).get(reverse("reviews:version-file", args=[full.slug, 1, "pdf"])).content

    cover = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Version 1, approved by rita" in cover and "Authors alice" in cover


def test_restoring_brings_a_version_back_and_keeps_the_draft(full, owner, owner_client, rita):
    freeze_version(design=full, author=owner, message="")
    _rename(full, "Renamed later")

    assert _client(rita).post(reverse("reviews:version-restore", args=[full.slug, 1])).status_code == 403
    response = owner_client.post(reverse("reviews:version-restore", args=[full.slug, 1]))

    assert response.status_code == 302
    assert Design.objects.get(pk=full.pk).name.startswith("Full design")
    kept = DesignVersion.objects.get(design=full, number=2)
    assert kept.document["design"]["name"] == "Renamed later" and kept.restored_from == 1


def test_the_compare_page_lists_changes_and_downloads_them(full, owner, owner_client):
    freeze_version(design=full, author=owner, message="")
    with services.editing(full):
        m.Component.objects.filter(design=full, name="Orders service").update(technology="<script>x</script>")

    url = reverse("reviews:diff", args=[full.slug])
    page = owner_client.get(url).content.decode()
    assert "Orders service" in page and "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert 'class="diff-changed"' in page

    download = owner_client.get(url + "?from=v1&to=draft&format=md")
    assert download["Content-Type"].startswith("text/markdown")
    assert "- **Changed** component Orders service" in download.content.decode()

    bad = owner_client.get(url + "?from=v7&to=draft")
    assert bad.status_code == 400 and "no version 7" in bad.content.decode()


def test_a_review_from_request_to_approval(full, owner_client, rita):
    sam = make_user("sam")
    add_member(full, sam, Role.REVIEWER)
    url = reverse("reviews:reviews", args=[full.slug])
    form = owner_client.get(url).content.decode()
    assert f'name="reviewer_{rita.pk}"' in form and f'name="steps_{rita.pk}"' in form

    refused = owner_client.post(url, {"message": "Please look", f"reviewer_{rita.pk}": "on"})
    assert refused.status_code == 400 and "open error finding" in refused.content.decode()
    response = owner_client.post(
        url,
        {
            "message": "Please look",
            "waiver": "Known gaps, tracked",
            f"reviewer_{rita.pk}": "on",
            f"steps_{rita.pk}": ["security"],
            f"reviewer_{sam.pk}": "on",
        },
    )
    review = ReviewRequest.objects.get(design=full)
    assert response["Location"] == reverse("reviews:review", args=[full.slug, review.pk])
    assert Design.objects.get(pk=full.pk).status == Design.Status.IN_REVIEW

    review_url = reverse("reviews:review", args=[full.slug, review.pk])
    assert _client(rita).post(review_url, {"verdict": "approve", "summary": ""}).status_code == 400
    assert (
        _client(rita)
        .post(review_url, {"verdict": "approve", "summary": "Auth is fine", "waiver": "Tracked"})
        .status_code
        == 302
    )
    assert owner_client.post(review_url, {"verdict": "approve", "summary": "me too"}).status_code == 403
    _client(sam).post(review_url, {"verdict": "approve", "summary": "Good", "waiver": "Tracked"})

    page = owner_client.get(review_url).content.decode()
    assert "Auth is fine" in page and "security" in page and "whole design" in page
    assert Design.objects.get(pk=full.pk).status == Design.Status.APPROVED


def test_asking_with_nobody_chosen_says_so(full, owner_client, rita):
    response = owner_client.post(reverse("reviews:reviews", args=[full.slug]), {"message": "x"})
    assert response.status_code == 400 and "Choose at least one reviewer." in response.content.decode()
    assert not DesignVersion.objects.exists()


def test_strangers_get_404_and_viewers_may_not_ask(full, stranger_client, stranger):
    for name in ("reviews:versions", "reviews:reviews", "reviews:diff"):
        assert stranger_client.get(reverse(name, args=[full.slug])).status_code == 404
    add_member(full, stranger, Role.VIEWER)
    assert stranger_client.post(reverse("reviews:reviews", args=[full.slug]), {"message": "x"}).status_code == 403


def test_the_versions_page_reads_few_queries_with_50_versions(full, owner, owner_client, django_assert_max_num_queries):
    for _ in range(50):
        freeze_version(design=full, author=owner, message="again")
    with django_assert_max_num_queries(8):
        page = owner_client.get(reverse("reviews:versions", args=[full.slug])).content.decode()
    assert page.count('<tr id="version-') == 50
