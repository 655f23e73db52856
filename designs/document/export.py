"""The design as a document: a function of its snapshot."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from designs import models as m
from designs.snapshot import DesignSnapshot, ElementRecord, Record, load_snapshot

from ..caching import cached_by_state, design_state
from .format import FORMAT, INDEX_COLUMNS, UID, document_json, list_keys

# Exported text is kept this long per design state; a day is plenty, any edit makes a new key.
EXPORT_CACHE_SECONDS = 24 * 60 * 60


def _number(value: Decimal) -> int | float:
    # DecimalFields hold at most 15 digits, which a float's repr gives back exactly.
    return int(value) if value == value.to_integral_value() else float(value)


def _value(value: Any, keys: dict[uuid.UUID, str]) -> Any:
    if isinstance(value, ElementRecord):
        return keys[value.uid]
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _item(record: Record, keys: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {name: _value(getattr(record, name), keys) for name in record.spec.fields}


def document_from_snapshot(snapshot: DesignSnapshot) -> dict[str, Any]:
    """The whole design as a `design-workbench/1` document (plain JSON types only)."""
    keys: dict[uuid.UUID, str] = {}
    steps: dict[str, Any] = {}
    for step_key, step in snapshot.steps.items():
        content: dict[str, Any] = {}
        for key, record in step.sections.items():
            content[key] = None if record is None else _item(record, keys)
        for key, records in step.elements.items():
            spec = step.step.element(key)
            rule = spec.natural_key
            # Before the rows are written: a column may reference a column further down.
            own = list_keys(records, rule, keys) if rule else {}
            keys.update(own)
            items = []
            for record in records:
                item: dict[str, Any] = {UID: str(record.uid)}
                if rule and rule.explicit:
                    item["key"] = own[record.uid]
                item.update(_item(record, keys))
                if spec.model is m.Index:
                    item[INDEX_COLUMNS] = [column.name for column in getattr(record, INDEX_COLUMNS)]
                for name in spec.links:
                    item[name] = [keys[target.uid] for target in getattr(record, name)]
                items.append(item)
            content[key] = items
        steps[step_key] = content
    return {"format": FORMAT, "design": snapshot.meta(), "steps": steps}


def export_design(design: m.Design) -> dict[str, Any]:
    """The design as stored now, as a document."""
    return document_from_snapshot(load_snapshot(design))


def export_text(design: m.Design) -> str:
    """The document as JSON text, cached per design state.

    Every edit of a design moves its `updated_at` (services.design_changed), so the key names one
    state of it exactly; repeated downloads of an unchanged large design cost one cache read.
    """
    return cached_by_state(
        "design-export",
        design_state(design),
        FORMAT,
        build=lambda: document_json(export_design(design)),
        timeout=EXPORT_CACHE_SECONDS,
    )
