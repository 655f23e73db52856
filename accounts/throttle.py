"""Failed logins slowed per address, sign-ups limited per address, wrong old passwords slowed per
account: all counted in PostgreSQL (accounts/limits.py), so every guess counts in every process.

The lock is django-axes' (per username *and* address, workbench/settings.py): guesses from one
address lock that address out of that one account, and the account's owner still logs in from
anywhere else. What stops one address from guessing many accounts is the slow-down here: after
LOGIN_SLOW_AFTER failures from an address each next attempt waits LOGIN_SLOWDOWN_SECONDS, doubling up
to LOGIN_SLOWDOWN_MAX_SECONDS. The wait is a refusal with Retry-After, never a sleep: a sleeping
request would hold a server thread, and a few guessers would starve everyone else.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest

from workbench.clients import client_ip

from . import limits

SIGNUP_WINDOW = timedelta(hours=1)


def signup_refused(request: HttpRequest) -> str | None:
    """Count this sign-up attempt; the reason it is refused, or None to go on."""
    if not limits.take(f"signup:{client_ip(request)}", limit=settings.SIGNUPS_PER_HOUR, window=SIGNUP_WINDOW):
        return "Too many sign-ups from your address. Try again in an hour."
    return None


def _login_rule() -> limits.SlowDown:
    return limits.SlowDown(
        free=settings.LOGIN_SLOW_AFTER,
        first=settings.LOGIN_SLOWDOWN_SECONDS,
        longest=settings.LOGIN_SLOWDOWN_MAX_SECONDS,
        forget=settings.AXES_COOLOFF_TIME,
    )


def _login_key(request: HttpRequest) -> str:
    return f"login:{client_ip(request)}"


def login_attempt(request: HttpRequest) -> int:
    """Claim a login attempt from this address: seconds it must still wait (refused), or 0 to go on."""
    return limits.attempt(_login_key(request), _login_rule())


def login_succeeded(request: HttpRequest | None) -> None:
    """The claimed attempt was right: it does not count against the address."""
    if request is not None:
        limits.succeeded(_login_key(request))


def _password_rule() -> limits.SlowDown:
    # The same slow-down as logins, and django-axes' lock at the same count: whoever holds a
    # session must not get more guesses at its password than a stranger at the login form.
    return limits.SlowDown(
        free=settings.LOGIN_SLOW_AFTER,
        first=settings.LOGIN_SLOWDOWN_SECONDS,
        longest=settings.LOGIN_SLOWDOWN_MAX_SECONDS,
        forget=settings.AXES_COOLOFF_TIME,
        lock_after=settings.AXES_FAILURE_LIMIT,
    )


def password_change_attempt(user_pk: int) -> int:
    """Claim a check of this account's old password: seconds it must still wait, or 0 to go on."""
    return limits.attempt(f"password-change:{user_pk}", _password_rule())


def password_change_succeeded(user_pk: int) -> None:
    limits.succeeded(f"password-change:{user_pk}")
