"""Telling people: an in-app notification, and e-mail through Django's e-mail framework, batched.

Every notification is in the app at once. E-mail about one design goes to one person at most once
per NOTIFICATION_MAIL_MINUTES: the first notification is mailed as soon as the transaction that made
it commits (a rolled-back comment mails nobody); those that come within the interval wait, and go
together in one e-mail listing every one of them, sent by the next notification for that person and
design after the interval, or by `manage.py send_notifications` (run it every minute from cron).
Thirty comments mentioning someone within a second are one e-mail now and one a few minutes later.

Why no task queue: the batch's state is the notifications' own `mailed_at`, in PostgreSQL; whoever
sends a batch locks the recipient's user row, so two processes never send the same items twice, and a
crash between marking and sending loses an e-mail, never the notification (it stays in the app).
A mail server that fails is logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from designs.models import Design

from .models import Notification

logger = logging.getLogger(__name__)

TEXT_LIMIT = 500
# Items listed in one e-mail; the rest are counted ("and 12 more") and wait in the app.
MAIL_ITEMS = 50
SUBJECT_LIMIT = 120


def single_line(text: str) -> str:
    """Any run of whitespace (line breaks included) as one space: a header value cannot break a
    message, and Django refuses one that would (BadHeaderError) — which silently stopped e-mail."""
    return " ".join(str(text).split())


def notify(user: Any, kind: str, design: Design | None, text: str, url: str) -> Notification:
    """Tell `user` about something at `url` (a path of this site): kind is a Notification.Kind."""
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        design=design,
        text=text[:TEXT_LIMIT],
        url=url[: Notification._meta.get_field("url").max_length],
        # Nothing to mail without an address: handled as it is made.
        mailed_at=None if user.email else timezone.now(),
    )
    if user.email:
        design_pk = design.pk if design is not None else None
        transaction.on_commit(lambda: mail_batch(user_pk=user.pk, design_pk=design_pk))
    return notification


def _interval() -> timedelta:
    return timedelta(minutes=settings.NOTIFICATION_MAIL_MINUTES)


def mail_batch(*, user_pk: int, design_pk: int | None) -> bool:
    """E-mail the person's unmailed notifications about the design, if their last such e-mail is older
    than the interval; whether one was sent."""
    now = timezone.now()
    with transaction.atomic():
        # One sender at a time per person: the lock makes "last mailed" and "mark mailed" one step.
        user = get_user_model()._default_manager.select_for_update().filter(pk=user_pk).first()
        if user is None:
            return False
        group = Notification.objects.filter(user=user, design_id=design_pk)
        pending = group.filter(mailed_at__isnull=True)
        items = list(pending.select_related("design").order_by("created_at", "id")[: MAIL_ITEMS + 1])
        if not items:
            return False
        last = group.aggregate(last=Max("mailed_at"))["last"]
        if last is not None and last + _interval() > now:
            return False
        count = pending.update(mailed_at=now)
        if user.email:
            subject, body = _message(items[:MAIL_ITEMS], count)
            address = user.email
            transaction.on_commit(lambda: _send(subject, body, address, items[0].pk))
    return True


def send_due() -> int:
    """Send every batch whose interval has passed (the send_notifications command); how many went."""
    pairs = Notification.objects.filter(mailed_at__isnull=True).values_list("user_id", "design_id").distinct()
    return sum(mail_batch(user_pk=user_pk, design_pk=design_pk) for user_pk, design_pk in pairs)


def _message(items: list[Notification], count: int) -> tuple[str, str]:
    site = settings.SITE_URL.rstrip("/")
    if count == 1:
        subject = f"[Design Workbench] {single_line(items[0].text)}"
    else:
        about = f" about {items[0].design.name}" if items[0].design is not None else ""
        subject = f"[Design Workbench] {count} notifications{about}"
    lines = [f"{item.text}\n{site}{item.url}\n" if item.url else f"{item.text}\n" for item in items]
    if count > len(items):
        lines.append(f"…and {count - len(items)} more.\n")
    body = "\n".join(lines) + f"\nYour notifications: {site}/notifications/\n"
    subject = single_line(subject)
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 1] + "…"
    return subject, body


def _send(subject: str, body: str, address: str, first_pk: int) -> None:
    try:
        send_mail(
            subject=single_line(subject),
            message=body,
            from_email=single_line(settings.DEFAULT_FROM_EMAIL),
            recipient_list=[single_line(address)],
        )
    except Exception:
        # The notifications are in the app already; a mail server being down must not fail the request.
        logger.exception("Could not e-mail notifications from %s to %s", first_pk, address)


def mark_read(user: Any, pks: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only those in `pks`, if given); how many were."""
    unread: QuerySet[Notification] = Notification.objects.filter(user=user).unread()
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())
