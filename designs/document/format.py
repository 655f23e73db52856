"""The format's constants and how elements are named in it: keys, pointers, serialisation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from designs import models as m

FORMAT = "design-workbench/1"
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
DESIGN_FIELDS = ("name", "summary", "status")


@dataclass(frozen=True)
class KeyRule:
    """How an element that others reference is named in the document."""

    parts: tuple[str, ...]
    separator: str = " "
    describes: str = "its name"
    # No unique name: the element carries a "key" property, by default its parts
    # joined, numbered " #2", " #3"… when they repeat.
    explicit: bool = False


# Every model a registry field refers to needs a rule (a test checks it). A key
# is unique in a design because the model enforces it: see each Meta.constraints.
KEYS: dict[type[models.Model], KeyRule] = {
    m.FunctionalRequirement: KeyRule(("code",), describes="its code, e.g. FR-1"),
    m.NonFunctionalRequirement: KeyRule(("code",), describes="its code, e.g. NFR-1"),
    m.Component: KeyRule(("name",)),
    m.Interaction: KeyRule(("source", "target"), " -> ", "“Source -> Target”", explicit=True),
    m.TechnologyDecision: KeyRule(("code",), describes="its code, e.g. ADR-1"),
    m.Endpoint: KeyRule(("method", "path"), " ", "“METHOD /path”"),
    m.DataStore: KeyRule(("component",), describes="its component's name"),
    m.Table: KeyRule(("name",)),
    m.Column: KeyRule(("table", "name"), ".", "“table.column”"),
    m.Index: KeyRule(("name",)),
    m.AuthMethod: KeyRule(("name",)),
    m.SecurityRole: KeyRule(("name",)),
    m.Environment: KeyRule(("name",)),
}

# An index's columns are edited outside the registry's `fields` (IndexForm's
# column_names); in the document they are the column names of the index's table.
INDEX_COLUMNS = "columns"


def pointer(parts: Iterable[str | int]) -> str:
    """An RFC 6901 JSON pointer to the given path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def document_json(document: dict[str, Any]) -> str:
    """Serialise an exported document; key order is the registry's, so equal designs give equal text."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _numbered(base: str, used: set[str]) -> str:
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base} #{n}"
    used.add(key)
    return key
