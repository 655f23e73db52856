"""Design views: thin — access check, form, service, response.

Every view renders from the same templates for plain and htmx requests; htmx
requests get a named partial, plain ones the whole page or a redirect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from . import members as team
from . import presentation as page
from . import services, starting
from .access import get_design, requires
from .display import display_value
from .document import (
    DocumentError,
    check_size,
    export_text,
    import_design,
    parse_document,
    too_large,
)
from .forms import (
    BLANK,
    DesignCreateForm,
    DesignDuplicateForm,
    DesignEditForm,
    DesignImportForm,
    InviteForm,
    RoleForm,
    element_form_class,
    section_form_class,
)
from .models import ActivityEntry, Design, Membership
from .steps import STEPS, ElementSpec, Step, get_step
from .views_invitations import open_invitations

DASHBOARD_PAGE_SIZE = 20
ACTIVITY_PAGE_SIZE = 50


# ---------------------------------------------------------------- designs


# Pages that htmx edits in place are never cached: Back must not bring an older copy.
@login_required
@never_cache
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    designs = Design.objects.visible_to(request.user).with_role(request.user)
    designs = designs.filter(archived_at__isnull=not show_archived).order_by("-updated_at", "-id")
    page = Paginator(designs, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "designs/dashboard.html"
    if request.htmx:
        template += "#design-list"
    # Starters are read only when the list is empty: the first dashboard offers them.
    context = {"page": page, "show_archived": show_archived, "starters": starting.list_starters}
    if not request.htmx:  # the list's own pages leave the invitations above them alone
        context["invitations"] = open_invitations(request.user)
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def design_create(request: HttpRequest) -> HttpResponse:
    """A blank design, or one of the starters (`?start=<key>` picks it in advance)."""
    starters = starting.list_starters()
    form = DesignCreateForm(request.POST or None, starters=starters, initial={"start": request.GET.get("start", BLANK)})
    if request.method == "POST" and form.is_valid():
        name, summary, starter = form.cleaned_data["name"], form.cleaned_data["summary"], form.starter()
        if starter is None:
            design = services.design_create(name=name, summary=summary, owner=request.user, actor=request.user)
        else:
            try:
                design = starting.design_from_starter(starter=starter, name=name, summary=summary, owner=request.user)
            except DocumentError as exc:
                # A starter the registry has outgrown: say which, keep what was typed.
                form.add_error("start", f"The starter “{starter.name}” could not be imported: {'; '.join(exc.lines())}")
                return render(request, "designs/design_form.html", {"form": form}, status=400)
            messages.success(request, f"Started “{design.name}” from “{starter.name}”.")
        return redirect(design)
    return render(request, "designs/design_form.html", {"form": form})


@login_required
@requires("view")
@require_http_methods(["GET", "POST"])
def design_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone who can read a design may copy it: the copy is theirs, a draft, without its members or history."""
    design = get_design(request, slug, "view")
    form = DesignDuplicateForm(request.POST or None, initial={"name": starting.copy_name(design)})
    if request.method == "POST" and form.is_valid():
        try:
            copy = starting.design_duplicate(design=design, name=form.cleaned_data["name"], owner=request.user)
        except DocumentError as exc:
            form.add_error(None, f"The design could not be copied: {'; '.join(exc.lines())}")
        else:
            messages.success(request, f"“{copy.name}” is a copy of “{design.name}”; you own it.")
            return redirect(copy)
    return render(request, "designs/design_duplicate.html", {"design": design, "form": form})


@login_required
@requires("view")
@never_cache
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "view")
    context = {"design": design, "nav": page.nav(design), "panels": page.overview_panels(design)}
    return render(request, "designs/overview.html", context)


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def completeness(request: HttpRequest, slug: str) -> HttpResponse:
    """Every unmet criterion, naming the elements that keep it unmet; the overview loads the list lazily."""
    design = get_design(request, slug, "view")
    context = {"design": design, "unmet": page.unmet_criteria(design)}
    template = "designs/completeness.html#unmet" if request.htmx else "designs/completeness.html"
    return render(request, template, context)


@login_required
@requires("edit")
@require_http_methods(["GET", "POST"])
def design_edit(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "edit")
    form = DesignEditForm(request.POST or None, instance=design)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.design_update(
                design=design,
                name=form.cleaned_data["name"],
                summary=form.cleaned_data["summary"],
                base_version=form.cleaned_data["base_version"],
                actor=request.user,
            )
        except services.StaleEdit as stale:
            form, conflict = _stale_form(form, stale, DesignEditForm, instance=stale.current)
        else:
            messages.success(request, "Design saved.")
            return redirect(design)
    return render(request, "designs/design_edit.html", {"design": design, "form": form, "conflict": conflict})


@login_required
@requires("manage")
@require_POST
def design_archive(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "manage")
    archived = request.POST.get("archived", "1") == "1"
    services.design_set_archived(design=design, archived=archived, actor=request.user)
    messages.success(request, f"“{design.name}” {'archived' if archived else 'restored'}.")
    return redirect(design)


@login_required
@requires("manage")
@require_http_methods(["GET", "POST"])
def design_delete(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "manage")
    if request.method == "POST":
        # Both stripped: a name saved with stray spaces (e.g. by an older import) can still be typed.
        if request.POST.get("confirm_name", "").strip() != design.name.strip():
            return render(
                request,
                "designs/design_delete.html",
                {"design": design, "error": "Type the design's name exactly to delete it."},
                status=400,
            )
        services.design_delete(design=design)
        messages.success(request, f"“{design.name}” deleted.")
        return redirect("designs:dashboard")
    return render(request, "designs/design_delete.html", {"design": design})


# ---------------------------------------------------------------- steps


def _step_or_404(key: str) -> Step:
    try:
        return get_step(key)
    except KeyError:
        raise Http404("No such step") from None


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
def step_page(request: HttpRequest, slug: str, step_key: str) -> HttpResponse:
    design = get_design(request, slug, "view")
    step = _step_or_404(step_key)
    # A panel's own form (capacity's `?factor=`): htmx swaps in that panel alone, a plain GET gets the page.
    asked = page.asked_panels(design, step, request.GET) if request.htmx else []
    if asked:
        return render(request, "designs/step.html#panels", {"design": design, "step": step, "panels": asked})
    return render(request, "designs/step.html", page.step_context(request, design, step))


def _stale_form(form: Any, stale: services.StaleEdit, form_class: type, **kwargs: Any) -> tuple[Any, list]:
    """Keep the user's input, point it at the newer version, and list what changed."""
    # Read the saved values before validating: a bound model form writes its input onto the instance.
    conflict = [
        (str(form.fields[name].label or name), display_value(stale.current, name))
        for name in form.Meta.fields
        if name in form.fields
    ]
    data = form.data.copy()
    data[form.add_prefix("base_version")] = stale.current.version
    fresh = form_class(data, **kwargs, prefix=form.prefix)
    fresh.is_valid()
    fresh.add_error(
        None,
        "Someone else changed this while you were editing (now version "
        f"{stale.current.version}). Your changes were not saved. The saved values are listed; "
        "save again to replace them with yours.",
    )
    return fresh, conflict


def _refused(form: Any, error: ValidationError) -> None:
    """Show the model's refusal next to the fields it names; the rest above the form."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@requires("edit")
@require_POST
def section_save(request: HttpRequest, slug: str, step_key: str, section_key: str) -> HttpResponse:
    design = get_design(request, slug, "edit")
    step = _step_or_404(step_key)
    try:
        spec = step.section(section_key)
    except KeyError:
        raise Http404("No such section") from None
    form = page.section_form(design, spec, request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.section_save(
                design=design,
                spec=spec,
                values=form.values(),
                base_version=form.cleaned_data["base_version"],
                actor=request.user,
            )
        except services.StaleEdit as stale:
            form, conflict = _stale_form(form, stale, section_form_class(spec), instance=stale.current, design=design)
        except services.WriteConflict:
            form.add_error(None, "Someone else saved this a moment ago; reload the page to see their values.")
        except ValidationError as error:
            _refused(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"{spec.label} saved.")
                return redirect(_step_url(design, step, f"section-{spec.key}"))
            form = page.section_form(design, spec)
            form.saved = True
    design.refresh_from_db(fields=["completeness", "overall_completeness", "updated_at"])
    if request.htmx:
        # The section, the navigation and the step's panels change; don't load the step's lists.
        return render(
            request,
            "designs/step.html#section-response",
            {
                "design": design,
                "step": step,
                "nav": page.nav(design),
                "oob_nav": True,
                "can_edit": True,
                "panels": page.panels(design, step, page.current_panel_params(request, step)),
                "section": {"spec": spec, "form": form},
                "conflict": conflict,
            },
        )
    context = page.step_context(request, design, step, **{f"section:{spec.key}": form})
    context["section_conflict"] = {spec.key: conflict}
    context["not_saved"] = (spec.label.lower(), f"section-{spec.key}")
    return render(request, "designs/step.html", context)


def _step_url(design: Design, step: Step, anchor: str = "") -> str:
    url = reverse("designs:step", args=[design.slug, step.key])
    return f"{url}#{anchor}" if anchor else url


def _element_spec(step_key: str, element_key: str) -> tuple[Step, ElementSpec]:
    step = _step_or_404(step_key)
    try:
        return step, step.element(element_key)
    except KeyError:
        raise Http404("No such element list") from None


def _element_response(
    request: HttpRequest, design: Design, step: Step, spec: ElementSpec, partial: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        f"designs/step.html#{partial}",
        page.element_response_context(
            design, step, spec, panel_query=page.current_panel_params(request, step), **extra
        ),
    )


def _save_element(form: Any, design: Design, spec: ElementSpec, actor: Any, element: Any = None) -> Any:
    """Save through the service; a refusal is put on the form and None returned."""
    try:
        return services.element_save(
            design=design,
            spec=spec,
            values=form.values(),
            element=element,
            base_version=form.cleaned_data.get("base_version"),
            index_columns=form.index_columns(),
            actor=actor,
        )
    except services.WriteConflict:
        form.add_error(None, "That clashes with another element saved a moment ago; check the names.")
    except ValidationError as error:
        _refused(form, error)
    return None


@login_required
@requires("edit")
@require_POST
def element_create(request: HttpRequest, slug: str, step_key: str, element_key: str) -> HttpResponse:
    design = get_design(request, slug, "edit")
    step, spec = _element_spec(step_key, element_key)
    form = element_form_class(spec)(request.POST, design=design, prefix=f"new-{spec.key}")
    if form.is_valid() and (saved := _save_element(form, design, spec, request.user)) is not None:
        if not request.htmx:
            messages.success(request, f"{spec.singular.capitalize()} added.")
            return redirect(_step_url(design, step, f"list-{spec.key}"))
        # The new row is shown even when the list's first page does not reach it.
        added = page.element_list(design, spec, add_open=True, include=saved)
        return _element_response(request, design, step, spec, "list-response", list=added)
    if request.htmx:
        return _element_response(
            request,
            design,
            step,
            spec,
            "list-response",
            list=page.element_list(design, spec, add_form=form, add_open=True),
        )
    context = page.step_context(request, design, step, **{f"list:{spec.key}": {"add_form": form, "add_open": True}})
    context["not_saved"] = (spec.singular, f"add-{spec.key}")
    return render(request, "designs/step.html", context)


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def element_list(request: HttpRequest, slug: str, step_key: str, element_key: str) -> HttpResponse:
    """A page of a list's rows, or its rows filtered: what "Show the next 50" and the filter box load."""
    design = get_design(request, slug, "view")
    step, spec = _element_spec(step_key, element_key)
    wanted = page.list_request(request, spec)
    if not request.htmx:
        params: dict[str, Any] = {"list": spec.key}
        if wanted["page"] > 1:
            params["page"] = wanted["page"]
        if wanted["query"]:
            params["q"] = wanted["query"]
        return redirect(f"{_step_url(design, step)}?{urlencode(params)}#list-{spec.key}")
    context = {
        "design": design,
        "step": step,
        "list": page.element_list(design, spec, **wanted),
        "can_edit": page.can_edit(design),
        "annotations": page.annotations(design),
    }
    # The next page is appended to the rows shown; a new filter replaces them.
    partial = "list-page" if wanted["page"] > 1 else "list-rows"
    return render(request, f"designs/step.html#{partial}", context)


def _get_element(design: Design, spec: ElementSpec, pk: int) -> Any:
    return get_object_or_404(spec.queryset(design), pk=pk)


def _element_or_gone(design: Design, spec: ElementSpec, pk: int) -> Any:
    return spec.queryset(design).filter(pk=pk).first()


def _gone(request: HttpRequest, design: Design, step: Step, spec: ElementSpec, outcome: str) -> HttpResponse:
    """A plain form sent for a row that is not there (deleted meanwhile): a 404 that says what became of
    the input, with a way back to the list (htmx gets a bare 404, which static/js/workbench.js words)."""
    context = {
        "gone": f"This {spec.singular} no longer exists: someone deleted it. {outcome}",
        "back": (_step_url(design, step, f"list-{spec.key}"), f"{step.number}. {step.title}"),
    }
    return render(request, "404.html", context, status=404)


def _posted_version(request: HttpRequest) -> int:
    """The version the form was rendered from; none (or garbage) counts as stale, as for an edit."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _edit_row(
    request: HttpRequest, design: Design, step: Step, spec: ElementSpec, obj: Any, form: Any, conflict: Any = None
) -> HttpResponse:
    context = {"design": design, "step": step, "spec": spec, "obj": obj, "form": form, "conflict": conflict}
    return render(request, "designs/step.html#element-edit", context)


def _saved_row_response(
    request: HttpRequest, design: Design, step: Step, spec: ElementSpec, pk: int, *, others_changed: bool
) -> HttpResponse:
    """The saved row, and every list of the step that shows it by name (when that changed)."""
    if not others_changed:
        return _element_response(
            request, design, step, spec, "row-response", obj=_get_element(design, spec, pk), others_changed=False
        )
    touched = page.touched_lists(design, step, spec)
    if page.points_at(spec, spec.model):
        # Rows of this very list name the saved one (a column referencing a column): redraw the list.
        response = _element_response(
            request, design, step, spec, "list-response", list=page.element_list(design, spec), touched_lists=touched
        )
        response["HX-Retarget"] = f"#list-{spec.key}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return _element_response(
        request, design, step, spec, "row-response", obj=_get_element(design, spec, pk), touched_lists=touched
    )


@login_required
@requires("edit")
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def element_edit(request: HttpRequest, slug: str, step_key: str, element_key: str, pk: int) -> HttpResponse:
    design = get_design(request, slug, "edit")
    step, spec = _element_spec(step_key, element_key)
    obj = (
        _get_element(design, spec, pk)
        if request.method == "GET" or request.htmx
        else _element_or_gone(design, spec, pk)
    )
    if obj is None:
        return _gone(request, design, step, spec, "Your changes were not saved.")
    if request.method == "GET":
        if not request.htmx:
            # No #fragment: browsers skip autofocus when the address points at an element.
            return redirect(f"{_step_url(design, step)}?edit={spec.key}:{obj.pk}")
        return _edit_row(request, design, step, spec, obj, page.edit_form(spec, obj, design))
    seen_before = page.seen_by_others(spec, obj)
    form = page.edit_form(spec, obj, design, request.POST)
    conflict = None
    if form.is_valid():
        try:
            saved = _save_element(form, design, spec, request.user, element=obj)
        except services.StaleEdit as stale:
            form, conflict = _stale_form(form, stale, element_form_class(spec), instance=stale.current, design=design)
        except Http404:
            # Deleted between the lookup above and the save's lock.
            if request.htmx:
                raise
            return _gone(request, design, step, spec, "Your changes were not saved.")
        else:
            if saved is not None:
                if not request.htmx:
                    messages.success(request, f"{spec.singular.capitalize()} saved.")
                    return redirect(_step_url(design, step, f"row-{spec.key}-{saved.pk}"))
                changed = page.seen_by_others(spec, saved) != seen_before
                return _saved_row_response(request, design, step, spec, pk, others_changed=changed)
    if request.htmx:
        return _edit_row(request, design, step, spec, obj, form, conflict)
    overrides = {"edit_pk": obj.pk, "edit_form": form, "conflict": conflict}
    context = page.step_context(request, design, step, **{f"list:{spec.key}": overrides})
    context["not_saved"] = (spec.singular, f"row-{spec.key}-{obj.pk}")
    return render(request, "designs/step.html", context)


@login_required
@requires("view")
@vary_on_headers("HX-Request")
def element_row(request: HttpRequest, slug: str, step_key: str, element_key: str, pk: int) -> HttpResponse:
    design = get_design(request, slug, "view")
    step, spec = _element_spec(step_key, element_key)
    obj = _get_element(design, spec, pk)
    if not request.htmx:
        return redirect(_step_url(design, step, f"row-{spec.key}-{obj.pk}"))
    context = {"design": design, "step": step, "spec": spec, "obj": obj, "can_edit": page.can_edit(design)}
    context["annotations"] = page.annotations(design)
    return render(request, "designs/step.html#element-row", context)


@login_required
@requires("edit")
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def element_delete(request: HttpRequest, slug: str, step_key: str, element_key: str, pk: int) -> HttpResponse:
    design = get_design(request, slug, "edit")
    step, spec = _element_spec(step_key, element_key)
    obj = (
        _get_element(design, spec, pk)
        if request.method == "GET" or request.htmx
        else _element_or_gone(design, spec, pk)
    )
    if obj is None:
        return _gone(request, design, step, spec, "Nothing was deleted.")
    impact = services.deletion_impact(obj)
    context = {"design": design, "step": step, "spec": spec, "obj": obj, "impact": impact}
    if request.method == "GET":
        if request.htmx:
            return render(request, "designs/step.html#element-delete", context)
        return render(request, "designs/element_delete.html", context)
    try:
        services.element_delete(design=design, element=obj, base_version=_posted_version(request), actor=request.user)
    except services.StaleEdit as stale:
        # Asked again, about the element as it is now: a second click deletes that version.
        context.update(obj=stale.current, impact=services.deletion_impact(stale.current))
        context["stale"] = (
            f"Someone else changed this {spec.singular} while you were deciding (now version "
            f"{stale.current.version}): nothing was deleted. Check it, then delete again."
        )
        if request.htmx:
            response = render(request, "designs/step.html#element-delete", context)
            return reswap(retarget(response, f"#row-{spec.key}-{obj.pk}"), "outerHTML")
        return render(request, "designs/element_delete.html", context)
    except Http404:
        if request.htmx:
            raise
        return _gone(request, design, step, spec, "Nothing was deleted.")
    if not request.htmx:
        count = len(impact.deleted)
        removed = f" and {count} dependent element{'s' if count != 1 else ''}" if count else ""
        messages.success(request, f"{spec.singular.capitalize()} “{obj}” deleted{removed}.")
        return redirect(_step_url(design, step, f"list-{spec.key}"))
    # Lists of this step that lost rows with it are swapped in out of band.
    lost = {type(other) for other in impact.deleted} | {type(other) for other, _ in impact.unlinked}
    touched = [page.element_list(design, other) for other in step.elements if other is not spec and other.model in lost]
    return _element_response(
        request, design, step, spec, "list-response", list=page.element_list(design, spec), touched_lists=touched
    )


# ---------------------------------------------------------------- design document (JSON)

# Room for the multipart framing around the file when judging a request by its length.
MULTIPART_OVERHEAD = 64 * 1024


@login_required
@requires("view")
@require_GET
def design_export_json(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "view")
    response = HttpResponse(export_text(design), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{design.slug}.json")
    return response


def _import_page(
    request: HttpRequest, form: DesignImportForm, error: DocumentError | None = None, status: int = 200
) -> HttpResponse:
    return render(request, "designs/design_import.html", {"form": form, "error": error}, status=status)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@csrf_exempt  # _design_import checks the token once the body is known to be of a sane size
@require_http_methods(["GET", "POST"])
def design_import(request: HttpRequest) -> HttpResponse:
    length = _content_length(request)
    if request.method == "POST" and length > settings.DESIGN_UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD:
        # Refused from its length alone: the body is never parsed or stored.
        return _import_page(request, DesignImportForm(), too_large(length), status=413)
    return _design_import(request)


@csrf_protect
def _design_import(request: HttpRequest) -> HttpResponse:
    form = DesignImportForm(request.POST, request.FILES) if request.method == "POST" else DesignImportForm()
    if not form.is_bound or not form.is_valid():
        return _import_page(request, form)
    upload = form.cleaned_data["file"]
    try:
        check_size(upload.size)
        design = import_design(parse_document(upload.read()), owner=request.user, actor=request.user)
    except DocumentError as exc:
        return _import_page(request, form, exc, status=400)
    messages.success(request, f"Imported “{design.name}”.")
    return redirect(design)


# ---------------------------------------------------------------- team


def _members_page(
    request: HttpRequest,
    design: Design,
    *,
    invite_form: InviteForm | None = None,
    refused: tuple[int, RoleForm, str] | None = None,
    saved: str = "",
) -> HttpResponse:
    """The team, with the owner's forms; `refused` is a member's row whose change was refused (pk, form, error)."""
    can_manage = design.membership.can("manage")  # type: ignore[attr-defined]
    rows = []
    for membership in design.memberships.select_related("user").order_by("user__username", "pk"):
        form, error = RoleForm(initial={"role": membership.role}, prefix=f"member-{membership.pk}"), ""
        if refused and refused[0] == membership.pk:
            _, form, error = refused
        rows.append({"membership": membership, "form": form, "error": error})
    # A refusal about someone no longer listed (removed meanwhile) is shown above the list.
    team_error = refused[2] if refused and all(row["membership"].pk != refused[0] for row in rows) else ""
    context = {
        "team_error": team_error,
        "design": design,
        "nav": page.nav(design),
        "rows": rows,
        "can_manage": can_manage,
        # Who is invited is the owners' business: the identifiers typed may be e-mail addresses.
        "invitations": list(design.invitations.open().order_by("identifier")) if can_manage else [],
        "invite_form": invite_form or InviteForm(prefix="invite"),
        "saved": saved,
    }
    failed = bool(refused) or (invite_form is not None and invite_form.errors)
    if request.htmx:
        # htmx swaps only successful responses: the refusal is shown in the swapped part.
        return render(request, "designs/members.html#team", context)
    return render(request, "designs/members.html", context, status=400 if failed else 200)


def _team_saved(request: HttpRequest, design: Design, text: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, text)
        return redirect("designs:members", design.slug)
    return _members_page(request, design, saved=text)


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Every reader sees the team; owners also invite, change roles and remove."""
    return _members_page(request, get_design(request, slug, "view"))


@login_required
@requires("manage")
@require_POST
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    design = get_design(request, slug, "manage")
    form = InviteForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            invitation = team.invite(
                design, identifier=form.cleaned_data["user"], role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            # The same words whether or not the name or address has an account.
            return _team_saved(request, design, team.INVITED.format(identifier=invitation.identifier))
    return _members_page(request, design, invite_form=form)


@login_required
@requires("manage")
@require_POST
def member_invitation_cancel(request: HttpRequest, slug: str, invitation_pk: int) -> HttpResponse:
    design = get_design(request, slug, "manage")
    try:
        invitation = team.cancel(design, invitation_pk=invitation_pk, actor=request.user)
    except ValidationError as refusal:
        return _members_page(request, design, refused=(0, RoleForm(), " ".join(refusal.messages)))
    return _team_saved(request, design, f"Invitation to “{invitation.identifier}” withdrawn.")


def _left_the_team(request: HttpRequest, design: Design, text: str) -> HttpResponse:
    """The user removed themselves: the design is no longer theirs to see."""
    messages.success(request, text)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("designs:dashboard")
        return response
    return redirect("designs:dashboard")


@login_required
@requires("manage")
@require_POST
def member_role(request: HttpRequest, slug: str, member_pk: int) -> HttpResponse:
    design = get_design(request, slug, "manage")
    form = RoleForm(request.POST, prefix=f"member-{member_pk}")
    error = ""
    if form.is_valid():
        try:
            membership = team.change_role(
                design, member_pk=member_pk, role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
            # The row shows the role the member still has, beside the reason.
            stored = Membership.objects.filter(pk=member_pk, design=design).values_list("role", flat=True).first()
            form = RoleForm(initial={"role": stored}, prefix=f"member-{member_pk}")
        else:
            if membership.user_id == request.user.pk:
                design.membership = membership  # type: ignore[attr-defined]  # the page now shows their new rights
            role = membership.get_role_display().lower()
            return _team_saved(request, design, f"{membership.user.get_username()} is now {role}.")
    else:
        error = " ".join(form.errors.get("role", ["Choose a role."]))
    return _members_page(request, design, refused=(member_pk, form, error))


@login_required
@requires("manage")
@require_POST
def member_remove(request: HttpRequest, slug: str, member_pk: int) -> HttpResponse:
    design = get_design(request, slug, "manage")
    try:
        membership = team.remove(design, member_pk=member_pk, actor=request.user)
    except ValidationError as refusal:
        stored = Membership.objects.filter(pk=member_pk, design=design).values_list("role", flat=True).first()
        form = RoleForm(initial={"role": stored}, prefix=f"member-{member_pk}")
        return _members_page(request, design, refused=(member_pk, form, " ".join(refusal.messages)))
    name = membership.user.get_username()
    if membership.user_id == request.user.pk:
        return _left_the_team(request, design, f"You left “{design.name}”.")
    return _team_saved(request, design, f"{name} removed from the design.")


@login_required
@requires("view")
@never_cache
@vary_on_headers("HX-Request")
@require_GET
def activity(request: HttpRequest, slug: str) -> HttpResponse:
    """Who created, changed or deleted what, newest first; filtered by step (or "design") and by person."""
    design = get_design(request, slug, "view")
    steps = {step.key: step for step in STEPS}
    entries = ActivityEntry.objects.filter(design=design)
    step_key = request.GET.get("step", "")
    if step_key == "design":
        entries = entries.filter(step="")
    elif step_key in steps:
        entries = entries.filter(step=step_key)
    else:
        step_key = ""
    people = list(
        ActivityEntry.objects.filter(design=design)
        .order_by("actor_name")
        .values_list("actor_name", flat=True)
        .distinct()
    )
    person = request.GET.get("user", "")
    if person == "-" or (person and person in people):
        entries = entries.filter(actor_name="" if person == "-" else person)
    else:
        person = ""
    listing = Paginator(entries, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in (("step", step_key), ("user", person)) if value}
    context = {
        "design": design,
        "nav": page.nav(design),
        "page": listing,
        "steps": steps,
        "step_key": step_key,
        "people": [name for name in people if name],
        "someone_else": "" in people,
        "person": person,
        "query": urlencode(query),
    }
    template = "designs/activity.html#activity-list" if request.htmx else "designs/activity.html"
    return render(request, template, context)
