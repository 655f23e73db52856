"""Download a design as JSON from its overview; upload one to create a new design."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import multipartparser
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from designs import models as m
from designs import services
from designs.document import FORMAT, document_json, export_design
from designs.steps import get_step
from tests.conftest import add_member
from tests.full_design import build_full_design

IMPORT_URL = reverse("designs:import")


def _upload(content: bytes, name: str = "design.json") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="application/json")}


def test_it_downloads_the_design_as_an_attachment(owner_client, design):
    response = owner_client.get(reverse("designs:export-json", args=[design.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{design.slug}.json"'
    assert response.content.decode() == document_json(export_design(design))
    assert json.loads(response.content)["design"]["name"] == "Checkout platform"


def test_it_lets_a_viewer_download(client, design, stranger):
    add_member(design, stranger, m.Role.VIEWER)
    client.force_login(stranger)

    response = client.get(reverse("designs:export-json", args=[design.slug]))

    assert response.status_code == 200
    assert json.loads(response.content)["format"] == FORMAT


def test_it_hides_the_download_from_strangers(stranger_client, design):
    response = stranger_client.get(reverse("designs:export-json", args=[design.slug]))

    assert response.status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, design):
    response = client.get(reverse("designs:export-json", args=[design.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_exports_in_a_fixed_number_of_queries(owner):
    design = build_full_design(owner)
    with CaptureQueriesContext(connection) as before:
        export_design(design)
    table = m.Table.objects.get(design=design, name="customers")
    components = m.Component.objects.bulk_create(
        m.Component(design=design, position=10 + i, name=f"extra {i}", kind="service") for i in range(5)
    )
    m.Interaction.objects.bulk_create(
        m.Interaction(design=design, position=10 + i, source=a, target=b)
        for i, (a, b) in enumerate(pairwise(components))
    )
    columns = m.Column.objects.bulk_create(
        m.Column(design=design, table=table, position=10 + i, name=f"extra_{i}", data_type="text") for i in range(3)
    )
    index = m.Index.objects.create(design=design, table=table, name="extra_idx", position=10)
    m.IndexColumn.objects.bulk_create(m.IndexColumn(index=index, column=c, position=i) for i, c in enumerate(columns))

    with CaptureQueriesContext(connection) as after:
        document = export_design(design)

    assert len(after) == len(before)
    assert document["steps"]["database"]["indexes"][-1]["columns"] == ["extra_0", "extra_1", "extra_2"]


def test_it_links_the_download_from_the_overview_and_the_import_from_the_dashboard(owner_client, design):
    overview = owner_client.get(reverse("designs:overview", args=[design.slug])).content.decode()
    dashboard = owner_client.get(reverse("designs:dashboard")).content.decode()

    assert f'href="{reverse("designs:export-json", args=[design.slug])}" download>Download JSON</a>' in overview
    assert f'href="{IMPORT_URL}">Import design</a>' in dashboard


def test_it_shows_the_upload_form(owner_client):
    response = owner_client.get(IMPORT_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in content
    assert 'type="file" name="file"' in content


def test_it_creates_a_design_the_uploader_owns(owner, stranger, stranger_client):
    original = build_full_design(owner)
    exported = document_json(export_design(original)).encode()

    response = stranger_client.post(IMPORT_URL, _upload(exported), follow=True)

    imported = m.Design.objects.exclude(pk=original.pk).get()
    assert response.redirect_chain == [(imported.get_absolute_url(), 302)]
    assert f"Imported “{original.name}”." in response.content.decode()
    assert imported.memberships.get().user == stranger
    assert imported.memberships.get().role == m.Role.OWNER
    assert document_json(export_design(imported)).encode() == exported


def test_it_lists_each_problem_with_its_pointer(owner_client, owner):
    document = {
        "format": FORMAT,
        "design": {"name": "Bad"},
        "steps": {
            "architecture": {
                "components": [{"name": "API", "kind": "service"}, {"name": "api", "kind": "worker"}],
                "interactions": [{"source": "API", "target": "<DB>"}],
            }
        },
    }
    designs, components = m.Design.objects.count(), m.Component.objects.count()

    response = owner_client.post(IMPORT_URL, _upload(json.dumps(document).encode()))

    content = response.content.decode()
    assert response.status_code == 400
    assert "The document was not imported; fix these 2 places:" in content
    assert (
        "<code>/steps/architecture/components/1/name</code> Another component in this design already has "
        "the name “api”." in content
    )
    assert (
        "<code>/steps/architecture/interactions/0/target</code> Dangling reference: no component "
        "“&lt;DB&gt;” in this document" in content
    )
    assert (m.Design.objects.count(), m.Component.objects.count()) == (designs, components)


def test_it_reports_invalid_json_for_the_whole_document(owner_client):
    response = owner_client.post(IMPORT_URL, _upload(b'{"format": "design-workbench/1", }'))

    content = response.content.decode()
    assert response.status_code == 400
    assert (
        "<code>(whole document)</code> Not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 34." in content
    )


def test_it_reports_a_wrong_format_version(owner_client):
    document = json.dumps({"format": "design-workbench/0", "design": {"name": "Old"}}).encode()

    response = owner_client.post(IMPORT_URL, _upload(document))

    assert "<code>/format</code> The format is &quot;design-workbench/0&quot;" in response.content.decode()


def test_it_refuses_a_50_mb_upload_without_parsing_it(owner_client, monkeypatch):
    def must_not_parse(self):
        raise AssertionError("parsed an oversized upload")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", must_not_parse)
    designs = m.Design.objects.count()

    response = owner_client.post(IMPORT_URL, _upload(b"x" * (50 * 1024 * 1024)))

    assert response.status_code == 413
    assert "<code>(whole document)</code> The document is 50.0 MB; the largest accepted is 10.0 MB." in (
        response.content.decode()
    )
    assert m.Design.objects.count() == designs


def test_it_refuses_a_file_over_the_limit_that_slips_under_the_request_check(owner_client, settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 1024

    response = owner_client.post(IMPORT_URL, _upload(b" " * 2048))

    assert response.status_code == 400
    assert "The document is 0.0 MB; the largest accepted is 0.0 MB." in response.content.decode()


def test_it_requires_a_file(owner_client):
    response = owner_client.post(IMPORT_URL, {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_it_checks_the_csrf_token_on_upload(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(IMPORT_URL, _upload(b"{}"))

    assert response.status_code == 403


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_allows_only_get_and_post(owner_client, method):
    assert getattr(owner_client, method)(IMPORT_URL).status_code == 405


def test_it_refuses_an_oversized_upload_before_the_csrf_check_reads_the_body(owner, monkeypatch):
    def must_not_parse(self):
        raise AssertionError("parsed an oversized upload")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", must_not_parse)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(IMPORT_URL, _upload(b"x" * (11 * 1024 * 1024)))

    assert response.status_code == 413
    assert "The document is 11.0 MB; the largest accepted is 10.0 MB." in response.content.decode()


def test_it_serves_a_repeated_download_from_the_cache_until_the_design_changes(owner_client, design):
    url = reverse("designs:export-json", args=[design.slug])
    first = owner_client.get(url).content

    with CaptureQueriesContext(connection) as repeated:
        again = owner_client.get(url).content
    component = m.Component.objects.create(design=design, name="Cached?", kind="service")
    services.element_save(
        design=design,
        spec=get_step("architecture").element("components"),
        element=component,
        values={"technology": "Go"},
        base_version=component.version,
    )
    changed = json.loads(owner_client.get(url).content)

    assert again == first
    # The session, the user and the access check; no element list is read.
    assert len(repeated) <= 4, [q["sql"] for q in repeated]
    assert [(c["name"], c["technology"]) for c in changed["steps"]["architecture"]["components"]] == [("Cached?", "Go")]
