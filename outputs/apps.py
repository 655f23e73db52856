from __future__ import annotations

from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "outputs"

    def ready(self) -> None:
        # The steps name these panels in the registry; the domain never imports the diagrams.
        from designs.presentation import register_panel

        from .panels import diagram_panels, export_panels

        for panel in [*diagram_panels(), *export_panels()]:
            register_panel(panel)
