"""Building blocks every diagram shares: escaped label text, the graph's common attributes, edges.

User text only ever reaches DOT through `text()`, inside an HTML-like label (`label=<…>`): node
and cluster names are our own ids (c1, t3, …), never names a user typed. In an HTML-like label
dot decodes entities and then still expands `\\N`, `\\G`, … escapes, so a backslash is doubled as
well; control characters are dropped because XML (the SVG) cannot hold them.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from typing import Any

import graphviz

from designs.snapshot import Record

# Longest text shown in one label: a name of 10,000 characters would make a node wider than any screen.
LABEL_LIMIT = 80
FONT = "Helvetica"
MUTED = "#666666"
EDGE = "#444444"


@dataclass(frozen=True)
class Simplification:
    """What a diagram leaves out so that a layout finishes in time (outputs.render's degrade ladder).

    The default draws everything; each step of the ladder is one of these, and its `caption` is
    stamped on the diagram so a reader knows what is missing.
    """

    caption: str = ""
    capped_effort: bool = False
    # Where edge labels go: "label" (on the edge), "xlabel" (beside it, placed after layout) or "none".
    edge_labels: str = "label"
    # Straight edges: routing splines around hundreds of nodes is most of a big layout's time.
    straight_edges: bool = False
    collapse_all: bool = False
    engine: str = "dot"


AS_DRAWN = Simplification()


def text(value: object, limit: int = LABEL_LIMIT) -> str:
    """`value` as literal text inside an HTML-like label: cleaned, shortened, escaped."""
    cleaned = "".join(
        " " if ch in "\t\n\r" else ch for ch in str(value) if ch in "\t\n\r" or unicodedata.category(ch) != "Cc"
    )
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return html.escape(cleaned, quote=True).replace("\\", "\\\\")


def label(*lines: str) -> str:
    """An HTML-like label of already escaped lines (see `text`)."""
    return "<" + "<br/>".join(line for line in lines if line) + ">"


def small(escaped: str, color: str = MUTED) -> str:
    return f'<font point-size="10" color="{color}">{escaped}</font>' if escaped else ""


def bold(escaped: str) -> str:
    return f"<b>{escaped}</b>"


def choice_label(record: Record, field: str) -> str:
    """The display label of a choice field's value, from the model the registry names."""
    value = getattr(record, field)
    return str(dict(record.spec.model._meta.get_field(field).choices).get(value, value))


def new_graph(name: str, simplification: Simplification, *, direction: str = "LR", **attrs: Any) -> graphviz.Digraph:
    """A graph with the attributes every diagram shares; `id` prefixes the SVG's ids, so several
    diagrams can share one page."""
    graph_attrs = {
        "id": name,
        "rankdir": direction,
        "fontname": FONT,
        "fontsize": "12",
        "nodesep": "0.4",
        "ranksep": "0.6",
        # No margin around the drawing in any format: dot's PDF (printed reports) then has exactly
        # the size of its SVG (measured for print), where PDF would otherwise add half an inch a side.
        "margin": "0",
        **attrs,
    }
    if simplification.capped_effort:
        # Network simplex and mincross iterations bounded: a poorer layout, but one that finishes.
        graph_attrs.update(nslimit="0.1", nslimit1="0.1", mclimit="0.1", searchsize="10")
    if simplification.straight_edges:
        graph_attrs["splines"] = "line"
    if simplification.engine != "dot":
        graph_attrs.update(overlap="false", splines="true")
    if simplification.caption:
        graph_attrs.update(
            label=label(small(text(f"Simplified to lay out in time: {simplification.caption}.", limit=200))),
            labelloc="b",
            labeljust="l",
        )
    graph = graphviz.Digraph(name, graph_attr=graph_attrs)
    graph.attr("node", fontname=FONT, fontsize="12", margin="0.15,0.06")
    graph.attr("edge", fontname=FONT, fontsize="10", color=EDGE, fontcolor=EDGE)
    return graph


def edge(
    graph: graphviz.Digraph, tail: str, head: str, edge_label: str, simplification: Simplification, **attrs: Any
) -> None:
    """An edge whose label (an escaped HTML-like label, or "") goes where the simplification says."""
    if edge_label and simplification.edge_labels != "none":
        attrs["xlabel" if simplification.edge_labels == "xlabel" else "label"] = edge_label
    graph.edge(tail, head, **attrs)


def note(graph: graphviz.Digraph, message: str) -> graphviz.Digraph:
    """A diagram with nothing to draw says why instead of being blank."""
    graph.node("note", label=label(text(message, limit=200)), shape="note", color=MUTED, fontcolor=MUTED)
    return graph
