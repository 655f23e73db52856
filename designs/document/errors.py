"""Why a document is refused: errors at JSON pointers, capped."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice
from typing import Any

# A broken document can have thousands of errors; the first ones say enough.
MAX_REPORTED_ERRORS = 100
# Messages quote the document (names, references, property names in pointers), and an attacker's
# 5 MB property name must not make a 5 MB page; no message of an honest mistake comes near these.
MAX_POINTER_LENGTH = 200
MAX_MESSAGE_LENGTH = 500

Errors = list[tuple[str, str]]


class DocumentError(Exception):
    """A document that cannot be imported; `errors` are (JSON pointer, message) pairs.

    `counted=False` says the errors were cut short at MAX_REPORTED_ERRORS + 1 by
    whoever found them, so how many more there are is unknown.
    """

    def __init__(self, errors: Errors, *, counted: bool = True) -> None:
        self.errors = [
            (_clip(pointer, MAX_POINTER_LENGTH), _clip(message, MAX_MESSAGE_LENGTH))
            for pointer, message in errors[:MAX_REPORTED_ERRORS]
        ]
        self.more = max(0, len(errors) - MAX_REPORTED_ERRORS)
        self.more_note = ""
        if self.more:
            self.more_note = f"… and {self.more} more." if counted else "… and more, left out of this list."
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        lines = [f"{pointer or '(document)'}: {message}" for pointer, message in self.errors]
        if self.more_note:
            lines.append(self.more_note)
        return lines


def _first_errors(errors: Iterable[tuple[str, str]]) -> None:
    """Raise DocumentError with the first errors found; looks no further than one past the cap."""
    if found := list(islice(errors, MAX_REPORTED_ERRORS + 1)):
        raise DocumentError(found, counted=False)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any) -> str:
    """`value` as written in JSON, in at most 60 characters.

    Only a string's start is written out, and an array or object is named by its type: writing
    a whole one would cost its size, up to the whole document, to show 60 characters of it.
    """
    if isinstance(value, list | dict):
        return _json_type(value)
    if isinstance(value, str):
        value = value[:60]
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"
