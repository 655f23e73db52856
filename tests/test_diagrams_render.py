"""Laying diagrams out: the cache, the degrade ladder, and failures shown in place of the diagram."""

from __future__ import annotations

import logging

import pytest

from outputs import render
from outputs.diagrams.options import ViewOptions
from outputs.render import LADDER, diagram_render
from tests.diagram_helpers import starter_snapshot, svg_root, tangled_snapshot, texts

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def engine_calls(monkeypatch, settings):
    """Every layout run, as (engine, format); the real engines still run.

    With time enough for any layout, so a machine busy with other work never sends the small
    test diagrams down the degrade ladder (which would add runs); the ladder has its own tests."""
    settings.DIAGRAM_LAYOUT_TIMEOUT_MS = 120_000
    calls: list[tuple[str, str]] = []
    real = render.run_engine

    def counting(engine, fmt, source, timeout):
        calls.append((engine, fmt))
        return real(engine, fmt, source, timeout)

    monkeypatch.setattr(render, "run_engine", counting)
    return calls


def test_it_runs_dot_once_and_serves_the_cache_after(engine_calls):
    snapshot = starter_snapshot()

    first = diagram_render(snapshot=snapshot, name="architecture", options=ViewOptions())
    again = diagram_render(snapshot=snapshot, name="architecture", options=ViewOptions())

    assert engine_calls == [("dot", "svg")]
    assert again.content == first.content and again.markup == first.markup


def test_it_caches_each_view_and_format_apart(engine_calls):
    snapshot = starter_snapshot()

    for fmt in ("svg", "png"):
        for options in (ViewOptions(), ViewOptions(direction="TB")):
            diagram_render(snapshot=snapshot, name="architecture", options=options, fmt=fmt)
            diagram_render(snapshot=snapshot, name="architecture", options=options, fmt=fmt)

    assert engine_calls == [("dot", "svg"), ("dot", "svg"), ("dot", "png"), ("dot", "png")]


def test_it_gives_dot_source_without_running_dot(engine_calls):
    rendered = diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions(), fmt="dot")

    assert rendered.content.startswith(b"digraph erd {") and engine_calls == []


def test_it_lays_out_png():
    rendered = diagram_render(snapshot=starter_snapshot(), name="sequence", options=ViewOptions(), fmt="png")

    assert rendered.content.startswith(b"\x89PNG") and rendered.media_type == "image/png"


def test_it_simplifies_a_layout_that_takes_too_long_and_says_so(engine_calls, caplog, empty_cache):
    # Random interactions with labels: dot needs ~13 s as drawn on a quiet machine (40 components took
    # only 0.5 s, so that test passed only when the machine was busy), far over the 1 s given.
    snapshot = tangled_snapshot(80, 300)

    with caplog.at_level(logging.WARNING, logger="outputs.render"):
        rendered = diagram_render(snapshot=snapshot, name="architecture", options=ViewOptions(), timeout=1.0)

    # Which rung is reached depends on the machine's speed (a quiet one: the third); each rung
    # below the first is one more layout run, and the one that finished is named on the diagram.
    captions = [rung.caption for rung in LADDER]
    assert not rendered.failed
    assert rendered.simplification in captions[1:]
    rung = captions.index(rendered.simplification)
    assert f"Simplified to lay out in time: {rendered.simplification}." in texts(svg_root(rendered.content))
    assert len(engine_calls) == rung + 1
    assert "took longer than 1 s" in caplog.text
    engine_calls.clear()
    assert diagram_render(snapshot=snapshot, name="architecture", options=ViewOptions(), timeout=1.0) == rendered
    assert engine_calls == []


def test_it_steps_down_when_dot_fails_outright(engine_calls):
    # Clustered this densely, dot gives up ("trouble in init_rank") until the edges are simpler.
    snapshot = tangled_snapshot(60, 220, contexts=4)

    rendered = diagram_render(snapshot=snapshot, name="architecture", options=ViewOptions())

    assert not rendered.failed and rendered.simplification == LADDER[2].caption
    assert len(engine_calls) == 3


def test_it_ends_with_a_force_directed_layout(monkeypatch, engine_calls):
    def dot_always_fails(engine, fmt, source, timeout):
        engine_calls.append((engine, fmt))
        if engine == "dot":
            raise render.LayoutFailed("Error: trouble in init_rank")
        return render.subprocess.run(["sfdp", "-Tsvg"], input=source, capture_output=True, check=True).stdout

    monkeypatch.setattr(render, "run_engine", dot_always_fails)

    rendered = diagram_render(snapshot=starter_snapshot(), name="architecture", options=ViewOptions())

    assert rendered.simplification == LADDER[-1].caption
    assert [engine for engine, _ in engine_calls] == ["dot"] * 5 + ["sfdp"]


def test_it_shows_a_failure_in_place_logs_it_and_tries_again_next_time(monkeypatch, caplog):
    monkeypatch.setattr(render.shutil, "which", lambda engine: None)

    with caplog.at_level(logging.ERROR, logger="outputs.render"):
        rendered = diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions())

    assert rendered.failed and rendered.format == "svg"
    assert texts(svg_root(rendered.content)) == [
        "Entity-relationship diagram could not be drawn.",
        "Graphviz's sfdp is not installed",
    ]
    assert "could not be laid out" in caplog.text
    monkeypatch.undo()
    assert not diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions()).failed
