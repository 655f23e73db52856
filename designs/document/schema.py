"""The format's JSON Schema, generated from the registry, and its validation messages."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from jsonschema import Draft202012Validator, validators
from jsonschema import ValidationError as SchemaError
from jsonschema.protocols import Validator

from designs import models as m
from designs.steps import STEPS, ElementSpec, SectionSpec, Step

from .errors import DocumentError, _json_type, _short
from .format import DESIGN_FIELDS, FORMAT, INDEX_COLUMNS, KEYS, SCHEMA_URI, UID, _field, pointer

# PostgreSQL's own limit on the columns of one index.
MAX_INDEX_COLUMNS = 32
# Most links one element may hold (e.g. requirements one component serves): more is a hostile document.
MAX_LINKS = 1000
# A uuid as text, any case, with hyphens: what str(uuid) writes and uuid.UUID() reads back.
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _describe_filter(rule: Mapping[str, Any] | Q) -> str:
    """A registry choice filter in words, for the schema's descriptions."""
    if isinstance(rule, Q):
        parts = [_describe_filter(dict([c]) if isinstance(c, tuple) else c) for c in rule.children]
        return f" {rule.connector.lower()} ".join(parts)
    words = []
    for lookup, value in rule.items():
        name, _, op = lookup.partition("__")
        values = [str(v) for v in value] if op == "in" else [str(value).lower()]
        words.append(f"{name.replace('_', ' ')} is {' or '.join(values)}")
    return " and ".join(words)


def _limits(field: Any) -> dict[str, Any]:
    """minimum/maximum from the field's validators (explicit ones and the column's range)."""
    lows = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    limits: dict[str, Any] = {}
    if lows:
        limits["minimum"] = _json_number(max(lows))
    if highs:
        limits["maximum"] = _json_number(min(highs))
    return limits


def _json_number(value: Any) -> Any:
    # Decimal limits (exact, unlike 0.01 as a float) are written as JSON numbers.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _field_schema(field: Any, spec: ElementSpec | SectionSpec | None = None) -> dict[str, Any]:
    text = capfirst(str(field.verbose_name))
    if field.help_text:
        text += f". {field.help_text}"
    schema: dict[str, Any]
    if field.is_relation:
        related = field.related_model
        rule = KEYS[related]
        schema = {"type": "string", "minLength": 1}
        text = f"{text}: key of a {related._meta.verbose_name} ({rule.describes})"
        if limit := getattr(field.model, "kind_limits", {}).get(field.name):
            text += f", where {_describe_filter({'kind__in': limit.kinds})}"
        filters = getattr(spec, "choice_filters", {}).get(field.name)
        if filters:
            text += f", where {_describe_filter(filters)}"
        text += "."
    elif field.choices:
        values = [value for value, _ in field.flatchoices]
        if field.blank and "" not in values:
            values.append("")
        schema = {"type": "string", "enum": values}
    elif isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, models.IntegerField):
        schema = {"type": "integer", **_limits(field)}
    elif isinstance(field, models.DecimalField):
        bound = 10 ** (field.max_digits - field.decimal_places)
        schema = {"type": "number", "exclusiveMinimum": -bound, "exclusiveMaximum": bound, **_limits(field)}
        text += f" (at most {field.decimal_places} decimal places)"
    elif isinstance(field, models.CharField | models.TextField):
        schema = {"type": "string"}
        if field.max_length:
            schema["maxLength"] = field.max_length
        if not field.blank:
            schema["minLength"] = 1
    else:
        raise TypeError(f"{field.model.__name__}.{field.name}: no JSON form for {type(field).__name__}")
    if field.null:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"].append(None)
    return {"description": text, **schema}


def _required(field: Any) -> bool:
    return not (field.null or field.blank or field.has_default())


def _object_schema(
    model: type[models.Model], names: Iterable[str], spec: ElementSpec | SectionSpec | None = None, **extra: Any
) -> dict[str, Any]:
    properties: dict[str, Any] = dict(extra.pop("properties", {}))
    required: list[str] = list(extra.pop("required", []))
    for name in names:
        field = _field(model, name)
        properties[name] = _field_schema(field, spec)
        if _required(field):
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return {**extra, **schema}


def _element_schema(spec: ElementSpec) -> dict[str, Any]:
    rule = spec.natural_key
    properties: dict[str, Any] = {
        UID: {
            "description": f"The {spec.singular}'s identity, unchanged by edits and kept by import; "
            "unique in the design. Optional: an element without one gets a new uid on import.",
            "type": "string",
            "format": "uuid",
            "pattern": UUID_PATTERN,
        }
    }
    required: list[str] = []
    if rule and rule.explicit:
        properties["key"] = {
            "description": f"Names this {spec.singular} for references; unique in the list. "
            f"Defaults to {rule.describes}, numbered “ #2” when repeated.",
            "type": "string",
            "minLength": 1,
            "maxLength": 500,
        }
    if spec.model is m.Index:
        properties[INDEX_COLUMNS] = {
            "description": "Column names of the index's table, leading column first.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "maxItems": MAX_INDEX_COLUMNS,
            "uniqueItems": True,
        }
        required.append(INDEX_COLUMNS)
    for name in spec.links:
        field = _field(spec.model, name)
        related = field.related_model
        properties[name] = {
            "description": f"{capfirst(str(field.verbose_name))}: keys of {related._meta.verbose_name_plural} "
            f"({KEYS[related].describes}). Optional, empty when left out.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "maxItems": MAX_LINKS,
            "uniqueItems": True,
        }
    item = _object_schema(spec.model, spec.fields, spec, properties=properties, required=required)
    # The extra properties read better after the fields in the schema too.
    item["properties"] = {
        **{k: v for k, v in item["properties"].items() if k == UID},
        **{k: v for k, v in item["properties"].items() if k == "key"},
        **{k: v for k, v in item["properties"].items() if k not in (UID, "key", INDEX_COLUMNS, *spec.links)},
        **{k: v for k, v in item["properties"].items() if k == INDEX_COLUMNS},
        **{k: v for k, v in item["properties"].items() if k in spec.links},
    }
    description = spec.label + (f". {spec.help}" if spec.help else "")
    return {"description": description, "type": "array", "items": item}


def _step_schema(step: Step) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for spec in step.sections:
        section = _object_schema(spec.model, spec.fields, spec, description=f"{spec.label}; null when never saved.")
        section["type"] = ["object", "null"]
        properties[spec.key] = section
    for spec in step.elements:
        properties[spec.key] = _element_schema(spec)
    return {
        "description": f"Step {step.number}: {step.title}.",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }


def design_schema() -> dict[str, Any]:
    """The JSON Schema of the format, generated from the registry and the model fields."""
    return {
        "$schema": SCHEMA_URI,
        "title": f"Design Workbench design document ({FORMAT})",
        "description": "One whole design: metadata, executive summary and every element of the eight steps. "
        "References are keys, never database ids. See docs/design-document.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "design"],
        "properties": {
            "format": {"description": "Format name and version.", "const": FORMAT},
            "design": _object_schema(m.Design, DESIGN_FIELDS, description="The design's metadata."),
            "steps": {
                "description": "The eight steps; an omitted step, section or list is empty.",
                "type": "object",
                "additionalProperties": False,
                "properties": {step.key: _step_schema(step) for step in STEPS},
            },
        },
    }


# How many unknown properties a message names; it counts the others.
_NAMED_UNKNOWN = 5


def _additional_properties(
    validator: Validator, allowed: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[SchemaError]:
    """`additionalProperties: false` that names the first few unknown properties and counts the rest.

    jsonschema's own sorts every unknown name and writes them all into its message: for an
    object of a million keys, seconds of work and a 9 MB message. The format's schema uses no
    other form of the keyword (tests/test_document_hostile.py checks it).
    """
    if allowed is not False or not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    unknown = [name for name in instance if name not in known]
    if unknown:
        named = heapq.nsmallest(_NAMED_UNKNOWN, unknown)
        listed = ", ".join(_short(name) for name in named)
        if len(unknown) > len(named):
            listed += f" and {len(unknown) - len(named):,} more"
        yield SchemaError(f"Unknown propert{'y' if len(unknown) == 1 else 'ies'}: {listed}.")


def _unique_items(validator: Validator, unique: Any, instance: Any, schema: dict[str, Any]) -> Iterator[SchemaError]:
    """`uniqueItems` in linear time, for the format's unique lists, which are lists of strings.

    jsonschema compares the items pairwise when it cannot sort them (a number among strings):
    a million names would take hours. Items that are not strings are refused by `items`
    already, so only the strings are compared (the schema has no other unique lists; checked
    in tests/test_document_hostile.py).
    """
    if unique is True and validator.is_type(instance, "array"):
        names = [item for item in instance if isinstance(item, str)]
        if len(set(names)) < len(names):
            yield SchemaError("has non-unique elements")


# Draft 2020-12 with the two keywords whose jsonschema versions a hostile document makes slow.
_FormatValidator = validators.extend(
    Draft202012Validator, {"additionalProperties": _additional_properties, "uniqueItems": _unique_items}
)
_validator: Validator | None = None


def _schema_validator() -> Validator:
    global _validator
    if _validator is None:
        _validator = _FormatValidator(design_schema())
    return _validator


def _schema_message(error: SchemaError) -> str:
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        expected = " or ".join(limit) if isinstance(limit, list) else limit
        return f"Expected {expected}, found {_json_type(value)}."
    if kind == "maxLength":
        return f"Too long: {len(value)} characters, at most {limit} allowed."
    if kind == "minLength":
        return "Must not be empty."
    if kind == "enum":
        return f"{_short(value)} is not one of {', '.join(_short(v) for v in limit)}."
    if kind == "required":
        match = re.fullmatch(r"'(.*)' is a required property", error.message)
        return f"Missing the required property “{match.group(1)}”." if match else error.message
    if kind == "additionalProperties":
        return error.message  # worded by _additional_properties, which alone sees the unknown names cheaply
    if kind in ("minimum", "exclusiveMinimum"):
        return f"{_short(value)} is too small: the minimum is {limit}{' (exclusive)' if 'exclusive' in kind else ''}."
    if kind in ("maximum", "exclusiveMaximum"):
        return f"{_short(value)} is too large: the maximum is {limit}{' (exclusive)' if 'exclusive' in kind else ''}."
    if kind == "uniqueItems":
        return "Lists an item twice."
    if kind == "maxItems":
        return f"Lists {len(value):,} items; at most {limit} are allowed."
    if kind == "minItems":
        return f"Needs at least {limit} item{'s' if limit != 1 else ''}."
    return error.message if len(error.message) <= 200 else error.message[:199] + "…"


def schema_errors(document: Any) -> Iterator[tuple[str, str]]:
    """Schema violations in the schema's order, which is the registry's, so the document's.

    Lazy: a document may break the schema a million times, and finding them all
    costs seconds of CPU when only the first MAX_REPORTED_ERRORS are shown.
    """
    for error in _schema_validator().iter_errors(document):
        yield pointer(error.absolute_path), _schema_message(error)


def check_element_count(document: dict[str, Any]) -> None:
    """Refuse a document with more elements than a design may hold, or an index of more columns than
    PostgreSQL allows, before the schema looks at them.

    Checking a valid value costs jsonschema ~15 µs, and valid values never stop the check early:
    300,000 well-formed components would take 15 s to check and minutes to import, and an index
    listing a million names as long. Counting the lists costs one step per list.
    """
    steps = document.get("steps")
    if not isinstance(steps, dict):
        return
    count = sum(
        len(items)
        for content in steps.values()
        if isinstance(content, dict)
        for items in content.values()
        if isinstance(items, list)
    )
    limit = settings.DESIGN_MAX_ELEMENTS
    if count > limit:
        raise DocumentError([("/steps", f"The document holds {count:,} elements; a design holds at most {limit:,}.")])
    database = steps.get("database")
    indexes = database.get("indexes") if isinstance(database, dict) else None
    for i, index in enumerate(indexes if isinstance(indexes, list) else []):
        columns = index.get(INDEX_COLUMNS) if isinstance(index, dict) else None
        if isinstance(columns, list) and len(columns) > MAX_INDEX_COLUMNS:
            at = pointer(["steps", "database", "indexes", i, INDEX_COLUMNS])
            raise DocumentError([(at, f"Lists {len(columns):,} items; at most {MAX_INDEX_COLUMNS} are allowed.")])
    for step in STEPS:
        content = steps.get(step.key)
        for spec in step.elements if isinstance(content, dict) else ():
            items = content.get(spec.key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                for name in spec.links:
                    linked = item.get(name) if isinstance(item, dict) else None
                    if isinstance(linked, list) and len(linked) > MAX_LINKS:
                        at = pointer(["steps", step.key, spec.key, i, name])
                        raise DocumentError([(at, f"Lists {len(linked):,} items; at most {MAX_LINKS} are allowed.")])


def _check_format(document: dict[str, Any]) -> None:
    found = document.get("format")
    if found != FORMAT:
        what = "is missing" if found is None else f"is {_short(found)}"
        raise DocumentError([("/format", f"The format {what}; this workbench reads “{FORMAT}”.")])
