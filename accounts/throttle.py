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


# ---------------------------------------------------------------- failed logins: slowed, then locked
#
# After LOGIN_SLOW_AFTER failures for an account or from an address, the next attempt must wait a
# while (doubling each time, at most LOGIN_SLOWDOWN_MAX_SECONDS) before it is even checked; django-axes
# then locks at AXES_FAILURE_LIMIT. The wait is a refusal with Retry-After, never a sleep: a sleeping
# request would hold a server thread, and a few guessers would starve everyone else.


def _login_keys(request: HttpRequest, username: str) -> list[str]:
    return [f"login-slow:user:{username.strip().lower()}", f"login-slow:ip:{client_ip(request)}"]


def login_wait(request: HttpRequest, username: str, now: float | None = None) -> int:
    """Seconds this login attempt must still wait (0: go on)."""
    if settings.LOGIN_SLOWDOWN_SECONDS <= 0:
        return 0
    now = time.time() if now is None else now
    wait = 0.0
    for key in _login_keys(request, username):
        failures, last = cache.get(key, (0, 0.0))
        if failures >= settings.LOGIN_SLOW_AFTER:
            step = failures - settings.LOGIN_SLOW_AFTER
            delay = min(settings.LOGIN_SLOWDOWN_SECONDS * 2**step, settings.LOGIN_SLOWDOWN_MAX_SECONDS)
            wait = max(wait, last + delay - now)
    return max(0, int(wait + 0.999))


def login_failed(request: HttpRequest | None, username: str) -> None:
    if request is None:
        return
    keep = int(settings.AXES_COOLOFF_TIME.total_seconds())
    for key in _login_keys(request, username):
        failures, _ = cache.get(key, (0, 0.0))
        cache.set(key, (failures + 1, time.time()), keep)


def login_succeeded(request: HttpRequest | None, username: str) -> None:
    if request is not None:
        cache.delete(_login_keys(request, username)[0])
