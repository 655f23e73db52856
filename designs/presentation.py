"""What the step pages show: navigation, element lists, forms and panels, built for the templates.

Views decide what happens to a request; this module assembles what a page or a
partial of `designs/step.html` needs, so the same context serves the whole page
and each htmx fragment.
"""

from __future__ import annotations

import hashlib
import operator
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import Any
from urllib.parse import urlsplit

from django.db import models as dj
from django.db.models import Count, Q, Window
from django.http import HttpRequest, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from . import services
from .caching import cached_by_state, design_state
from .capacity import (
    FACTOR_CHOICES,
    GROWTH_FACTOR,
    BadFactor,
    CapacityReport,
    WhatIf,
    capacity_report,
    number_text,
    parse_factor,
    what_if,
)
from .completeness import StepProgress
from .forms import element_form_class, section_form_class
from .models import Design
from .steps import EVERY_STEP_PANELS, OVERVIEW_PANELS, STEPS, ElementSpec, SectionSpec, Step, neighbours, spec_for

# A long list shows one page of rows and loads the next on demand; rendering thousands of rows
# was most of a large step page's time (and of its 2 MB).
ROWS_PER_PAGE = 50
# Longest filter text taken from a request; a filter is a few words.
FILTER_LIMIT = 100


@dataclass
class ElementList:
    """What the template needs to render one element list of a step: one page of its rows."""

    spec: ElementSpec
    rows: list[Any]
    add_form: Any
    edit_pk: int | None = None
    edit_form: Any = None
    conflict: list[tuple[str, str]] | None = None
    # The add form stays unfolded after an error, and after an add so the next row can follow.
    add_open: bool = False
    # Elements in the list, and of those, the ones matching `query` (all of them without one).
    total: int = 0
    matching: int = 0
    page: int = 1
    query: str = ""

    @property
    def first_row(self) -> int:
        return (self.page - 1) * ROWS_PER_PAGE + 1

    @property
    def last_row(self) -> int:
        return min(self.page * ROWS_PER_PAGE, self.matching)

    @property
    def has_more(self) -> bool:
        return self.page * ROWS_PER_PAGE < self.matching

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def next_count(self) -> int:
        return min(ROWS_PER_PAGE, self.matching - self.page * ROWS_PER_PAGE)

    @property
    def filterable(self) -> bool:
        """A filter box only where a list is long enough to need one (or one is in use)."""
        return self.total > ROWS_PER_PAGE or bool(self.query)


@dataclass(frozen=True)
class NavItem:
    """A step in the navigation with its stored progress."""

    step: Step
    progress: StepProgress
    # Open comment threads on the step (see Annotations); 0 when no app keeps any.
    open_threads: int = 0

    @property
    def met(self) -> int:
        return self.progress.met

    @property
    def total(self) -> int:
        return self.progress.total

    @property
    def missing(self) -> tuple[str, ...]:
        return self.progress.missing

    @property
    def percent(self) -> int:
        return self.progress.percent

    @property
    def state(self) -> str:
        return self.progress.state


def nav(design: Design, notes: Annotations | None = None) -> list[NavItem]:
    """The steps with their progress and open threads; `notes` when the caller already has them."""
    notes = notes if notes is not None else annotations(design)
    return [
        NavItem(
            step,
            StepProgress.from_stored(design.completeness.get(step.key)),
            notes.step_count(step.key) if notes else 0,
        )
        for step in STEPS
    ]


# ---------------------------------------------------------------- annotations


@dataclass(frozen=True)
class Annotations:
    """What another app keeps about a design's steps and elements, counted beside them: open comment
    threads, per step in the navigation and per element (by uid) in its row.

    `counts[step key][uid]` is the count for one element of the step, `counts[step key][None]` the
    count on the step itself. A step's threads are read at `step_urls[step key]`, an element's at that
    address followed by `<uid>/`, so a list of thousands of rows reverses no URL per row.
    """

    counts: Mapping[str, Mapping[uuid.UUID | None, int]] = field(default_factory=dict)
    step_urls: Mapping[str, str] = field(default_factory=dict)

    def step_count(self, step_key: str) -> int:
        return sum(self.counts.get(step_key, {}).values())

    def element_count(self, step_key: str, uid: uuid.UUID) -> int:
        return self.counts.get(step_key, {}).get(uid, 0)

    def element_url(self, step_key: str, uid: uuid.UUID) -> str:
        return f"{self.step_urls[step_key]}{uid}/"

    def stamp(self, step_key: str) -> str:
        """What a cached step body shows of these: it is rendered again exactly when this changes."""
        shown = sorted((str(uid), n) for uid, n in self.counts.get(step_key, {}).items() if uid is not None)
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


# Reads a design's annotations in one or two queries. The reviews app registers its comment
# counts with register_annotations() from its AppConfig.ready(), so the domain never imports it.
_ANNOTATIONS: list[Callable[[Design], Annotations]] = []


def register_annotations(provider: Callable[[Design], Annotations]) -> None:
    _ANNOTATIONS[:] = [provider]


def annotations(design: Design) -> Annotations | None:
    return _ANNOTATIONS[0](design) if _ANNOTATIONS else None


# ---------------------------------------------------------------- panels


@dataclass(frozen=True)
class Panel:
    """Something a step shows above its forms, declared by name in the registry (`Step.panels`).

    `build` makes the template's data from the design. Panels are redrawn out of band
    after every save on their step, since any element may change what they show.
    """

    name: str
    template: str
    build: Callable[..., Any]
    # GET parameters the panel reads, e.g. capacity's `?factor=`: `build(design, **those given)`.
    # A page asked for one is drawn afresh, not from the step page cache.
    parameters: tuple[str, ...] = ()


# Panel name -> how to draw it. Apps that read whole designs (diagrams, checks) add theirs with
# register_panel() from their AppConfig.ready(), so the domain never imports them.
PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    PANELS[panel.name] = panel


@dataclass(frozen=True)
class CapacityPanel:
    """Step 7's capacity card: today's figures, and a what-if at the factor asked for."""

    report: CapacityReport
    what_if: WhatIf
    # What was typed (kept in the field when refused), and why it was refused.
    factor_text: str = ""
    error: str = ""
    choices: tuple[int, ...] = FACTOR_CHOICES

    @property
    def load(self) -> Any:
        return self.report.load

    @property
    def missing(self) -> tuple[str, ...]:
        return self.report.missing

    @property
    def components(self) -> tuple[Any, ...]:
        return self.what_if.components

    @property
    def factor(self) -> Decimal:
        return self.what_if.factor

    @property
    def factor_label(self) -> str:
        return number_text(self.what_if.factor)

    @property
    def custom(self) -> bool:
        return self.error != "" or self.what_if.factor not in FACTOR_CHOICES


def capacity_panel(design: Design, factor: str | None = None) -> CapacityPanel:
    """The capacity card at `factor` times today's load (10× unless asked); a bad factor is shown
    next to the field, with the figures at 10×."""
    report = capacity_report(design)
    error = ""
    scale = Decimal(GROWTH_FACTOR)
    if factor is not None:
        try:
            scale = parse_factor(factor)
        except BadFactor as refused:
            error = str(refused)
    return CapacityPanel(report, what_if(report, scale), factor_text=(factor or "")[:20], error=error)


register_panel(Panel("capacity", "designs/_capacity.html", capacity_panel, parameters=("factor",)))


@dataclass(frozen=True)
class ShownPanel:
    panel: Panel
    data: Any


def panels(design: Design, step: Step, params: Mapping[str, str] | None = None) -> list[ShownPanel]:
    return _shown(design, step.panels + EVERY_STEP_PANELS, params)


def overview_panels(design: Design) -> list[ShownPanel]:
    return _shown(design, OVERVIEW_PANELS)


def panel_params(step: Step, query: Mapping[str, str]) -> dict[str, str]:
    """The GET parameters of a request that the step's panels read."""
    wanted = {p for name in step.panels + EVERY_STEP_PANELS if name in PANELS for p in PANELS[name].parameters}
    return {p: query[p] for p in sorted(wanted) if p in query}


def current_panel_params(request: HttpRequest, step: Step) -> dict[str, str]:
    """The panel parameters of the page an htmx request comes from (its `HX-Current-URL`), so a save
    redraws the capacity card at the what-if factor the user was looking at, not the default."""
    current = request.headers.get("HX-Current-URL", "")
    return panel_params(step, QueryDict(urlsplit(current).query)) if current else {}


def shown_panel(design: Design, name: str, params: Mapping[str, str] | None = None) -> ShownPanel:
    panel = PANELS[name]
    given = {p: params[p] for p in panel.parameters if params and p in params}
    return ShownPanel(panel, panel.build(design, **given))


def asked_panels(design: Design, step: Step, query: Mapping[str, str]) -> list[ShownPanel]:
    """The step's panels that read a parameter the request gives, drawn with it."""
    asked = panel_params(step, query)
    return [
        shown_panel(design, name, asked)
        for name in step.panels + EVERY_STEP_PANELS
        if name in PANELS and any(p in asked for p in PANELS[name].parameters)
    ]


def _shown(design: Design, names: tuple[str, ...], params: Mapping[str, str] | None = None) -> list[ShownPanel]:
    return [shown_panel(design, name, params) for name in names if name in PANELS]


# ---------------------------------------------------------------- lists and forms


def _filter(spec: ElementSpec, query: str) -> Q:
    """Rows whose text, or the name of an element they show, contains every word of `query`."""
    lookups = []
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        if isinstance(field, dj.CharField | dj.TextField) and not field.choices:
            lookups.append(f"{name}__icontains")
        elif field.is_relation and name in spec.row_columns:
            for label in ("name", "code", "path"):
                if any(f.name == label for f in field.related_model._meta.fields):
                    lookups.append(f"{name}__{label}__icontains")
    condition = Q()
    for word in query.split():
        condition &= reduce(operator.or_, (Q(**{lookup: word}) for lookup in lookups), Q(pk__in=[]))
    return condition


def element_list(
    design: Design, spec: ElementSpec, *, page: int = 1, query: str = "", include: Any = None, **overrides: Any
) -> ElementList:
    """One page of a list's rows (filtered by `query`), with its add form; `include` is an element to show
    even when it falls on another page, such as the one just added or opened for editing."""
    form_class = element_form_class(spec)
    add_form = overrides.pop("add_form", None) or form_class(design=design, prefix=f"new-{spec.key}")
    everything = spec.queryset(design)
    shown = everything.filter(_filter(spec, query)) if query else everything
    start = (page - 1) * ROWS_PER_PAGE
    # The count comes with the page, from a window over the whole filtered list: no second query.
    rows = list(shown.annotate(_matching=Window(Count("pk")))[start : start + ROWS_PER_PAGE])
    matching = rows[0]._matching if rows else (shown.count() if page > 1 else 0)
    total = everything.count() if query else matching
    if include is not None and all(row.pk != include.pk for row in rows):
        rows += [row for row in everything.filter(pk=include.pk)]
    return ElementList(
        spec=spec, rows=rows, add_form=add_form, total=total, matching=matching, page=page, query=query, **overrides
    )


def list_request(request: HttpRequest, spec: ElementSpec) -> dict[str, Any]:
    """The page and filter a request asks of this list: `?list=<key>&page=2&q=…` on a step page."""
    if request.GET.get("list", spec.key) != spec.key:
        return {}
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    return {"page": page, "query": " ".join(request.GET.get("q", "").split())[:FILTER_LIMIT]}


def section_form(design: Design, spec: SectionSpec, data: Any = None) -> Any:
    instance = services.section_instance(design, spec.model)
    return section_form_class(spec)(data, instance=instance, design=design, prefix=spec.key)


def edit_form(spec: ElementSpec, obj: Any, design: Design, data: Any = None) -> Any:
    # Several rows may be open for editing at once; prefixes keep their ids apart.
    form = element_form_class(spec)(data, instance=obj, design=design, prefix=f"edit-{spec.key}-{obj.pk}")
    # The row just opened takes the keyboard focus (htmx honours autofocus in swapped content).
    first = next(iter(form.visible_fields()), None)
    if first is not None:
        first.field.widget.attrs["autofocus"] = True
    return form


# Stands in for the CSRF token in a cached page body, which other users' pages reuse: each response
# puts its own token in its place.
CSRF_PLACEHOLDER = "csrf-token-of-this-response"
CONTENT_CACHE_SECONDS = 24 * 60 * 60


def rendered_content(
    request: HttpRequest,
    design: Design,
    step: Step,
    editable: bool,
    parts: Callable[[], dict[str, Any]],
    notes: Annotations | None = None,
) -> SafeString:
    """The body of a step page as it shows before anyone interacts, cached per design state.

    Rendering rows, forms and guidance is nearly all of a step page's time, and a page is read far
    more often than edited. Every edit moves the design's `updated_at` (services.editing), so the
    key names one state of the design exactly; what differs between readers is only whether they
    may edit (in the key) and the CSRF token (put in per response). `parts` builds the sections,
    lists and panels, on a miss only. The rows show each element's open threads, which change
    without an edit of the design: their `stamp` is in the key too.
    """

    def render() -> str:
        context = {
            "design": design,
            "step": step,
            "can_edit": editable,
            "conflict": None,
            "csrf_token": CSRF_PLACEHOLDER,
            "annotations": notes,
            **parts(),
        }
        return render_to_string("designs/step.html#step-content", context)

    stamp = notes.stamp(step.key) if notes is not None else ""
    html = cached_by_state(
        "step-content",
        design_state(design),
        step.key,
        int(editable),
        stamp,
        build=render,
        timeout=CONTENT_CACHE_SECONDS,
    )
    # Rendered by the template engine with autoescaping: the cached text is as safe as the page.
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


def can_edit(design: Design) -> bool:
    return design.membership.can("edit") and not design.is_archived  # type: ignore[attr-defined]


def step_context(request: HttpRequest, design: Design, step: Step, **bound: Any) -> dict[str, Any]:
    """Context of a whole step page; `bound` replaces one form with a bound one."""
    editable = can_edit(design)
    # `?edit=list:pk` opens a row for editing without JavaScript, for those who may edit.
    edit_param = request.GET.get("edit", "") if editable else ""
    overrides: dict[str, dict[str, Any]] = {}
    for spec in step.elements:
        wanted = dict(bound.get(f"list:{spec.key}", {}))
        if not wanted and edit_param.startswith(f"{spec.key}:"):
            pk = edit_param.split(":", 1)[1]
            # A row deleted since the link was made just isn't opened.
            obj = spec.model.objects.filter(pk=pk, design=design).first() if pk.isdigit() else None
            if obj is not None:
                wanted = {"edit_pk": obj.pk, "edit_form": edit_form(spec, obj, design)}
        if "edit_pk" in wanted:
            wanted["include"] = spec.model(pk=wanted["edit_pk"])
        if "list" in request.GET:
            wanted |= list_request(request, spec)
        if wanted:
            overrides[spec.key] = wanted

    def parts() -> dict[str, Any]:
        return {
            "sections": [
                {"spec": spec, "form": bound.get(f"section:{spec.key}") or section_form(design, spec)}
                for spec in step.sections
            ],
            "lists": [element_list(design, spec, **overrides.get(spec.key, {})) for spec in step.elements],
            "panels": panels(design, step, asked),
        }

    # `?factor=` and the like: a panel drawn for this request, so the cached body won't do.
    asked = panel_params(step, request.GET)
    interacted = bool(overrides) or bool(asked) or any(key.startswith("section:") for key in bound)
    previous, following = neighbours(step)
    notes = annotations(design)
    return {
        "design": design,
        "step": step,
        "nav": nav(design, notes),
        "annotations": notes,
        **(
            parts()
            if interacted
            else {"cached_content": rendered_content(request, design, step, editable, parts, notes)}
        ),
        "previous": previous,
        "next": following,
        "conflict": bound.get("conflict"),
        "can_edit": editable,
    }


def points_at(spec: ElementSpec, model: type) -> bool:
    """Whether the elements of this list refer to elements of `model`."""
    return any(f.is_relation and f.related_model is model and f.name != "design" for f in spec.model._meta.fields)


def dependent_add_forms(
    design: Design, step: Step, changed: ElementSpec, skip: tuple[ElementSpec, ...] = ()
) -> list[ElementList]:
    """Lists of this step whose add form offers the changed element type as a choice."""
    stale = []
    for spec in step.elements:
        if spec is changed or spec in skip:
            continue
        if points_at(spec, changed.model):
            stale.append(
                ElementList(
                    spec=spec, rows=[], add_form=element_form_class(spec)(design=design, prefix=f"new-{spec.key}")
                )
            )
    return stale


def touched_lists(design: Design, step: Step, spec: ElementSpec) -> list[ElementList]:
    """Every other list of the step that shows elements of `spec` by name (a renamed table heads its columns)."""
    return [
        element_list(design, other) for other in step.elements if other is not spec and points_at(other, spec.model)
    ]


def seen_by_others(spec: ElementSpec, obj: Any) -> tuple[Any, ...]:
    """What other lists show of an element, or choose by: its label and every value that is not free
    text (a kind decides where a component may be chosen). An edit that leaves this alone, such as a
    new responsibility, needs no other list redrawn."""
    values = [str(obj)]
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        if field.choices or not isinstance(field, dj.CharField | dj.TextField):
            values.append(getattr(obj, field.attname))
    return tuple(values)


def element_response_context(
    design: Design,
    step: Step,
    spec: ElementSpec,
    *,
    others_changed: bool = True,
    panel_query: Mapping[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Context of an htmx answer to a save or delete: the changed part and what to redraw out of band.

    `others_changed=False`: the edit changed nothing other lists show, so only the row and the
    navigation go back."""
    design.refresh_from_db(fields=["completeness", "overall_completeness", "updated_at"])
    if not others_changed:
        extra["touched_lists"] = []
    notes = annotations(design)
    return {
        "design": design,
        "step": step,
        "spec": spec,
        "nav": nav(design, notes),
        "annotations": notes,
        "oob_nav": True,
        "can_edit": True,
        "panels": panels(design, step, panel_query),
        # A list re-rendered whole brings its own fresh add form.
        "dependent_lists": dependent_add_forms(
            design, step, spec, skip=tuple(touched.spec for touched in extra.get("touched_lists", ()))
        )
        if others_changed
        else [],
        **extra,
    }


@dataclass(frozen=True)
class UnmetCriterion:
    """A criterion a step does not meet yet, with the elements that keep it unmet (linked to their rows)."""

    step: Step
    label: str
    # (name, address of its row on the step page)
    elements: tuple[tuple[str, str], ...] = ()
    more: int = 0


# Named elements per criterion; past this, the list says how many more.
UNMET_NAMED = 25


def unmet_criteria(design: Design) -> list[UnmetCriterion]:
    """Every unmet criterion of every step, each naming its failing elements (one query per such criterion)."""
    progress = {item.step.key: item for item in nav(design, notes=Annotations())}
    found = []
    for step in STEPS:
        missing = set(progress[step.key].missing)
        for rule in step.rule.rules:
            if rule.label not in missing:
                continue
            if rule.failing is None:
                found.append(UnmetCriterion(step, rule.label))
                continue
            model, condition = rule.failing
            spec = spec_for(model)
            rows = list(
                model.objects.filter(condition, design=design)
                .select_related(*model.label_related)
                .order_by("position", "pk")[: UNMET_NAMED + 1]
            )
            page = reverse("designs:step", args=[design.slug, spec.step.key])
            named = tuple((str(row), f"{page}?list={spec.key}#row-{spec.key}-{row.pk}") for row in rows[:UNMET_NAMED])
            more = model.objects.filter(condition, design=design).count() - len(named) if len(rows) > UNMET_NAMED else 0
            found.append(UnmetCriterion(step, rule.label, named, more))
    return found
