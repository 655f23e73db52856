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
            ("context", "component", "hops", "environment", "direction", "purposes"),
        ),
    )
}


def diagram_source(
    snapshot: DesignSnapshot, name: str, options: ViewOptions, simplification: Simplification = AS_DRAWN
) -> str:
    """The DOT text of one diagram of the design, as the options and the simplification ask."""
    return DIAGRAMS[name].build(snapshot, options, simplification).source


def view_problems(snapshot: DesignSnapshot, name: str, options: ViewOptions) -> list[str]:
    """What the options name that the design does not have, as messages; empty when the view is drawable.

    A view of something that does not exist is refused rather than drawn as a note: every name
    would otherwise be a layout and a cache entry of its own.
    """
    components = snapshot.elements("components")
    contexts = {c.bounded_context for c in components if c.bounded_context}
    problems = []
    if options.context and options.context not in contexts:
        problems.append(f"This design has no bounded context named “{options.context}”.")
    if options.component and options.component not in {c.name for c in components}:
        problems.append(f"This design has no component named “{options.component}”.")
    if options.store and options.store not in {t.store.component.name for t in snapshot.elements("tables")}:
        problems.append(f"This design has no data store named “{options.store}” with tables.")
    if options.method:
        methods = {method.name for method in snapshot.elements("auth") if snapshot.referring(method, "flow", "method")}
        if options.method not in methods:
            problems.append(f"This design has no authentication method named “{options.method}” with a flow.")
    if options.environment and options.environment not in {e.name for e in snapshot.elements("environments")}:
        problems.append(f"This design has no environment named “{options.environment}”.")
    unknown = [context for context in options.collapse if context not in contexts]
    if unknown:
        problems.append("This design has no bounded context named " + ", ".join(f"“{c}”" for c in unknown) + ".")
    return problems
