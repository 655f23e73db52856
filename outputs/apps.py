from __future__ import annotations

from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "outputs"
