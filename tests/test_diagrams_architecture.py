"""The architecture diagram, from a snapshot (no database) through the real `dot`."""

from __future__ import annotations

import pytest

from outputs.diagrams import diagram_source
from outputs.diagrams.options import ViewOptions
from outputs.render import diagram_render
from tests.diagram_helpers import groups, snapshot_of, starter_snapshot, svg_root, texts, titles

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _svg(snapshot, **options):
    rendered = diagram_render(snapshot=snapshot, name="architecture", options=ViewOptions(**options))
    assert not rendered.failed, rendered.problem
    return svg_root(rendered.content)


SMALL = {
    "components": [
        {"name": "Web", "kind": "web_app", "technology": "Next.js"},
        {"name": "Orders", "kind": "service", "bounded_context": "Ordering"},
        {"name": "Orders DB", "kind": "database", "bounded_context": "Ordering"},
        {"name": "Events", "kind": "queue"},
        {"name": "Payments", "kind": "service", "bounded_context": "Payments"},
        {"name": "PSP", "kind": "external"},
    ],
    "interactions": [
        {"source": "Web", "target": "Orders", "protocol": "https_rest", "data_classification": "pii"},
        {"source": "Orders", "target": "Orders DB", "protocol": "sql"},
        {"source": "Orders", "target": "Events", "mode": "async", "protocol": "kafka", "purpose": "OrderPlaced"},
        {"source": "Events", "target": "Payments", "mode": "async", "protocol": "kafka"},
        {"source": "Payments", "target": "PSP", "protocol": "https_rest", "tls": False},
        {"source": "Orders", "target": "Payments", "protocol": "grpc"},
    ],
}


def test_it_draws_every_component_and_an_edge_per_interaction():
    snapshot = starter_snapshot()

    root = _svg(snapshot)

    shown = " ".join(texts(root))
    for component in snapshot.elements("components"):
        assert component.name in shown
    ids = {c: f"c{i}" for i, c in enumerate(snapshot.elements("components"), start=1)}
    expected = sorted(f"{ids[i.source]}->{ids[i.target]}" for i in snapshot.elements("interactions"))
    assert sorted(titles(root, "edge")) == expected


def test_it_shapes_components_by_kind_and_puts_the_technology_under_the_name():
    source = diagram_source(snapshot_of(architecture=SMALL), "architecture", ViewOptions())

    assert "c3 [label=<<b>Orders DB</b><br/>" in source
    assert "shape=cylinder" in source.split("c3 [", 1)[1].split("\n", 1)[0]
    assert "shape=cds" in source.split("c4 [", 1)[1].split("\n", 1)[0]
    assert "Web app · Next.js" in source


def test_it_draws_async_dashed_marks_pii_and_plain_traffic_and_has_a_legend():
    snapshot = snapshot_of(architecture=SMALL)
    source = diagram_source(snapshot, "architecture", ViewOptions())
    edges = {line.split(" [", 1)[0].strip(): line for line in source.splitlines() if "->" in line}

    assert "style=dashed" in edges["c2 -> c4"]
    assert "style" not in edges["c2 -> c3"]  # a sync request is the default edge: solid
    assert "<b>PII</b>" in edges["c1 -> c2"] and "#c0392b" in edges["c1 -> c2"]
    assert "no TLS" in edges["c5 -> c6"]
    assert "OrderPlaced" not in source
    assert "OrderPlaced" in diagram_source(snapshot, "architecture", ViewOptions(purposes=True))
    assert "Legend" in " ".join(texts(_svg(snapshot)))


def test_it_clusters_components_by_bounded_context():
    root = _svg(snapshot_of(architecture=SMALL))

    clusters = {" ".join(texts(g)) for g in groups(root, "cluster")}
    assert clusters == {"Ordering", "Payments"}


def test_it_shows_one_component_with_its_neighbours_to_n_hops():
    snapshot = snapshot_of(architecture=SMALL)

    one = " ".join(texts(_svg(snapshot, component="Web", hops=1)))
    two = " ".join(texts(_svg(snapshot, component="Web", hops=2)))

    assert "Orders" in one and "Payments" not in one and "Events" not in one
    assert all(name in two for name in ("Orders DB", "Events", "Payments")) and "PSP" not in two


def test_it_shows_one_bounded_context_with_what_it_talks_to():
    names = " ".join(texts(_svg(snapshot_of(architecture=SMALL), context="Payments")))

    assert "Payments" in names and "Events" in names and "PSP" in names
    assert "Web" not in names and "Orders DB" not in names


def test_it_says_so_when_a_view_names_nothing_in_the_design():
    snapshot = snapshot_of(architecture=SMALL)

    assert "No component named “Nope”." in texts(_svg(snapshot, component="Nope"))
    assert "No bounded context named “Nope”." in texts(_svg(snapshot, context="Nope"))
    assert texts(_svg(snapshot_of())) == ["No components yet: add them in step 2, Architecture design."]


def test_it_collapses_a_bounded_context_into_one_node_with_aggregated_edges():
    root = _svg(snapshot_of(architecture=SMALL), collapse=("Ordering",))

    shown = texts(root)
    assert "Ordering" in shown and "Orders DB" not in shown and "Orders" not in shown
    assert "bounded context · 2 components" in shown
    # Web → Orders, Orders → Events, Orders → Payments become one edge each from the context node.
    assert sorted(titles(root, "edge")) == ["c1->context1", "c4->c5", "c5->c6", "context1->c4", "context1->c5"]


def test_it_lays_out_left_to_right_or_top_to_bottom():
    snapshot = snapshot_of(architecture=SMALL)

    assert "rankdir=LR" in diagram_source(snapshot, "architecture", ViewOptions())
    assert "rankdir=TB" in diagram_source(snapshot, "architecture", ViewOptions(direction="TB"))
