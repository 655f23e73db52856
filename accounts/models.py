from __future__ import annotations

from django.db import models


class Counter(models.Model):
    """A count of recent events under one key, in PostgreSQL so that every app process shares it.

    The login slow-down, the sign-up limit, the password-change throttle and the comment and mention
    limits count here (accounts/limits.py). Django's default cache is per process, so a limit kept
    there would give each gunicorn worker its own allowance. `started_at` opens the window the count
    belongs to; `last_at` is the latest event, which the slow-down measures its wait from.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["last_at"], name="accounts_counter_last_at")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
