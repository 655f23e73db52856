"""The documented production configuration passes `manage.py check --deploy` without a warning,
and the security settings read their environment variables (docs/production.md)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from workbench.settings import _caches, _proxy_ssl_header

BASE_DIR = Path(__file__).resolve().parent.parent

# The production environment of docs/production.md, variable for variable (beside DATABASE_URL and REDIS_URL).
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "workbench.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://workbench.example.com",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def _check_deploy(tmp_path: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests; production never does.
    ours = {"DATABASE_URL", "SECRET_KEY", "WORKBENCH_PGDATA", "DJANGO_SETTINGS_MODULE", "DEBUG", "REDIS_URL"}
    ours |= {"DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"}
    env = {name: value for name, value in os.environ.items() if name not in ours and not name.startswith("SECURE_")}
    env.update({"WORKBENCH_VAR_DIR": str(tmp_path / "var"), **extra})
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_configuration_passes_check_deploy(tmp_path):
    done = _check_deploy(tmp_path, {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_check_deploy_names_what_the_development_defaults_leave_off(tmp_path):
    # `make run` over plain HTTP: no HSTS, no redirect, cookies not Secure. check --deploy says so.
    done = _check_deploy(tmp_path, {})
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


@pytest.mark.parametrize("missing", ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"])
def test_leaving_out_one_production_variable_fails_check_deploy(tmp_path, missing):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    del env[missing]
    assert _check_deploy(tmp_path, env).returncode != 0


def test_it_reads_the_proxy_ssl_header():
    assert _proxy_ssl_header("HTTP_X_FORWARDED_PROTO,https") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert _proxy_ssl_header("") is None


@pytest.mark.parametrize("raw", ["X_FORWARDED_PROTO,https", "HTTP_X_FORWARDED_PROTO", "a,b,c"])
def test_it_refuses_a_bad_proxy_ssl_header(raw):
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER must be"):
        _proxy_ssl_header(raw)


def test_redis_url_switches_the_cache_to_redis():
    assert _caches("")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    redis = _caches("redis://127.0.0.1:6379/3")["default"]
    assert redis["BACKEND"] == "workbench.cache.OutageTolerantRedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_it_refuses_a_cache_url_that_is_not_redis():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be a redis://"):
        _caches("memcached://127.0.0.1:11211")
