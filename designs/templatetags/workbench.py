"""Template helpers: markdown rendering and generic element cells."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from designs.detail import section_fields
from designs.display import column_label, display_value
from designs.markdown_html import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render user markdown to HTML that is safe to put on a page (bounded, cached: designs.markdown_html)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitized by nh3


@register.filter
def prose(text: str) -> SafeString:
    """A prose field of an element as markdown, its line breaks kept: fields are typed one point a line."""
    return mark_safe(render_markdown(text, line_breaks=True))  # noqa: S308 - sanitized by nh3


CELL_LIMIT = 140


def _shorten(text: str) -> tuple[str, bool]:
    """The text a cell shows, and whether it was cut (the row's template then says so and links the rest)."""
    if len(text) <= CELL_LIMIT:
        return text, False
    cut = text[: CELL_LIMIT - 1]
    # At the last space when there is one near the end: a cell never ends in half a word.
    space = cut.rfind(" ")
    return (cut[:space] if space > CELL_LIMIT * 0.6 else cut).rstrip(), True


@register.filter
def cells(obj: Any, spec: Any) -> list[tuple[str, str, bool]]:
    """(label, text, cut) of each cell of an element's row."""
    return [(column_label(type(obj), name), *_shorten(display_value(obj, name))) for name in spec.cell_columns]


@register.simple_tag(takes_context=True)
def element_url(context: Any, obj: Any, action: str = "") -> str:
    """URL of an element's row view, or of its `view`/`edit`/`delete` action.

    A list renders thousands of rows; reversing once per list and formatting
    per row keeps a large step page fast.
    """
    spec, design, step = context["spec"], context["design"], context["step"]
    prefixes = context.render_context.setdefault("element_url_prefixes", {})
    key = (design.slug, step.key, spec.key)
    if key not in prefixes:
        prefixes[key] = reverse("designs:element-row", args=[design.slug, step.key, spec.key, 0]).removesuffix("0/")
    return f"{prefixes[key]}{obj.pk}/{action + '/' if action else ''}"


@register.filter
def headers(spec: Any) -> list[str]:
    return [column_label(spec.model, name) for name in spec.cell_columns]


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def model_label(obj: Any) -> str:
    return str(obj._meta.verbose_name)


@register.filter
def group_label(obj: Any, spec: Any) -> str:
    """The parent a row of a grouped list sits under, e.g. its table."""
    return str(getattr(obj, spec.group_by)) if spec.group_by else ""


@register.filter
def step_threads(notes: Any, step_key: str) -> int:
    return notes.step_count(step_key) if notes else 0


@register.simple_tag(takes_context=True)
def thread_link(context: Any, obj: Any) -> str:
    """The link from an element's row to its comment threads, with how many are open."""
    notes, step = context.get("annotations"), context["step"]
    if not notes:
        return ""
    url = notes.element_url(step.key, obj.uid)
    count = notes.element_count(step.key, obj.uid)
    if not count:
        return format_html(
            '<a class="thread-link" href="{}">Comment<span class="sr-only"> on “{}”</span></a>', url, obj
        )
    return format_html(
        '<a class="thread-link open" href="{}">{} open<span class="sr-only"> thread{} on “{}”</span></a>',
        url,
        count,
        "" if count == 1 else "s",
        obj,
    )


@register.filter
def read_fields(form: Any) -> list[Any]:
    """Every field of a one-per-design record as the read view shows it (prose as markdown)."""
    return section_fields(form.design, form.instance, tuple(name for name in form._meta.fields if name in form.fields))
