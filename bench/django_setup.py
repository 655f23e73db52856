"""What every benchmark script does first: its own embedded database, the files the entry points
write, then Django."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def setup(data_dir: str = "pgdata-bench") -> None:
    """Start Django for a script under bench/, on `var/<data_dir>`, never the dev or test data."""
    if str(BASE) not in sys.path:
        sys.path.insert(0, str(BASE))
    os.environ.setdefault("WORKBENCH_PGDATA", str(BASE / "var" / data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    # A benchmark prints tables: without LOG_LEVEL or LOG_FORMAT set, no JSON line per request, `dot`
    # layout or slow render in between them, and errors only, readable. Child processes inherit it.
    quiet = not {"LOG_LEVEL", "LOG_FORMAT"} & os.environ.keys()
    if quiet:
        os.environ["LOG_LEVEL"] = "ERROR"
        os.environ["LOG_FORMAT"] = "console"
        os.environ.setdefault("REQUEST_LOG", "false")

    import django

    from workbench.local_files import prepare

    prepare()
    django.setup()
    if quiet:
        # The settings keep the slow-render lines at INFO whatever LOG_LEVEL says (production wants them).
        logging.getLogger("workbench.slow").setLevel(logging.ERROR)
