"""Export a design's report from the shell, for docs-as-code pipelines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.snapshot import load_snapshot_by_slug
from outputs.pdf import PdfCover
from outputs.reports import EXPORTS, FORMATS, export
from reviews.versions import frozen_version_export


class Command(BaseCommand):
    help = (
        "Export a design (by slug), or one of its frozen versions, in any download format "
        "(markdown, PDF, zip, SQL, DBML, OpenAPI) to stdout or --output FILE."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` names a frozen version here; it replaces Django's own --version (its release).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("--format", choices=FORMATS, default="md")
        parser.add_argument("--version", type=int, metavar="N", help="Export frozen version N instead of the draft.")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if EXPORTS[fmt].binary and not options["output"] and sys.stdout.isatty():
            raise CommandError(f"A {fmt} file is binary: give --output FILE or redirect stdout.")
        if options["version"] is not None:
            found = frozen_version_export(options["slug"], options["version"])
            if found is None:
                raise CommandError(f"No version {options['version']} of a design with the slug {options['slug']!r}.")
            snapshot, cover = found
        else:
            snapshot, cover = load_snapshot_by_slug(options["slug"]), PdfCover()
            if snapshot is None:
                raise CommandError(f"No design with the slug {options['slug']!r}.")
        content, _, _ = export(snapshot, fmt, cover=cover)
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif EXPORTS[fmt].binary:
            sys.stdout.buffer.write(content)
        else:
            self.stdout.write(content.decode(), ending="")
