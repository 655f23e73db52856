from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from .models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the top bar: one query, and only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache  # the template may read it twice
    def unread() -> int:
        return Notification.objects.filter(user=user).unread().count()

    return {"unread_notifications": unread}
