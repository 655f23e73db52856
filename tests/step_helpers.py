"""Helpers for the per-step form and view tests: URLs, prefixed POST data, parsed selects."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from designs import models as m


def step_url(design: m.Design, step: str) -> str:
    return reverse("designs:step", args=[design.slug, step])


def create_url(design: m.Design, step: str, key: str) -> str:
    return reverse("designs:element-create", args=[design.slug, step, key])


def edit_url(design: m.Design, step: str, key: str, pk: int) -> str:
    return reverse("designs:element-edit", args=[design.slug, step, key, pk])


def section_url(design: m.Design, step: str, key: str) -> str:
    return reverse("designs:section", args=[design.slug, step, key])


def _prefixed(prefix: str, fields: dict[str, Any]) -> dict[str, str]:
    # An unchecked checkbox is simply absent from a browser's POST.
    return {
        f"{prefix}-{k}": ("on" if v is True else str(v)) for k, v in fields.items() if v is not False and v is not None
    }


def new_data(key: str, **fields: Any) -> dict[str, str]:
    return _prefixed(f"new-{key}", fields)


def add_element(
    client: Client, design: m.Design, step: str, key: str, *, htmx: bool = True, **fields: Any
) -> HttpResponse:
    """POST a new element to a step's list, as htmx unless told otherwise."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(create_url(design, step, key), new_data(key, **fields), **headers)


def edit_data(key: str, obj: models.Model, **fields: Any) -> dict[str, str]:
    return _prefixed(f"edit-{key}-{obj.pk}", {**fields, "base_version": obj.version})


def section_data(key: str, instance: m.Section | None = None, **fields: Any) -> dict[str, str]:
    if instance is not None:
        fields["base_version"] = instance.version
    return _prefixed(key, fields)


def field_error(content: str, field_id: str) -> str:
    """The error text rendered right under the field with this id ("" if none)."""
    found = re.search(rf'<p class="error" id="id_{re.escape(field_id)}_error">([^<]*)</p>', content)
    return html.unescape(found.group(1)) if found else ""


def select_options(content: str, name: str) -> list[str]:
    """Labels of a select's options, without the empty choice."""
    found = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', content, re.S)
    assert found, f"no select named {name}"
    labels = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1))
    return [html.unescape(label) for value, label in labels if value]


def component(design: m.Design, name: str, kind: str = "service", **extra: Any) -> m.Component:
    """The design's component of that name, created on first use."""
    return m.Component.objects.get_or_create(design=design, name=name, defaults={"kind": kind, **extra})[0]
