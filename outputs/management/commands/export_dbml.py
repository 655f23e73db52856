"""Export a design's data schema as DBML, for dbdiagram.io and the tools that read it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.snapshot import load_snapshot_by_slug
from outputs.dbml import schema_dbml

from .export_openapi import write


class Command(BaseCommand):
    help = "Export a design's data schema (by slug) as DBML, to stdout or --output FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = load_snapshot_by_slug(options["slug"])
        if snapshot is None:
            raise CommandError(f"No design with the slug {options['slug']!r}.")
        write(self, schema_dbml(snapshot), options["output"])
