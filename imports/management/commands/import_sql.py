"""Import SQL DDL into a design's step 4: preview it (--dry-run) or apply it in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs import models as m
from designs.snapshot import load_snapshot
from imports.bounded import run_bounded
from imports.cli import design_by_slug, file_error, read_source, refused_error
from imports.plan import ImportFileError, ImportRefused, apply_plan, build_plan
from imports.sql import DIALECTS, parse_sql


class Command(BaseCommand):
    help = (
        "Import the tables, columns, keys and indexes of a PostgreSQL or MySQL DDL file (FILE, or - for stdin) "
        "into the design SLUG. --dry-run prints what would be added, changed and skipped; without it the "
        "import is applied in one transaction and a summary printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The design's slug.")
        parser.add_argument("file", help="Path of the .sql file, or - to read stdin.")
        parser.add_argument(
            "--store",
            metavar="NAME",
            help="The data store the tables go into: an existing one, or a new one (with a database component) "
            "when the design has none of this name. Defaults to the design's only store.",
        )
        parser.add_argument("--dialect", choices=DIALECTS, default="postgres", help="SQL dialect (postgres).")
        parser.add_argument("--dry-run", action="store_true", help="Print the preview; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        design = design_by_slug(options["slug"])
        store = options["store"] or self._only_store(design)
        text = read_source(options["file"])
        try:
            parsed = run_bounded(parse_sql, text, dialect=options["dialect"], store=store)
            plan = build_plan(load_snapshot(design), parsed)
        except ImportFileError as exc:
            raise file_error(options["file"], exc) from None
        for line in plan.lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            counts = apply_plan(design, plan)
        except ImportRefused as exc:
            raise refused_error(exc) from None
        self.stdout.write(
            f"Imported into {design.slug} (data store {store}): {counts['added']} added, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped."
        )

    def _only_store(self, design: m.Design) -> str:
        names = sorted(m.DataStore.objects.filter(design=design).values_list("component__name", flat=True))
        if len(names) == 1:
            return names[0]
        having = f" (it has {', '.join(names)})" if names else " (it has none yet; one is created)"
        raise CommandError(f"Name the data store the tables go into with --store NAME{having}.")
