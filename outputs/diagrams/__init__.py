"""The four diagrams of a design, built as DOT text from its snapshot (pure: no queries, no `dot`).

`outputs.render` lays them out with Graphviz; this package only says what to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import graphviz

from designs.snapshot import DesignSnapshot

from . import architecture, deployment, erd, sequence
from .dot import AS_DRAWN, Simplification
from .options import ViewOptions


@dataclass(frozen=True)
class Diagram:
    name: str
    title: str
    build: Callable[[DesignSnapshot, ViewOptions, Simplification], graphviz.Digraph]
    # The view options it honours, for forms and the command's help.
    options: tuple[str, ...]


DIAGRAMS: dict[str, Diagram] = {
    diagram.name: diagram
    for diagram in (
        Diagram(
            "architecture",
            "Architecture diagram",
            architecture.build,
            ("context", "component", "hops", "direction", "collapse", "purposes"),
        ),
        Diagram("erd", "Entity-relationship diagram", erd.build, ("store", "direction", "keys_only")),
        Diagram("sequence", "Authentication sequence diagram", sequence.build, ("method",)),
        Diagram(
            "deployment",
            "Deployment diagram",
            deployment.build,
            ("context", "component", "hops", "direction", "purposes"),
        ),
    )
}


def diagram_source(
    snapshot: DesignSnapshot, name: str, options: ViewOptions, simplification: Simplification = AS_DRAWN
) -> str:
    """The DOT text of one diagram of the design, as the options and the simplification ask."""
    return DIAGRAMS[name].build(snapshot, options, simplification).source
