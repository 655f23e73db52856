"""The semantic diff of two versions of a design (or a version and the draft), from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.models import Design
from reviews.diff import diff_snapshots
from reviews.versions import side_snapshot


class Command(BaseCommand):
    help = "Print what changed between two versions of a design (numbers, or “draft” for the live design)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("from_version", metavar="FROM", help="A version number (3 or v3), or draft.")
        parser.add_argument("to_version", metavar="TO", help="A version number (3 or v3), or draft.")
        parser.add_argument("--format", choices=("text", "json", "md"), default="text")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        design = Design.objects.filter(slug=options["slug"]).first()
        if design is None:
            raise CommandError(f"No design with the slug {options['slug']!r}.")
        try:
            before, before_label = side_snapshot(design, options["from_version"])
            after, after_label = side_snapshot(design, options["to_version"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        diff = diff_snapshots(before, after, labels=(before_label, after_label))
        text = {"text": diff.as_text, "json": diff.as_json, "md": diff.as_markdown}[options["format"]]()
        if options["output"]:
            Path(options["output"]).write_text(text)
        else:
            self.stdout.write(text, ending="")
