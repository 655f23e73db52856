"""What an import will do to a design, and doing it: the part every exchange format shares.

A format's parser (imports.sql, imports.openapi) is pure: it turns a file into a `Parsed` — the
`Item`s the design should hold afterwards, each naming its registry list and its key, plus the
`Skipped` things the model cannot hold, each with a reason. Nothing is dropped silently.

`build_plan(snapshot, parsed)` compares the items with the design as it is (the snapshot) and
says what will be added, changed (matched by key: a table's name, `table.column`, an index's
name, `METHOD /path`…), left unchanged, and skipped. `apply_plan(design, plan)` writes it in one
edit of the design (`designs.services.editing`: one transaction, design row locked), through the
same model rules as the forms; any refusal rolls everything back and raises `ImportRefused`
listing what was refused and why.

The interface, for a parser:

    Item("tables", "orders", {"store": Ref("stores", "main"), "name": "orders"}, where="line 12")
    Item("columns", "orders.id", {"table": Ref("tables", "orders"), "name": "id", ...})
    Item("indexes", "orders_by_day", {"table": Ref("tables", "orders"), ...}, columns=("orders.day",))
    Item("components", "Orders", {"name": "Orders", "kind": "service"}, create_only=True)
    Item("endpoints", "GET /orders", {"service": Ref("components", "Orders"), "method": "GET", ...})
    Item("errors", "GET /orders 404", {"endpoint": Ref("endpoints", "GET /orders"), "status": 404, ...})
    Skipped("CREATE VIEW", "order_totals", "views are not part of the design", where="line 40")

`values` hold registry fields (designs/steps.py) by name, plain values or a `Ref` to another
item or existing element by list and key; fields left out keep their stored value on a change
and the model default on an add. Keys match ignoring case, like the names the model keeps unique.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, models
from django.utils.text import capfirst

from designs import models as m
from designs import services
from designs.snapshot import INDEX_COLUMNS, DesignSnapshot, ElementRecord
from designs.steps import STEPS, ElementSpec

SPECS: dict[str, ElementSpec] = {spec.key: spec for step in STEPS for spec in step.elements}
# The order lists are written in: the registry's, so what an element references exists first.
ORDER: dict[str, int] = {key: i for i, key in enumerate(SPECS)}

# How an element is named: its key fields joined, as in the design document (each spec's natural_key);
# a reference is named by its target's key. An endpoint's error response is named by endpoint and status.
KEY_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    spec.key: (spec.natural_key.parts, spec.natural_key.separator)
    for spec in SPECS.values()
    if spec.natural_key is not None and not spec.natural_key.explicit
}
KEY_FIELDS["errors"] = (("endpoint", "status"), " ")


class ImportFileError(Exception):
    """The file itself is unusable: not text, too large, or not the format. Pure; no database.

    SQL errors carry a line and column (1-based), OpenAPI errors a JSON pointer."""

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, pointer: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.pointer = pointer

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        if self.pointer is not None:
            return f"at {self.pointer or '/'}"
        return ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ImportRefused(Exception):
    """The design refused the plan (a model rule, a concurrent edit); nothing was written.

    `errors` are (where in the file, message) pairs, in file order."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {message}" if where else message for where, message in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Ref:
    """A reference to another element by its list and key: an item of the same import or a stored element."""

    list: str
    key: str

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Item:
    """One element the design should hold after the import."""

    list: str  # a registry element list key: "tables", "columns", "endpoints"…
    key: str  # its name as KEY_FIELDS builds it: "orders", "orders.id", "GET /orders"
    values: Mapping[str, Any]  # registry fields by name; a reference is a Ref
    columns: tuple[str, ...] = ()  # an index's columns in order, as column keys "table.column"
    where: str = ""  # where in the file: "line 12", or a JSON pointer
    # Added when absent, left as it is when present (the store tables go into, a tag's service).
    create_only: bool = False

    @property
    def spec(self) -> ElementSpec:
        return SPECS[self.list]


@dataclass(frozen=True)
class Skipped:
    """Something in the file the design cannot hold, and why."""

    kind: str  # the statement or object kind: "CREATE VIEW", "check constraint", "operator class"
    name: str
    reason: str
    where: str = ""


@dataclass
class Parsed:
    """What a parser read from a file."""

    items: list[Item] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    """An item of the plan, with the stored element it matched (None when it is new)."""

    item: Item
    record: ElementRecord | None = None
    changes: tuple[FieldChange, ...] = ()

    @property
    def noun(self) -> str:
        return self.item.spec.singular

    @property
    def key(self) -> str:
        return self.item.key

    def details(self) -> list[tuple[str, str]]:
        """(label, value) of what an added item sets beyond its key and the model's defaults, for the preview."""
        shown = []
        model = self.item.spec.model
        for name, value in self.item.values.items():
            if name in KEY_FIELDS.get(self.item.list, ((), ""))[0]:
                continue
            model_field = model._meta.get_field(name)
            default = model_field.default if model_field.has_default() and not callable(model_field.default) else None
            if value in ("", None) or value == default or (value is False and default is None):
                continue
            if model_field.choices and not isinstance(value, Ref):
                value = dict(model_field.flatchoices).get(value, value)
            shown.append((_label(self.item.spec, name), _display(value)))
        if self.item.columns:
            shown.append(("columns", ", ".join(key.rsplit(".", 1)[-1] for key in self.item.columns)))
        return shown


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file will do to a design; build it with build_plan()."""

    added: tuple[Entry, ...]
    changed: tuple[Entry, ...]
    unchanged: tuple[Entry, ...]
    skipped: tuple[Skipped, ...]
    # Stored elements by (list, folded key) -> (pk, version): what references and changes resolve to.
    stored: Mapping[tuple[str, str], tuple[int, int]] = field(repr=False, default_factory=dict)

    @property
    def digest(self) -> str:
        """A hash of what the plan will write: a confirm re-parses the file and checks it is still this plan
        (the same file, and the design not changed meanwhile)."""
        parts = [
            [
                status,
                e.item.list,
                e.item.key,
                sorted((k, _display(v)) for k, v in e.item.values.items()),
                list(e.item.columns),
                e.record.version if e.record is not None else None,
            ]
            for status, entries in (("add", self.added), ("change", self.changed), ("same", self.unchanged))
            for e in entries
        ]
        parts += [["skip", s.kind, s.name, s.reason, s.where] for s in self.skipped]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()

    @property
    def writes(self) -> bool:
        return bool(self.added or self.changed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
        }

    def summary(self) -> str:
        c = self.counts()
        return f"{c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged, {c['skipped']} skipped"

    def by_list(self, entries: Iterable[Entry]) -> list[tuple[str, list[Entry]]]:
        """Entries grouped by list (“Tables”, “Columns”…) in the registry's order, for the preview."""
        groups: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            groups[entry.item.list].append(entry)
        return [(SPECS[key].label, groups[key]) for key in sorted(groups, key=ORDER.__getitem__)]

    def added_groups(self) -> list[tuple[str, list[Entry]]]:
        return self.by_list(self.added)

    def changed_groups(self) -> list[tuple[str, list[Entry]]]:
        return self.by_list(self.changed)

    def skipped_groups(self) -> list[tuple[str, str, list[Skipped]]]:
        """Skipped things grouped by kind and reason, in file order: 56 owner changes are one line of the preview."""
        groups: dict[tuple[str, str], list[Skipped]] = {}
        for s in self.skipped:
            groups.setdefault((s.kind, s.reason), []).append(s)
        return [(kind, reason, found) for (kind, reason), found in groups.items()]

    def lines(self) -> Iterator[str]:
        """The preview as text, for the command line."""
        yield f"Import plan: {self.summary()}."
        for title, groups in (("Added", self.added_groups()), ("Changed", self.changed_groups())):
            for label, entries in groups:
                yield f"{title} {label.lower()} ({len(entries)}):"
                for entry in entries:
                    if title == "Added":
                        details = "; ".join(f"{k}: {v}" for k, v in entry.details())
                        yield f"  + {entry.key}" + (f" ({details})" if details else "")
                    else:
                        changes = "; ".join(f"{c.label}: {c.old or '∅'} → {c.new or '∅'}" for c in entry.changes)
                        yield f"  ~ {entry.key}: {changes}"
        if self.skipped:
            yield f"Skipped ({len(self.skipped)}):"
            for s in self.skipped:
                where = f"{s.where}: " if s.where else ""
                what = f"{s.kind} {s.name}" if s.name else s.kind
                yield f"  - {where}{what}: {s.reason}"


# (list, field) -> whether two written forms mean the same: `int` and `integer` are one column type, and
# `VALUE > 0` and `value > 0` one check. A format registers what its own syntax says (imports.sql: SQL).
EQUIVALENT: dict[tuple[str, str], Callable[[Any, Any], bool]] = {}


def register_equivalence(list_key: str, field_name: str, same: Callable[[Any, Any], bool]) -> None:
    EQUIVALENT[(list_key, field_name)] = same


# Lists whose rules read another list's elements: a column's type may be one of the design's custom types.
SEEDED_WITH: dict[type[models.Model], tuple[type[models.Model], ...]] = {
    m.Column: tuple(model for model in (getattr(m, "CustomType", None),) if model is not None),
}


def fold(key: str) -> str:
    return key.casefold()


def _label(spec: ElementSpec, name: str) -> str:
    if name == INDEX_COLUMNS:
        return "columns"
    return str(spec.model._meta.get_field(name).verbose_name)


def _display(value: Any) -> str:
    if isinstance(value, Ref):
        return value.key
    if isinstance(value, ElementRecord):
        return record_key(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def record_key(record: ElementRecord) -> str:
    """The key of a stored element, as an Item of its list would name it."""
    parts, separator = KEY_FIELDS.get(record.spec.key, (("name",), ""))
    values = []
    for name in parts:
        value = getattr(record, name)
        values.append(record_key(value) if isinstance(value, ElementRecord) else str(value))
    return separator.join(values)


def check_size(size: int) -> None:
    """Refuse a file larger than a design document may be (DESIGN_UPLOAD_MAX_BYTES)."""
    limit = settings.DESIGN_UPLOAD_MAX_BYTES
    if size > limit:
        raise ImportFileError(f"The file is {size:,} bytes; at most {limit:,} bytes are accepted.")


def read_text(data: bytes) -> str:
    """The file's text: UTF-8 (a byte order mark is dropped); anything else names where it stops being text."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8-sig", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise ImportFileError("The file is not UTF-8 text.", line=line, column=column) from None
    if "\x00" in text:
        before = text[: text.index("\x00")]
        line = before.count("\n") + 1
        raise ImportFileError(
            "The file holds a NUL character; it is not a text file.",
            line=line,
            column=len(before) - (before.rfind("\n") + 1) + 1,
        )
    return text


def check_count(parsed: Parsed) -> None:
    """Refuse more elements than a design may hold (DESIGN_MAX_ELEMENTS), as the design document import does."""
    limit = settings.DESIGN_MAX_ELEMENTS
    if len(parsed.items) > limit:
        raise ImportFileError(f"The file holds {len(parsed.items):,} elements; a design holds at most {limit:,}.")


# ---------------------------------------------------------------- the plan


def build_plan(snapshot: DesignSnapshot, parsed: Parsed) -> ImportPlan:
    """Compare what the file holds with the design: added, changed, unchanged and skipped. Pure."""
    check_count(parsed)
    existing: dict[tuple[str, str], ElementRecord] = {}
    for key in KEY_FIELDS:
        for record in snapshot.elements(key):
            existing.setdefault((key, fold(record_key(record))), record)
    added: list[Entry] = []
    changed: list[Entry] = []
    unchanged: list[Entry] = []
    skipped = list(parsed.skipped)
    seen: dict[tuple[str, str], Item] = {}
    for item in sorted(parsed.items, key=lambda i: ORDER[i.list]):
        ident = (item.list, fold(item.key))
        if ident in seen:
            skipped.append(
                Skipped(
                    item.spec.singular, item.key, f"defined again ({seen[ident].where or 'above'} wins)", item.where
                )
            )
            continue
        seen[ident] = item
        record = existing.get(ident)
        if record is None:
            added.append(Entry(item))
            continue
        if item.create_only:
            unchanged.append(Entry(item, record))
            continue
        changes = tuple(_changes(item, record))
        (changed if changes else unchanged).append(Entry(item, record, changes))
    stored = {ident: (record.pk, record.version) for ident, record in existing.items() if record.pk is not None}
    return ImportPlan(tuple(added), tuple(changed), tuple(unchanged), tuple(skipped), stored)


def _changes(item: Item, record: ElementRecord) -> Iterator[FieldChange]:
    spec = item.spec
    for name, new in item.values.items():
        old = getattr(record, name)
        if isinstance(new, Ref):
            same = old is not None and fold(record_key(old)) == fold(new.key)
        elif (equivalent := EQUIVALENT.get((item.list, name))) is not None and old and new:
            same = old == new or equivalent(old, new)
        else:
            same = old == new
        if not same:
            yield FieldChange(name, _label(spec, name), _display(old), _display(new))
    if spec.model is m.Index and item.columns:
        old_columns = [fold(record_key(c)) for c in getattr(record, INDEX_COLUMNS)]
        if old_columns != [fold(c) for c in item.columns]:
            yield FieldChange(
                INDEX_COLUMNS,
                "columns",
                ", ".join(c.name for c in getattr(record, INDEX_COLUMNS)),
                ", ".join(c.rsplit(".", 1)[-1] for c in item.columns),
            )


# ---------------------------------------------------------------- applying it


def apply_plan(design: m.Design, plan: ImportPlan) -> dict[str, int]:
    """Write the plan in one edit of the design: all of it, or nothing and ImportRefused.

    New elements are validated by the model's rules as a form's would be (names unique in the
    design, a foreign key to a primary key or unique column of the same type, a store's component
    a database…), then inserted a list at a time; changed ones go through services.element_save,
    refused as stale if the element changed since the plan was built. Returns plan.counts().
    """
    try:
        with services.editing(design) as locked:
            _Writer(locked, plan).run()
    except (IntegrityError, DataError) as exc:
        # Validation passed, so a concurrent write or a value PostgreSQL refuses; the edit is rolled back.
        reason = str(exc).splitlines()[0]
        raise ImportRefused([("", f"The database refused the import: {reason}. Nothing was imported.")]) from None
    return plan.counts()


class _Writer:
    def __init__(self, design: m.Design, plan: ImportPlan) -> None:
        self.design = design
        self.plan = plan
        self.errors: list[tuple[str, str]] = []
        # (list, folded key) -> model instance, created by this import or loaded.
        self.instances: dict[tuple[str, str], models.Model] = {}
        # The design's stored elements and those accepted so far, for uniqueness and for rules that
        # read other lists (a column's type may be a custom type of the design): one for the whole import.
        self.siblings = m.Siblings()
        self.seeded: set[type[models.Model]] = set()

    def seed(self, model: type[models.Model]) -> None:
        if model not in self.seeded:
            self.seeded.add(model)
            for stored in model.objects.filter(design=self.design):
                self.siblings.add(stored)

    def run(self) -> None:
        lists = sorted({e.item.list for e in (*self.plan.added, *self.plan.changed)}, key=ORDER.__getitem__)
        for key in lists:
            spec = SPECS[key]
            self.add(spec, [e for e in self.plan.added if e.item.list == key])
            self.change(spec, [e for e in self.plan.changed if e.item.list == key])
            if self.errors:
                # What comes later references these; their errors would only repeat the cause.
                raise ImportRefused(self.errors)

    def refuse(self, entry: Entry, exc: ValidationError) -> None:
        spec = entry.item.spec
        for name, messages in exc.message_dict.items():
            for message in messages:
                # A problem with an index's columns reads as the index's own.
                if name not in (NON_FIELD_ERRORS, "__all__", INDEX_COLUMNS):
                    message = f"{capfirst(_label(spec, name))}: {message}"
                self.errors.append((entry.item.where, f"{capfirst(spec.singular)} {entry.key}: {message}"))

    def resolve(self, ref: Ref) -> models.Model | None:
        ident = (ref.list, fold(ref.key))
        if ident in self.instances:
            return self.instances[ident]
        stored = self.plan.stored.get(ident)
        if stored is None:
            return None
        model = SPECS[ref.list].model
        obj = model.objects.select_related(*model.label_related).filter(pk=stored[0], design=self.design).first()
        if obj is not None:
            self.instances[ident] = obj
        return obj

    def values(self, entry: Entry, *, deferred: list | None = None) -> dict[str, Any] | None:
        """The item's values with references resolved; None (and an error) when a target is missing.

        A reference to an element of the same list added by this import (a column referencing a column)
        is left out and put in `deferred`: it is set once the whole list is saved."""
        resolved: dict[str, Any] = {}
        for name, value in entry.item.values.items():
            if isinstance(value, Ref):
                if deferred is not None and value.list == entry.item.list and self._is_added(value):
                    deferred.append((entry, name, value))
                    continue
                target = self.resolve(value)
                if target is None:
                    noun = SPECS[value.list].singular
                    message = f"{capfirst(entry.noun)} {entry.key}: no {noun} “{value.key}”."
                    self.errors.append((entry.item.where, message))
                    return None
                value = target
            resolved[name] = value
        return resolved

    def _is_added(self, ref: Ref) -> bool:
        if "_added" not in self.__dict__:
            self._added = {(e.item.list, fold(e.item.key)) for e in self.plan.added}
        return (ref.list, fold(ref.key)) in self._added

    def index_columns(self, entry: Entry, index: models.Model) -> list[m.Column] | None:
        columns = []
        for key in entry.item.columns:
            column = self.resolve(Ref("columns", key))
            if column is None or column.table_id != index.table_id:
                table = index.table.name if index.table_id else "its table"
                self.errors.append(
                    (entry.item.where, f"Index {entry.key}: {table} has no column “{key.rsplit('.', 1)[-1]}”.")
                )
                return None
            columns.append(column)
        return columns

    def add(self, spec: ElementSpec, entries: list[Entry]) -> None:
        """Hand the new elements of one list to an ElementBatch: positions, codes, validation, one insert."""
        if not entries:
            return
        model = spec.model
        self.seed(model)
        for other in SEEDED_WITH.get(model, ()):
            self.seed(other)
        batch = services.ElementBatch(design=self.design, spec=spec, siblings=self.siblings)
        accepted: list[tuple[Entry, models.Model]] = []
        deferred: list[tuple[Entry, str, Ref]] = []
        for entry in entries:
            values = self.values(entry, deferred=deferred)
            if values is None:
                continue
            obj = batch.new(values)
            columns = None
            if model is m.Index:
                columns = self.index_columns(entry, obj)
                if columns is None:
                    continue
            try:
                batch.accept(obj, columns=columns)
            except ValidationError as exc:
                self.refuse(entry, exc)
                continue
            accepted.append((entry, obj))
        if self.errors:
            return
        for entry, obj in accepted:
            self.instances[(entry.item.list, fold(entry.key))] = obj
        for entry, name, ref in deferred:
            obj = self.instances[(entry.item.list, fold(entry.key))]
            batch.later(obj, name, lambda ref=ref: self.resolve(ref), lambda exc, entry=entry: self.refuse(entry, exc))
        batch.save()

    def change(self, spec: ElementSpec, entries: list[Entry]) -> None:
        for entry in entries:
            values = self.values(entry)
            if values is None:
                continue
            assert entry.record is not None and entry.record.pk is not None
            element = self.resolve(Ref(entry.item.list, entry.key))
            columns = None
            if spec.model is m.Index and entry.item.columns:
                for name, value in values.items():
                    setattr(element, name, value)
                columns = self.index_columns(entry, element)
                if columns is None:
                    continue
            try:
                saved = services.element_save(
                    design=self.design,
                    spec=spec,
                    values=values,
                    element=element,
                    base_version=entry.record.version,
                    index_columns=columns,
                )
            except services.StaleEdit:
                self.errors.append(
                    (entry.item.where, f"{capfirst(entry.noun)} {entry.key} changed since the preview; preview again.")
                )
                continue
            except ValidationError as exc:
                self.refuse(entry, exc)
                continue
            self.instances[(entry.item.list, fold(entry.key))] = saved
