"""Design Workbench settings: one file, driven by environment variables.

Every setting has a safe default, so `make run` and `make test` work on a fresh
clone with nothing exported. Bad values fail loudly at start-up, naming the
variable. Importing this module has no side effects: the embedded PostgreSQL
server starts on the first connection (workbench/embedded_db), and the files
under var/ are written by the entry points (workbench/local_files.py).
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from workbench.local_files import BASE_DIR, secret_key_path, static_root, var_dir

VAR_DIR = var_dir()

# pytest imports the settings with pytest already loaded; tests then get their
# own PostgreSQL data directory and plain static storage (no collectstatic).
TESTING = "pytest" in sys.modules


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if TESTING:
        # Nothing a test signs outlives it, and a fresh clone's `make test` has no var/secret_key.
        return "insecure-key-for-the-test-suite-only"
    # Written by the entry points before Django starts (workbench/local_files.py). Without it
    # the key stays empty, and Django refuses to run when something first needs the key.
    try:
        return secret_key_path().read_text().strip()
    except FileNotFoundError:
        return ""


def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        # The scheme only: the rest of the URL may hold a password.
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgresql:// URL, got scheme {parsed.scheme!r}")
    try:
        port = parsed.port
    except ValueError:
        host_port = parsed.netloc.rpartition("@")[2]
        raise ImproperlyConfigured(f"DATABASE_URL must have a numeric port, got {host_port!r}") from None
    query = parse_qs(parsed.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "workbench",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": query.get("host", [parsed.hostname or ""])[0],
        "PORT": str(port or ""),
    }


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", "false")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "accounts",
    "designs",
    "outputs",
    "imports",
    "checks",
    "reviews",
]

MIDDLEWARE = [
    # Outermost: the request id, the JSON log line and the metrics see every answer, 503s included.
    "workbench.observability.RequestLogMiddleware",
    # Next: a request past REQUEST_TIMEOUT_SECONDS is stopped and answered 504, and the log line says so.
    "workbench.deadline.RequestDeadlineMiddleware",
    # /healthz, /readyz, /metrics: before host checks and the HTTPS redirect, which probes would fail.
    "workbench.middleware.OperationsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outermost of those that touch the body, so the page is compressed last. A large step page is
    # ~30x smaller gzipped. Django masks the CSRF token per response, which defeats BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.HtmxLoginRequiredMiddleware",
    "workbench.middleware.PrivateCacheMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workbench.urls"
# bench/load.py's ceiling views (bench/ceilings.py); never routed unless asked for.
BENCH_URLS = envbool("WORKBENCH_BENCH_URLS", "false")
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviews.context_processors.notifications",
            ],
        },
    }
]

if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _database_from_url(database_url)}
else:
    DATABASES = {
        "default": {
            # Django's PostgreSQL backend that starts (or finds) the server on DATADIR and fills
            # in its socket dir and port when the first connection needs them.
            "ENGINE": "workbench.embedded_db",
            "DATADIR": os.environ.get("WORKBENCH_PGDATA") or str(VAR_DIR / ("pgdata-test" if TESTING else "pgdata")),
            "NAME": "workbench",
            "USER": "postgres",
        }
    }
DATABASES["default"]["TEST"] = {"NAME": "test_workbench"}
# A new PostgreSQL connection costs ~5 ms, more than most pages' queries: each worker keeps its
# connection, checked before reuse, so a restarted server costs a reconnect and no failed request.
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", "300")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "designs:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True
# Large capacity figures are shown with thousands separators (floatformat's "g").
NUMBER_GROUPING = 3

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Created by the entry points (workbench/local_files.py), filled by collectstatic.
STATIC_ROOT = static_root()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Off by default so `make run` works over plain HTTP; docs/production.md's environment turns
# them on (`manage.py check --deploy` then passes without a warning, tests/test_production_settings.py).
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")


def _proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    # "HTTP_X_FORWARDED_PROTO,https": trust that header, set by the reverse proxy, for "is this HTTPS?".
    if not raw.strip():
        return None
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 2 or not parts[0].startswith("HTTP_") or not parts[1]:
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must be 'HTTP_HEADER_NAME,value' (e.g. HTTP_X_FORWARDED_PROTO,https), got {raw!r}"
        )
    return parts[0], parts[1]


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
# How many reverse proxies in front append to X-Forwarded-For: the client address the login throttle,
# the sign-up limit and the logs use is the one the outermost of them saw. 0: REMOTE_ADDR itself.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

# Content-Security-Policy (django-csp 4): nothing inline, no eval. Scripts and styles come from
# static/ only; htmx is told not to inject its indicator style (the meta tag in base.html) and the
# diagrams' SVG is embedded with presentation attributes only (outputs/render.py svg_markup).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes, its attempts in PostgreSQL): after AXES_FAILURE_LIMIT failed logins
# for one username from one address, that pair is locked for the cool-off period. Only the pair: a
# guesser must not be able to lock the account's owner out, nor everyone behind the guesser's address.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "workbench.clients.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
# One line per failure is enough; axes' access log would add a row per successful login too.
AXES_DISABLE_ACCESS_LOG = True
# Sign-ups one address may make per hour, counted in PostgreSQL (accounts/throttle.py): else each would be
# a fresh username to guess with.
SIGNUPS_PER_HOUR = envint("SIGNUPS_PER_HOUR", "10")
# Failed logins from one address are slowed (accounts/throttle.py, counted in PostgreSQL): after
# LOGIN_SLOW_AFTER failures the next attempt waits LOGIN_SLOWDOWN_SECONDS, doubling, at most the
# maximum; 0 turns it off. Wrong current passwords in the password-change form are slowed the same
# way per account, and refused for the cool-off after AXES_FAILURE_LIMIT.
LOGIN_SLOW_AFTER = envint("LOGIN_SLOW_AFTER", "2")
LOGIN_SLOWDOWN_SECONDS = envint("LOGIN_SLOWDOWN_SECONDS", "2")
LOGIN_SLOWDOWN_MAX_SECONDS = envint("LOGIN_SLOWDOWN_MAX_SECONDS", "60")

# Comments one person may post per minute, and people they may @mention per hour (reviews/services.py,
# counted in PostgreSQL): else one member could flood the others' notifications.
COMMENTS_PER_MINUTE = envint("COMMENTS_PER_MINUTE", "10")
MENTIONS_PER_HOUR = envint("MENTIONS_PER_HOUR", "60")
# E-mails about one design go to one person at most once per this many minutes: the first
# notification goes at once, later ones wait and go together in one e-mail (reviews/notifications.py;
# `manage.py send_notifications` from cron sends what is due when nothing else happens). 0: one each.
NOTIFICATION_MAIL_MINUTES = envint("NOTIFICATION_MAIL_MINUTES", "5")
# How long an invitation to a design waits for its answer (designs/members.py), and how long a declined
# one keeps the design from inviting that person again.
INVITATION_DAYS = envint("INVITATION_DAYS", "14")

# Upper bound on an uploaded design document; larger ones are refused with a message.
DESIGN_UPLOAD_MAX_BYTES = envint("DESIGN_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))
# Upper bound on the elements of one imported design: about seven times the benchmarks' large design.
DESIGN_MAX_ELEMENTS = envint("DESIGN_MAX_ELEMENTS", "25000")
# Work one uploaded file may cost (imports/bounded.py): values an OpenAPI document may hold once its YAML
# aliases and $refs are expanded, and the memory (MB, beyond what the process already holds), CPU seconds
# and wall-clock seconds of the child process that parses an import file or a design document.
IMPORT_MAX_VALUES = envint("IMPORT_MAX_VALUES", "1000000")
IMPORT_MEMORY_MB = envint("IMPORT_MEMORY_MB", "1024")
IMPORT_CPU_SECONDS = envint("IMPORT_CPU_SECONDS", "20")
IMPORT_TIMEOUT_SECONDS = envint("IMPORT_TIMEOUT_SECONDS", "25")
# Wall-clock seconds any request may run before it is stopped and answered 504 (workbench/deadline.py); 0: never.
REQUEST_TIMEOUT_SECONDS = envint("REQUEST_TIMEOUT_SECONDS", "30")
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))

# Time one Graphviz layout may take before the diagram is drawn simpler (outputs/render.py), and how
# long a laid-out diagram stays cached (by its DOT source, so an edit never serves a stale one).
DIAGRAM_LAYOUT_TIMEOUT_MS = envint("DIAGRAM_LAYOUT_TIMEOUT_MS", "3000")
DIAGRAM_CACHE_SECONDS = envint("DIAGRAM_CACHE_SECONDS", str(7 * 24 * 60 * 60))
# Layouts one app process runs at once, each under `nice` (a request that finds them all busy, or the
# same layout being run by another request, waits up to DIAGRAM_LAYOUT_WAIT_MS, then is told to retry);
# the distinct views (option sets) of one design state laid out before only the default views are.
DIAGRAM_LAYOUTS_AT_ONCE = envint("DIAGRAM_LAYOUTS_AT_ONCE", "1")
DIAGRAM_LAYOUT_WAIT_MS = envint("DIAGRAM_LAYOUT_WAIT_MS", "10000")
DIAGRAM_VIEWS_PER_DESIGN = envint("DIAGRAM_VIEWS_PER_DESIGN", "24")
if DIAGRAM_LAYOUTS_AT_ONCE < 1 or DIAGRAM_VIEWS_PER_DESIGN < 0 or DIAGRAM_LAYOUT_WAIT_MS < 0:
    raise ImproperlyConfigured(
        "DIAGRAM_LAYOUTS_AT_ONCE must be at least 1, DIAGRAM_VIEWS_PER_DESIGN and DIAGRAM_LAYOUT_WAIT_MS at least 0"
    )
# Lock files by which the app processes of one machine run one layout of the same diagram at a time.
DIAGRAM_LOCK_DIR = os.environ.get("DIAGRAM_LOCK_DIR") or str(VAR_DIR / ("locks-test" if TESTING else "locks"))


def _caches(url: str) -> dict[str, dict[str, object]]:
    if not url:
        # Per process: fine for one app server; several share nothing through it.
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if urlparse(url).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"REDIS_URL must be a redis://, rediss:// or unix:// URL, got scheme {urlparse(url).scheme!r}"
        )
    return {
        "default": {
            # Django's RedisCache, but an unreachable Redis reads as misses (workbench/cache.py).
            "BACKEND": "workbench.cache.OutageTolerantRedisCache",
            "LOCATION": url,
            # Cached pages and diagrams are a convenience: a slow Redis must not hold a request long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "workbench"),
        }
    }


# REDIS_URL (or CACHE_URL) puts Django's cache, and with it the diagram, page and export caches and
# the sign-up limit, in Redis, shared by every app server.
CACHES = _caches(os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL") or "")

# Built PDFs are kept here by what they show (the design's state, layout and cover), so a PDF is
# built once however many readers ask for it; every worker of a machine shares the directory, and
# app servers share it too when it is on shared storage. The PDF_CACHE_FILES most recently used stay.
REPORT_FILES_DIR = os.environ.get("REPORT_FILES_DIR") or str(VAR_DIR / ("reports-test" if TESTING else "reports"))
PDF_CACHE_FILES = envint("PDF_CACHE_FILES", "500")
# A PDF is typeset in its request: a design past this many elements gets a clear refusal instead
# (the large benchmark design, 4,000 elements, takes a few seconds).
PDF_MAX_ELEMENTS = envint("PDF_MAX_ELEMENTS", "12000")
# Where Typst finds the fonts of the PDF and of the diagrams in it (DejaVu, the fonts dot measures
# its labels with); its own embedded fonts (Libertinus Serif) need no directory.
PDF_FONT_DIRS = envlist("PDF_FONT_DIRS", "/usr/share/fonts/truetype/dejavu")

# Notifications are e-mailed through Django's e-mail framework: printed to the console unless a
# backend is configured (e.g. django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Design Workbench <workbench@localhost>")
# The address of this site as mail readers reach it: links in e-mails start with it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Logs are JSON lines on stderr (structlog, workbench/observability.py): every line of a request
# carries its request_id; LOG_FORMAT=console prints them for people instead.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or console, got {LOG_FORMAT!r}")
# One log line per request (method, path, status, duration_ms, user_id, request_id), at INFO.
REQUEST_LOG = envbool("REQUEST_LOG", "false" if TESTING else "true")
# A `dot` layout or PDF build slower than this is logged at WARNING with its duration.
SLOW_RENDER_MS = envint("SLOW_RENDER_MS", "1000")
# /metrics: Prometheus text of this process's counters. Open to these addresses only (comma-separated),
# besides a bearer token when METRICS_TOKEN is set.
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "structlog.stdlib.ProcessorFormatter",
            "processors": "ext://workbench.observability.FORMATTER_PROCESSORS",
            "foreign_pre_chain": "ext://workbench.observability.FOREIGN_PRE_CHAIN",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # 403s and 404s are answers, not faults: without this each one logs a traceback and buries the 500s.
        "django.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "ERROR")},
        # The request lines and slow renders, whatever LOG_LEVEL says about everything else.
        "workbench.requests": {"level": "INFO"},
        "workbench.slow": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
