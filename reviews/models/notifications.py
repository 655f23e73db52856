"""In-app notifications: a mention, a reply, a review requested, a decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from designs.models import Design


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mention"
        REPLY = "reply", "Reply"
        REVIEW_REQUESTED = "review_requested", "Review requested"
        DECISION = "decision", "Decision"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    design = models.ForeignKey(Design, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the e-mail that listed it went out (or that none would: no address); unset while it waits
    # for its batch (reviews/notifications.py).
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["user", "design", "mailed_at"], name="notification_mail_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}: {self.text}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
