"""Counters every app process shares (accounts.models.Counter): fixed windows and slow-downs.

Each operation locks its counter row for the rest of the surrounding transaction (or its own), so
two processes counting at once count twice and one of them sees the other's count: a burst of
guesses spread over several workers is slowed exactly as if one worker had seen it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Counter


def _locked(key: str, now: datetime) -> Counter:
    counter, _ = Counter.objects.get_or_create(key=key, defaults={"started_at": now, "last_at": now})
    return Counter.objects.select_for_update().get(pk=counter.pk)


def take(key: str, *, limit: int, window: timedelta, amount: int = 1) -> bool:
    """Count `amount` events under `key` if the window's count stays within `limit`; whether it did.

    The window opens at the first event counted and lasts `window`; a refused take counts nothing,
    so an over-eager client is not kept out longer for knocking.
    """
    now = timezone.now()
    with transaction.atomic():
        counter = _locked(key, now)
        if counter.started_at + window <= now:
            counter.count, counter.started_at = 0, now
        if counter.count + amount > limit:
            return False
        counter.count += amount
        counter.last_at = now
        counter.save()
    return True


@dataclass(frozen=True)
class SlowDown:
    """After `free` failures each attempt waits `first` seconds after the last one, doubling up to
    `longest`; `lock_after` failures (if set) refuse every attempt until `forget` after the last."""

    free: int
    first: int
    longest: int
    forget: timedelta
    lock_after: int | None = None

    def wait(self, failures: int, last: datetime, now: datetime) -> int:
        if self.lock_after is not None and failures >= self.lock_after:
            return max(1, int((last + self.forget - now).total_seconds() + 0.999))
        if self.first <= 0 or failures < self.free:
            return 0
        delay = min(self.first * 2 ** (failures - self.free), self.longest)
        return max(0, int((last - now).total_seconds() + delay + 0.999))


def attempt(key: str, rule: SlowDown) -> int:
    """Claim one attempt under `key`: the seconds it must still wait (refused, nothing counted), or 0.

    A claimed attempt counts as a failure at once, before the password is even checked: concurrent
    guesses then see each other, and none slips through while another's check is still running.
    `succeeded` takes it back when the attempt turns out right.
    """
    now = timezone.now()
    with transaction.atomic():
        counter = _locked(key, now)
        if counter.last_at + rule.forget <= now:
            counter.count, counter.started_at = 0, now
        wait = rule.wait(counter.count, counter.last_at, now)
        if wait:
            return wait
        counter.count += 1
        counter.last_at = now
        counter.save()
    return 0


def succeeded(key: str) -> None:
    """The attempt claimed under `key` was right: it is not a failure after all."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(pk=key).first()
        if counter is not None and counter.count > 0:
            counter.count -= 1
            counter.save(update_fields=["count"])


def clear_expired(older_than: timedelta) -> int:
    """Delete counters nothing has touched for `older_than`; how many (the cleanup command)."""
    deleted, _ = Counter.objects.filter(last_at__lt=timezone.now() - older_than).delete()
    return deleted
