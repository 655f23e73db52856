"""The entity-relationship diagram, from a snapshot (no database) through the real `dot`."""

from __future__ import annotations

import pytest

from outputs.diagrams import diagram_source
from outputs.diagrams.erd import crow_ends
from outputs.diagrams.options import ViewOptions
from outputs.render import diagram_render
from tests.diagram_helpers import groups, starter_snapshot, svg_root, texts, titles

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _svg(snapshot, **options):
    rendered = diagram_render(snapshot=snapshot, name="erd", options=ViewOptions(**options))
    assert not rendered.failed, rendered.problem
    return svg_root(rendered.content)


def test_it_lists_every_table_with_its_columns_types_and_keys():
    snapshot = starter_snapshot()

    shown = texts(_svg(snapshot))

    for table in snapshot.elements("tables"):
        assert table.name in shown
    for column in snapshot.elements("columns"):
        assert column.name in shown and column.data_type in shown
    assert {"PK", "FK", "PK FK", "UQ", "NULL", "NOT NULL", "PII"} <= set(shown)


def test_it_draws_an_edge_from_each_foreign_key_to_the_referenced_column():
    snapshot = starter_snapshot()

    edges = titles(_svg(snapshot), "edge")

    tables = {t: f"t{i}" for i, t in enumerate(snapshot.elements("tables"), start=1)}
    ports = {
        c: f"c{j}"
        for t in snapshot.elements("tables")
        for j, c in enumerate(snapshot.referring(t, "columns", "table"), start=1)
    }
    expected = [
        f"{tables[c.table]}:{ports[c]}r->{tables[c.references.table]}:{ports[c.references]}l"
        for c in snapshot.elements("columns")
        if c.references is not None
    ]
    assert expected and sorted(edges) == sorted(expected)


def test_it_groups_tables_by_data_store():
    snapshot = starter_snapshot()

    clusters = [texts(g)[0] for g in groups(_svg(snapshot), "cluster")]

    with_tables = {table.store.component.name for table in snapshot.elements("tables")}
    assert sorted(clusters) == sorted(with_tables)


def test_it_shows_one_data_store_with_the_tables_it_references():
    snapshot = starter_snapshot()
    store = next(s for s in snapshot.elements("stores") if snapshot.referring(s, "tables", "store"))

    shown = texts(_svg(snapshot, store=store.component.name))

    own = [t for t in snapshot.elements("tables") if t.store is store]
    assert all(t.name in shown for t in own)
    others = [t for t in snapshot.elements("tables") if t.store is not store]
    referenced = {
        c.references.table for t in own for c in snapshot.referring(t, "columns", "table") if c.references is not None
    }
    assert all((t.name in shown) == (t in referenced) for t in others)


class _Column:
    def __init__(self, *, unique=False, primary_key=False, nullable=True):
        self.unique, self.primary_key, self.nullable = unique, primary_key, nullable


@pytest.mark.parametrize(
    ("column", "sole_key", "ends"),
    [
        (_Column(), False, ("crowodot", "teeodot")),
        (_Column(nullable=False), False, ("crowodot", "teetee")),
        (_Column(unique=True, nullable=False), False, ("teeodot", "teetee")),
        (_Column(primary_key=True, nullable=False), True, ("teeodot", "teetee")),
        (_Column(primary_key=True, nullable=False), False, ("crowodot", "teetee")),
    ],
    ids=["many-optional", "many-required", "unique", "sole-primary-key", "part-of-a-composite-key"],
)
def test_it_draws_crows_feet_from_uniqueness_and_nullability(column, sole_key, ends):
    assert crow_ends(column, sole_key) == ends


def test_it_says_so_without_tables():
    source = diagram_source(starter_snapshot(), "erd", ViewOptions(store="Nope"))

    assert "No data store named “Nope”." in source


def test_with_key_columns_only_it_keeps_every_key_and_edge_and_counts_the_rest():
    snapshot = starter_snapshot()

    svg = _svg(snapshot, keys_only=True)
    shown = texts(svg)

    referenced = {c.references for c in snapshot.elements("columns") if c.references is not None}
    for table in snapshot.elements("tables"):
        columns = snapshot.referring(table, "columns", "table")
        keys = [c for c in columns if c.primary_key or c.references is not None or c in referenced]
        for column in keys:
            assert column.name in shown
        left_out = len(columns) - len(keys)
        if left_out:
            assert f"+ {left_out} more column{'s' if left_out > 1 else ''}" in shown
    columns = snapshot.elements("columns")
    key_names = {c.name for c in columns if c.primary_key or c.references is not None or c in referenced}
    plain_names = {c.name for c in columns} - key_names
    assert plain_names and not plain_names & set(shown)
    assert sorted(titles(svg, "edge")) == sorted(titles(_svg(snapshot), "edge"))


def test_key_columns_only_comes_from_the_query_string_and_goes_back_into_links():
    from django.http import QueryDict

    options = ViewOptions.from_query(QueryDict("keys=1"))

    assert options.keys_only and options.to_query() == {"keys": "1"}
