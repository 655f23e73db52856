"""The write path of comments: threads, replies, edits, deletions, resolving; mentions notify.

A comment is not an edit of the design: it leaves the design's `updated_at` (and so every cached
page of it) alone. It does lock the design row, as every edit does (designs.services.editing), so a
comment on an element and the element's deletion cannot cross: one of them sees the other. Its
markdown is rendered before the lock is taken, never while another editor's save waits for it; the
members it mentions are checked again under the lock, so one removed meanwhile is not told.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts import limits
from designs.models import Design, Membership
from designs.steps import Step, get_step

from .anchors import design_anchors
from .markup import Rendered, render_comment
from .models import Comment, DesignVersion
from .models.comments import BODY_LIMIT
from .models.notifications import Notification
from .notifications import notify


def _members(design: Design) -> dict[str, Any]:
    """The design's members by lower-cased username: who a mention can reach."""
    members = Membership.objects.filter(design=design).select_related("user")
    return {membership.user.username.lower(): membership.user for membership in members}


def _render(design: Design, body: str) -> Rendered:
    """The comment rendered outside any lock, against the members as they are now."""
    return render_comment(body, _members(design))


def _still_members(design: Design, mentioned: list[Any]) -> list[Any]:
    """Of the members a comment mentions, those still members (read under the design's lock)."""
    if not mentioned:
        return []
    current = set(Membership.objects.filter(design=design, user__in=mentioned).values_list("user_id", flat=True))
    return [user for user in mentioned if user.pk in current]


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something: a comment cannot be empty."})
    if len(body) > BODY_LIMIT:
        raise ValidationError({"body": f"A comment holds at most {BODY_LIMIT:,} characters (this has {len(body):,})."})
    return body


def _count_comment(author: Any) -> None:
    """One more comment by `author` this minute (shared by every process), or a refusal next to the body.

    Called inside the comment's transaction: a comment refused for another reason does not count."""
    if not limits.take(f"comments:{author.pk}", limit=settings.COMMENTS_PER_MINUTE, window=timedelta(minutes=1)):
        limit = settings.COMMENTS_PER_MINUTE
        raise ValidationError({"body": f"You can post at most {limit} comments a minute. Wait a moment, then post."})


def _count_mentions(author: Any, people: int) -> None:
    if people and not limits.take(
        f"mentions:{author.pk}", limit=settings.MENTIONS_PER_HOUR, window=timedelta(hours=1), amount=people
    ):
        raise ValidationError(
            {
                "body": f"You can @mention at most {settings.MENTIONS_PER_HOUR} people an hour; this would go past "
                "that. Post it without the @, or later."
            }
        )


def _lock(design: Design) -> Design:
    return Design.objects.select_for_update().get(pk=design.pk)


def _excerpt(body: str, limit: int = 80) -> str:
    line = " ".join(body.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _where(comment: Comment) -> str:
    thread = comment.parent if comment.parent_id else comment
    if thread.element_uid:
        return f"{thread.element_kind} “{thread.element_label}”"
    return f"step “{get_step(thread.step_key).title}”"


def _notify_mentions(comment: Comment, mentioned: list[Any], *, already: set[int] = frozenset()) -> set[int]:
    """Notify each mentioned member but the author (counted against the author's mentions); the ids told."""
    told = set()
    tell = [user for user in mentioned if user.pk != comment.author_id and user.pk not in already]
    _count_mentions(comment.author, len(tell))
    for user in tell:
        text = f"{comment.author} mentioned you on {_where(comment)} in {comment.design.name}: {_excerpt(comment.body)}"
        notify(user, Notification.Kind.MENTION, comment.design, text, comment.get_absolute_url())
        told.add(user.pk)
    return told


def comment_create(
    *, design: Design, author: Any, step: Step, body: str, list_key: str = "", element_uid: uuid.UUID | None = None
) -> Comment:
    """A new thread on the step, or on one of its elements (by uid).

    An element deleted since the page was shown is refused with a message, and nothing is saved.
    """
    body = _clean_body(body)
    rendered = _render(design, body)
    with transaction.atomic():
        _count_comment(author)
        locked = _lock(design)
        values: dict[str, Any] = {}
        if element_uid is not None:
            try:
                spec = step.element(list_key)
            except KeyError:
                raise ValidationError({"element": "There is no such list on this step."}) from None
            element = spec.model.objects.filter(design=locked, uid=element_uid).first()
            if element is None:
                raise ValidationError(
                    {"element": f"This {spec.singular} was deleted meanwhile, so your comment was not saved."}
                )
            anchor = design_anchors(locked).get(element_uid)
            values = {
                "list_key": spec.key,
                "element_uid": element_uid,
                "element_kind": spec.singular,
                "element_label": str(element)[: Comment._meta.get_field("element_label").max_length],
                "element_fingerprint": anchor.fingerprint if anchor else "",
            }
        comment = Comment.objects.create(
            design=locked,
            step_key=step.key,
            author=author,
            body=body,
            body_html=rendered.html,
            after_version=_latest_version(locked),
            **values,
        )
        _notify_mentions(comment, _still_members(locked, rendered.mentioned))
    return comment


def _latest_version(design: Design) -> int | None:
    return DesignVersion.objects.filter(design=design).aggregate(latest=Max("number"))["latest"]


def comment_reply(*, thread: Comment, author: Any, body: str) -> Comment:
    """A reply (one level: a reply to a reply joins the same thread); the thread's author is told."""
    body = _clean_body(body)
    if thread.parent_id:
        thread = thread.parent
    rendered = _render(thread.design, body)
    with transaction.atomic():
        _count_comment(author)
        locked = _lock(thread.design)
        reply = Comment.objects.create(
            design=locked,
            step_key=thread.step_key,
            list_key=thread.list_key,
            element_uid=thread.element_uid,
            element_kind=thread.element_kind,
            element_label=thread.element_label,
            element_fingerprint=thread.element_fingerprint,
            parent=thread,
            author=author,
            body=body,
            body_html=rendered.html,
            after_version=_latest_version(locked),
        )
        told = _notify_mentions(reply, _still_members(locked, rendered.mentioned))
        starter = thread.author
        if starter is not None and starter.pk != author.pk and starter.pk not in told:
            # Only while they can still read the design.
            if Membership.objects.filter(design=locked, user=starter).exists():
                text = f"{author} replied on {_where(reply)} in {locked.name}: {_excerpt(body)}"
                notify(starter, Notification.Kind.REPLY, locked, text, reply.get_absolute_url())
    return reply


def _own(comment: Comment, user: Any) -> None:
    if comment.author_id != user.pk:
        raise PermissionDenied("You can only change your own comments.")
    if comment.is_deleted:
        raise ValidationError({"body": "This comment was deleted."})


def comment_edit(*, comment: Comment, user: Any, body: str) -> Comment:
    """Change your own comment; members newly mentioned are told, those mentioned before are not again."""
    _own(comment, user)
    body = _clean_body(body)
    members = _members(comment.design)
    before = {member.pk for member in render_comment(comment.body, members).mentioned}
    rendered = render_comment(body, members)
    with transaction.atomic():
        locked = _lock(comment.design)
        comment.body, comment.body_html, comment.edited_at = body, rendered.html, timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
        _notify_mentions(comment, _still_members(locked, rendered.mentioned), already=before)
    return comment


def comment_delete(*, comment: Comment, user: Any) -> None:
    """Delete your own comment. A thread with replies stays as "comment deleted" so its replies do."""
    _own(comment, user)
    with transaction.atomic():
        _lock(comment.design)
        if comment.is_thread and comment.replies.exists():
            comment.body, comment.body_html, comment.deleted_at = "", "", timezone.now()
            comment.save(update_fields=["body", "body_html", "deleted_at"])
            return
        thread = comment.parent
        comment.delete()
        # The last reply of a deleted thread gone: nothing is left to keep.
        if thread is not None and thread.is_deleted and not thread.replies.exists():
            thread.delete()


def comment_resolve(*, thread: Comment, user: Any, resolved: bool) -> Comment:
    """Resolve a thread, or reopen it; the caller checked the "comment" permission."""
    if not thread.is_thread:
        raise ValidationError("Only a thread is resolved, not a reply.")
    with transaction.atomic():
        _lock(thread.design)
        thread.refresh_from_db(fields=["resolved_at", "resolved_by"])
        if resolved and thread.resolved_at is None:
            thread.resolved_at, thread.resolved_by = timezone.now(), user
        elif not resolved:
            thread.resolved_at, thread.resolved_by = None, None
        thread.save(update_fields=["resolved_at", "resolved_by"])
    return thread


def step_comments_url(design: Design, step_key: str) -> str:
    return reverse("reviews:step-comments", args=[design.slug, step_key])
