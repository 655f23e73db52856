"""Write a design as a design-workbench/1 JSON document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.document import document_json, export_design
from designs.models import Design


class Command(BaseCommand):
    help = "Export a design (by slug) as a design-workbench/1 JSON document, to stdout or --output FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        design = Design.objects.filter(slug=options["slug"]).first()
        if design is None:
            raise CommandError(f"No design with the slug {options['slug']!r}.")
        text = document_json(export_design(design))
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
