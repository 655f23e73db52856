"""The architecture (container) diagram: components and their interactions, by bounded context."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import graphviz

from designs.snapshot import DesignSnapshot, ElementRecord

from .diff import DIFF_COLORS, diff_legend, mark_of, node_attrs
from .dot import EDGE, MUTED, Simplification, bold, choice_label, edge, label, new_graph, note, small, text
from .options import ViewOptions

# Shape and fill per component kind, C4-like: what a reader recognises without the legend.
SHAPES: dict[str, tuple[str, str]] = {
    "client": ("house", "#eef3fb"),
    "web_app": ("box", "#e8f1fd"),
    "api_gateway": ("hexagon", "#fdf3e1"),
    "load_balancer": ("octagon", "#fdf3e1"),
    "cdn": ("invtrapezium", "#fdf3e1"),
    "service": ("box", "#e3f2e6"),
    "worker": ("box3d", "#e3f2e6"),
    "database": ("cylinder", "#f3e8fb"),
    "cache": ("cylinder", "#fdf7d9"),
    "queue": ("cds", "#fbe9e9"),
    "object_storage": ("folder", "#f3e8fb"),
    "search": ("cylinder", "#e6f4f6"),
    "external": ("box", "#eeeeee"),
}
MODE_STYLES = {"sync": ("solid", "normal"), "async": ("dashed", "vee"), "replication": ("dotted", "odiamond")}
CLASSIFICATION_COLORS = {"pii": "#c0392b", "confidential": "#d35400"}


@dataclass(frozen=True)
class Scope:
    """The components a view draws: `focus` in full, `neighbours` greyed, for context around it."""

    focus: tuple[ElementRecord, ...]
    neighbours: frozenset[ElementRecord]
    # Why nothing is drawn, when nothing is.
    empty: str = ""


def scope(snapshot: DesignSnapshot, options: ViewOptions) -> Scope:
    """The components the options select, in page order (shared with the deployment diagram)."""
    components = snapshot.elements("components")
    links: dict[ElementRecord, set[ElementRecord]] = defaultdict(set)
    for interaction in snapshot.elements("interactions"):
        links[interaction.source].add(interaction.target)
        links[interaction.target].add(interaction.source)
    if options.component:
        start = next((c for c in components if c.name == options.component), None)
        if start is None:
            return Scope((), frozenset(), f"No component named “{options.component}”.")
        reached, frontier = {start}, {start}
        for _ in range(options.hops):
            frontier = {n for c in frontier for n in links[c]} - reached
            reached |= frontier
        shown = tuple(c for c in components if c in reached)
        return Scope(shown, frozenset())
    if options.context:
        # Sets, not tuples: a record's equality compares every field, a set looks up its hash.
        inside = {c for c in components if c.bounded_context == options.context}
        if not inside:
            return Scope((), frozenset(), f"No bounded context named “{options.context}”.")
        around = {n for c in inside for n in links[c]} - inside
        return Scope(tuple(c for c in components if c in inside or c in around), frozenset(around))
    return Scope(components, frozenset())


def component_label(component: ElementRecord) -> str:
    detail = choice_label(component, "kind")
    if component.technology:
        detail += f" · {component.technology}"
    return label(bold(text(component.name)), small(text(detail)))


def interaction_label(interaction: ElementRecord, options: ViewOptions) -> str:
    parts = [text(choice_label(interaction, "protocol"))]
    if options.purposes and interaction.purpose:
        parts.append(small(text(interaction.purpose, limit=40)))
    marks = []
    if interaction.data_classification in CLASSIFICATION_COLORS:
        marks.append(choice_label(interaction, "data_classification"))
    if not interaction.tls:
        marks.append("no TLS")
    if marks:
        parts.append(bold(text(", ".join(marks))))
    return label(*parts)


def build(snapshot: DesignSnapshot, options: ViewOptions, simplification: Simplification) -> graphviz.Digraph:
    graph = new_graph("architecture", simplification, direction=options.direction, compound="true")
    if not snapshot.elements("components"):
        return note(graph, "No components yet: add them in step 2, Architecture design.")
    selected = scope(snapshot, options)
    if selected.empty:
        return note(graph, selected.empty)
    components = snapshot.elements("components")
    marks = dict(options.marks)
    ids = {component: f"c{i}" for i, component in enumerate(components, start=1)}
    contexts = list(dict.fromkeys(c.bounded_context for c in selected.focus if c.bounded_context))
    collapsed = set(contexts) if simplification.collapse_all else set(options.collapse) & set(contexts)
    # What each drawn component is drawn as: its own node, or its collapsed context's.
    node_of: dict[ElementRecord, str] = {}
    for k, context in enumerate(contexts, start=1):
        members = [c for c in selected.focus if c.bounded_context == context]
        if context in collapsed:
            node_id = f"context{k}"
            graph.node(
                node_id,
                label=label(bold(text(context)), small(text(f"bounded context · {len(members)} components"))),
                shape="box3d",
                style="filled",
                fillcolor="#f4f4f4",
            )
            node_of.update(dict.fromkeys(members, node_id))
            continue
        with graph.subgraph(name=f"cluster_context{k}") as cluster:
            cluster.attr(label=label(bold(text(context))), style="rounded,dashed", color=MUTED, fontcolor=MUTED)
            for component in members:
                _component_node(cluster, ids[component], component, selected, mark_of(marks, component))
                node_of[component] = ids[component]
    for component in selected.focus:
        if component not in node_of:
            _component_node(graph, ids[component], component, selected, mark_of(marks, component))
            node_of[component] = ids[component]
    _interaction_edges(graph, snapshot, options, simplification, node_of, collapsed)
    if snapshot.elements("interactions"):
        _legend(graph)
    if marks:
        diff_legend(graph)
    return graph


def _component_node(
    graph: graphviz.Digraph, node_id: str, component: ElementRecord, selected: Scope, mark: str = ""
) -> None:
    shape, fill = SHAPES.get(component.kind, ("box", "#ffffff"))
    style = "filled,dashed" if component.kind == "external" or mark == "removed" else "filled"
    if component in selected.neighbours:
        graph.node(node_id, label=component_label(component), shape=shape, style="dashed", color=MUTED)
        return
    if shape == "box":
        style += ",rounded"
    graph.node(node_id, label=component_label(component), shape=shape, style=style, fillcolor=fill, **node_attrs(mark))


def _interaction_edges(
    graph: graphviz.Digraph,
    snapshot: DesignSnapshot,
    options: ViewOptions,
    simplification: Simplification,
    node_of: dict[ElementRecord, str],
    collapsed: set[str],
) -> None:
    """One edge per interaction; an interaction touching a collapsed context joins one edge per pair."""
    aggregated: dict[tuple[str, str], list[ElementRecord]] = defaultdict(list)
    for interaction in snapshot.elements("interactions"):
        tail, head = node_of.get(interaction.source), node_of.get(interaction.target)
        if tail is None or head is None:
            continue
        if interaction.source.bounded_context in collapsed or interaction.target.bounded_context in collapsed:
            if tail != head:
                aggregated[(tail, head)].append(interaction)
            continue
        attrs = _edge_style(interaction)
        if mark := dict(options.marks).get(str(interaction.uid)):
            attrs.update(color=DIFF_COLORS[mark], fontcolor=DIFF_COLORS[mark], penwidth="2.5")
        edge(graph, tail, head, interaction_label(interaction, options), simplification, **attrs)
    for (tail, head), interactions in aggregated.items():
        protocols = ", ".join(dict.fromkeys(choice_label(i, "protocol") for i in interactions))
        modes = {i.mode for i in interactions}
        style, arrow = MODE_STYLES[modes.pop()] if len(modes) == 1 else ("solid", "normal")
        count = f"{len(interactions)} interactions" if len(interactions) > 1 else "1 interaction"
        pii = any(i.data_classification in CLASSIFICATION_COLORS for i in interactions)
        color = CLASSIFICATION_COLORS["pii"] if pii else EDGE
        edge(
            graph,
            tail,
            head,
            label(text(protocols), small(text(count))),
            simplification,
            style=style,
            arrowhead=arrow,
            color=color,
            fontcolor=color,
            penwidth=str(min(4, 1 + len(interactions) // 3)),
        )


def _edge_style(interaction: ElementRecord) -> dict[str, str]:
    """What sets this edge apart from the graph's default edge (sync, solid, grey): fewer attributes
    to quote make a large diagram's DOT noticeably quicker to build."""
    attrs = {}
    if interaction.mode != "sync":
        attrs["style"], attrs["arrowhead"] = MODE_STYLES.get(interaction.mode, ("solid", "normal"))
    if color := CLASSIFICATION_COLORS.get(interaction.data_classification):
        attrs["color"] = attrs["fontcolor"] = color
    return attrs


def _legend(graph: graphviz.Digraph) -> None:
    rows = "".join(
        f'<tr><td align="left"><font color="{color}">{sample}</font></td><td align="left">{text(meaning)}</td></tr>'
        for sample, meaning, color in (
            ("────", "sync request", EDGE),
            ("╌╌╌╌", "async message", EDGE),
            ("┈┈┈┈", "data replication", EDGE),
            ("────", "PII", CLASSIFICATION_COLORS["pii"]),
            ("────", "confidential", CLASSIFICATION_COLORS["confidential"]),
        )
    )
    graph.node(
        "legend",
        label=f'<<table border="0" cellspacing="2"><tr><td colspan="2"><b>Legend</b></td></tr>{rows}</table>>',
        shape="box",
        style="rounded",
        color=MUTED,
        fontsize="10",
    )
