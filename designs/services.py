"""Multi-object writes on designs, each in one transaction.

Views call these; they never write models themselves. Every write locks the
design row first, which serialises concurrent edits of one design (code
numbering, completeness) without blocking other designs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector
from django.forms import ModelForm
from django.http import Http404
from django.utils import timezone

from . import models as m
from .steps import STEPS


class StaleEdit(Exception):
    """The record changed since the form was loaded; `current` is the newer copy."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("changed by someone else")
        self.current = current


class WriteConflict(Exception):
    """The database refused the write (a uniqueness race the form could not see)."""


@dataclass(frozen=True)
class StepProgress:
    met: int
    total: int
    missing: tuple[str, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 100


def _lock(design: m.Design, *, editing: bool = True) -> m.Design:
    locked = m.Design.objects.select_for_update().get(pk=design.pk)
    if editing and locked.is_archived:
        # Archived after the request's access check but before this write: refuse it all the same.
        raise PermissionDenied("This design was archived; restore it to edit.")
    return locked


def compute_completeness(design: m.Design) -> dict[str, StepProgress]:
    progress = {}
    for step in STEPS:
        criteria = step.rule(design)
        progress[step.key] = StepProgress(
            met=sum(c.met for c in criteria),
            total=len(criteria),
            missing=tuple(c.label for c in criteria if not c.met),
        )
    return progress


def design_changed(design: m.Design) -> None:
    """Recompute the stored completeness and bump `updated_at` after any edit."""
    progress = compute_completeness(design)
    design.completeness = {
        key: {"met": p.met, "total": p.total, "missing": list(p.missing)} for key, p in progress.items()
    }
    design.overall_completeness = round(sum(p.percent for p in progress.values()) / len(progress))
    design.updated_at = timezone.now()
    m.Design.objects.filter(pk=design.pk).update(
        completeness=design.completeness,
        overall_completeness=design.overall_completeness,
        updated_at=design.updated_at,
    )


@transaction.atomic
def design_create(*, name: str, summary: str, owner: AbstractBaseUser) -> m.Design:
    design = m.Design.objects.create(name=name, summary=summary, slug=m.Design.make_slug(name), created_by=owner)
    m.Membership.objects.create(design=design, user=owner, role=m.Role.OWNER)
    design_changed(design)
    return design


@transaction.atomic
def design_update(*, design: m.Design, form: ModelForm) -> m.Design:
    current = _lock(design)
    if current.version != form.cleaned_data["base_version"]:
        raise StaleEdit(current)
    updated = form.save(commit=False)
    updated.version = current.version + 1
    updated.save(update_fields=["name", "summary", "version", "updated_at"])
    return updated


@transaction.atomic
def design_set_archived(*, design: m.Design, archived: bool) -> m.Design:
    design = _lock(design, editing=False)
    design.archived_at = timezone.now() if archived else None
    design.save(update_fields=["archived_at", "updated_at"])
    return design


@transaction.atomic
def design_delete(*, design: m.Design) -> None:
    _lock(design, editing=False).delete()


def _next_code(model: type[m.Element], design: m.Design) -> str:
    prefix = model.code_prefix  # type: ignore[attr-defined]
    numbers = [
        int(match.group(1))
        for code in model.objects.filter(design=design, code__istartswith=f"{prefix}-").values_list("code", flat=True)
        if (match := re.fullmatch(rf"{prefix}-(\d+)", code, re.IGNORECASE))
    ]
    return f"{prefix}-{max(numbers, default=0) + 1}"


def _save_versioned(form: ModelForm, *, design: m.Design, is_new: bool) -> Any:
    instance = form.instance
    if not is_new:
        current = type(instance).objects.select_for_update().filter(pk=instance.pk).first()
        if current is None:
            # Deleted between the view's lookup and this lock: to the user it is simply gone,
            # and a 404 is what the view would have answered a moment earlier.
            raise Http404(f"This {instance._meta.verbose_name} no longer exists.")
        if current.version != form.cleaned_data.get("base_version"):
            raise StaleEdit(current)
        instance.version = current.version + 1
    try:
        with transaction.atomic():
            saved = form.save()
    except IntegrityError as exc:
        raise WriteConflict(str(exc)) from exc
    design_changed(design)
    return saved


@transaction.atomic
def element_save(*, design: m.Design, form: ModelForm) -> m.Element:
    """Create or update one element from a validated form."""
    design = _lock(design)
    instance = form.instance
    is_new = instance.pk is None
    instance.design = design
    if is_new:
        if hasattr(type(instance), "code_prefix") and not instance.code:
            instance.code = _next_code(type(instance), design)
        if "position" not in form.cleaned_data or not form.cleaned_data.get("position"):
            last = type(instance).objects.filter(design=design).aggregate(models.Max("position"))
            instance.position = (last["position__max"] or 0) + 1
    return _save_versioned(form, design=design, is_new=is_new)


@transaction.atomic
def section_save(*, design: m.Design, form: ModelForm) -> m.Section:
    """Save a step's one-per-design record; the first save creates it."""
    design = _lock(design)
    form.instance.design = design
    return _save_versioned(form, design=design, is_new=form.instance.pk is None)


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
        if model is m.IndexColumn:
            continue  # rows of an index's column list, not something a user names
        doomed[model] += [obj.pk for obj in instances if obj != element]
    # Rows nothing else points at (e.g. a decision's alternatives) are deleted
    # by one query each and never enter `data`; they are still lost.
    for qs in collector.fast_deletes:
        if qs.model is not m.IndexColumn:
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


@transaction.atomic
def element_delete(*, design: m.Design, element: m.Element) -> None:
    design = _lock(design)
    element.delete()
    design_changed(design)


def section_instance(design: m.Design, model: type[m.Section]) -> m.Section:
    """The stored record, or an unsaved blank one (a GET never writes)."""
    return model.objects.filter(design=design).first() or model(design=design)
