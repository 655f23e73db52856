"""What a team's review keeps beside a design: comments on its steps and elements, notifications."""

from __future__ import annotations

from .comments import Comment, CommentQuerySet
from .notifications import Notification

__all__ = ["Comment", "CommentQuerySet", "Notification"]
