"""Sign-up; log in, log out and password change are Django's own views."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import SignupForm
from .throttle import login_attempt, login_succeeded, password_change_attempt, password_change_succeeded, signup_refused

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
        f"Too many failed logins for this account from your address: logging in to it from here is locked for "
        f"{minutes} minutes. Wait, then try again (or ask an administrator to unlock it)."
    )
    context = {"form": form, "next": request.POST.get("next", ""), "refused": refused}
    response = render(request, "registration/login.html", context, status=TOO_MANY)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def _too_soon(request: HttpRequest, template: str, context: dict[str, Any], wait: int) -> HttpResponse:
    response = render(request, template, context, status=TOO_MANY)
    response["Retry-After"] = str(wait)
    return response


class LoginView(auth_views.LoginView):
    """Django's login; an address's attempts after repeated failures wait their turn (accounts/throttle.py)."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        wait = login_attempt(request)
        if not wait:
            return super().post(request, *args, **kwargs)
        # Nothing checked: no password hashed, no attempt counted.
        form = AuthenticationForm(request, initial={"username": username})
        refused = f"Several failed logins from your address: wait {wait} s, then try again."
        context = {"form": form, "next": request.POST.get("next", ""), "refused": refused}
        return _too_soon(request, "registration/login.html", context, wait)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        login_succeeded(self.request)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; wrong old passwords are slowed, then locked, as failed logins are."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = password_change_attempt(request.user.pk)
        if wait:
            # Nothing checked: the old password is not even hashed.
            refused = f"Several wrong current passwords: wait {wait} s, then try again."
            context = self.get_context_data(form=PasswordChangeForm(request.user), refused=refused)
            return _too_soon(request, self.template_name, context, wait)
        form = self.get_form()
        valid = form.is_valid()
        if not form.has_error("old_password"):
            password_change_succeeded(request.user.pk)
        return self.form_valid(form) if valid else self.form_invalid(form)
