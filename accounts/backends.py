"""django-axes' login check, for the logins that come through a request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledLoginBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or address before any password is checked.

    axes raises when `authenticate()` has no request; a login without one (a management command,
    the test client's `login()`) has no address to throttle and no attacker behind a form, so it
    passes on to the model backend. The login view always passes the request.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
