"""Import an OpenAPI 3.0/3.1 document (JSON or YAML) into step 3 of a design."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from designs.snapshot import load_snapshot
from imports.cli import design_by_slug, file_error, read_source, refused_error
from imports.openapi_plan import openapi_plan, service_names, tag_groups
from imports.plan import ImportFileError, ImportRefused, apply_plan


class Command(BaseCommand):
    help = (
        "Import the endpoints of an OpenAPI 3.0 or 3.1 document (JSON or YAML) into step 3 of design SLUG. "
        "Each tag's endpoints go to the service of that name (created when absent), or all to --service NAME. "
        "--dry-run prints what would be added, changed and skipped and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Slug of the design to import into.")
        parser.add_argument("file", help="Path of the OpenAPI document (.json, .yaml or .yml), or - to read stdin.")
        parser.add_argument(
            "--service", metavar="NAME", help="Service component that owns every endpoint (created when absent)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the preview; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        design = design_by_slug(options["slug"])
        text = read_source(options["file"])
        snapshot = load_snapshot(design)
        try:
            api, plan = openapi_plan(text, snapshot, service=options["service"])
        except ImportFileError as exc:
            raise file_error(options["file"], exc) from None
        existing = {name.casefold() for name in service_names(snapshot)}
        self.stdout.write(f"OpenAPI {api.openapi}: {api.title or 'untitled'} {api.version}".rstrip())
        self.stdout.write(f"{len(api.endpoints)} operations")
        owners = {options["service"].strip()} if options["service"] else {g.proposed for g in tag_groups(api, snapshot)}
        for name in sorted(owners, key=str.casefold):
            self.stdout.write(f"Service {name}" + ("" if name.casefold() in existing else " (new)"))
        if options["dry_run"]:
            for line in plan.lines():
                self.stdout.write(line)
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            apply_plan(design, plan)
        except ImportRefused as exc:
            raise refused_error(exc) from None
        self.stdout.write(f"Imported into {design.slug}: {plan.summary()}.")
        if plan.skipped:
            # What the design cannot hold is said, never dropped silently.
            self.stdout.write(f"Skipped ({len(plan.skipped)}):")
            for s in plan.skipped:
                where = f"{s.where}: " if s.where else ""
                self.stdout.write(f"  - {where}{s.kind} {s.name}: {s.reason}")
