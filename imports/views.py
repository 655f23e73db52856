"""Import pages: upload or paste a file, see the plan, confirm. Nothing is written before the confirm.

Every format's page is `import_page(request, slug, FORMAT)`: a preview parses the file and shows the
plan; the confirm sends the text back (a hidden field) with the plan's digest, and the view parses
it again and writes only if the plan is still the one shown (same text, and the design unchanged
since); otherwise it shows the new plan to confirm.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from designs import models as m
from designs.access import get_design, requires
from designs.snapshot import load_snapshot

from .bounded import run_bounded
from .forms import ImportForm, SqlImportForm
from .plan import ImportFileError, ImportPlan, ImportRefused, Parsed, apply_plan, build_plan
from .sql import parse_sql

# Multipart framing and the other fields, on top of the largest file accepted.
MULTIPART_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class ImportFormat:
    """What an import page needs of a format."""

    key: str  # in the URL: designs/<slug>/import/<key>/
    title: str  # "Import SQL DDL"
    step: str  # the step the elements land in, linked back to
    form: type[ImportForm]
    # The text and the form's options (cleaned_data) to plan items; raises ImportFileError.
    read: Callable[[str, Mapping[str, Any]], Parsed]
    intro: str = ""


def _read_sql(text: str, options: Mapping[str, Any]) -> Parsed:
    # In a child process with memory and time limits: a parser the counts cannot stop is stopped there.
    return run_bounded(parse_sql, text, dialect=options["dialect"], store=options["store_name"])


SQL = ImportFormat(
    key="sql",
    title="Import SQL DDL",
    step="database",
    form=SqlImportForm,
    read=_read_sql,
    intro="Tables, columns, keys, foreign keys and indexes of a PostgreSQL or MySQL schema become elements "
    "of step 4. You see what will be added, changed and skipped before anything is written.",
)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _page(
    request: HttpRequest,
    design: m.Design,
    fmt: ImportFormat,
    form: ImportForm,
    *,
    plan: ImportPlan | None = None,
    refused: ImportRefused | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    confirm_fields: list[tuple[str, str]] = []
    if plan is not None:
        confirm_fields = [
            (name, str(form.data.get(name, "")))
            for name in form.fields
            if name not in ("file", "text", "source", "digest")
        ]
        confirm_fields += [("source", form.cleaned_data["source"]), ("digest", plan.digest)]
    context = {
        "design": design,
        "format": fmt,
        "form": form,
        "plan": plan,
        "refused": refused,
        "notice": notice,
        "confirm_fields": confirm_fields,
        "step_url": reverse("designs:step", args=[design.slug, fmt.step]),
    }
    return render(request, "imports/preview.html", context, status=status)


def import_page(request: HttpRequest, slug: str, fmt: ImportFormat) -> HttpResponse:
    """The whole page of one format: GET shows the form, POST previews, POST with `confirm` writes."""
    design = get_design(request, slug, "edit")
    if request.method == "POST" and _content_length(request) > settings.DESIGN_UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD:
        # Refused from its length alone: the body is never parsed or stored.
        form = fmt.form(design=design)
        notice = f"The file is too large: at most {settings.DESIGN_UPLOAD_MAX_BYTES:,} bytes are accepted."
        return _page(request, design, fmt, form, notice=notice, status=413)
    return _import(request, design, fmt)


@csrf_protect
def _import(request: HttpRequest, design: m.Design, fmt: ImportFormat) -> HttpResponse:
    if request.method != "POST":
        return _page(request, design, fmt, fmt.form(design=design))
    form = fmt.form(request.POST, request.FILES, design=design)
    if not form.is_valid():
        return _page(request, design, fmt, form, status=400)
    try:
        plan = build_plan(load_snapshot(design), fmt.read(form.cleaned_data["source"], form.cleaned_data))
    except ImportFileError as exc:
        form.add_error(getattr(form, "text_field", "file"), str(exc))
        return _page(request, design, fmt, form, status=400)
    if "confirm" not in request.POST:
        return _page(request, design, fmt, form, plan=plan)
    if form.cleaned_data.get("digest") != plan.digest:
        notice = "The design changed since the preview (or the file did): here is the plan as it is now. Confirm again."
        return _page(request, design, fmt, form, plan=plan, notice=notice, status=409)
    try:
        counts = apply_plan(design, plan)
    except ImportRefused as exc:
        return _page(request, design, fmt, form, plan=plan, refused=exc, status=400)
    messages.success(
        request,
        f"Imported: {counts['added']} added, {counts['changed']} changed, {counts['skipped']} skipped "
        f"({counts['unchanged']} already as in the file).",
    )
    return redirect(reverse("designs:step", args=[design.slug, fmt.step]))


@login_required
@requires("edit")
@csrf_exempt  # _import checks the token once the body is known to be of a sane size
@require_http_methods(["GET", "POST"])
def sql_import(request: HttpRequest, slug: str) -> HttpResponse:
    return import_page(request, slug, SQL)
