"""The design as one JSON document: export, import and its JSON Schema.

Format "design-workbench/1", documented in docs/design-document.md. Everything
is read from the step registry: a section is an object of its fields, an
element list an array of objects in on-page order, and a reference is the key
of the element it points at (a name, a code, "table.column"), never a database
id. Adding a field to a model and its name to the registry adds it here too.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import Q
from django.utils.text import capfirst
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaError

from . import models as m
from . import services
from .steps import STEPS, ElementSpec, SectionSpec, Step

FORMAT = "design-workbench/1"
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
DESIGN_FIELDS = ("name", "summary", "status")
# A broken document can have thousands of errors; the first ones say enough.
MAX_REPORTED_ERRORS = 100


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

Errors = list[tuple[str, str]]


class DocumentError(Exception):
    """A document that cannot be imported; `errors` are (JSON pointer, message) pairs.

    `counted=False` says the errors were cut short at MAX_REPORTED_ERRORS + 1 by
    whoever found them, so how many more there are is unknown.
    """

    def __init__(self, errors: Errors, *, counted: bool = True) -> None:
        self.errors = errors[:MAX_REPORTED_ERRORS]
        self.more = max(0, len(errors) - MAX_REPORTED_ERRORS)
        self.more_note = ""
        if self.more:
            self.more_note = f"… and {self.more} more." if counted else "… and more, left out of this list."
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        lines = [f"{pointer or '(document)'}: {message}" for pointer, message in self.errors]
        if self.more_note:
            lines.append(self.more_note)
        return lines


def _first_errors(errors: Iterable[tuple[str, str]]) -> None:
    """Raise DocumentError with the first errors found; looks no further than one past the cap."""
    if found := list(islice(errors, MAX_REPORTED_ERRORS + 1)):
        raise DocumentError(found, counted=False)


# ---------------------------------------------------------------- reading bytes


def too_large(size: int) -> DocumentError:
    limit = _megabytes(settings.DESIGN_UPLOAD_MAX_BYTES)
    return DocumentError([("", f"The document is {_megabytes(size)}; the largest accepted is {limit}.")])


def check_size(size: int) -> None:
    """Refuse a document over DESIGN_UPLOAD_MAX_BYTES before reading it."""
    if size > settings.DESIGN_UPLOAD_MAX_BYTES:
        raise too_large(size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _reject_constant(name: str) -> None:
    raise DocumentError([("", f"Not valid JSON: {name} is not a number JSON allows.")])


def parse_document(raw: bytes) -> dict[str, Any]:
    """Decode an uploaded document; numbers with a fraction become Decimal, losing nothing."""
    check_size(len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError([("", f"Not UTF-8 text: the byte at offset {exc.start} cannot be decoded.")]) from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError([("", f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.")]) from None
    except ValueError as exc:
        # E.g. an integer over Python's 4,300 digits; the advice after ";" is for programmers.
        reason = str(exc).split(";")[0]
        raise DocumentError([("", f"Not a readable JSON document: {reason}.")]) from None
    except RecursionError:
        raise DocumentError([("", "Not a design document: nested too deeply.")]) from None
    if not isinstance(data, dict):
        raise DocumentError([("", f"A design document is a JSON object, not {_json_type(data)}.")])
    if _ESCAPED_UNSTORABLE.search(text):
        _first_errors(_text_errors(data))
    return data


# JSON may escape characters no database text holds: NUL (PostgreSQL refuses it) and
# UTF-16 surrogates without their pair (not Unicode text, so not encodable as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Only a \u escape brings them in (json.loads refuses a raw NUL, UTF-8 has no surrogates),
# so a document without one is not walked; a paired surrogate or "\\u0000" is, harmlessly.
_ESCAPED_UNSTORABLE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _visible(text: str) -> str:
    """`text` with unstorable characters written as their JSON escapes, fit to show in a page."""
    return _UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _unstorable(found: re.Match[str], what: str) -> str:
    reason = "a NUL character" if found.group() == "\x00" else "half of a UTF-16 surrogate pair"
    return f"{what} contains {_visible(found.group())}, {reason}, which cannot be stored as text."


def _text_errors(document: Any) -> Iterator[tuple[str, str]]:
    """Every string and property name that cannot be stored, in document order.

    Iterative: a document may be nested almost as deeply as json.loads allows.
    """
    stack: list[tuple[list[str], Any]] = [([], document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if found := _UNSTORABLE.search(value):
                yield pointer(map(_visible, path)), _unstorable(found, "The text")
        elif isinstance(value, dict):
            for key in value:
                if found := _UNSTORABLE.search(key):
                    yield pointer(map(_visible, [*path, key])), _unstorable(found, "The property name")
            stack += [([*path, key], item) for key, item in reversed(value.items())]
        elif isinstance(value, list):
            stack += [([*path, str(i)], item) for i, item in reversed(list(enumerate(value)))]


def document_json(document: dict[str, Any]) -> str:
    """Serialise an exported document; key order is the registry's, so equal designs give equal text."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- export


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


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


def _numbered(base: str, used: set[str]) -> str:
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base} #{n}"
    used.add(key)
    return key


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


# ---------------------------------------------------------------- schema


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
        limits["minimum"] = max(lows)
    if highs:
        limits["maximum"] = min(highs)
    return limits


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
    rule = KEYS.get(spec.model)
    properties: dict[str, Any] = {}
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
            "uniqueItems": True,
        }
        required.append(INDEX_COLUMNS)
    item = _object_schema(spec.model, spec.fields, spec, properties=properties, required=required)
    # The extra properties read better after the fields in the schema too.
    item["properties"] = {
        **{k: v for k, v in item["properties"].items() if k == "key"},
        **{k: v for k, v in item["properties"].items() if k not in ("key", INDEX_COLUMNS)},
        **{k: v for k, v in item["properties"].items() if k == INDEX_COLUMNS},
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


_validator: Draft202012Validator | None = None


def _schema_validator() -> Draft202012Validator:
    global _validator
    if _validator is None:
        _validator = Draft202012Validator(design_schema())
    return _validator


# ---------------------------------------------------------------- validation messages


def pointer(parts: Iterable[str | int]) -> str:
    """An RFC 6901 JSON pointer to the given path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _short(value: Any) -> str:
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


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
        unknown = sorted(set(value) - set(error.schema.get("properties", {})))
        return f"Unknown propert{'y' if len(unknown) == 1 else 'ies'}: {', '.join(_short(u) for u in unknown)}."
    if kind in ("minimum", "exclusiveMinimum"):
        return f"{_short(value)} is too small: the minimum is {limit}{' (exclusive)' if 'exclusive' in kind else ''}."
    if kind in ("maximum", "exclusiveMaximum"):
        return f"{_short(value)} is too large: the maximum is {limit}{' (exclusive)' if 'exclusive' in kind else ''}."
    if kind == "uniqueItems":
        return "Lists an item twice."
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


def _check_format(document: dict[str, Any]) -> None:
    found = document.get("format")
    if found != FORMAT:
        what = "is missing" if found is None else f"is {_short(found)}"
        raise DocumentError([("/format", f"The format {what}; this workbench reads “{FORMAT}”.")])


# ---------------------------------------------------------------- import


def _document_key(model: type[models.Model], rule: KeyRule, item: dict[str, Any]) -> str:
    """The key an element gets from its document values (references are already keys)."""
    parts = []
    for name in rule.parts:
        value = item[name] if name in item else _field(model, name).get_default()
        parts.append(str(value))
    return rule.separator.join(parts)


def _fill_codes(model: type[models.Model], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Empty codes get the next FR-n / NFR-n / ADR-n, as when saving in the browser."""
    prefix = getattr(model, "code_prefix", None)
    if not prefix:
        return items
    numbers = [
        int(match.group(1))
        for item in items
        if (match := re.fullmatch(rf"{prefix}-(\d+)", item.get("code", ""), re.IGNORECASE))
    ]
    following = max(numbers, default=0) + 1
    filled = []
    for item in items:
        if not item.get("code"):
            item = {**item, "code": f"{prefix}-{following}"}
            following += 1
        filled.append(item)
    return filled


def _full_clean(obj: models.Model, siblings: m.Siblings | None = None) -> None:
    """Model.full_clean() without its existence query per foreign key.

    Every target was just resolved from this document, so the query would only
    repeat what is known; on a large design it is a quarter of the import's work.
    An element of the new design is checked for uniqueness against `siblings`,
    the elements accepted so far, instead of by a query per rule (see Siblings).
    """
    relations = {f.name for f in obj._meta.concrete_fields if f.is_relation}
    errors: dict[str, Any] = {}
    clean = obj.clean if siblings is None else lambda: obj.clean(siblings=siblings)
    for check in (lambda: obj.clean_fields(exclude=relations), clean):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    # As full_clean() does: a field that already failed is not checked for uniqueness.
    failed = set(errors)
    if siblings is None:
        uniqueness = [lambda: obj.validate_unique(exclude=failed), lambda: obj.validate_constraints(exclude=failed)]
    else:
        uniqueness = [lambda: siblings.validate_unique(obj, failed)]
    for check in uniqueness:
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


class _Importer:
    """Builds one design from a schema-valid document, collecting errors as it goes."""

    def __init__(self, design: m.Design) -> None:
        self.design = design
        self.errors: Errors = []
        self.by_key: dict[type, dict[str, models.Model]] = defaultdict(dict)
        # Keys of elements that failed: references to them are not reported again.
        self.broken: dict[type, set[str]] = defaultdict(set)
        # The elements accepted so far: a new design has no others to clash with.
        self.siblings = m.Siblings()

    def error(self, where: str, message: str) -> None:
        self.errors.append((where, message))

    def resolve(self, field: Any, value: str, where: str) -> models.Model | None:
        related = field.related_model
        target = self.by_key[related].get(value)
        if target is None:
            if value not in self.broken[related]:
                noun = related._meta.verbose_name
                self.error(
                    where,
                    f"Dangling reference: no {noun} “{value}” in this document "
                    f"({'an' if noun[0] in 'aeiou' else 'a'} {noun} is referred to by {KEYS[related].describes}).",
                )
            return None
        return target

    def assign(self, obj: models.Model, name: str, value: Any, where: str) -> bool:
        field = _field(type(obj), name)
        if field.is_relation and value is not None:
            target = self.resolve(field, value, where)
            if target is None:
                return False
            setattr(obj, name, target)
        else:
            if isinstance(value, float):
                # From json.loads without parse_float=Decimal: the shortest repr is the written number.
                value = Decimal(repr(value))
            setattr(obj, field.attname, value)
        return True

    def check(self, obj: models.Model, where: str, places: dict[str, str], siblings: m.Siblings | None = None) -> bool:
        """Validate; model errors are reported at the property they concern."""
        try:
            _full_clean(obj, siblings)
        except ValidationError as exc:
            # In the document's order: a model's clean() may raise them in any order.
            order = {name: i for i, name in enumerate(places)}
            for name, messages in sorted(exc.message_dict.items(), key=lambda item: order.get(item[0], -1)):
                at = places.get(name, where)
                if name not in places and name != NON_FIELD_ERRORS:
                    messages = [f"{capfirst(_field(type(obj), name).verbose_name)}: {msg}" for msg in messages]
                for message in messages:
                    self.error(at, message)
            return False
        return True

    @contextmanager
    def writing(self, where: str) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            # Validation passed, so another write raced this one; the transaction is lost either way.
            raise DocumentError([*self.errors, (where, "Clashes with a change saved meanwhile; try again.")]) from None
        except DataError as exc:
            # parse_document refuses what PostgreSQL cannot store; this catches what a caller
            # passing its own dict, or a rule nobody foresaw, lets through.
            reason = str(exc).splitlines()[0]
            raise DocumentError([*self.errors, (where, f"The database refused a value: {reason}.")]) from None

    def save(self, obj: models.Model, where: str, places: dict[str, str]) -> bool:
        """Validate then save a section's record."""
        if not self.check(obj, where, places):
            return False
        with self.writing(where):
            obj.save()
        return True

    def sections(self, step: Step, content: dict[str, Any]) -> None:
        # Several sections may edit one record (deployment's three share one).
        by_model: dict[type, list[SectionSpec]] = defaultdict(list)
        for spec in step.sections:
            by_model[spec.model].append(spec)
        for model, specs in by_model.items():
            present = [spec for spec in specs if content.get(spec.key) is not None]
            if not present:
                continue
            record = model(design=self.design)
            places: dict[str, str] = {}
            complete = True
            for spec in present:
                places.update({name: pointer(["steps", step.key, spec.key, name]) for name in spec.fields})
                for name, value in content[spec.key].items():
                    complete &= self.assign(record, name, value, places[name])
            if complete:
                self.save(record, pointer(["steps", step.key, present[0].key]), places)

    def elements(self, step: Step, spec: ElementSpec, items: list[dict[str, Any]]) -> None:
        """Validate a list's elements in order, then insert the valid ones together."""
        rule = KEYS.get(spec.model)
        used: set[str] = set()
        accepted: list[models.Model] = []
        index_columns: list[m.IndexColumn] = []
        self_references: list[tuple[models.Model, str, Any, str]] = []
        for i, item in enumerate(_fill_codes(spec.model, items)):
            where = pointer(["steps", step.key, spec.key, i])
            key = None
            if rule:
                key = item.get("key") if rule.explicit and "key" in item else _document_key(spec.model, rule, item)
                if rule.explicit:
                    if "key" in item and key in used:
                        self.error(f"{where}/key", f"Another {spec.singular} has the key “{key}”; keys are unique.")
                        continue
                    key = _numbered(key, used)
            obj = spec.model(design=self.design, position=i + 1)
            # Model errors point at the property, even one the document leaves out.
            places = {name: f"{where}/{name}" for name in spec.fields}
            complete = True
            for name, value in item.items():
                if name in ("key", INDEX_COLUMNS):
                    continue
                field = _field(spec.model, name)
                if field.is_relation and field.related_model is spec.model and value is not None:
                    self_references.append((obj, name, value, places[name]))
                    continue
                complete &= self.assign(obj, name, value, places[name])
            columns = self.index_columns(item, where) if spec.model is m.Index else []
            if columns and (problem := obj.columns_problem(columns)):
                self.error(f"{where}/{INDEX_COLUMNS}", problem)
                columns = None
            if complete and columns is not None and self.check(obj, where, places, self.siblings):
                # Later elements are checked against it as if it were saved already.
                self.siblings.add(obj)
                accepted.append(obj)
                if rule:
                    self.by_key[spec.model][key] = obj
                index_columns += [
                    m.IndexColumn(index=obj, column=column, position=n) for n, column in enumerate(columns)
                ]
            elif rule:
                self.broken[spec.model].add(key)
        where = pointer(["steps", step.key, spec.key])
        with self.writing(where):
            # One INSERT per list: PostgreSQL returns the ids, which references to these elements need.
            spec.model.objects.bulk_create(accepted)
            m.IndexColumn.objects.bulk_create(index_columns)
        self.self_references(spec.model, self_references, where)

    def self_references(
        self, model: type[models.Model], references: list[tuple[models.Model, str, Any, str]], where: str
    ) -> None:
        """References within a list, resolved once every element of it is known, e.g. a column further down."""
        changed: dict[int, models.Model] = {}
        fields: set[str] = set()
        for obj, name, value, at in references:
            if obj.pk and self.assign(obj, name, value, at):
                if self.check(obj, at.rsplit("/", 1)[0], {name: at}, self.siblings):
                    changed[id(obj)] = obj
                    fields.add(name)
        if changed:
            # Only the references change: the elements were validated and saved whole above.
            with self.writing(where):
                model.objects.bulk_update(changed.values(), sorted(fields))

    def index_columns(self, item: dict[str, Any], where: str) -> list[m.Column] | None:
        table = item["table"]
        if table not in self.by_key[m.Table]:
            return None  # the table's own reference error says it
        columns = []
        for n, name in enumerate(item[INDEX_COLUMNS]):
            key = f"{table}.{name}"
            column = self.by_key[m.Column].get(key)
            if column is None:
                if key not in self.broken[m.Column]:
                    self.error(
                        f"{where}/{INDEX_COLUMNS}/{n}", f"Dangling reference: table “{table}” has no column “{name}”."
                    )
                return None
            columns.append(column)
        return columns


@transaction.atomic
def import_design(document: dict[str, Any], *, owner: AbstractBaseUser) -> m.Design:
    """Create a new design owned by `owner` from a document; all or nothing.

    Raises DocumentError listing every problem found (up to a limit), each at
    its JSON pointer; nothing is written then.
    """
    if not isinstance(document, dict):
        raise DocumentError([("", f"A design document is a JSON object, not {_json_type(document)}.")])
    _check_format(document)
    _first_errors(schema_errors(document))
    meta = document["design"]
    # As the design form does: the name is typed again to delete the design, so no stray spaces.
    name = meta["name"].strip()
    if not name:
        raise DocumentError([("/design/name", "Must not be blank.")])
    design = services.design_create(name=name, summary=meta.get("summary", ""), owner=owner)
    if "status" in meta:
        design.status = meta["status"]
        design.save(update_fields=["status"])
    importer = _Importer(design)
    for step in STEPS:
        content = document.get("steps", {}).get(step.key, {})
        importer.sections(step, content)
        for spec in step.elements:
            importer.elements(step, spec, content.get(spec.key, []))
    if importer.errors:
        raise DocumentError(importer.errors)
    services.design_changed(design)
    return design
