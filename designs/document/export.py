"""The design as a document: export."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import models

from designs import models as m
from designs.steps import STEPS, ElementSpec

from .format import DESIGN_FIELDS, FORMAT, INDEX_COLUMNS, KEYS, KeyRule, _field, _numbered


def _number(value: Decimal) -> int | float:
    # DecimalFields hold at most 15 digits, which a float's repr gives back exactly.
    return int(value) if value == value.to_integral_value() else float(value)


def _export_value(obj: models.Model, name: str, keys: dict[type, dict[int, str]]) -> Any:
    field = _field(type(obj), name)
    value = getattr(obj, field.attname)
    if value is None:
        return None
    if field.is_relation:
        return keys[field.related_model][value]
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _object_key(obj: models.Model, rule: KeyRule, keys: dict[type, dict[int, str]]) -> str:
    parts = []
    for name in rule.parts:
        field = _field(type(obj), name)
        value = getattr(obj, field.attname)
        parts.append(keys[field.related_model][value] if field.is_relation else str(value))
    return rule.separator.join(parts)


def _export_list(design: m.Design, spec: ElementSpec, keys: dict[type, dict[int, str]]) -> list[dict[str, Any]]:
    rows = list(spec.queryset(design))
    rule = KEYS.get(spec.model)
    own_keys: dict[int, str] = {}
    if rule:
        used: set[str] = set()
        for obj in rows:
            base = _object_key(obj, rule, keys)
            own_keys[obj.pk] = _numbered(base, used) if rule.explicit else base
        # Before the rows are written: a column may reference a column further down.
        keys[spec.model] = own_keys
    items = []
    for obj in rows:
        item: dict[str, Any] = {"key": own_keys[obj.pk]} if rule and rule.explicit else {}
        for name in spec.fields:
            item[name] = _export_value(obj, name, keys)
        if spec.model is m.Index:
            item[INDEX_COLUMNS] = [column.name for column in obj.ordered_columns()]
        items.append(item)
    return items


def export_design(design: m.Design) -> dict[str, Any]:
    """The whole design as a `design-workbench/1` document (plain JSON types only)."""
    keys: dict[type, dict[int, str]] = defaultdict(dict)
    sections: dict[type, m.Section | None] = {}
    steps: dict[str, Any] = {}
    for step in STEPS:
        content: dict[str, Any] = {}
        for spec in step.sections:
            if spec.model not in sections:
                sections[spec.model] = spec.model.objects.filter(design=design).first()
            record = sections[spec.model]
            content[spec.key] = (
                None if record is None else {name: _export_value(record, name, keys) for name in spec.fields}
            )
        for spec in step.elements:
            content[spec.key] = _export_list(design, spec, keys)
        steps[step.key] = content
    return {
        "format": FORMAT,
        "design": {name: getattr(design, name) for name in DESIGN_FIELDS},
        "steps": steps,
    }
