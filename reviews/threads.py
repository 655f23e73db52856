"""Reading comments: the threads of a step or an element, and the open-thread counts pages show."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from designs.models import Design
from designs.presentation import Annotations
from designs.steps import STEPS

from .anchors import Anchor, design_anchors
from .models import Comment


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)
    # "" while its element is as commented, "outdated" once it changed, "element deleted" once gone.
    state: str = ""

    @property
    def pk(self) -> int:
        return self.root.pk

    @property
    def is_resolved(self) -> bool:
        return self.root.is_resolved


@dataclass
class ElementThreads:
    """The threads on one element, under its label as the latest comment on it recorded it."""

    uid: uuid.UUID
    kind: str
    label: str
    threads: list[Thread]
    exists: bool

    @property
    def open_count(self) -> int:
        return sum(not thread.is_resolved for thread in self.threads)


def _threads(comments: list[Comment], anchors: dict[uuid.UUID, Anchor]) -> list[Thread]:
    roots: dict[int, Thread] = {}
    replies: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            roots[comment.pk] = Thread(comment, state=comment.element_state(anchors))
        else:
            replies[comment.parent_id].append(comment)
    for pk, thread in roots.items():
        thread.replies = replies.get(pk, [])
    # Open threads first, each group oldest first.
    return sorted(roots.values(), key=lambda t: (t.is_resolved, t.root.created_at, t.root.pk))


def _comments(design: Design, step_key: str, element_uid: uuid.UUID | None = None) -> list[Comment]:
    """Every comment of the step (or of one element of it) in one query."""
    comments = Comment.objects.filter(design=design, step_key=step_key)
    if element_uid is not None:
        comments = comments.filter(element_uid=element_uid)
    return list(comments.select_related("author", "resolved_by", "design"))


def step_threads(design: Design, step_key: str) -> tuple[list[Thread], list[ElementThreads]]:
    """The threads on the step itself, then those on each of its elements (in order of their first thread)."""
    anchors = design_anchors(design)
    comments = _comments(design, step_key)
    on_step = _threads([c for c in comments if c.element_uid is None], anchors)
    by_element: dict[uuid.UUID, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.element_uid is not None:
            by_element[comment.element_uid].append(comment)
    elements = []
    for uid, of_element in by_element.items():
        latest = of_element[-1]
        elements.append(
            ElementThreads(
                uid, latest.element_kind, latest.element_label, _threads(of_element, anchors), uid in anchors
            )
        )
    return on_step, elements


def element_threads(design: Design, step_key: str, uid: uuid.UUID) -> list[Thread]:
    return _threads(_comments(design, step_key, uid), design_anchors(design))


def thread_of(comment: Comment) -> Thread | None:
    """The whole thread a comment belongs to, fresh from the database; None once it is gone."""
    root_pk = comment.parent_id or comment.pk
    comments = Comment.objects.filter(Q(pk=root_pk) | Q(parent_id=root_pk), design_id=comment.design_id)
    threads = _threads(list(comments.select_related("author", "resolved_by", "design")), design_anchors(comment.design))
    return threads[0] if threads else None


def comment_annotations(design: Design) -> Annotations:
    """Open threads per step and per element uid, in one query: what the navigation and the rows show."""
    counts: dict[str, dict[uuid.UUID | None, int]] = defaultdict(dict)
    rows = Comment.objects.open().filter(design=design).values_list("step_key", "element_uid").annotate(n=Count("id"))
    for step_key, uid, n in rows.order_by():
        counts[step_key][uid] = n
    urls = {step.key: reverse("reviews:step-comments", args=[design.slug, step.key]) for step in STEPS}
    return Annotations(counts=dict(counts), step_urls=urls)
