"""Render one diagram of a design from the shell, as the diagram pages and downloads do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.snapshot import load_snapshot_by_slug
from outputs.diagrams import DIAGRAMS
from outputs.diagrams.options import DIRECTIONS, MAX_HOPS, ViewOptions
from outputs.render import FORMATS, diagram_render


class Command(BaseCommand):
    help = "Render a diagram of a design (by slug) as SVG, PNG or DOT, to stdout or --output FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug, as in its URL.")
        parser.add_argument("diagram", choices=list(DIAGRAMS))
        parser.add_argument("--format", choices=FORMATS, default="svg")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
        parser.add_argument("--context", default="", help="Only this bounded context and what it talks to.")
        parser.add_argument("--store", default="", help="ERD: only the tables of this data store (its component).")
        parser.add_argument("--component", default="", help="Only this component and its neighbours.")
        parser.add_argument("--hops", type=int, default=1, help=f"With --component: how far, 1 to {MAX_HOPS}.")
        parser.add_argument("--method", default="", help="Sequence: only this authentication method.")
        parser.add_argument("--environment", default="", help="Deployment: only this environment.")
        parser.add_argument("--direction", choices=DIRECTIONS, default="LR")
        parser.add_argument(
            "--collapse", action="append", default=[], metavar="CONTEXT", help="Draw a bounded context as one node."
        )
        parser.add_argument("--purposes", action="store_true", help="Show each interaction's purpose on its edge.")
        parser.add_argument(
            "--keys-only",
            action="store_true",
            help="ERD: each table with its primary, foreign and referenced keys only.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = load_snapshot_by_slug(options["slug"])
        if snapshot is None:
            raise CommandError(f"No design with the slug {options['slug']!r}.")
        try:
            view = ViewOptions(
                context=options["context"],
                store=options["store"],
                component=options["component"],
                hops=options["hops"],
                method=options["method"],
                environment=options["environment"],
                direction=options["direction"],
                collapse=tuple(options["collapse"]),
                purposes=options["purposes"],
                keys_only=options["keys_only"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "png" and not options["output"]:
            raise CommandError("A PNG is binary: give --output FILE.")
        rendered = diagram_render(snapshot=snapshot, name=options["diagram"], options=view, fmt=options["format"])
        if rendered.failed:
            raise CommandError(f"The diagram could not be laid out: {rendered.problem}")
        if rendered.simplification:
            self.stderr.write(f"Simplified to lay out in time: {rendered.simplification}.")
        if options["output"]:
            Path(options["output"]).write_bytes(rendered.content)
        else:
            self.stdout.write(rendered.content.decode(), ending="")
