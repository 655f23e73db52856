"""The files a checkout keeps under var/, written by the entry points before Django starts.

Settings only read them, so importing the settings writes nothing. manage.py,
workbench/wsgi.py (gunicorn, runserver), bench/run.py and bench/load.py call `prepare()` first.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    return Path(os.environ.get("WORKBENCH_VAR_DIR", BASE_DIR / "var"))


def secret_key_path() -> Path:
    return var_dir() / "secret_key"


def static_root() -> Path:
    return var_dir() / "staticfiles"


def prepare() -> None:
    """Generate the secret key unless SECRET_KEY is set, and create STATIC_ROOT."""
    if not os.environ.get("SECRET_KEY"):
        ensure_secret_key(secret_key_path())
    # WhiteNoise warns about a missing root; before the first collectstatic it is simply empty.
    static_root().mkdir(parents=True, exist_ok=True)


def ensure_secret_key(path: Path) -> str:
    """Return the key in `path`, generating it first if there is none.

    Generated once per checkout and kept out of git, so sessions survive restarts and
    every gunicorn worker signs with the same key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name (mkstemp: mode 0600 from the start), then linked
        # into place, which fails if the file exists: processes starting together all read the
        # first one's key, and none ever reads a half-written file.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        finally:
            os.unlink(temp)
    return path.read_text().strip()
