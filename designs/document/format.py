"""The format's constants and how elements are named in it: keys, pointers, serialisation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models

from designs.models import next_code_number
from designs.snapshot import DESIGN_FIELDS, INDEX_COLUMNS, ElementRecord
from designs.steps import KeyRule, all_element_specs

FORMAT = "design-workbench/1"
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
# Every element carries its uid under this name; documents without one still import.
UID = "uid"

__all__ = ["DESIGN_FIELDS", "FORMAT", "INDEX_COLUMNS", "KEYS", "SCHEMA_URI", "UID", "KeyRule"]


# Each list's natural key is declared on its spec (ElementSpec.natural_key); this is that rule by model,
# for a reference whose field names the model it points to.
KEYS: dict[type[models.Model], KeyRule] = {
    spec.model: spec.natural_key for _, spec in all_element_specs() if spec.natural_key is not None
}

# An index's columns (INDEX_COLUMNS) are edited outside the registry's `fields` (IndexForm's
# column_names); in the document they are the column names of the index's table.


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


def record_key(record: ElementRecord, rule: KeyRule, keys: Mapping[uuid.UUID, str]) -> str:
    """The key an element is referred to by: its rule's parts, a reference by the referenced key."""
    parts = []
    for name in rule.parts:
        value = getattr(record, name)
        parts.append(keys[value.uid] if isinstance(value, ElementRecord) else str(value))
    return rule.separator.join(parts)


def list_keys(records: Sequence[ElementRecord], rule: KeyRule, keys: Mapping[uuid.UUID, str]) -> dict[uuid.UUID, str]:
    """The keys of one list's elements; explicit keys that repeat are numbered " #2", " #3"…"""
    used: set[str] = set()
    found = {}
    for record in records:
        base = record_key(record, rule, keys)
        found[record.uid] = _numbered(base, used) if rule.explicit else base
    return found


def document_key(model: type[models.Model], rule: KeyRule, item: dict[str, Any]) -> str:
    """The key an element gets from its document values (references are already keys)."""
    parts = []
    for name in rule.parts:
        value = item[name] if name in item else _field(model, name).get_default()
        parts.append(str(value))
    return rule.separator.join(parts)


def fill_codes(model: type[models.Model], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Empty codes get the next FR-n / NFR-n / ADR-n, as an import (services.ElementBatch.numbered) gives them."""
    prefix = getattr(model, "code_prefix", None)
    if not prefix:
        return items
    following = next_code_number(prefix, (item.get("code", "") for item in items))
    filled = []
    for item in items:
        if not item.get("code"):
            item = {**item, "code": f"{prefix}-{following}"}
            following += 1
        filled.append(item)
    return filled
