"""The diagram panels of the step pages and the overview: a placeholder that loads the diagram lazily.

A panel never runs `dot` while its page renders: it draws a link to the diagram (which works
without JavaScript) that htmx follows once the page has loaded. Panels are redrawn after every
save on their step, so the diagram is fetched again and shows the edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from designs.presentation import Panel

from .diagrams import DIAGRAMS, Diagram

TEMPLATE = "outputs/_diagram_panel.html"


@dataclass(frozen=True)
class DiagramPanel:
    name: str
    title: str


def panel_name(diagram: Diagram) -> str:
    """The name the registry's `Step.panels` uses, e.g. "architecture-diagram"."""
    return f"{diagram.name}-diagram"


def _shows(diagram: Diagram) -> Callable[[Any], DiagramPanel]:
    def build(design: Any) -> DiagramPanel:
        return DiagramPanel(diagram.name, diagram.title)

    return build


def diagram_panels() -> list[Panel]:
    return [Panel(panel_name(diagram), TEMPLATE, _shows(diagram)) for diagram in DIAGRAMS.values()]
