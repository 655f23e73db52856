"""A diagram drawn as a diff: the later side with what the earlier one lost, coloured by change.

`merged_snapshot` is the later snapshot plus every element the earlier one had and the later one
does not (its references pointed at the later records where those still exist), so the builders
draw removed components, interactions, tables and columns where they were. `ViewOptions.marks`
(uid → added / removed / changed) tells the builders what to colour; the legend says how.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import graphviz

from designs.snapshot import INDEX_COLUMNS, DesignSnapshot, ElementRecord, StepSnapshot

from .dot import MUTED, text

DIFF_COLORS = {"added": "#2e7d32", "removed": "#c62828", "changed": "#e67e00"}


def merged_snapshot(before: DesignSnapshot, after: DesignSnapshot) -> DesignSnapshot:
    """`after` with the elements only `before` has appended to each list."""
    by_uid: dict = {record.uid: record for record in after.all_elements()}
    removed = [record for record in before.all_elements() if record.uid not in by_uid]
    for record in removed:
        by_uid[record.uid] = record
    remapped = {record.uid: _pointing_at(record, by_uid) for record in removed}
    steps = {}
    for key, step in after.steps.items():
        elements = {
            list_key: records
            + tuple(remapped[r.uid] for r in before.steps[key].elements.get(list_key, ()) if r.uid in remapped)
            for list_key, records in step.elements.items()
        }
        steps[key] = StepSnapshot(step.step, step.sections, elements)
    return dataclasses.replace(after, steps=steps)


def _pointing_at(record: ElementRecord, by_uid: dict) -> ElementRecord:
    changes = {}
    links = getattr(record.spec, "links", ())
    for name in [*record.spec.fields, *([INDEX_COLUMNS] if hasattr(record, INDEX_COLUMNS) else []), *links]:
        value = getattr(record, name)
        if isinstance(value, ElementRecord) and by_uid.get(value.uid) is not value:
            changes[name] = by_uid.get(value.uid, value)
        elif isinstance(value, tuple) and value and isinstance(value[0], ElementRecord):
            changes[name] = tuple(by_uid.get(v.uid, v) for v in value)
    return dataclasses.replace(record, **changes) if changes else record


def mark_of(marks: Mapping[str, str], record: ElementRecord) -> str:
    return marks.get(str(record.uid), "")


def node_attrs(mark: str) -> dict[str, str]:
    """Outline and line of a node by its change."""
    if not mark:
        return {}
    attrs = {"color": DIFF_COLORS[mark], "penwidth": "2.5"}
    if mark == "removed":
        attrs["fontcolor"] = DIFF_COLORS[mark]
    return attrs


def diff_legend(graph: graphviz.Digraph) -> None:
    rows = "".join(
        f'<tr><td align="left"><font color="{color}">■</font></td><td align="left">{text(kind)}</td></tr>'
        for kind, color in DIFF_COLORS.items()
    )
    graph.node(
        "diff_legend",
        label=f'<<table border="0" cellspacing="2"><tr><td colspan="2"><b>Changes</b></td></tr>{rows}</table>>',
        shape="box",
        style="rounded",
        color=MUTED,
        fontsize="10",
    )
