"""Ways to start a design other than blank: from a starter, or as a copy of one you can read.

A starter is a design document in `designs/starters/` (`*.json`), named and described by the
document itself: its `design.name`, and the first paragraph of its `design.summary`. Adding a
starter is adding a file. Both ways import a document as a new design the user owns, so a copy
holds exactly what an export holds, uids included (they are unique per design, not globally).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .document import export_design, import_design, parse_document
from .models import Design

STARTERS_DIR = Path(__file__).resolve().parent / "starters"
NAME_LIMIT = Design._meta.get_field("name").max_length


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    # Markdown: the first paragraph of the starter's executive summary.
    description: str
    path: Path

    def document(self) -> dict[str, Any]:
        """The starter's document, checked as any upload is."""
        return parse_document(self.path.read_bytes())


@cache
def _read(path: Path, modified: float) -> Starter:
    # Keyed by the file's modification time too: an edited starter is read again.
    meta = json.loads(path.read_text(encoding="utf-8"))["design"]
    summary = meta.get("summary", "").strip()
    return Starter(path.stem, meta["name"], summary.split("\n\n", 1)[0], path)


def list_starters() -> list[Starter]:
    """Every starter shipped, in file-name order."""
    return [_read(path, path.stat().st_mtime) for path in sorted(STARTERS_DIR.glob("*.json"))]


def get_starter(key: str) -> Starter:
    for starter in list_starters():
        if starter.key == key:
            return starter
    raise KeyError(key)


def _as_new(document: dict[str, Any], name: str, summary: str | None = None) -> dict[str, Any]:
    """The document as the start of a new draft called `name`."""
    meta = {**document["design"], "name": name, "status": Design.Status.DRAFT}
    if summary:
        meta["summary"] = summary
    return {**document, "design": meta}


def design_from_starter(*, starter: Starter, name: str, owner: AbstractBaseUser, summary: str = "") -> Design:
    """A new design holding the starter, called `name`; a summary typed replaces the starter's."""
    return import_design(_as_new(starter.document(), name, summary), owner=owner, actor=owner)


def copy_name(design: Design) -> str:
    return f"Copy of {design.name}"[:NAME_LIMIT]


def design_duplicate(*, design: Design, name: str, owner: AbstractBaseUser) -> Design:
    """A copy of everything the design holds now, as a new draft `owner` owns (members, versions,
    reviews and comments stay with the original)."""
    return import_design(_as_new(export_design(design), name), owner=owner, actor=owner)
