"""The OpenAPI import page: the shared import page (imports/views.py) with a service chosen per tag.

The tags are known only once the file is read, so the form reads it when it is built: it adds one
choice per tag (proposed: the design's service of that name, else a new one named after the tag)
and keeps the text in its hidden `source`, so changing a tag's service and previewing again needs
no second upload, and the confirm sends the same choices back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from designs.access import requires
from designs.presentation import Panel
from designs.snapshot import DesignSnapshot, load_snapshot

from .bounded import run_bounded
from .forms import ImportForm
from .openapi import ParsedApi, parse_openapi
from .openapi_plan import TagGroup, openapi_parsed, service_names, service_problem, tag_groups
from .panels import TEMPLATE, ImportLink
from .plan import ImportFileError, Parsed, read_text
from .views import ImportFormat, import_page

NEW = "new:"  # a tag's choice value naming a service the import creates


class OpenApiImportForm(ImportForm):
    file_label = "OpenAPI file"
    accept = ".json,.yaml,.yml,application/json,application/yaml,text/yaml"

    service = forms.ChoiceField(
        required=False,
        label="One service for the whole file",
        help_text="Every endpoint goes to this service; leave it empty to choose per tag below.",
    )
    new_service = forms.CharField(
        required=False,
        max_length=100,
        label="…or one new service",
        help_text="Created (as a service component) when the design has none of that name.",
    )

    def __init__(self, *args: Any, design: Any, **kwargs: Any) -> None:
        super().__init__(*args, design=design, **kwargs)
        self.fields["file"].help_text = "OpenAPI 3.0 or 3.1, JSON or YAML."
        self.snapshot: DesignSnapshot = load_snapshot(design)
        existing = service_names(self.snapshot)
        self.fields["service"].choices = [("", "— a service per tag —"), *((n, n) for n in existing)]
        self.api: ParsedApi | None = None
        self.api_error: ImportFileError | None = None
        self.groups: list[TagGroup] = []
        if self.is_bound:
            self._add_tag_fields(existing)

    def _add_tag_fields(self, existing: list[str]) -> None:
        """One choice per tag of the file posted (the upload, the pasted text or the previewed source)."""
        text = self._posted_text()
        if text is None:
            return
        try:
            self.api = run_bounded(parse_openapi, text)  # in a child process with memory and time limits
        except ImportFileError as exc:
            self.api_error = exc  # reported at the field the text came from, without reading the file again
            return
        self.groups = tag_groups(self.api, self.snapshot)
        data = self.data.copy()
        # Carry the text: a second preview (other services chosen) or the confirm needs no upload.
        data["source"] = text
        for index, group in enumerate(self.groups):
            name = f"tag_{index}"
            choices = (
                [] if group.proposed in existing else [(f"{NEW}{group.proposed}", f"a new service “{group.proposed}”")]
            )
            choices += [(n, n) for n in existing]
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                label=f"Service for {group.label}",
                help_text=f"{group.endpoints} endpoint{'s' if group.endpoints != 1 else ''}",
            )
            if not data.get(name):
                data[name] = group.proposed if group.proposed in existing else f"{NEW}{group.proposed}"
        self.data = data

    def _posted_text(self) -> str | None:
        upload = self.files.get("file") if self.files else None
        try:
            if upload:
                raw = upload.read()
                upload.seek(0)  # ImportForm.clean() reads it again
                return read_text(raw).replace("\r\n", "\n")
            pasted = self.data.get("text") or self.data.get("source")
            return read_text(pasted.encode("utf-8")).replace("\r\n", "\n") if pasted else None
        except ImportFileError:
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        whole = cleaned.get("service") or (cleaned.get("new_service") or "").strip()
        if whole and (problem := service_problem(self.snapshot, whole)) is not None:
            self.add_error("new_service" if not cleaned.get("service") else "service", problem)
        mapping: dict[str | None, str] = {}
        for index, group in enumerate(self.groups):
            choice = cleaned.get(f"tag_{index}") or ""
            mapping[group.tag] = whole or choice.removeprefix(NEW)
        cleaned["services"] = mapping
        cleaned["form"] = self  # the parser reuses the file already read and the snapshot loaded
        return cleaned


def _read_openapi(text: str, options: Mapping[str, Any]) -> Parsed:
    form: OpenApiImportForm = options["form"]
    if form.api_error is not None:
        raise form.api_error
    api = form.api if form.api is not None else run_bounded(parse_openapi, text)
    mapping = options.get("services") or {}
    if set(mapping) != {g.tag for g in tag_groups(api, form.snapshot)}:
        # A file not seen when the form was built (an error above it): the proposed services.
        mapping = {g.tag: g.proposed for g in tag_groups(api, form.snapshot)}
    return openapi_parsed(api, form.snapshot, mapping)


OPENAPI = ImportFormat(
    key="openapi",
    title="Import OpenAPI",
    step="api",
    form=OpenApiImportForm,
    read=_read_openapi,
    intro="The operations of an OpenAPI 3.0 or 3.1 description (JSON or YAML) become endpoints of step 3, with "
    "their summaries, auth and scopes, examples and error responses; each tag's endpoints go to a service. "
    "You see what will be added, changed and skipped before anything is written.",
)


@csrf_exempt  # import_page checks the token once the body is known to be of a sane size
@requires("edit")
@require_http_methods(["GET", "POST"])
def openapi_import(request: HttpRequest, slug: str) -> HttpResponse:
    return import_page(request, slug, OPENAPI)


def openapi_panel() -> Panel:
    def build(design: Any) -> ImportLink:
        return ImportLink(
            "openapi",
            "Import OpenAPI…",
            reverse("imports:openapi", args=[design.slug]),
            "Endpoints, auth, examples and error responses from an OpenAPI 3.0 or 3.1 file (JSON or YAML).",
        )

    return Panel("import-openapi", TEMPLATE, build)
