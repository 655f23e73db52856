"""Importing a document as a new design: validated, all or nothing."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.utils.text import capfirst

from designs import models as m
from designs import services
from designs.steps import STEPS, ElementSpec, SectionSpec, Step

from .errors import MAX_REPORTED_ERRORS, DocumentError, Errors, _json_type
from .format import INDEX_COLUMNS, UID, _field, _numbered, document_key, pointer
from .schema import _check_format, check_element_count, schema_errors
from .snapshot import dangling_message, reference_errors


def _full_clean(obj: models.Model) -> None:
    """Model.full_clean() without its existence query per foreign key.

    Every target was just resolved from this document, so the query would only repeat what is known.
    (Elements are validated by services.ElementBatch, in memory.)
    """
    relations = {f.name for f in obj._meta.concrete_fields if f.is_relation}
    errors: dict[str, Any] = {}
    for check in (lambda: obj.clean_fields(exclude=relations), obj.clean):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    # As full_clean() does: a field that already failed is not checked for uniqueness.
    failed = set(errors)
    for check in (lambda: obj.validate_unique(exclude=failed), lambda: obj.validate_constraints(exclude=failed)):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


class _Importer:
    """Builds one design from a schema-valid document, collecting errors as it goes."""

    def __init__(self, design: m.Design, actor: services.Actor = None, *, log: bool = True) -> None:
        self.design = design
        self.actor = actor
        # A restore logs itself once; an import logs each list and section.
        self.log = log
        self.errors: Errors = []
        self.by_key: dict[type, dict[str, models.Model]] = defaultdict(dict)
        # Keys of elements that failed: references to them are not reported again.
        self.broken: dict[type, set[str]] = defaultdict(set)
        # The elements accepted so far: a new design has no others to clash with.
        self.siblings = m.Siblings()
        # Where each uid was first seen, in any list.
        self.uids: dict[uuid.UUID, str] = {}

    def error(self, where: str, message: str) -> None:
        self.errors.append((where, message))
        if len(self.errors) > MAX_REPORTED_ERRORS:
            # Enough to show; checking the other 300,000 elements of a hostile document takes minutes.
            raise DocumentError(self.errors, counted=False)

    def resolve(self, field: Any, value: str, where: str) -> models.Model | None:
        related = field.related_model
        target = self.by_key[related].get(value)
        if target is None:
            if value not in self.broken[related]:
                self.error(where, dangling_message(related, value))
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

    def check(self, obj: models.Model, where: str, places: dict[str, str]) -> bool:
        """Validate a section's record; model errors are reported at the property they concern."""
        try:
            _full_clean(obj)
        except ValidationError as exc:
            self.report(obj, exc, where, places)
            return False
        return True

    def report(self, obj: models.Model, exc: ValidationError, where: str, places: dict[str, str]) -> None:
        # In the document's order: a model's clean() may raise them in any order.
        order = {name: i for i, name in enumerate(places)}
        for name, messages in sorted(exc.message_dict.items(), key=lambda item: order.get(item[0], -1)):
            at = places.get(name, where)
            if name not in places and name != NON_FIELD_ERRORS:
                messages = [f"{capfirst(_field(type(obj), name).verbose_name)}: {msg}" for msg in messages]
            for message in messages:
                self.error(at, message)

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

    def save(self, obj: models.Model, where: str, places: dict[str, str], label: str) -> bool:
        """Validate then save a section's record, and log it."""
        if not self.check(obj, where, places):
            return False
        with self.writing(where):
            obj.save()
        if self.log:
            services.record(
                self.design,
                actor=self.actor,
                action=services.Action.IMPORTED,
                step=services.step_of(type(obj)),
                kind=label,
            )
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
                label = ", ".join(spec.label.lower() for spec in present)
                self.save(record, pointer(["steps", step.key, present[0].key]), places, label)

    def elements(self, step: Step, spec: ElementSpec, items: list[dict[str, Any]]) -> None:
        """Turn a list's elements into values in order, validated and inserted together by an ElementBatch."""
        rule = spec.natural_key
        used: set[str] = set()
        batch = services.ElementBatch(design=self.design, spec=spec, siblings=self.siblings)
        # Codes first: an element left without one is referred to by the code it gets.
        for i, item in enumerate(batch.numbered(items)):
            where = pointer(["steps", step.key, spec.key, i])
            key = None
            if rule:
                key = item.get("key") if rule.explicit and "key" in item else document_key(spec.model, rule, item)
                if rule.explicit:
                    if "key" in item and key in used:
                        self.error(f"{where}/key", f"Another {spec.singular} has the key “{key}”; keys are unique.")
                        continue
                    key = _numbered(key, used)
            obj = batch.new()
            # Model errors point at the property, even one the document leaves out.
            places = {name: f"{where}/{name}" for name in (*spec.fields, INDEX_COLUMNS)}
            complete = self.keep_uid(obj, item, where)
            for name, value in item.items():
                if name in (UID, "key", INDEX_COLUMNS, *spec.links):
                    continue
                field = _field(spec.model, name)
                if field.is_relation and field.related_model is spec.model and value is not None:
                    batch.later(obj, name, *self._later(obj, name, value, places[name]))
                    continue
                complete &= self.assign(obj, name, value, places[name])
            columns = self.index_columns(item, where) if spec.model is m.Index else None
            complete &= columns is not None or spec.model is not m.Index
            links = self.links(spec, item, where)
            complete &= links is not None
            if complete and self.accepts(batch, obj, where, places, links, columns):
                if rule:
                    self.by_key[spec.model][key] = obj
            elif rule:
                self.broken[spec.model].add(key)
        with self.writing(pointer(["steps", step.key, spec.key])):
            batch.save(actor=self.actor, log=self.log)

    def accepts(
        self,
        batch: services.ElementBatch,
        obj: models.Model,
        where: str,
        places: dict[str, str],
        links: dict[str, list[models.Model]] | None,
        columns: list[m.Column] | None,
    ) -> bool:
        try:
            batch.accept(obj, links=links, columns=columns)
        except ValidationError as exc:
            self.report(obj, exc, where, places)
            return False
        return True

    def _later(
        self, obj: models.Model, name: str, value: Any, at: str
    ) -> tuple[Callable[[], models.Model | None], Callable[[ValidationError], None]]:
        """A reference within the list (e.g. a column further down): resolved once every element of it is known."""
        field = _field(type(obj), name)
        return (
            lambda: self.resolve(field, value, at),
            lambda exc: self.report(obj, exc, at.rsplit("/", 1)[0], {name: at}),
        )

    def links(self, spec: ElementSpec, item: dict[str, Any], where: str) -> dict[str, list[models.Model]] | None:
        """The targets of an element's many-to-many references (e.g. the requirements a component serves);
        None when one names nothing in the document."""
        found: dict[str, list[models.Model]] = {}
        for name in spec.links:
            field = _field(spec.model, name)
            targets = found[name] = []
            for n, key in enumerate(item.get(name, [])):
                target = self.resolve(field, key, f"{where}/{name}/{n}")
                if target is None:
                    return None
                targets.append(target)
        return found

    def keep_uid(self, obj: models.Model, item: dict[str, Any], where: str) -> bool:
        """The document's uid, unique across the whole design; without one the element keeps its new uid."""
        if UID in item:
            obj.uid = uuid.UUID(item[UID])
        first = self.uids.setdefault(obj.uid, where)
        if first != where:
            self.error(f"{where}/{UID}", f"The uid {obj.uid} is already that of {first}; uids are unique in a design.")
            return False
        return True

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


def _schema_and_reference_errors(document: dict[str, Any]) -> None:
    """Refuse a document that fails its schema, listing its dangling references at the same time."""
    errors = list(islice(schema_errors(document), MAX_REPORTED_ERRORS + 1))
    if errors:
        raise DocumentError(errors + reference_errors(document), counted=len(errors) <= MAX_REPORTED_ERRORS)


@transaction.atomic
def import_design(document: dict[str, Any], *, owner: AbstractBaseUser, actor: services.Actor = None) -> m.Design:
    """Create a new design owned by `owner` from a document; all or nothing.

    `actor` is who imports it, for the activity log (None: the command line).

    Raises DocumentError listing every problem found (up to a limit), each at
    its JSON pointer; nothing is written then.
    """
    if not isinstance(document, dict):
        raise DocumentError([("", f"A design document is a JSON object, not {_json_type(document)}.")])
    _check_format(document)
    check_element_count(document)
    _schema_and_reference_errors(document)
    meta = document["design"]
    # As the design form does: the name is typed again to delete the design, so no stray spaces.
    name = meta["name"].strip()
    if not name:
        raise DocumentError([("/design/name", "Must not be blank.")])
    design = services.design_create(name=name, summary=meta.get("summary", ""), owner=owner, actor=actor)
    # One edit of the new design: completeness is computed once, after the last list.
    with services.editing(design) as design:
        if "status" in meta:
            design.status = meta["status"]
            design.save(update_fields=["status"])
        importer = _Importer(design, actor)
        for step in STEPS:
            content = document.get("steps", {}).get(step.key, {})
            importer.sections(step, content)
            for spec in step.elements:
                importer.elements(step, spec, content.get(spec.key, []))
        if importer.errors:
            raise DocumentError(importer.errors)
    return design


@transaction.atomic
def replace_design_content(
    design: m.Design, document: dict[str, Any], *, actor: services.Actor = None, label: str = ""
) -> m.Design:
    """Make an existing design hold exactly what `document` holds (a restore); all or nothing.

    Its name, summary and every step are replaced, elements keep the document's uids (so comments
    and reviews on them still find them); members, status and history stay the design's own. The
    activity log records it once, as restored (`label` names what, e.g. "version 3").
    """
    if not isinstance(document, dict):
        raise DocumentError([("", f"A design document is a JSON object, not {_json_type(document)}.")])
    _check_format(document)
    check_element_count(document)
    _schema_and_reference_errors(document)
    meta = document["design"]
    with services.editing(design) as locked:
        locked.name, locked.summary = meta["name"].strip() or locked.name, meta.get("summary", "")
        locked.version += 1
        locked.save(update_fields=["name", "summary", "version"])
        # Lists that others reference go last (their referrers' rows are removed with them anyway).
        for step in reversed(STEPS):
            for spec in reversed(step.elements):
                spec.model.objects.filter(design=locked).delete()
            for model in {spec.model for spec in step.sections}:
                model.objects.filter(design=locked).delete()
        importer = _Importer(locked, actor, log=False)
        for step in STEPS:
            content = document.get("steps", {}).get(step.key, {})
            importer.sections(step, content)
            for spec in step.elements:
                importer.elements(step, spec, content.get(spec.key, []))
        if importer.errors:
            raise DocumentError(importer.errors)
        services.record(
            locked, actor=actor, action=m.ActivityEntry.Action.RESTORED, kind="version", label=label or locked.name
        )
    return locked
