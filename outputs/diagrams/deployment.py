"""The deployment diagram: what runs in each environment, how many instances, and how it scales."""

from __future__ import annotations

import graphviz

from designs.capacity import ComponentNeed, capacity_from_snapshot
from designs.snapshot import DesignSnapshot, ElementRecord

from .architecture import MODE_STYLES, SHAPES, interaction_label, scope
from .dot import MUTED, Simplification, bold, choice_label, edge, label, new_graph, note, small, text
from .options import ViewOptions

WARN = "#c0392b"
TIMES = "\N{MULTIPLICATION SIGN}"
DASH = "\N{EN DASH}"


def build(snapshot: DesignSnapshot, options: ViewOptions, simplification: Simplification) -> graphviz.Digraph:
    graph = new_graph("deployment", simplification, direction=options.direction)
    environments = snapshot.elements("environments")
    if not environments:
        return note(graph, "No environments yet: add them in step 8, Deployment strategy.")
    if options.environment:
        environments = tuple(e for e in environments if e.name == options.environment)
        if not environments:
            return note(graph, f"No environment named “{options.environment}”.")
    selected = scope(snapshot, options)
    if selected.empty:
        return note(graph, selected.empty)
    shown = set(selected.focus)
    needs = {need.component: need for need in capacity_from_snapshot(snapshot).components}
    interactions = snapshot.elements("interactions")
    for k, environment in enumerate(environments, start=1):
        units = [u for u in snapshot.referring(environment, "units", "environment") if u.component in shown]
        with graph.subgraph(name=f"cluster_env{k}") as cluster:
            title = environment.name + (f" · {environment.region}" if environment.region else "")
            cluster.attr(
                label=label(bold(text(title)), small(text(environment.purpose))),
                style="rounded,filled",
                fillcolor="#fafafa",
                color=MUTED,
            )
            if not units:
                cluster.node(f"e{k}empty", label=label(small(text("nothing deployed here yet"))), shape="plain")
            node_of: dict[ElementRecord, str] = {}
            for j, unit in enumerate(units, start=1):
                node_of[unit.component] = f"e{k}u{j}"
                shape, fill = SHAPES.get(unit.component.kind, ("box", "#ffffff"))
                cluster.node(
                    node_of[unit.component],
                    label=_unit_label(unit, needs.get(unit.component)),
                    shape=shape,
                    style="filled",
                    fillcolor=fill,
                )
            for interaction in interactions:
                tail, head = node_of.get(interaction.source), node_of.get(interaction.target)
                if tail and head:
                    style, arrow = MODE_STYLES.get(interaction.mode, ("solid", "normal"))
                    edge(
                        cluster,
                        tail,
                        head,
                        interaction_label(interaction, options),
                        simplification,
                        style=style,
                        arrowhead=arrow,
                        color=MUTED,
                    )
    return graph


def _unit_label(unit: ElementRecord, need: ComponentNeed | None) -> str:
    component = unit.component
    detail = choice_label(component, "kind") + (f" · {component.technology}" if component.technology else "")
    lines = [bold(text(component.name)), small(text(detail))]
    if unit.image:
        lines.append(small(text(unit.image, limit=60)))
    lines.append(text(f"{TIMES} {unit.instances} instance{'s' if unit.instances != 1 else ''}"))
    if need is not None:
        rule = need.rule
        scaling = f"{choice_label(rule, 'mode').lower()} {rule.min_instances}{DASH}{rule.max_instances}"
        if rule.autoscale_metric:
            scaling += f" on {rule.autoscale_metric}"
            if rule.autoscale_threshold:
                scaling += f" ≥ {rule.autoscale_threshold}"
        lines.append(small(text(scaling)))
        if need.instances_now is not None:
            needed = f"needs {need.instances_now} at peak, {need.instances_at_10x} at 10{TIMES}"
            color = WARN if need.exceeds_max_at_10x else MUTED
            lines.append(small(text(needed), color=color))
    return label(*lines)
