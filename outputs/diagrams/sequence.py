"""The authentication sequence diagram: one per authentication method with a flow, side by side.

dot has no sequence layout, so one is built from ranks: each participant is a column of points
(its lifeline) with one point per message row; a message is a flat edge between two points of
the same row, so messages read top to bottom in their order.
"""

from __future__ import annotations

from itertools import pairwise

import graphviz

from designs.snapshot import DesignSnapshot, ElementRecord

from .dot import MUTED, Simplification, bold, choice_label, label, new_graph, note, small, text
from .options import ViewOptions


def build(snapshot: DesignSnapshot, options: ViewOptions, simplification: Simplification) -> graphviz.Digraph:
    # Lifelines run top to bottom whatever the direction asked: a sequence reads downwards.
    graph = new_graph("sequence", simplification, direction="TB", newrank="true", nodesep="1.2", ranksep="0.45")
    methods = [
        (method, tuple(sorted(snapshot.referring(method, "flow", "method"), key=lambda step: step.position)))
        for method in snapshot.elements("auth")
        if not options.method or method.name == options.method
    ]
    methods = [(method, steps) for method, steps in methods if steps]
    if not methods:
        if options.method:
            return note(graph, f"No authentication method named “{options.method}” with a flow.")
        return note(graph, "No authentication flow yet: add flow steps in step 5, Security.")
    for k, (method, steps) in enumerate(methods, start=1):
        _method_cluster(graph, f"m{k}", method, steps, simplification)
    return graph


def _method_cluster(
    graph: graphviz.Digraph,
    prefix: str,
    method: ElementRecord,
    steps: tuple[ElementRecord, ...],
    simplification: Simplification,
) -> None:
    participants = list(dict.fromkeys(name for step in steps for name in (step.actor_from, step.actor_to)))
    column = {name: f"{prefix}p{j}" for j, name in enumerate(participants, start=1)}
    rows = len(steps)
    with graph.subgraph(name=f"cluster_{prefix}") as cluster:
        cluster.attr(
            label=label(bold(text(method.name)), small(text(choice_label(method, "kind")))),
            style="rounded",
            color=MUTED,
        )
        with cluster.subgraph(name=f"{prefix}heads") as heads:
            heads.attr(rank="same")
            for name in participants:
                heads.node(
                    column[name],
                    label=label(bold(text(name))),
                    shape="box",
                    style="rounded,filled",
                    fillcolor="#e8f1fd",
                )
        previous = None
        for name in participants:
            # Invisible edges keep the participants in order of first appearance, left to right.
            if previous is not None:
                cluster.edge(previous, column[name], style="invis")
            previous = column[name]
        for row in range(1, rows + 1):
            with cluster.subgraph(name=f"{prefix}row{row}") as same:
                same.attr(rank="same")
                for name in participants:
                    same.node(f"{column[name]}r{row}", label="", shape="point", width="0.01", color=MUTED)
                for left, right in pairwise(participants):
                    same.edge(f"{column[left]}r{row}", f"{column[right]}r{row}", style="invis")
        for name in participants:
            chain = [column[name], *(f"{column[name]}r{row}" for row in range(1, rows + 1))]
            for upper, lower in pairwise(chain):
                cluster.edge(upper, lower, style="dashed", color=MUTED, arrowhead="none", weight="100")
        for row, step in enumerate(steps, start=1):
            # Always beside the edge: a label on a flat edge gets a rank of its own and bends the edge round it.
            message = label(text(f"{row}. {step.message}"))
            cluster.edge(
                f"{column[step.actor_from]}r{row}",
                f"{column[step.actor_to]}r{row}",
                **({} if simplification.edge_labels == "none" else {"xlabel": message}),
                constraint="false",
            )
