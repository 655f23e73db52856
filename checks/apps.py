from __future__ import annotations

from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"

    def ready(self) -> None:
        # The registry names this panel for the overview; the domain never imports the checks.
        from designs.presentation import register_panel

        from .panels import review_panel, step_panel, threat_suggestions_panel, traceability_panel

        for panel in (review_panel(), step_panel(), threat_suggestions_panel(), traceability_panel()):
            register_panel(panel)
