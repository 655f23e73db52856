"""Multi-object writes on designs, each in one transaction.

Views call these; they never write models themselves. Every write locks the
design row first, which serialises concurrent edits of one design (code
numbering, completeness) without blocking other designs.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector
from django.http import Http404
from django.utils import timezone

from . import models as m
from .completeness import StepProgress, evaluate, overall_percent
from .display import display_value
from .models.activity import LABEL_LIMIT, shorten
from .steps import STEPS, ElementSpec, SectionSpec, spec_for

# Who made a write: the user of the request, or None for the command line and the system
# (imports run by `manage.py`, the demo seed). Every write function takes it as `actor=`.
Actor = AbstractBaseUser | None
Action = m.ActivityEntry.Action


class StaleEdit(Exception):
    """The record changed since the form was loaded; `current` is the newer copy."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("changed by someone else")
        self.current = current


class WriteConflict(Exception):
    """The database refused the write (a uniqueness race the form could not see)."""


def _lock(design: m.Design, *, editing: bool = True) -> m.Design:
    locked = m.Design.objects.select_for_update().get(pk=design.pk)
    if editing and locked.is_archived:
        # Archived after the request's access check but before this write: refuse it all the same.
        raise PermissionDenied("This design was archived; restore it to edit.")
    return locked


# Designs with an edit open in this context (pk -> locked row): nested edits join the outer one.
_open_edits: ContextVar[dict[int, m.Design] | None] = ContextVar("open_edits", default=None)


@contextmanager
def editing(design: m.Design) -> Iterator[m.Design]:
    """One edit of a design: a transaction with the design row locked, completeness recomputed once at the end.

    Every write goes through here, whoever calls it (a form, the JSON import, later the OpenAPI and SQL
    imports), so all of them serialise on the design row and leave completeness current. Edits opened
    inside an edit of the same design join it; an exception rolls the whole edit back.
    """
    open_edits = _open_edits.get() or {}
    if design.pk in open_edits:
        yield open_edits[design.pk]
        return
    with transaction.atomic():
        locked = _lock(design)
        token = _open_edits.set({**open_edits, design.pk: locked})
        try:
            yield locked
        finally:
            _open_edits.reset(token)
        design_changed(locked)


def compute_completeness(design: m.Design) -> dict[str, StepProgress]:
    """Every step's progress, in one query."""
    criteria = evaluate(design, {step.key: step.rule for step in STEPS})
    return {key: StepProgress.of(found) for key, found in criteria.items()}


def design_changed(design: m.Design) -> None:
    """Recompute the stored completeness and bump `updated_at` after any edit."""
    progress = compute_completeness(design)
    design.completeness = {key: p.stored() for key, p in progress.items()}
    design.overall_completeness = overall_percent(progress.values())
    design.updated_at = timezone.now()
    m.Design.objects.filter(pk=design.pk).update(
        completeness=design.completeness,
        overall_completeness=design.overall_completeness,
        updated_at=design.updated_at,
    )


@transaction.atomic
def design_create(*, name: str, summary: str, owner: AbstractBaseUser, actor: Actor = None) -> m.Design:
    design = m.Design.objects.create(name=name, summary=summary, slug=m.Design.make_slug(name), created_by=owner)
    m.Membership.objects.create(design=design, user=owner, role=m.Role.OWNER)
    design_changed(design)
    record(design, actor=actor, action=Action.CREATED, kind="design", label=design.name)
    return design


@transaction.atomic
def design_update(
    *, design: m.Design, name: str, summary: str, base_version: int | None, actor: Actor = None
) -> m.Design:
    current = _lock(design)
    if current.version != base_version:
        raise StaleEdit(current)
    before = _raw(current, ("name", "summary"))
    current.name, current.summary = name, summary
    current.version += 1
    current.save(update_fields=["name", "summary", "version", "updated_at"])
    if changes := _changes(current, before):
        record(current, actor=actor, action=Action.CHANGED, kind="design", label=current.name, changes=changes)
    return current


@transaction.atomic
def design_set_archived(*, design: m.Design, archived: bool, actor: Actor = None) -> m.Design:
    design = _lock(design, editing=False)
    design.archived_at = timezone.now() if archived else None
    design.save(update_fields=["archived_at", "updated_at"])
    action = Action.ARCHIVED if archived else Action.RESTORED
    record(design, actor=actor, action=action, kind="design", label=design.name)
    return design


@transaction.atomic
def design_delete(*, design: m.Design) -> None:
    _lock(design, editing=False).delete()


def _next_code_number(model: type[m.Element], design: m.Design, also: Iterable[str] = ()) -> int:
    """The number after the highest code (FR-7) of the design's list and of `also`, codes about to be added."""
    prefix = model.code_prefix  # type: ignore[attr-defined]
    stored = model.objects.filter(design=design, code__istartswith=f"{prefix}-").values_list("code", flat=True)
    return m.next_code_number(prefix, (*stored, *also))


def _next_code(model: type[m.Element], design: m.Design) -> str:
    return f"{model.code_prefix}-{_next_code_number(model, design)}"  # type: ignore[attr-defined]


def _locked_current(model: type[models.Model], pk: Any, base_version: int | None) -> Any:
    """The stored row, locked; a row changed since `base_version` raises StaleEdit."""
    current = model.objects.select_for_update().filter(pk=pk).first()
    if current is None:
        # Deleted between the view's lookup and this lock: to the user it is simply gone,
        # and a 404 is what the view would have answered a moment earlier.
        raise Http404(f"This {model._meta.verbose_name} no longer exists.")
    if current.version != (base_version or 0):
        raise StaleEdit(current)
    return current


def _validate_and_save(obj: models.Model, fields: Iterable[str]) -> None:
    """The model's own rules for the edited fields, then save.

    As a ModelForm does, fields that are not edited are not judged (the design, the uid); rules that
    span the design, such as unique names, are the model's clean()."""
    edited = set(fields)
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if f.name not in edited])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise WriteConflict(str(exc)) from exc


def element_save(
    *,
    design: m.Design,
    spec: ElementSpec,
    values: Mapping[str, Any],
    element: m.Element | None = None,
    base_version: int | None = None,
    index_columns: Sequence[m.Column] | None = None,
    actor: Actor = None,
) -> m.Element:
    """Create an element (no `element`) or update one edited from `base_version`, from plain values.

    `values` are the registry's fields of the list (references as model instances); the model's rules
    are checked here, under the lock, and raise ValidationError. An index takes its columns in order.
    """
    with editing(design) as locked:
        if element is None:
            obj = spec.model(design=locked)
        else:
            obj = _locked_current(spec.model, element.pk, base_version)
            obj.version += 1
        # Many-to-many links are set once the row exists; the rest are the row's own fields.
        links = {name: list(values[name]) for name in spec.links if name in values}
        values = {name: value for name, value in values.items() if name not in links}
        before = _raw(obj, values)
        for name, value in values.items():
            setattr(obj, name, value)
        if element is None:
            if getattr(spec.model, "code_prefix", None) and not obj.code:
                obj.code = _next_code(spec.model, locked)
            if not values.get("position"):
                last = spec.model.objects.filter(design=locked).aggregate(models.Max("position"))
                obj.position = (last["position__max"] or 0) + 1
        if index_columns is not None and (problem := obj.columns_problem(index_columns)):
            raise ValidationError({NON_FIELD_ERRORS: [problem]})
        changes = [] if element is None else _changes(obj, before)
        if index_columns is not None and element is not None:
            old = [str(c.column) for c in m.IndexColumn.objects.filter(index=obj).select_related("column")]
            if old != (new := [str(column) for column in index_columns]):
                changes.append(["columns", shorten(", ".join(old) or "—"), shorten(", ".join(new) or "—")])
        for name, targets in links.items():
            if problem := _foreign_links(locked, targets):
                raise ValidationError({name: [problem]})
            if element is not None:
                old = sorted(str(t) for t in getattr(obj, name).all())
                if old != (new := sorted(str(t) for t in targets)):
                    label = str(spec.model._meta.get_field(name).verbose_name)
                    changes.append([label, shorten(", ".join(old) or "—"), shorten(", ".join(new) or "—")])
        _validate_and_save(obj, values)
        for name, targets in links.items():
            getattr(obj, name).set(targets)
        if index_columns is not None:
            m.IndexColumn.objects.filter(index=obj).delete()
            m.IndexColumn.objects.bulk_create(
                m.IndexColumn(index=obj, column=column, position=i) for i, column in enumerate(index_columns)
            )
        if element is None or changes:
            action = Action.CREATED if element is None else Action.CHANGED
            record_element(locked, obj, actor=actor, action=action, changes=changes)
        return obj


def _foreign_links(design: m.Design, targets: Sequence[models.Model]) -> str:
    """A link may only point into its own design (a form scopes its choices; a caller might not)."""
    if any(getattr(t, "design_id", design.pk) != design.pk for t in targets):
        return "Links may only point at elements of this design."
    return ""


def section_save(
    *,
    design: m.Design,
    spec: SectionSpec,
    values: Mapping[str, Any],
    base_version: int | None = None,
    actor: Actor = None,
) -> m.Section:
    """Save a step's one-per-design record from plain values; the first save creates it."""
    with editing(design) as locked:
        obj = spec.model.objects.filter(design=locked).first()
        if obj is None:
            obj = spec.model(design=locked)
        elif obj.version != (base_version or 0):
            # The design row is locked, so the record cannot change under us: no lock of its own needed.
            raise StaleEdit(obj)
        else:
            obj.version += 1
        created = obj.pk is None
        # A first save is compared with the blank record: the log lists what was filled in.
        before = _raw(obj, values)
        for name, value in values.items():
            setattr(obj, name, value)
        _validate_and_save(obj, values)
        if changes := _changes(obj, before):
            action = Action.CREATED if created else Action.CHANGED
            record(locked, actor=actor, action=action, step=spec.step.key, kind=spec.label.lower(), changes=changes)
        return obj


def element_clean(obj: m.Element, siblings: m.Siblings) -> None:
    """full_clean() for a new element of a batch, without a query per rule or reference.

    Uniqueness is answered by `siblings` (the design's stored elements the caller seeded, plus those
    accepted so far) rather than a query per rule, and resolved references are not looked up again.
    """
    relations = {f.name for f in obj._meta.concrete_fields if f.is_relation}
    errors: dict[str, Any] = {}
    for check in (lambda: obj.clean_fields(exclude=relations), lambda: obj.clean(siblings=siblings)):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    # As full_clean() does: a field that already failed is not checked for uniqueness.
    try:
        siblings.validate_unique(obj, set(errors))
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@dataclass
class _Later:
    obj: m.Element
    name: str
    resolve: Callable[[], models.Model | None]
    invalid: Callable[[ValidationError], None]


class ElementBatch:
    """Many new elements of one list written in one edit of the design: the write path of every import.

    The caller turns its own format into values and references, row by row, and reports refusals in
    its own words; the batch gives each row its position and code, validates it in memory against
    `siblings`, and `save()` inserts the accepted rows with their links and ordered columns at once,
    then sets the references within the list (a column referencing a column further down). Use it
    inside `editing(design)`: it is one transaction with the caller's other writes.

        batch = ElementBatch(design=design, spec=spec, siblings=siblings)
        obj = batch.new({"name": "orders", "store": store})
        batch.accept(obj)            # ValidationError: the model's rules refused it
        batch.save(actor=actor)
    """

    def __init__(self, *, design: m.Design, spec: ElementSpec, siblings: m.Siblings) -> None:
        self.design = design
        self.spec = spec
        self.siblings = siblings
        self.accepted: list[m.Element] = []
        self._links: list[models.Model] = []
        self._index_columns: list[m.IndexColumn] = []
        self._later: list[_Later] = []
        last = spec.model.objects.filter(design=design).aggregate(models.Max("position"))["position__max"]
        self._positions = iter(range((last or 0) + 1, 2**31))
        self._prefix: str | None = getattr(spec.model, "code_prefix", None)
        self._codes: Iterator[str] | None = None

    def _start_codes(self, brought: Iterable[str] = ()) -> Iterator[str]:
        if self._codes is None:
            first = _next_code_number(self.spec.model, self.design, brought)
            self._codes = (f"{self._prefix}-{n}" for n in range(first, 2**31))
        return self._codes

    def numbered(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows of plain values with each empty code (FR-n, NFR-n, ADR-n) filled, in order: numbering goes on
        after the design's codes and the rows' own. For a format that names elements by code before they exist."""
        if self._prefix is None:
            return rows
        codes = self._start_codes(row.get("code", "") for row in rows)
        return [row if row.get("code") else {**row, "code": next(codes)} for row in rows]

    def new(self, values: Mapping[str, Any] | None = None) -> m.Element:
        """An unsaved element of the list at the next position, holding `values` (references as instances)."""
        obj = self.spec.model(design=self.design, position=next(self._positions))
        for name, value in (values or {}).items():
            setattr(obj, name, value)
        return obj

    def accept(
        self,
        obj: m.Element,
        *,
        links: Mapping[str, Sequence[models.Model]] | None = None,
        columns: Sequence[m.Column] | None = None,
    ) -> None:
        """Validate `obj` with its many-to-many `links` and (an index) its `columns` in order; it is saved
        by `save()`; one without a code gets the next. Raises ValidationError, a problem with the columns
        under the key "columns"."""
        if self._prefix is not None and not obj.code:
            obj.code = next(self._start_codes())
        if columns is not None and (problem := obj.columns_problem(list(columns))):
            raise ValidationError({"columns": [problem]})
        element_clean(obj, self.siblings)
        # Later elements are checked against it as if it were saved already.
        self.siblings.add(obj)
        self.accepted.append(obj)
        for name, targets in (links or {}).items():
            field = self.spec.model._meta.get_field(name)
            through = field.remote_field.through
            own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
            self._links += [through(**{own: obj, other: target}) for target in targets]
        self._index_columns += [m.IndexColumn(index=obj, column=c, position=n) for n, c in enumerate(columns or ())]

    def later(
        self,
        obj: m.Element,
        name: str,
        resolve: Callable[[], models.Model | None],
        invalid: Callable[[ValidationError], None],
    ) -> None:
        """A reference to an element of this same list, set by `save()` once all of them exist: `resolve`
        finds the target (None: it reported why), `invalid` reports the model refusing it."""
        self._later.append(_Later(obj, name, resolve, invalid))

    def save(self, *, actor: Actor = None, log: bool = True) -> None:
        """Insert the accepted elements; the log gets one entry for the list, not one per element
        (none when `log` is off: a restore logs itself once). Completeness waits for the edit's end."""
        model = self.spec.model
        with editing(self.design) as locked:
            # One INSERT: PostgreSQL returns the ids, which references to these elements need.
            model.objects.bulk_create(self.accepted)
            m.IndexColumn.objects.bulk_create(self._index_columns)
            # Rows of many-to-many links (one table per reference), once the elements have their ids.
            by_table: dict[type[models.Model], list[models.Model]] = defaultdict(list)
            for row in self._links:
                by_table[type(row)].append(row)
            for table, rows in by_table.items():
                table.objects.bulk_create(rows)
            self._set_later()
            if self.accepted and log:
                count = len(self.accepted)
                noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
                record(
                    locked,
                    actor=actor,
                    action=Action.IMPORTED,
                    step=self.spec.step.key,
                    kind=str(model._meta.verbose_name),
                    label=f"{count} {noun}",
                )

    def _set_later(self) -> None:
        changed: dict[int, m.Element] = {}
        names: set[str] = set()
        for later in self._later:
            if later.obj.pk is None:
                continue  # refused itself: its references are not judged
            target = later.resolve()
            if target is None:
                continue
            setattr(later.obj, later.name, target)
            try:
                element_clean(later.obj, self.siblings)
            except ValidationError as exc:
                later.invalid(exc)
                continue
            changed[id(later.obj)] = later.obj
            names.add(later.name)
        if changed:
            # Only the references change: the elements were validated and saved whole above.
            self.spec.model.objects.bulk_update(changed.values(), sorted(names))


@dataclass(frozen=True)
class DeletionImpact:
    """What deleting an element takes with it, and what merely loses its link to it."""

    deleted: list[models.Model]
    unlinked: list[tuple[models.Model, str]]  # (element, name of the reference that is cleared)


def deletion_impact(element: m.Element) -> DeletionImpact:
    collector = Collector(using=router.db_for_write(type(element)))
    collector.collect([element])
    doomed: dict[type[models.Model], list[Any]] = defaultdict(list)
    for model, instances in collector.data.items():
        if _link_row(model):
            continue  # rows of an index's column list or of a link, not something a user names
        doomed[model] += [obj.pk for obj in instances if obj != element]
    # Rows nothing else points at (e.g. a decision's alternatives) are deleted
    # by one query each and never enter `data`; they are still lost.
    for qs in collector.fast_deletes:
        if not _link_row(qs.model):
            doomed[qs.model] += qs.values_list("pk", flat=True)
    cleared: dict[type[models.Model], dict[Any, str]] = defaultdict(dict)
    for (field, _value), batches in collector.field_updates.items():
        for batch in batches:
            for obj in batch:
                cleared[field.model][obj.pk] = str(field.verbose_name)
    return DeletionImpact(
        deleted=[obj for obj, _ in _reload({model: dict.fromkeys(pks, "") for model, pks in doomed.items()})],
        unlinked=_reload(cleared),
    )


def _link_row(model: type[models.Model]) -> bool:
    """An index's column row or a many-to-many link row: goes with its element, never named."""
    return model is m.IndexColumn or bool(model._meta.auto_created)


def _reload(rows: dict[type[models.Model], dict[Any, str]]) -> list[tuple[models.Model, str]]:
    """The collector loads rows with only the fields deletion needs; the page names each one,
    so reload them whole with what str() reads, one query per model, in the same order."""
    found = []
    for model, labels in rows.items():
        if not labels:
            continue
        related = getattr(model, "label_related", ())
        loaded = {obj.pk: obj for obj in model._base_manager.filter(pk__in=labels).select_related(*related)}
        found += [(loaded[pk], label) for pk, label in labels.items() if pk in loaded]
    return found


def element_delete(
    *, design: m.Design, element: m.Element, base_version: int | None = None, actor: Actor = None
) -> None:
    """Delete an element the user saw at `base_version`, and what depends on it.

    A row changed since raises StaleEdit (the deleter decided on values that are no longer there),
    a row already gone Http404, both under the design's lock that edits take too: a delete racing an
    edit is refused, never applied to the edited row behind the editor's "saved". Callers with no
    stale copy to guard (tests, commands) pass no version.
    """
    with editing(design) as locked:
        if base_version is not None:
            element = _locked_current(type(element), element.pk, base_version)
        label = str(element)
        _, deleted = element.delete()
        # What went with it (a component's interactions); the rows of an index's column list are no element.
        deleted = {**deleted, element._meta.label: deleted.get(element._meta.label, 1) - 1}
        for name in [name for name in deleted if _link_row(apps.get_model(name))]:
            deleted.pop(name)
        also = [f"{count} {_model_noun(name, count)}" for name, count in sorted(deleted.items()) if count > 0]
        changes = [[f"also deleted: {', '.join(also)}"]] if also else []
        record_element(locked, element, actor=actor, action=Action.DELETED, label=label, changes=changes)


def section_instance(design: m.Design, model: type[m.Section]) -> m.Section:
    """The stored record, or an unsaved blank one (a GET never writes)."""
    return model.objects.filter(design=design).first() or model(design=design)


# ---------------------------------------------------------------- activity log


def step_of(model: type[models.Model]) -> str:
    """The key of the step whose list or section holds `model` ("" if none), for the log."""
    spec = spec_for(model)
    return spec.step.key if spec is not None else ""


def _model_noun(label: str, count: int) -> str:
    meta = apps.get_model(label)._meta
    return str(meta.verbose_name if count == 1 else meta.verbose_name_plural)


def record(
    design: m.Design,
    *,
    actor: Actor,
    action: str,
    kind: str,
    step: str = "",
    uid: uuid.UUID | None = None,
    label: str = "",
    changes: Sequence[Sequence[str]] = (),
) -> m.ActivityEntry:
    """Write one activity entry; call it inside the transaction of the write it describes.

    Every write of this module records itself; a write path elsewhere in designs (the importer,
    later a restore of a version) calls this with its own action.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    return m.ActivityEntry.objects.create(
        design_id=design.pk,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        step=step,
        kind=shorten(kind, 80),
        uid=uid,
        label=shorten(label, LABEL_LIMIT),
        changes=[list(change) for change in changes],
    )


def record_element(
    design: m.Design,
    element: models.Model,
    *,
    actor: Actor,
    action: str,
    label: str | None = None,
    changes: Sequence[Sequence[str]] = (),
) -> m.ActivityEntry:
    return record(
        design,
        actor=actor,
        action=action,
        step=step_of(type(element)),
        kind=str(element._meta.verbose_name),
        uid=getattr(element, "uid", None),
        label=str(element) if label is None else label,
        changes=changes,
    )


def _raw(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The stored values of `names` (a reference by its id), to compare after an edit."""
    found = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.concrete and not field.many_to_many:
            found[name] = getattr(obj, field.attname)
    return found


def _changes(obj: models.Model, before: Mapping[str, Any]) -> list[list[str]]:
    """[field label, old, new] for each field whose value differs from `before`, as short text."""
    changes = []
    for name, old in before.items():
        field = obj._meta.get_field(name)
        new = getattr(obj, field.attname)
        if new == old or (new in (None, "") and old in (None, "")):
            continue
        shown = "—" if new in (None, "") else display_value(obj, name)
        changes.append([str(field.verbose_name), shorten(_shown(field, old)), shorten(shown)])
    return changes


def _shown(field: models.Field, raw: Any) -> str:
    """A stored value as display_value() shows it, from the raw value (a reference loads its target)."""
    if raw is None or raw == "":
        return "—"
    if field.is_relation:
        model = field.related_model
        target = model._default_manager.select_related(*getattr(model, "label_related", ())).filter(pk=raw).first()
        return str(target) if target is not None else "—"
    probe = field.model()
    setattr(probe, field.attname, raw)
    return display_value(probe, field.name)
