"""Comment and notification views: thin — access check, form, service, response.

Every comment view renders from reviews/comments.html: htmx requests get a named partial (the
threads, one thread, one comment's edit form), plain ones the whole page or a redirect.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from designs import presentation as page
from designs.access import get_design, requires
from designs.models import Design
from designs.steps import Step, get_step

from . import notifications as notes
from . import services
from .anchors import design_anchors
from .forms import CommentForm
from .models import Comment, Notification
from .threads import element_threads, step_threads, thread_of

NOTIFICATIONS_PAGE_SIZE = 50


def _step(key: str) -> Step:
    try:
        return get_step(key)
    except KeyError:
        raise Http404("No such step") from None


def _refused(form: CommentForm, error: ValidationError) -> None:
    for name, texts in error.message_dict.items():
        form.add_error(name if name in form.fields else None, texts)


def _status(request: HttpRequest, status: int) -> int:
    """htmx swaps only a 2xx answer: a form sent back with its messages is a 200 to it."""
    return 200 if request.htmx else status


def _can_comment(design: Design) -> bool:
    return design.membership.can("comment") and not design.is_archived  # type: ignore[attr-defined]


def _design_to_comment(request: HttpRequest, slug: str) -> Design:
    design = get_design(request, slug, "comment")
    if design.is_archived:
        raise PermissionDenied("This design is archived; restore it to comment.")
    return design


def _base_context(design: Design, step: Step) -> dict[str, Any]:
    notes_ = page.annotations(design)
    return {"design": design, "step": step, "nav": page.nav(design, notes_), "can_comment": _can_comment(design)}


def _element(design: Design, step: Step, uid: uuid.UUID) -> tuple[str, Any]:
    """(list key, element) of the element with this uid on this step; element None once deleted."""
    anchor = design_anchors(design).get(uid)
    if anchor is None or anchor.step_key != step.key:
        return "", None
    spec = step.element(anchor.list_key)
    return spec.key, spec.queryset(design).filter(uid=uid).first()


@login_required
@requires("view", post="comment")
@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def step_comments(request: HttpRequest, slug: str, step_key: str) -> HttpResponse:
    """The threads of a step (on the step and on each element); a POST starts a thread on the step."""
    design = _design_to_comment(request, slug) if request.method == "POST" else get_design(request, slug, "view")
    step = _step(step_key)
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_create(
                design=design, author=request.user, step=step, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _refused(form, error)
            status = 400
        else:
            if not request.htmx:
                messages.success(request, "Comment added.")
                return redirect(comment)
            form = CommentForm()
    on_step, on_elements = step_threads(design, step.key)
    context = {**_base_context(design, step), "form": form, "threads": on_step, "element_groups": on_elements}
    template = "reviews/comments.html"
    if request.htmx:
        # After a post the navigation's count changes too.
        template += "#threads-response" if request.method == "POST" else "#threads"
    return render(request, template, context, status=_status(request, status))


@login_required
@requires("view", post="comment")
@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def element_comments(request: HttpRequest, slug: str, step_key: str, uid: uuid.UUID) -> HttpResponse:
    """The threads on one element; a POST starts one. Threads outlive their element: shown as "element deleted"."""
    design = _design_to_comment(request, slug) if request.method == "POST" else get_design(request, slug, "view")
    step = _step(step_key)
    list_key, element = _element(design, step, uid)
    threads = element_threads(design, step.key, uid)
    # Gone already: the kept threads, or the form that was shown, still say which list it was in.
    list_key = list_key or (threads[-1].root.list_key if threads else request.POST.get("list", ""))
    if element is None and not threads and request.method == "GET":
        raise Http404("No such element")
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_create(
                design=design,
                author=request.user,
                step=step,
                body=form.cleaned_data["body"],
                list_key=list_key,
                element_uid=uid,
            )
        except ValidationError as error:
            _refused(form, error)
            status = 409 if "element" in error.message_dict else 400
        else:
            if not request.htmx:
                messages.success(request, "Comment added.")
                return redirect(comment)
            form = CommentForm()
            threads = element_threads(design, step.key, uid)
    latest = threads[-1].root if threads else None
    context = {
        **_base_context(design, step),
        "form": form,
        "threads": threads,
        "element": element,
        "element_uid": uid,
        "element_kind": latest.element_kind if latest else _singular(step, list_key),
        "list_key": list_key,
        "element_label": str(element) if element else (latest.element_label if latest else ""),
        "row_anchor": f"row-{list_key}-{element.pk}" if element else "",
    }
    template = "reviews/comments.html"
    if request.htmx:
        # After a post the navigation's count changes too.
        template += "#threads-response" if request.method == "POST" else "#threads"
    return render(request, template, context, status=_status(request, status))


def _singular(step: Step, list_key: str) -> str:
    try:
        return step.element(list_key).singular
    except KeyError:
        return "element"


def _comment(design: Design, pk: int) -> Comment:
    return get_object_or_404(Comment.objects.select_related("design", "parent", "author"), pk=pk, design=design)


def _thread_response(request: HttpRequest, design: Design, comment: Comment, message: str) -> HttpResponse:
    """After a change to a thread: the thread again for htmx (nothing once it is gone), else back to it."""
    thread = thread_of(comment)
    if not request.htmx:
        messages.success(request, message)
        if thread is None:
            return redirect("reviews:step-comments", design.slug, comment.step_key)
        return redirect(thread.root)
    # The thread again (nothing once it is gone), and the navigation with its open count.
    context = {**_base_context(design, _step(comment.step_key)), "thread": thread}
    return render(request, "reviews/comments.html#thread-response", context)


@login_required
@requires("comment")
@require_POST
def comment_reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    design = _design_to_comment(request, slug)
    thread = _comment(design, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            reply = services.comment_reply(thread=thread, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _refused(form, error)
        else:
            return _thread_response(request, design, reply, "Reply added.")
    context = {**_base_context(design, _step(thread.step_key)), "thread": thread_of(thread), "reply_form": form}
    if request.htmx:
        return render(request, "reviews/comments.html#thread-response", context)
    return render(request, "reviews/comment_form.html", {**context, "form": form, "replying": True}, status=400)


@login_required
@requires("comment")
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    design = _design_to_comment(request, slug)
    comment = _comment(design, pk)
    if comment.author_id != request.user.pk:
        # Before showing a form, not only on saving it (the service refuses it too).
        raise PermissionDenied("You can only change your own comments.")
    if comment.is_deleted:
        raise Http404("This comment was deleted.")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _refused(form, error)
            status = 400
        else:
            return _thread_response(request, design, comment, "Comment saved.")
    context = {**_base_context(design, _step(comment.step_key)), "comment": comment, "form": form}
    template = "reviews/comments.html#comment-edit" if request.htmx else "reviews/comment_form.html"
    return render(request, template, context, status=_status(request, status))


@login_required
@requires("comment")
@require_POST
def comment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    design = _design_to_comment(request, slug)
    comment = _comment(design, pk)
    services.comment_delete(comment=comment, user=request.user)
    return _thread_response(request, design, comment, "Comment deleted.")


@login_required
@requires("comment")
@require_POST
def comment_resolve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    design = _design_to_comment(request, slug)
    thread = _comment(design, pk)
    resolved = request.POST.get("resolved", "1") == "1"
    try:
        services.comment_resolve(thread=thread, user=request.user, resolved=resolved)
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400, content_type="text/plain; charset=utf-8")
    return _thread_response(request, design, thread, "Thread resolved." if resolved else "Thread reopened.")


# ---------------------------------------------------------------- notifications


@login_required
@never_cache
@vary_on_headers("HX-Request")
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user).select_related("design")
    listing = Paginator(mine, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "reviews/notifications.html"
    if request.htmx:
        template += "#notification-list"
    return render(request, template, {"page": listing})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("reviews:notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notes.mark_read(request.user, [notification.pk])
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "reviews/notifications.html#notification", {"notification": notification})
    return _back(request)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notes.mark_read(request.user)
    if not request.htmx:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return _back(request) if not request.htmx else notification_list(request)
