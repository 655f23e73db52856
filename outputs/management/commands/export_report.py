"""Export a design's report from the shell, for docs-as-code pipelines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.snapshot import load_snapshot_by_slug
from outputs.reports import FORMATS, export

BINARY = ("pdf", "brief-pdf", "zip")


class Command(BaseCommand):
    help = (
        "Export a design (by slug) as a markdown report or brief, PDF, zip archive or SQL, to stdout or --output FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("--format", choices=FORMATS, default="md")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = load_snapshot_by_slug(options["slug"])
        if snapshot is None:
            raise CommandError(f"No design with the slug {options['slug']!r}.")
        fmt = options["format"]
        if fmt in BINARY and not options["output"] and sys.stdout.isatty():
            raise CommandError(f"A {fmt} file is binary: give --output FILE or redirect stdout.")
        content, _, _ = export(snapshot, fmt)
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif fmt in BINARY:
            sys.stdout.buffer.write(content)
        else:
            self.stdout.write(content.decode(), ending="")
