"""OpenAPI and DBML as downloads (Report page, API and Database step pages) and as commands."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate
from pydbml import PyDBML

from designs.management.commands.seed_demo import DEMO_USERNAME
from designs.models import Design, Role
from tests.conftest import add_member

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")

DOWNLOADS = [
    ("openapi-yaml", "application/yaml; charset=utf-8", "openapi.yaml"),
    ("openapi-json", "application/json; charset=utf-8", "openapi.json"),
    ("dbml", "text/plain; charset=utf-8", "schema.dbml"),
]


def _file(design, fmt):
    return reverse("outputs:report-file", args=[design.slug, fmt])


def _check(fmt: str, content: bytes) -> None:
    text = content.decode()
    if fmt == "openapi-yaml":
        validate(yaml.safe_load(text))
    elif fmt == "openapi-json":
        validate(json.loads(text))
    else:
        assert {t.name for t in PyDBML(text).tables} >= {"orders"}


@pytest.mark.parametrize(("fmt", "media_type", "suffix"), DOWNLOADS)
def test_it_serves_each_exchange_format_as_a_named_attachment(full, owner_client, fmt, media_type, suffix):
    response = owner_client.get(_file(full, fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'attachment; filename="{full.slug}-{suffix}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    _check(fmt, response.content)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_it_lets_readers_download_and_hides_it_from_strangers(full, stranger, role):
    client = Client()
    client.force_login(stranger)
    for fmt, _, _ in DOWNLOADS:
        assert client.get(_file(full, fmt)).status_code == 404

    add_member(full, stranger, role)

    for fmt, _, _ in DOWNLOADS:
        response = client.get(_file(full, fmt))
        assert response.status_code == 200
        _check(fmt, response.content)


def test_it_puts_both_exchange_files_in_the_archive(full, owner_client):
    archive = zipfile.ZipFile(io.BytesIO(owner_client.get(_file(full, "zip")).content))

    validate(yaml.safe_load(archive.read(f"{full.slug}/openapi.yaml")))
    assert "orders" in {t.name for t in PyDBML(archive.read(f"{full.slug}/schema.dbml").decode()).tables}


def test_it_asks_anonymous_visitors_to_log_in(full):
    response = Client().get(_file(full, "openapi-yaml"))

    assert response.status_code == 302 and "login" in response["Location"]


def test_it_links_the_downloads_from_the_report_page(full, owner_client):
    page = owner_client.get(reverse("outputs:report", args=[full.slug])).content.decode()

    for fmt, _, _ in DOWNLOADS:
        assert f'href="{_file(full, fmt)}"' in page
    for label in ("DBML schema", "OpenAPI (YAML)", "OpenAPI (JSON)", "SQL schema", "Markdown report"):
        assert f"download>{label}</a>" in page


@pytest.mark.parametrize(
    ("step", "formats", "labels"),
    [
        ("api", ("openapi-yaml", "openapi-json"), ("OpenAPI (YAML)", "OpenAPI (JSON)")),
        ("database", ("dbml", "sql"), ("DBML schema", "SQL schema")),
    ],
)
def test_it_links_the_exports_from_the_api_and_database_steps(full, stranger, step, formats, labels):
    add_member(full, stranger, Role.VIEWER)
    client = Client()
    client.force_login(stranger)

    page = client.get(reverse("designs:step", args=[full.slug, step])).content.decode()

    for fmt, label in zip(formats, labels, strict=True):
        # The panel's links read like the Report page's: both take their labels from outputs.reports.EXPORTS.
        assert f'href="{_file(full, fmt)}" download>{label}</a>' in page


def _run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_export_openapi_prints_yaml_by_default_and_json_on_request(full):
    from_yaml = yaml.safe_load(_run("export_openapi", full.slug))
    from_json = json.loads(_run("export_openapi", full.slug, "--format", "json"))

    validate(from_yaml)
    assert from_json == from_yaml
    assert "/orders" in from_yaml["paths"]


def test_the_commands_export_the_seeded_demo_design(db):
    call_command("seed_demo", stdout=StringIO())
    design = Design.objects.get(memberships__user__username=DEMO_USERNAME)

    document = yaml.safe_load(_run("export_openapi", design.slug))
    schema = PyDBML(_run("export_dbml", design.slug))

    validate(document)
    assert "post" in document["paths"]["/orders"] and "Order service" in {t["name"] for t in document["tags"]}
    assert {t.name for t in schema.tables} >= {"customers", "orders", "payments"}


@pytest.mark.parametrize(("fmt", "load"), [("yaml", yaml.safe_load), ("json", json.loads)])
def test_export_openapi_writes_a_file(full, tmp_path, fmt, load):
    target = tmp_path / f"openapi.{fmt}"

    assert _run("export_openapi", full.slug, "--format", fmt, "--output", str(target)) == ""

    validate(load(target.read_text(encoding="utf-8")))


def test_export_dbml_prints_and_writes_a_file(full, tmp_path):
    target = tmp_path / "schema.dbml"

    printed = _run("export_dbml", full.slug)
    _run("export_dbml", full.slug, "--output", str(target))

    assert target.read_text(encoding="utf-8") == printed
    assert "orders" in {t.name for t in PyDBML(printed).tables}


@pytest.mark.parametrize("command", ["export_openapi", "export_dbml"])
def test_the_commands_refuse_an_unknown_slug(db, command):
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        _run(command, "nope")


@pytest.mark.parametrize("command", ["export_openapi", "export_dbml"])
def test_the_commands_say_when_the_file_cannot_be_written(full, tmp_path, command):
    with pytest.raises(CommandError, match="Cannot write"):
        _run(command, full.slug, "--output", str(tmp_path / "missing" / "out.txt"))


def test_export_openapi_refuses_an_unknown_format(full):
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        _run("export_openapi", full.slug, "--format", "xml")
