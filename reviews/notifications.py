"""Telling people: an in-app notification, and an e-mail through Django's e-mail framework.

Review requests and decisions call `notify` as comments do. The e-mail goes once the transaction
that made the notification commits (a rolled-back comment mails nobody), through whatever
EMAIL_BACKEND is configured (the console by default); a mail server that fails is logged, and the
notification stays in the app.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from designs.models import Design

from .models import Notification

logger = logging.getLogger(__name__)

TEXT_LIMIT = 500


def notify(user: Any, kind: str, design: Design | None, text: str, url: str) -> Notification:
    """Tell `user` about something at `url` (a path of this site): kind is a Notification.Kind."""
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        design=design,
        text=text[:TEXT_LIMIT],
        url=url[: Notification._meta.get_field("url").max_length],
    )
    if user.email:
        transaction.on_commit(lambda: _mail(notification, user.email))
    return notification


def _mail(notification: Notification, address: str) -> None:
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else settings.SITE_URL
    body = f"{notification.text}\n\n{link}\n\nYour notifications: {settings.SITE_URL.rstrip('/')}/notifications/\n"
    try:
        send_mail(
            subject=f"[Design Workbench] {notification.text[:120]}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except Exception:
        # The notification is in the app already; a mail server being down must not fail the request.
        logger.exception("Could not e-mail notification %s to %s", notification.pk, address)


def mark_read(user: Any, pks: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only those in `pks`, if given); how many were."""
    unread: QuerySet[Notification] = Notification.objects.filter(user=user).unread()
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())
