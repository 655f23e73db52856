"""E-mail the notification batches that are due (run every minute from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reviews.notifications import send_due


class Command(BaseCommand):
    help = (
        "E-mail each person the notifications that waited for their batch (NOTIFICATION_MAIL_MINUTES). "
        "Run every minute, e.g. from cron; sending nothing is cheap."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_due()} e-mails sent.")
