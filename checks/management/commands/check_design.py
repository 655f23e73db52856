"""The design checks as a gate for CI pipelines: findings printed, exit status 1 at or above a threshold.

Exit status: 0 when no finding reaches --fail-on (default error), 1 when one does, 2 when the design
could not be checked (no such slug, an unreadable or invalid document, bad arguments).
"""

from __future__ import annotations

import sys
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from checks.engine import design_decisions, run_checks, split_dismissed
from checks.formats import FORMATS, as_json, as_sarif, as_text
from checks.registry import Severity
from designs.document import (
    FORMAT,
    MAX_REPORTED_ERRORS,
    DocumentError,
    check_size,
    parse_document,
    read_limited,
    schema_errors,
    snapshot_from_document,
)
from designs.document.schema import check_element_count
from designs.snapshot import DesignSnapshot, load_snapshot_by_slug

FINDINGS_AT_THRESHOLD = 1
NOT_CHECKED = 2


class Command(BaseCommand):
    help = (
        "Check a design (by slug, or a design document with --file) and print its findings; exit status 1 "
        "when a finding is at or above --fail-on, 2 when the design cannot be checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="The design's slug, as in its URL.")
        parser.add_argument(
            "--file", metavar="FILE", help="Check a design-workbench/1 JSON document (- for stdin); no database."
        )
        parser.add_argument("--format", choices=FORMATS, default="text")
        parser.add_argument(
            "--fail-on",
            choices=("error", "warning"),
            default="error",
            help="Exit with status 1 when a finding is this severe or worse (default: error).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug, file = options["slug"], options["file"]
        if bool(slug) == bool(file):
            raise CommandError("Give either a design's slug or --file FILE.", returncode=NOT_CHECKED)
        snapshot = self._from_file(file) if file else self._from_database(slug)
        if file:
            findings = run_checks(snapshot)
        else:
            # A stored design's own severities and dismissals apply, as on its pages.
            decisions = design_decisions(slug)
            findings, _ = split_dismissed(run_checks(snapshot, dict(decisions.overrides)), decisions)
        fmt = options["format"]
        if fmt == "text":
            output = as_text(findings, name=snapshot.name)
        elif fmt == "json":
            output = as_json(findings, name=snapshot.name)
        else:
            output = as_sarif(findings, name=snapshot.name, artifact=file if file and file != "-" else None)
        self.stdout.write(output, ending="")
        threshold = Severity.parse(options["fail_on"])
        if any(finding.severity <= threshold for finding in findings):
            self.stdout.flush()
            sys.exit(FINDINGS_AT_THRESHOLD)

    def _from_database(self, slug: str) -> DesignSnapshot:
        snapshot = load_snapshot_by_slug(slug)
        if snapshot is None:
            raise CommandError(f"No design with the slug {slug!r}.", returncode=NOT_CHECKED)
        return snapshot

    def _from_file(self, name: str) -> DesignSnapshot:
        try:
            document = parse_document(self._read(name))
            # What reading a snapshot takes for granted; import_design checks the same, in this order.
            if document.get("format") != FORMAT:
                raise DocumentError([("/format", f"The format is not “{FORMAT}”.")])
            check_element_count(document)
            errors = list(islice(schema_errors(document), MAX_REPORTED_ERRORS + 1))
            if errors:
                raise DocumentError(errors, counted=len(errors) <= MAX_REPORTED_ERRORS)
            return snapshot_from_document(document)
        except DocumentError as exc:
            lines = "\n  ".join(exc.lines())
            raise CommandError(f"Cannot check {name}:\n  {lines}", returncode=NOT_CHECKED) from None

    def _read(self, name: str) -> bytes:
        if name == "-":
            return read_limited(sys.stdin.buffer)
        path = Path(name)
        try:
            check_size(path.stat().st_size)  # before reading a huge file into memory
            with path.open("rb") as file:
                return read_limited(file)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.", returncode=NOT_CHECKED) from None
