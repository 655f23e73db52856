"""A document read as a snapshot, without the database: how a frozen version is rendered."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from designs import models as m
from designs.snapshot import DesignSnapshot, ElementRecord, Record, assemble, record_class, set_reference
from designs.steps import STEPS, ElementSpec, SectionSpec

from .errors import DocumentError
from .format import DESIGN_FIELDS, INDEX_COLUMNS, KEYS, UID, _field, _numbered, document_key, fill_codes, pointer


def _python(spec: SectionSpec | ElementSpec, name: str, item: dict[str, Any]) -> Any:
    """A field's value as the database gives it back: defaults for what the document leaves out."""
    field = _field(spec.model, name)
    if name not in item:
        return field.get_default()
    value = item[name]
    if value is None:
        return None
    if isinstance(value, float):
        # From json.loads without parse_float=Decimal: the shortest repr is the written number.
        value = Decimal(repr(value))
    return field.to_python(value)


class _Reader:
    def __init__(self) -> None:
        self.by_key: dict[type, dict[str, ElementRecord]] = {}

    def target(self, related: type, key: str, where: str) -> ElementRecord:
        found = self.by_key.get(related, {}).get(key)
        if found is None:
            raise DocumentError([(where, f"Dangling reference: no {related._meta.verbose_name} “{key}”.")])
        return found

    def record(
        self, spec: SectionSpec | ElementSpec, item: dict[str, Any], where: str, **extra: Any
    ) -> tuple[Record, list[tuple[str, type, str]]]:
        """The record with its plain values; references are returned to be resolved by the caller."""
        values: dict[str, Any] = {}
        refs = []
        for name in spec.fields:
            field = _field(spec.model, name)
            if field.is_relation:
                values[name] = None
                if item.get(name) is not None:
                    refs.append((name, field.related_model, item[name]))
            else:
                values[name] = _python(spec, name, item)
        return record_class(spec)(**values, **extra), refs

    def section(self, spec: SectionSpec, item: dict[str, Any] | None, where: str) -> Record | None:
        if item is None:
            return None
        record, refs = self.record(spec, item, where)
        for name, related, key in refs:
            set_reference(record, name, self.target(related, key, f"{where}/{name}"))
        return record

    def elements(self, spec: ElementSpec, items: list[dict[str, Any]], where: str) -> list[ElementRecord]:
        rule = spec.natural_key
        used: set[str] = set()
        records: list[ElementRecord] = []
        pending: list[tuple[Record, str, type, str, str]] = []
        own: dict[str, ElementRecord] = {}
        for i, item in enumerate(fill_codes(spec.model, items)):
            at = f"{where}/{i}"
            uid = uuid.UUID(item[UID]) if UID in item else uuid.uuid4()
            extra: dict[str, Any] = {"uid": uid}
            if spec.model is m.Index:
                table = item["table"]
                extra[INDEX_COLUMNS] = tuple(
                    self.target(m.Column, f"{table}.{name}", f"{at}/{INDEX_COLUMNS}/{n}")
                    for n, name in enumerate(item[INDEX_COLUMNS])
                )
            for name in spec.links:
                related = _field(spec.model, name).related_model
                order = {r.uid: n for n, r in enumerate(self.by_key.get(related, {}).values())}
                targets = {self.target(related, key, f"{at}/{name}/{n}") for n, key in enumerate(item.get(name, []))}
                # As load_snapshot holds them: in the page order of the linked list.
                extra[name] = tuple(sorted(targets, key=lambda r: order[r.uid]))
            record, refs = self.record(spec, item, at, **extra)
            pending += [(record, name, related, key, f"{at}/{name}") for name, related, key in refs]
            if rule:
                key = item["key"] if rule.explicit and "key" in item else document_key(spec.model, rule, item)
                own[_numbered(key, used) if rule.explicit else key] = record
            records.append(record)
        if rule:
            # Before references are resolved: a column may reference a column further down.
            self.by_key[spec.model] = own
        for record, name, related, key, at in pending:
            set_reference(record, name, self.target(related, key, at))
        return records


def snapshot_from_document(document: dict[str, Any]) -> DesignSnapshot:
    """The snapshot of a schema-valid document, e.g. one exported earlier or a frozen version.

    Nothing is validated beyond what reading needs (import_design validates); a
    dangling reference raises DocumentError. Elements without a uid get a new one.
    """
    reader = _Reader()
    sections: dict[str, Record | None] = {}
    elements: dict[str, list[ElementRecord]] = {}
    steps = document.get("steps", {})
    for step in STEPS:
        content = steps.get(step.key, {})
        for spec in step.sections:
            where = pointer(["steps", step.key, spec.key])
            sections[spec.key] = reader.section(spec, content.get(spec.key), where)
        for spec in step.elements:
            where = pointer(["steps", step.key, spec.key])
            elements[spec.key] = reader.elements(spec, content.get(spec.key, []), where)
    meta = document["design"]
    design = {name: meta.get(name, m.Design._meta.get_field(name).get_default()) for name in DESIGN_FIELDS}
    # As import_design stores it.
    design["name"] = design["name"].strip()
    return assemble(design, sections, elements)


def reference_errors(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every reference of a document that names no element of it, as (JSON pointer, message) pairs.

    Tolerant of a document that fails its schema (items that are not objects, values of the wrong
    type are passed over), so an import can list these beside the schema's own errors at once
    instead of one kind of problem per attempt.
    """
    steps = document.get("steps") if isinstance(document.get("steps"), dict) else {}
    keys: dict[type, set[str]] = {}
    lists: list[tuple[ElementSpec, str, list[dict[str, Any]]]] = []
    for step in STEPS:
        content = steps.get(step.key) if isinstance(steps.get(step.key), dict) else {}
        for spec in step.elements:
            items = content.get(spec.key)
            items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
            lists.append((spec, pointer(["steps", step.key, spec.key]), items))
            rule = spec.natural_key
            if rule is None:
                continue
            used: set[str] = set()
            own = keys.setdefault(spec.model, set())
            for item in fill_codes(spec.model, items):
                try:
                    key = item["key"] if rule.explicit and "key" in item else document_key(spec.model, rule, item)
                except (KeyError, TypeError):
                    continue
                own.add(_numbered(str(key), used) if rule.explicit else str(key))
    found = []
    for spec, where, items in lists:
        for i, item in enumerate(items):
            for name in spec.fields:
                field = _field(spec.model, name)
                value = item.get(name)
                if field.is_relation and isinstance(value, str) and value not in keys.get(field.related_model, ()):
                    found.append((f"{where}/{i}/{name}", dangling_message(field.related_model, value)))
            if spec.model is m.Index and isinstance(item.get(INDEX_COLUMNS), list):
                for n, column in enumerate(item[INDEX_COLUMNS]):
                    key = f"{item.get('table')}.{column}"
                    if isinstance(column, str) and key not in keys.get(m.Column, ()):
                        found.append((f"{where}/{i}/{INDEX_COLUMNS}/{n}", dangling_message(m.Column, key)))
    return found


def dangling_message(related: type, key: str) -> str:
    """How an import names a reference to an element the document does not have."""
    noun = related._meta.verbose_name
    article = "an" if noun[0] in "aeiou" else "a"
    return (
        f"Dangling reference: no {noun} “{key}” in this document "
        f"({article} {noun} is referred to by {KEYS[related].describes})."
    )
