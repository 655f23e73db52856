from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        # The steps name this panel in the registry; the domain never imports the imports app.
        from designs.presentation import register_panel

        from .openapi_views import openapi_panel
        from .panels import sql_panel

        register_panel(sql_panel())
        register_panel(openapi_panel())
