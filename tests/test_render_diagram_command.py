"""render_diagram from the shell: each diagram in each format, with the view options as flags."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.diagram_helpers import svg_root, texts

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("render_diagram", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize("name", ["architecture", "erd", "sequence", "deployment"])
def test_it_writes_each_diagram_as_svg_to_stdout(full, name):
    root = svg_root(_run(full.slug, name))

    assert root.get("viewBox") and texts(root)


@pytest.mark.parametrize(("fmt", "start"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("dot", b"digraph erd {")])
def test_it_writes_each_format_to_a_file(full, tmp_path, fmt, start):
    target = tmp_path / f"erd.{fmt}"

    assert _run(full.slug, "erd", "--format", fmt, "--output", str(target)) == ""
    assert target.read_bytes().startswith(start)


def test_it_takes_the_view_options_as_flags(full):
    dot = _run(full.slug, "architecture", "--format", "dot", "--direction", "TB", "--component", "nope", "--hops", "2")

    assert "rankdir=TB" in dot and "No component named “nope”." in dot


def test_it_refuses_an_unknown_slug_a_bad_option_and_png_to_stdout(full):
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        _run("nope", "erd")
    with pytest.raises(CommandError, match="hops must be between 1 and 5"):
        _run(full.slug, "architecture", "--hops", "9")
    with pytest.raises(CommandError, match="A PNG is binary"):
        _run(full.slug, "erd", "--format", "png")
