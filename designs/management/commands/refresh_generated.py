"""Rewrite the files generated from the step registry: the JSON Schema and the shipped starters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from designs.document import design_schema, document_from_snapshot, document_json, snapshot_from_document

DESIGNS_DIR = Path(__file__).resolve().parents[2]
SCHEMA_FILE = DESIGNS_DIR / "schema" / "design-workbench-1.schema.json"
STARTERS_DIR = DESIGNS_DIR / "starters"


def schema_text() -> str:
    return json.dumps(design_schema(), indent=2, ensure_ascii=False) + "\n"


def starter_text(path: Path) -> str:
    """The starter as the current registry writes it: new fields appear with their defaults,
    and elements without a uid get one (kept from then on). Needs no database."""
    return document_json(document_from_snapshot(snapshot_from_document(json.loads(path.read_text(encoding="utf-8")))))


def generated_files() -> dict[Path, str]:
    """Every generated file and the text it should hold."""
    files = {SCHEMA_FILE: schema_text()}
    for path in sorted(STARTERS_DIR.glob("*.json")):
        files[path] = starter_text(path)
    return files


class Command(BaseCommand):
    help = (
        "Rewrite the files generated from the step registry (designs/schema/*.schema.json and "
        "designs/starters/*.json) after a field is added or changed. --check only reports stale ones."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Exit 1 if a generated file is stale; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = [path for path, text in generated_files().items() if path.read_text(encoding="utf-8") != text]
        for path in stale:
            relative = path.relative_to(DESIGNS_DIR.parent)
            if options["check"]:
                self.stderr.write(f"stale: {relative}")
            else:
                path.write_text(generated_files()[path], encoding="utf-8")
                self.stdout.write(f"rewrote {relative}")
        if options["check"] and stale:
            raise SystemExit(1)
