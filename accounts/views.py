"""Sign-up; log in, log out and password change are Django's own views."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import SignupForm
from .throttle import login_wait, signup_refused

TOO_MANY = 429


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("designs:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and (refused := signup_refused(request)):
        # Nothing validated: no password hashed, no username looked up.
        form = SignupForm(
            initial={"username": request.POST.get("username", ""), "email": request.POST.get("email", "")}
        )
        return render(request, "registration/signup.html", {"form": form, "refused": refused}, status=TOO_MANY)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("designs:dashboard")
    return render(request, "registration/signup.html", {"form": form})


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' answer to a locked-out login: the login page again, saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    refused = (
        f"Too many failed logins for this account or from your address: logging in is locked for {minutes} "
        "minutes. Wait, then try again (or ask an administrator to unlock it)."
    )
    context = {"form": form, "next": request.POST.get("next", ""), "refused": refused}
    response = render(request, "registration/login.html", context, status=TOO_MANY)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class LoginView(auth_views.LoginView):
    """Django's login, refusing an attempt that comes too soon after repeated failures (slowed, then locked)."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        wait = login_wait(request, username)
        if not wait:
            return super().post(request, *args, **kwargs)
        # Nothing checked: no password hashed, no attempt counted.
        form = AuthenticationForm(request, initial={"username": username})
        refused = f"Several failed logins for this account or from your address: wait {wait} s, then try again."
        context = {"form": form, "next": request.POST.get("next", ""), "refused": refused}
        response = render(request, "registration/login.html", context, status=TOO_MANY)
        response["Retry-After"] = str(wait)
        return response
