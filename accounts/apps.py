from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Failed and successful logins move the slow-down of accounts/throttle.py.
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .throttle import login_failed, login_succeeded

        def failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
            login_failed(request, str(credentials.get("username", "")))

        def succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            login_succeeded(request, user.get_username())

        user_login_failed.connect(failed, dispatch_uid="accounts-login-failed", weak=False)
        user_logged_in.connect(succeeded, dispatch_uid="accounts-login-succeeded", weak=False)
