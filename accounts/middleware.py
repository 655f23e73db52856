"""Answer an htmx request from a signed-out user with 401 instead of the login redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


class HtmxLoginRequiredMiddleware:
    """htmx follows redirects, so an expired session would swap the whole login page into a
    table row and lose the user's input. A 401 is not swapped: the page keeps the input and
    static/js/workbench.js tells the user to log in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and not request.user.is_authenticated
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponse("Your session has ended; log in again.", status=401, content_type="text/plain")
        return response
