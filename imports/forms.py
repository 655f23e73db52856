"""The import page's form: a file uploaded or pasted, the format's options, and what a confirm sends back."""

from __future__ import annotations

from typing import Any

from django import forms

from designs import models as m

from .plan import ImportFileError, read_text

# The fields every import form has; the rest are the format's options (dialect, store, service…).
SOURCE_FIELDS = ("file", "text", "source", "digest")


class ImportForm(forms.Form):
    """Base of each format's form. A preview posts `file` or `text`; its confirm posts `source` (the text
    previewed) and `digest` (the plan shown), which the view checks against a fresh parse."""

    file_label = "File"
    accept = ""

    file = forms.FileField(required=False)
    text = forms.CharField(required=False, label="…or paste it", widget=forms.Textarea(attrs={"rows": 8}))
    source = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, design: m.Design, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.design = design
        self.fields["file"].label = self.file_label
        if self.accept:
            self.fields["file"].widget.attrs["accept"] = self.accept

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload, pasted, source = cleaned.get("file"), cleaned.get("text"), cleaned.get("source")
        where = "file" if upload else "text" if pasted else "source"
        try:
            if upload:
                text = read_text(upload.read())
            elif pasted or source:
                text = read_text((pasted or source).encode("utf-8"))
            else:
                self.add_error("file", "Choose a file to import, or paste its text below.")
                return cleaned
        except ImportFileError as exc:
            self.add_error("text" if where == "source" else where, str(exc))
            return cleaned
        # A browser sends a textarea's line breaks as CRLF; the same text must give the same plan.
        cleaned["source"] = text.replace("\r\n", "\n")
        self.text_field = where if where != "source" else "text"
        return cleaned

    def options(self) -> dict[str, Any]:
        """The format's options as cleaned, for its parser and for the confirm form."""
        return {name: value for name, value in self.cleaned_data.items() if name not in SOURCE_FIELDS}


class SqlImportForm(ImportForm):
    file_label = "SQL file"
    accept = ".sql,text/plain,application/sql"

    dialect = forms.ChoiceField(choices=[("postgres", "PostgreSQL"), ("mysql", "MySQL")], initial="postgres")
    store = forms.ChoiceField(
        required=False, label="Data store", help_text="The tables go into this data store of the design."
    )
    new_store = forms.CharField(
        required=False,
        max_length=100,
        label="…or a new data store",
        help_text="Created with a database component of this name when the design has none.",
    )

    def __init__(self, *args: Any, design: m.Design, **kwargs: Any) -> None:
        super().__init__(*args, design=design, **kwargs)
        names = sorted(
            m.DataStore.objects.filter(design=design).values_list("component__name", flat=True), key=str.casefold
        )
        self.fields["store"].choices = [("", "— a new data store —"), *((n, n) for n in names)]
        if names and not self.is_bound:
            self.fields["store"].initial = names[0]
        self.fields["file"].help_text = "PostgreSQL DDL (pg_dump --schema-only included) or MySQL DDL."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        store = cleaned.get("store") or (cleaned.get("new_store") or "").strip()
        if not store:
            self.add_error("new_store", "Choose a data store of the design, or name a new one.")
        cleaned["store_name"] = store
        return cleaned
