"""Forms: generic element and section forms built from the step registry."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models as dj
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from . import models as m
from .steps import ElementSpec, SectionSpec

TEXTAREA_ROWS = 3


class QuickSelect(forms.Select):
    """A select whose options are written straight from its choices.

    A reference to a column or a table offers hundreds of options, and Django renders every
    option through a template of its own, after building a dict of attributes for it: most of a
    large step page's time went there. The markup is Django's (name, attributes, `selected`),
    escaped by format_html.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), self._options(self.choices, chosen))

    def _options(self, choices: Any, chosen: set[str]) -> SafeString:
        parts = []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                parts.append(
                    format_html('<optgroup label="{}">{}</optgroup>', option_value, self._options(label, chosen))
                )
                continue
            text = "" if option_value is None else str(option_value)
            parts.append(
                format_html('<option value="{}"{}>{}</option>', text, " selected" if text in chosen else "", label)
            )
        return format_html_join("", "{}", ((part,) for part in parts))


def with_lf(data: Any) -> Any:
    """Submitted text with LF line endings: browsers send a textarea's lines as CRLF."""
    if data is None:
        return None
    if isinstance(data, QueryDict):
        normalised = data.copy()
        for key, values in data.lists():
            normalised.setlist(key, [_lf(value) for value in values])
        return normalised
    return {key: _lf(value) for key, value in data.items()}


def _lf(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class LfForm:
    """A form whose text keeps LF line endings, whatever the browser sends (mixed in first)."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(with_lf(data), *args, **kwargs)  # type: ignore[call-arg]


class WholeNumberInput(forms.NumberInput):
    """A decimal shown as typed: 300, not 300.00, and 7, not 7.0."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"
        return super().format_value(value)


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect's markup for a many-to-many reference; SelectMultiple reads the submitted list."""

    allow_multiple_selected = True

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        return super().render(name, value, {**(attrs or {}), "multiple": True}, renderer)


class VersionedForm(LfForm, forms.ModelForm):
    """A model form that remembers which version of the record it was edited from."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, design: m.Design, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.design = design
        self.instance.design = design
        if not self.is_bound and self.instance.pk:
            self.initial["base_version"] = self.instance.version
        for name, field in self.fields.items():
            model_field = self._model_field(name)
            if isinstance(model_field, dj.TextField):
                field.widget.attrs["rows"] = TEXTAREA_ROWS
            if isinstance(field, forms.ModelChoiceField):
                self._scope_choices(name, field)
            if isinstance(field, forms.DecimalField):
                field.widget = WholeNumberInput(attrs=field.widget.attrs)
            if type(field.widget) in (forms.Select, forms.SelectMultiple):
                kind = QuickSelect if type(field.widget) is forms.Select else QuickSelectMultiple
                quick = kind(attrs=field.widget.attrs)
                quick.choices = field.widget.choices
                quick.is_required = field.widget.is_required
                field.widget = quick

    def _model_field(self, name: str) -> dj.Field | None:
        try:
            return self._meta.model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field, e.g. an index's column names
            return None

    def _scope_choices(self, name: str, field: forms.ModelChoiceField) -> None:
        related = field.queryset.model
        qs = related.objects.filter(design=self.design)
        label_related = getattr(related, "label_related", ())
        if label_related:
            qs = qs.select_related(*label_related)
        rule = self.choice_filters().get(name, {})
        qs = qs.filter(rule) if isinstance(rule, Q) else qs.filter(**rule)
        # A reference limited to some kinds of component offers only those (the model declares which).
        if limit := getattr(self._meta.model, "kind_limits", {}).get(name):
            qs = qs.filter(kind__in=limit.kinds)
        model_field = self._model_field(name)
        if isinstance(model_field, dj.OneToOneField):
            # One per target (a component has one data store, one scaling rule): offer only free ones.
            taken = Q(**{f"{model_field.related_query_name()}__isnull": False})
            current = getattr(self.instance, model_field.attname)
            qs = qs.exclude(taken & ~Q(pk=current)) if current else qs.exclude(taken)
        field.queryset = qs

    def choice_filters(self) -> dict[str, dict[str, Any] | Q]:
        return {}

    def values(self) -> dict[str, Any]:
        """The validated values of the registry's fields, as the services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def clean_base_version(self) -> int | None:
        value = self.cleaned_data.get("base_version")
        if self.instance.pk and not value:
            # Edited from no version at all, e.g. a blank section someone else has
            # saved since: stale, so the save is refused with the saved values.
            return 0
        return value


class ElementForm(VersionedForm):
    spec: ElementSpec

    def choice_filters(self) -> dict[str, dict[str, Any] | Q]:
        return {k: v if isinstance(v, Q) else dict(v) for k, v in self.spec.choice_filters.items()}

    def index_columns(self) -> list[m.Column] | None:
        """An index's columns in order; None for every other element."""
        return None


class SectionForm(VersionedForm):
    spec: SectionSpec


class IndexForm(ElementForm):
    """An index's columns are typed in order, since order is what matters."""

    column_names = forms.CharField(
        label="Columns (in order)",
        max_length=500,
        help_text="Comma-separated column names of the table, leading column first.",
    )

    field_order = ["table", "name", "column_names"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["column_names"] = ", ".join(c.name for c in self.instance.ordered_columns())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        table = cleaned.get("table")
        raw = cleaned.get("column_names", "")
        if not table or not raw:
            return cleaned
        names = [n.strip() for n in raw.split(",") if n.strip()]
        by_name = {c.name.lower(): c for c in m.Column.objects.filter(table=table)}
        missing = [n for n in names if n.lower() not in by_name]
        if missing:
            self.add_error("column_names", f"{table.name} has no column {', '.join(missing)}.")
            return cleaned
        columns = [by_name[n.lower()] for n in names]
        self.instance.method = cleaned.get("method") or self.instance.method
        if problem := self.instance.columns_problem(columns):
            self.add_error("column_names", problem)
        else:
            self.ordered_columns = columns
        return cleaned

    def index_columns(self) -> list[m.Column]:
        return self.ordered_columns


FORM_BASES: dict[str, type[ElementForm]] = {"IndexForm": IndexForm}


@cache
def element_form_class(spec: ElementSpec) -> type[ElementForm]:
    base = FORM_BASES.get(spec.form_base, ElementForm)
    meta = type("Meta", (), {"model": spec.model, "fields": [*spec.fields, *spec.links]})
    return type(f"{spec.model.__name__}Form", (base,), {"Meta": meta, "spec": spec})


@cache
def section_form_class(spec: SectionSpec) -> type[SectionForm]:
    meta = type("Meta", (), {"model": spec.model, "fields": list(spec.fields)})
    return type(f"{spec.model.__name__}{spec.key.title()}Form", (SectionForm,), {"Meta": meta, "spec": spec})


BLANK = "blank"


class OneLineName:
    """A design's name on one line: a pasted line break becomes a space (designs.models.one_line)."""

    def clean_name(self) -> str:
        return m.one_line(self.cleaned_data["name"])  # type: ignore[attr-defined]


class DesignCreateForm(OneLineName, LfForm, forms.ModelForm):
    """A name, and what to start from: a blank design or one of the starters."""

    # Not required: a form posted without it (a script, an older page) makes a blank design.
    start = forms.ChoiceField(label="Start from", widget=forms.RadioSelect, initial=BLANK, required=False)

    class Meta:
        model = m.Design
        fields = ["name", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"summary": "Markdown. Optional: a starter brings its own, which this replaces."}

    def __init__(self, *args: Any, starters: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.starters = {starter.key: starter for starter in starters}
        self.fields["start"].choices = [(BLANK, "A blank design"), *((s.key, s.name) for s in starters)]
        self.order_fields(["name", "start", "summary"])

    def starter(self) -> Any:
        """The starter chosen, or None for a blank design."""
        return self.starters.get(self.cleaned_data["start"])


class DesignDuplicateForm(OneLineName, LfForm, forms.Form):
    name = forms.CharField(max_length=m.Design._meta.get_field("name").max_length, label="Name of the copy")


class DesignEditForm(OneLineName, LfForm, forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = m.Design
        fields = ["name", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["base_version"] = self.instance.version


class DesignImportForm(forms.Form):
    """An uploaded design-workbench/1 document; designs.document parses and checks its content."""

    file = forms.FileField(
        label="Design document (JSON)",
        help_text="A design-workbench/1 file, as downloaded from a design's overview page.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )


class InviteForm(forms.Form):
    user = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        help_text="They get the invitation on their dashboard (and by e-mail), and join when they accept.",
    )
    role = forms.ChoiceField(choices=m.Role.choices, initial=m.Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=m.Role.choices)
