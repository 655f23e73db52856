"""The link to a step's import page, shown above the step's forms to those who may edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from designs.presentation import Panel

TEMPLATE = "imports/_import_panel.html"


@dataclass(frozen=True)
class ImportLink:
    key: str
    title: str
    url: str
    hint: str


def sql_panel() -> Panel:
    def build(design: Any) -> ImportLink:
        return ImportLink(
            "sql",
            "Import SQL DDL…",
            reverse("imports:sql", args=[design.slug]),
            "Tables, columns, keys and indexes from a PostgreSQL or MySQL schema (pg_dump --schema-only, mysqldump).",
        )

    return Panel("import-sql", TEMPLATE, build)
