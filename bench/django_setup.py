"""What every benchmark script does first: its own embedded database, the files the entry points
write, then Django."""

from __future__ import annotations

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

    import django

    from workbench.local_files import prepare

    prepare()
    django.setup()
