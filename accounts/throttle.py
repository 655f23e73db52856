"""A per-address limit on sign-ups, in Django's cache (Redis when several app servers share it).

Without it, sign-up is the unthrottled door: each attempt hashes a password (CPU an attacker
gets for free) and says whether a username exists. Addresses django-axes has locked out of
logging in are refused too.
"""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from workbench.clients import client_ip

WINDOW_SECONDS = 3600


def signup_key(ip: str, now: float | None = None) -> str:
    bucket = int((time.time() if now is None else now) // WINDOW_SECONDS)
    return f"signup-attempts:{ip}:{bucket}"


def signup_refused(request: HttpRequest) -> str | None:
    """Count this sign-up attempt; the reason it is refused, or None to go on."""
    ip = client_ip(request)
    # axes' own check, with no username: is this address locked out of logging in?
    if not AxesProxyHandler.is_allowed(request, {}):
        return "Too many failed logins from your address. Try again later."
    key = signup_key(ip)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        attempts = 1
    if attempts > settings.SIGNUPS_PER_HOUR:
        return "Too many sign-ups from your address. Try again in an hour."
    return None
