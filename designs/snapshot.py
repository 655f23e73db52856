"""The whole design as one immutable value: what every reader of a design reads.

Diagrams, reports, exchange formats, checks, past versions and their diffs all
take a `DesignSnapshot`, never a queryset, so a frozen version renders exactly
like the live design. It is built from the database (`load_snapshot`, a fixed
number of queries whatever the size) or from a design document
(`designs.document.snapshot_from_document`, no database at all); the two agree.

Its records are generated from the step registry: each section and element
list gets a frozen dataclass with exactly the registry's fields, references
resolved to the referenced record. Adding a field to the registry adds it here.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, ClassVar

from django.db import models

from . import models as m
from .steps import STEPS, ElementSpec, SectionSpec, Step

# An index's columns are an ordered list of column records, not a registry field.
INDEX_COLUMNS = "columns"
DESIGN_FIELDS = ("name", "summary", "status")


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class Record:
    """One section or element of a snapshot; subclasses add the registry's fields."""

    spec: ClassVar[SectionSpec | ElementSpec]
    # Database identity, when built from the database: links only, never compared.
    pk: int | None = dataclasses.field(default=None, compare=False)
    version: int | None = dataclasses.field(default=None, compare=False)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if f.compare)

    def comparable(self) -> tuple[Any, ...]:
        """The record's values with each reference as the referenced record's uid: equality without recursion
        (columns may reference each other in a cycle)."""
        return tuple(_flat(getattr(self, name)) for name in self.field_names())

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.comparable() == other.comparable()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.comparable()))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={_flat(getattr(self, name))!r}" for name in self.field_names())
        return f"{type(self).__name__}({values})"


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class ElementRecord(Record):
    """An element: a uid that survives every edit, then its fields."""

    spec: ClassVar[ElementSpec]
    uid: uuid.UUID

    def __hash__(self) -> int:
        return hash(self.uid)


def _flat(value: Any) -> Any:
    if isinstance(value, ElementRecord):
        return value.uid
    if isinstance(value, tuple):
        return tuple(_flat(v) for v in value)
    return value


def _annotation(field: models.Field) -> str:
    if field.is_relation:
        kind = "ElementRecord"
    elif isinstance(field, models.BooleanField):
        kind = "bool"
    elif isinstance(field, models.IntegerField):
        kind = "int"
    elif isinstance(field, models.DecimalField):
        kind = "Decimal"
    else:
        kind = "str"
    return f"{kind} | None" if field.null else kind


@cache
def record_class(spec: SectionSpec | ElementSpec) -> type[Record]:
    """The frozen dataclass of one section or element list, generated from its registry entry."""
    base = ElementRecord if isinstance(spec, ElementSpec) else Record
    fields: list[tuple[Any, ...]] = [(name, _annotation(spec.model._meta.get_field(name))) for name in spec.fields]
    if spec.model is m.Index:
        fields.append((INDEX_COLUMNS, "tuple[ElementRecord, ...]"))
    links = spec.links if isinstance(spec, ElementSpec) else ()
    # Linked records in the page order of their list: a set, held in one order so it compares.
    fields += [(name, "tuple[ElementRecord, ...]", dataclasses.field(default=())) for name in links]
    cls = dataclasses.make_dataclass(
        f"{spec.model.__name__}Record",
        fields,
        bases=(base,),
        frozen=True,
        eq=False,
        kw_only=True,
        namespace={"spec": spec, "__module__": __name__},
    )
    return cls


@dataclasses.dataclass(frozen=True)
class StepSnapshot:
    step: Step
    sections: Mapping[str, Record | None]
    elements: Mapping[str, tuple[ElementRecord, ...]]


@dataclasses.dataclass(frozen=True, eq=False)
class DesignSnapshot:
    """A whole design: metadata, then each step's sections and element lists in page order."""

    name: str
    summary: str
    status: str
    steps: Mapping[str, StepSnapshot]
    # Where it came from, when known: for links and caching, never compared.
    slug: str = ""
    version: int | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DesignSnapshot):
            return NotImplemented
        return self.meta() == other.meta() and all(
            dict(self.steps[key].sections) == dict(other.steps[key].sections)
            and dict(self.steps[key].elements) == dict(other.steps[key].elements)
            for key in self.steps
        )

    __hash__ = None  # type: ignore[assignment]

    def meta(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in DESIGN_FIELDS}

    def section(self, key: str) -> Record | None:
        """A section's record by its registry key (e.g. "load"); None when never saved."""
        return self._sections()[key]

    def elements(self, key: str) -> tuple[ElementRecord, ...]:
        """An element list by its registry key (e.g. "components"), in page order."""
        return self._elements()[key]

    def all_elements(self) -> Iterator[ElementRecord]:
        for step in self.steps.values():
            for records in step.elements.values():
                yield from records

    def element(self, uid: uuid.UUID | str) -> ElementRecord | None:
        """The element with this uid, of any list."""
        if self.__dict__.get("_by_uid") is None:
            object.__setattr__(self, "_by_uid", {record.uid: record for record in self.all_elements()})
        return self.__dict__["_by_uid"].get(uid if isinstance(uid, uuid.UUID) else uuid.UUID(str(uid)))

    def referring(self, target: ElementRecord, key: str, field: str) -> tuple[ElementRecord, ...]:
        """The elements of list `key` whose `field` references `target`, e.g. a table's columns."""
        cache_key = f"_referring:{key}:{field}"
        index = self.__dict__.get(cache_key)
        if index is None:
            index = defaultdict(list)
            for record in self.elements(key):
                if (value := getattr(record, field)) is not None:
                    index[value.uid].append(record)
            self.__dict__[cache_key] = index
        return tuple(index.get(target.uid, ()))

    def _sections(self) -> dict[str, Record | None]:
        return {k: v for step in self.steps.values() for k, v in step.sections.items()}

    def _elements(self) -> dict[str, tuple[ElementRecord, ...]]:
        return {k: v for step in self.steps.values() for k, v in step.elements.items()}


def references(spec: SectionSpec | ElementSpec) -> list[tuple[str, type[models.Model]]]:
    """(field, referenced model) for each reference among the registry's fields."""
    found = []
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        if field.is_relation:
            found.append((name, field.related_model))
    return found


def set_reference(record: Record, name: str, target: ElementRecord | None) -> None:
    """Fill a reference after the record exists: a list may reference its own later elements
    (a column referencing a column further down). Only the builders call this, before anyone
    else holds the record."""
    object.__setattr__(record, name, target)


def assemble(
    meta: Mapping[str, Any],
    sections: Mapping[str, Record | None],
    elements: Mapping[str, list[ElementRecord]],
    **origin: Any,
) -> DesignSnapshot:
    steps = {
        step.key: StepSnapshot(
            step=step,
            sections={spec.key: sections.get(spec.key) for spec in step.sections},
            elements={spec.key: tuple(elements.get(spec.key, ())) for spec in step.elements},
        )
        for step in STEPS
    }
    return DesignSnapshot(**{name: meta[name] for name in DESIGN_FIELDS}, steps=steps, **origin)


# ---------------------------------------------------------------- from the database


def _ordering(spec: ElementSpec) -> tuple[str, ...]:
    return spec.order_by or tuple(spec.model._meta.ordering)


def load_snapshot(design: m.Design) -> DesignSnapshot:
    """The design as stored now, in one query per section model and element list."""
    by_pk: dict[type[models.Model], dict[int, ElementRecord]] = defaultdict(dict)
    pending: list[tuple[Record, str, type[models.Model], int]] = []
    sections: dict[str, Record | None] = {}
    elements: dict[str, list[ElementRecord]] = {}
    section_rows: dict[type[models.Model], dict[str, Any] | None] = {}

    def values_of(spec: SectionSpec | ElementSpec, row: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for name in spec.fields:
            field = spec.model._meta.get_field(name)
            values[name] = None if field.is_relation else row[field.attname]
        return values

    def columns_of(spec: SectionSpec | ElementSpec, *extra: str) -> list[str]:
        # Only what the snapshot holds: no timestamps to parse, no design id to repeat.
        return ["id", "version", *extra, *(spec.model._meta.get_field(name).attname for name in spec.fields)]

    for step in STEPS:
        for spec in step.sections:
            if spec.model not in section_rows:
                section_rows[spec.model] = spec.model.objects.filter(design=design).values(*columns_of(spec)).first()
            row = section_rows[spec.model]
            if row is None:
                sections[spec.key] = None
                continue
            record = record_class(spec)(**values_of(spec, row), pk=row["id"], version=row["version"])
            for name, related in references(spec):
                if (target := row[spec.model._meta.get_field(name).attname]) is not None:
                    pending.append((record, name, related, target))
            sections[spec.key] = record
        for spec in step.elements:
            cls = record_class(spec)
            records = []
            extra = {INDEX_COLUMNS: ()} if spec.model is m.Index else {}
            rows = spec.model.objects.filter(design=design).order_by(*_ordering(spec)).values(*columns_of(spec, "uid"))
            for row in rows:
                record = cls(**values_of(spec, row), **extra, uid=row["uid"], pk=row["id"], version=row["version"])
                for name, related in references(spec):
                    if (target := row[spec.model._meta.get_field(name).attname]) is not None:
                        pending.append((record, name, related, target))
                by_pk[spec.model][row["id"]] = record
                records.append(record)
            elements[spec.key] = records
    for record, name, related, target in pending:
        set_reference(record, name, by_pk[related][target])
    columns: dict[int, list[ElementRecord]] = defaultdict(list)
    rows = m.IndexColumn.objects.filter(index__design=design).order_by("index_id", "position")
    for index_id, column_id in rows.values_list("index_id", "column_id"):
        columns[index_id].append(by_pk[m.Column][column_id])
    for index in elements.get("indexes", ()):
        set_reference(index, INDEX_COLUMNS, tuple(columns[index.pk]))
    for step in STEPS:
        for spec in step.elements:
            for name in spec.links:
                _load_links(design, spec, name, elements[spec.key], by_pk)
    return assemble(
        {name: getattr(design, name) for name in DESIGN_FIELDS},
        sections,
        elements,
        slug=design.slug,
        version=design.version,
    )


def _load_links(
    design: m.Design,
    spec: ElementSpec,
    name: str,
    records: list[ElementRecord],
    by_pk: Mapping[type[models.Model], Mapping[int, ElementRecord]],
) -> None:
    """One many-to-many reference of a list, in one query over its link table."""
    field = spec.model._meta.get_field(name)
    through = field.remote_field.through
    own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
    found: dict[int, list[ElementRecord]] = defaultdict(list)
    rows = through.objects.filter(**{f"{own}__design": design}).values_list(f"{own}_id", f"{other}_id")
    for pk, target in rows:
        found[pk].append(by_pk[field.related_model][target])
    order = {record.uid: i for i, record in enumerate(by_pk[field.related_model].values())}
    for record in records:
        set_reference(record, name, tuple(sorted(found[record.pk], key=lambda r: order[r.uid])))


def load_snapshot_by_slug(slug: str) -> DesignSnapshot | None:
    """The snapshot of the design with this slug, or None: for commands, which have no request to check."""
    design = m.Design.objects.filter(slug=slug).first()
    return None if design is None else load_snapshot(design)
