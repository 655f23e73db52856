"""What a team's review keeps beside a design: comments, notifications, frozen versions and review requests."""

from __future__ import annotations

from .comments import Comment, CommentQuerySet
from .findings import FindingDismissal, RuleSetting
from .notifications import Notification
from .versions import DesignVersion, ReviewAssignment, ReviewDecision, ReviewRequest

__all__ = [
    "Comment",
    "CommentQuerySet",
    "DesignVersion",
    "FindingDismissal",
    "Notification",
    "ReviewAssignment",
    "ReviewDecision",
    "ReviewRequest",
    "RuleSetting",
]
