"""Create a new design from a design-workbench/1 JSON document; prints its slug."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.document import DocumentError, check_size, import_design, parse_document, read_limited


class Command(BaseCommand):
    help = (
        "Import a design-workbench/1 JSON document (FILE, or - for stdin) as a new design and print its slug. "
        "The owner is --owner USERNAME, or the only superuser when there is exactly one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the JSON document, or - to read stdin.")
        parser.add_argument("--owner", metavar="USERNAME", help="User who owns the new design.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = self._owner(options["owner"])
        try:
            design = import_design(parse_document(self._read(options["file"])), owner=owner)
        except DocumentError as exc:
            raise CommandError("Import refused, nothing was written:\n  " + "\n  ".join(exc.lines())) from None
        self.stdout.write(design.slug)

    def _read(self, name: str) -> bytes:
        if name == "-":
            return read_limited(sys.stdin.buffer)
        path = Path(name)
        try:
            check_size(path.stat().st_size)  # before reading a huge file into memory
            with path.open("rb") as file:
                # Still bounded: a FIFO or device (/dev/stdin, /dev/zero) has no size to check.
                return read_limited(file)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None

    def _owner(self, username: str | None) -> Any:
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            return user
        superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
        if len(superusers) != 1:
            raise CommandError("Name the new design's owner with --owner USERNAME.")
        return superusers[0]
