"""The panels outputs add to the step pages and the overview: diagrams, loaded lazily, and export links.

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
from .reports import EXPORTS

TEMPLATE = "outputs/_diagram_panel.html"
EXPORT_TEMPLATE = "outputs/_export_panel.html"


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


@dataclass(frozen=True)
class ExportPanel:
    name: str
    title: str
    formats: tuple[str, ...]  # report-file downloads, keys of outputs.reports.EXPORTS
    hint: str

    @property
    def downloads(self) -> list[tuple[str, str]]:
        """(format, label) of each link: the labels the Report page shows, from the one table of exports."""
        return [(fmt, EXPORTS[fmt].label) for fmt in self.formats]


EXPORT_PANELS = (
    ExportPanel(
        "openapi",
        "Export the API",
        ("openapi-yaml", "openapi-json"),
        "Endpoints, examples, error responses, pagination and the security schemes of step 5.",
    ),
    ExportPanel(
        "dbml",
        "Export the schema",
        ("dbml", "sql"),
        "Tables, columns, references and indexes, for dbdiagram.io and migration tools.",
    ),
)


def export_panels() -> list[Panel]:
    """Named "openapi-export" and "dbml-export" in the registry's `Step.panels`."""
    return [Panel(f"{panel.name}-export", EXPORT_TEMPLATE, _constant(panel)) for panel in EXPORT_PANELS]


def _constant(panel: ExportPanel) -> Callable[[Any], ExportPanel]:
    def build(design: Any) -> ExportPanel:
        return panel

    return build
