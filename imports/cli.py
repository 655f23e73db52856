"""What every import command shares: the design by slug, the file bounded in size, errors with their place."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.management.base import CommandError

from designs import models as m

from .plan import ImportFileError, ImportRefused, check_size, read_text


def design_by_slug(slug: str) -> m.Design:
    design = m.Design.objects.filter(slug=slug).first()
    if design is None:
        raise CommandError(f"No design with the slug {slug!r}.")
    if design.is_archived:
        raise CommandError(f"The design {slug!r} is archived; restore it to import into it.")
    return design


def _read_limited(stream: IO[bytes]) -> bytes:
    """A stream of unknown size (stdin, a FIFO): one byte past the limit says it is too large."""
    limit = settings.DESIGN_UPLOAD_MAX_BYTES
    raw = stream.read(limit + 1)
    check_size(len(raw))
    return raw


def read_source(name: str) -> str:
    """The text of FILE, or of stdin for "-"; an unreadable or oversized file is a CommandError."""
    try:
        if name == "-":
            return read_text(_read_limited(sys.stdin.buffer))
        path = Path(name)
        check_size(path.stat().st_size)  # before reading a huge file into memory
        with path.open("rb") as file:
            return read_text(_read_limited(file))
    except OSError as exc:
        raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None
    except ImportFileError as exc:
        raise file_error(name, exc) from None


def file_error(name: str, exc: ImportFileError) -> CommandError:
    """FILE:LINE:COLUMN: message, as compilers say it, or FILE at /json/pointer: message."""
    if exc.line is not None:
        place = f"{name}:{exc.line}" + (f":{exc.column}" if exc.column is not None else "")
        return CommandError(f"{place}: {exc.message}")
    if exc.pointer is not None:
        return CommandError(f"{name} at {exc.pointer or '/'}: {exc.message}")
    return CommandError(f"{name}: {exc.message}")


def refused_error(exc: ImportRefused) -> CommandError:
    lines = [f"{where}: {message}" if where else message for where, message in exc.errors]
    return CommandError("Import refused, nothing was written:\n  " + "\n  ".join(lines))
