"""What the read view of an element shows: every field of its registry entry, in full.

Rows of a list cut long text; the read view is where viewers and reviewers, who have no edit
form, read an ADR's justification or a threat's mitigation whole. Prose is markdown, JSON
examples and SQL are shown as typed, choices by their label and references by name, linked to
the read view of the element they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models as dj
from django.urls import reverse

from .display import column_label, display_value
from .models import Design
from .models.api import validate_json_example
from .steps import ElementSpec, Step, all_element_specs

# Only these schemes become links: a `javascript:` or `data:` runbook stays text.
LINK_SCHEMES = ("http", "https")
# Text fields whose content is code, shown as typed rather than as markdown.
CODE_FIELDS = frozenset({"sql"})


@dataclass(frozen=True)
class ShownField:
    """One field as the read view shows it; `kind` picks how: text, prose, code, link, ref or empty."""

    label: str
    kind: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class ChildElement:
    label: str
    url: str
    fields: list[ShownField]


@dataclass(frozen=True)
class ChildGroup:
    """The elements of another list of the step shown under this one (an ADR's alternatives)."""

    spec: ElementSpec
    elements: list[ChildElement]


@dataclass(frozen=True)
class ElementDetail:
    step: Step
    spec: ElementSpec
    obj: Any
    fields: list[ShownField]
    children: list[ChildGroup]


@cache
def _home() -> dict[type, tuple[Step, ElementSpec]]:
    """The step and list each element model is shown in."""
    return {spec.model: (step, spec) for step, spec in all_element_specs()}


def detail_url(design: Design, obj: Any) -> str:
    """The read view of an element, or "" for something that is not an element of a list."""
    home = _home().get(type(obj))
    if home is None:
        return ""
    step, spec = home
    return reverse("designs:element-detail", args=[design.slug, step.key, spec.key, obj.pk])


def _is_link(value: str) -> bool:
    try:
        URLValidator(schemes=list(LINK_SCHEMES))(value)
    except ValidationError:
        return False
    return True


def _is_code(field: dj.Field) -> bool:
    return field.name in CODE_FIELDS or validate_json_example in field.validators


def shown_field(design: Design, obj: Any, name: str) -> ShownField:
    """How the read view shows one field (or a derived column, such as an index's columns in order)."""
    label = column_label(type(obj), name)
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.is_relation:
        related = getattr(obj, name)
        if related is None:
            return ShownField(label, "empty", "—")
        return ShownField(label, "ref", str(related), detail_url(design, related))
    text = display_value(obj, name)
    if field is None or field.choices or not isinstance(field, dj.CharField | dj.TextField):
        return ShownField(label, "text", text)
    if not text.strip():
        return ShownField(label, "empty", "—")
    if isinstance(field, dj.TextField):
        return ShownField(label, "code" if _is_code(field) else "prose", text)
    if _is_link(text.strip()):
        return ShownField(label, "link", text, text.strip())
    return ShownField(label, "text", text)


def field_names(spec: ElementSpec) -> list[str]:
    """Every field of the registry entry, then the derived columns a row shows (a target, columns in order)."""
    return [*spec.fields, *(name for name in spec.row_columns if name not in spec.fields)]


def detail_queryset(design: Design, spec: ElementSpec) -> dj.QuerySet:
    """The list's elements with every reference the read view names, in one query."""
    related: list[str] = []
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            related.append(name)
            related += [f"{name}__{sub}" for sub in getattr(field.related_model, "label_related", ())]
    related += list(spec.model.label_related)
    qs = spec.model.objects.filter(design=design).select_related(*sorted(set(related)))
    return qs.prefetch_related(*spec.prefetch) if spec.prefetch else qs


def _children(design: Design, step: Step, spec: ElementSpec, obj: Any) -> list[ChildGroup]:
    groups = []
    for other in step.elements:
        if not other.group_by or other.model._meta.get_field(other.group_by).related_model is not spec.model:
            continue
        rows = detail_queryset(design, other).filter(**{other.group_by: obj})
        if other.order_by:
            rows = rows.order_by(*other.order_by)
        names = [name for name in field_names(other) if name != other.group_by]
        elements = [
            ChildElement(
                str(child),
                reverse("designs:element-detail", args=[design.slug, step.key, other.key, child.pk]),
                [shown_field(design, child, name) for name in names],
            )
            for child in rows
        ]
        groups.append(ChildGroup(other, elements))
    return groups


def element_detail(design: Design, step: Step, spec: ElementSpec, obj: Any) -> ElementDetail:
    fields = [shown_field(design, obj, name) for name in field_names(spec)]
    return ElementDetail(step, spec, obj, fields, _children(design, step, spec, obj))


def section_fields(design: Design, obj: Any, names: tuple[str, ...]) -> list[ShownField]:
    """A one-per-design record read in full, as the read view of an element shows its fields."""
    return [shown_field(design, obj, name) for name in names]
