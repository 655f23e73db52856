"""export_report from the shell: each format to stdout or a file."""

from __future__ import annotations

import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("export_report", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_prints_the_full_report_by_default(full):
    text = _run(full.slug)

    assert text.startswith("# Full design")
    assert "## 4. Database architecture" in text


def test_it_prints_the_brief_and_the_sql(full):
    assert "## Technology stack rationale" in _run(full.slug, "--format", "brief-md")
    assert "CREATE TABLE orders" in _run(full.slug, "--format", "sql")


@pytest.mark.parametrize(("fmt", "magic"), [("zip", b"PK"), ("pdf", b"%PDF"), ("brief-pdf", b"%PDF")])
def test_it_writes_binary_formats_to_a_file(full, tmp_path, fmt, magic):
    target = tmp_path / f"out.{fmt}"

    _run(full.slug, "--format", fmt, "--output", str(target))

    content = target.read_bytes()
    assert content.startswith(magic)
    if fmt == "zip":
        assert any(name.endswith("/schema.sql") for name in zipfile.ZipFile(io.BytesIO(content)).namelist())


def test_it_exports_a_frozen_version_in_any_format(full, owner, tmp_path):
    from designs import services
    from reviews.versions import freeze_version

    freeze_version(design=full, author=owner, message="")
    full.refresh_from_db()
    services.design_update(design=full, name="Renamed later", summary=full.summary, base_version=full.version)
    target = tmp_path / "v1.pdf"

    _run(full.slug, "--format", "brief-pdf", "--version", "1", "--output", str(target))

    cover = PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text()
    assert "Full design" in cover and "Version 1" in cover and "Renamed later" not in cover
    assert "Renamed later" not in _run(full.slug, "--format", "md", "--version", "1")
    assert "Renamed later" in _run(full.slug, "--format", "md")
    with pytest.raises(CommandError, match="No version 7"):
        _run(full.slug, "--version", "7")


def test_it_refuses_an_unknown_slug(db):
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        _run("nope")
