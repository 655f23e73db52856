"""Export a design's API as an OpenAPI 3.1 document, for code generators and API gateways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.snapshot import load_snapshot_by_slug
from outputs.openapi import openapi_json, openapi_yaml


class Command(BaseCommand):
    help = "Export a design's API (by slug) as OpenAPI 3.1, YAML or JSON, to stdout or --output FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("--format", choices=("yaml", "json"), default="yaml")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = load_snapshot_by_slug(options["slug"])
        if snapshot is None:
            raise CommandError(f"No design with the slug {options['slug']!r}.")
        text = openapi_json(snapshot) if options["format"] == "json" else openapi_yaml(snapshot)
        write(self, text, options["output"])


def write(command: BaseCommand, text: str, output: str | None) -> None:
    """The text to FILE (UTF-8) or stdout; a file that cannot be written is a clear error, not a traceback."""
    if not output:
        command.stdout.write(text, ending="")
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
