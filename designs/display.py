"""How a stored value reads on a page, in a detail view and in the activity log: plain text, no HTML.

A plain module (not a template-tag library) so the write service, the detail pages and the template
tags all import it without importing each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist


def display_value(obj: Any, name: str) -> str:
    """One field of an element as text: a choice's label, a link list's targets, yes/no, an em dash for nothing."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if field is not None and field.many_to_many:
        # A link list (the requirements a component serves): its targets, not the manager's repr.
        return ", ".join(str(target) for target in value.all()) if obj.pk else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def column_label(model: type, name: str) -> str:
    """A column's heading: the field's verbose name, or a computed column's name made readable."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.removesuffix("_display").replace("_", " ")
