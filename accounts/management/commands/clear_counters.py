"""Delete the throttle counters (accounts.models.Counter) nothing has touched for a day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from accounts.limits import clear_expired

# Longer than any window counted (an hour for sign-ups, the cool-off for logins).
KEEP = timedelta(days=1)


class Command(BaseCommand):
    help = "Delete login, sign-up and comment counters untouched for a day (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{clear_expired(KEEP)} counters deleted.")
