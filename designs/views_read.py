"""Read views: an element shown in full, for every role that can read the design.

A page of its own without JavaScript; for htmx, a row under the element's row, from the
same template's named partial.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from . import presentation as page
from .access import get_design, requires
from .detail import detail_queryset, element_detail
from .steps import ElementSpec, Step, get_step


def _list_or_404(step_key: str, element_key: str) -> tuple[Step, ElementSpec]:
    try:
        step = get_step(step_key)
        return step, step.element(element_key)
    except KeyError:
        raise Http404("No such element list") from None


@login_required
@requires("view")
@vary_on_headers("HX-Request")
@require_GET
def element_detail_view(request: HttpRequest, slug: str, step_key: str, element_key: str, pk: int) -> HttpResponse:
    design = get_design(request, slug, "view")
    step, spec = _list_or_404(step_key, element_key)
    obj = get_object_or_404(detail_queryset(design, spec), pk=pk)
    detail = element_detail(design, step, spec, obj)
    context = {"design": design, "step": step, "spec": spec, "obj": obj, "detail": detail}
    if request.htmx:
        return render(request, "designs/element_detail.html#detail-row", context)
    context["nav"] = page.nav(design)
    return render(request, "designs/element_detail.html", context)
