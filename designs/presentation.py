"""What the step pages show: navigation, element lists, forms and panels, built for the templates.

Views decide what happens to a request; this module assembles what a page or a
partial of `designs/step.html` needs, so the same context serves the whole page
and each htmx fragment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from . import services
from .capacity import capacity_report
from .completeness import StepProgress
from .forms import element_form_class, section_form_class
from .models import Design
from .steps import STEPS, ElementSpec, SectionSpec, Step, neighbours


@dataclass
class ElementList:
    """What the template needs to render one element list of a step."""

    spec: ElementSpec
    rows: list[Any]
    add_form: Any
    edit_pk: int | None = None
    edit_form: Any = None
    conflict: list[tuple[str, str]] | None = None
    # The add form stays unfolded after an error, and after an add so the next row can follow.
    add_open: bool = False


@dataclass(frozen=True)
class NavItem:
    """A step in the navigation with its stored progress."""

    step: Step
    progress: StepProgress

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


def nav(design: Design) -> list[NavItem]:
    return [NavItem(step, StepProgress.from_stored(design.completeness.get(step.key))) for step in STEPS]


# ---------------------------------------------------------------- panels


@dataclass(frozen=True)
class Panel:
    """Something a step shows above its forms, declared by name in the registry (`Step.panels`).

    `build` makes the template's data from the design. Panels are redrawn out of band
    after every save on their step, since any element may change what they show.
    """

    name: str
    template: str
    build: Callable[[Design], Any]


# Panel name -> how to draw it. Apps that read whole designs (diagrams, checks) add theirs with
# register_panel() from their AppConfig.ready(), so the domain never imports them.
PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    PANELS[panel.name] = panel


register_panel(Panel("capacity", "designs/_capacity.html", capacity_report))


@dataclass(frozen=True)
class ShownPanel:
    panel: Panel
    data: Any


def panels(design: Design, step: Step) -> list[ShownPanel]:
    return [ShownPanel(PANELS[name], PANELS[name].build(design)) for name in step.panels if name in PANELS]


# ---------------------------------------------------------------- lists and forms


def element_list(design: Design, spec: ElementSpec, **overrides: Any) -> ElementList:
    form_class = element_form_class(spec)
    add_form = overrides.pop("add_form", None) or form_class(design=design, prefix=f"new-{spec.key}")
    return ElementList(spec=spec, rows=list(spec.queryset(design)), add_form=add_form, **overrides)


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


def can_edit(design: Design) -> bool:
    return design.membership.can("edit") and not design.is_archived  # type: ignore[attr-defined]


def step_context(request: HttpRequest, design: Design, step: Step, **bound: Any) -> dict[str, Any]:
    """Context of a whole step page; `bound` replaces one form with a bound one."""
    editable = can_edit(design)
    # `?edit=list:pk` opens a row for editing without JavaScript, for those who may edit.
    edit_param = request.GET.get("edit", "") if editable else ""
    lists = []
    for spec in step.elements:
        overrides = dict(bound.get(f"list:{spec.key}", {}))
        if not overrides and edit_param.startswith(f"{spec.key}:"):
            pk = edit_param.split(":", 1)[1]
            # A row deleted since the link was made just isn't opened.
            obj = spec.model.objects.filter(pk=pk, design=design).first() if pk.isdigit() else None
            if obj is not None:
                overrides = {"edit_pk": obj.pk, "edit_form": edit_form(spec, obj, design)}
        lists.append(element_list(design, spec, **overrides))
    sections = [
        {"spec": spec, "form": bound.get(f"section:{spec.key}") or section_form(design, spec)} for spec in step.sections
    ]
    previous, following = neighbours(step)
    return {
        "design": design,
        "step": step,
        "nav": nav(design),
        "sections": sections,
        "lists": lists,
        "previous": previous,
        "next": following,
        "conflict": bound.get("conflict"),
        "can_edit": editable,
        "panels": panels(design, step),
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


def element_response_context(design: Design, step: Step, spec: ElementSpec, **extra: Any) -> dict[str, Any]:
    """Context of an htmx answer to a save or delete: the changed part and what to redraw out of band."""
    design.refresh_from_db(fields=["completeness", "overall_completeness", "updated_at"])
    return {
        "design": design,
        "step": step,
        "spec": spec,
        "nav": nav(design),
        "oob_nav": True,
        "can_edit": True,
        "panels": panels(design, step),
        # A list re-rendered whole brings its own fresh add form.
        "dependent_lists": dependent_add_forms(
            design, step, spec, skip=tuple(touched.spec for touched in extra.get("touched_lists", ()))
        ),
        **extra,
    }
