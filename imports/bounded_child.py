"""Loaded once in the forkserver of imports/bounded.py: Django set up and the parsers imported there, so
each child forked from it starts parsing at once instead of importing the project again."""

from __future__ import annotations

import django

django.setup()

import imports.openapi  # noqa: E402
import imports.sql  # noqa: E402
import imports.sql.mysql  # noqa: E402, F401
