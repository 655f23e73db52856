"""Reading an uploaded document: size, encoding, JSON, text PostgreSQL can store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings

from .errors import DocumentError, _first_errors, _json_type
from .format import pointer


def too_large(size: int) -> DocumentError:
    limit = _megabytes(settings.DESIGN_UPLOAD_MAX_BYTES)
    return DocumentError([("", f"The document is {_megabytes(size)}; the largest accepted is {limit}.")])


def check_size(size: int) -> None:
    """Refuse a document over DESIGN_UPLOAD_MAX_BYTES before reading it."""
    if size > settings.DESIGN_UPLOAD_MAX_BYTES:
        raise too_large(size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _reject_constant(name: str) -> None:
    raise DocumentError([("", f"Not valid JSON: {name} is not a number JSON allows.")])


def parse_document(raw: bytes) -> dict[str, Any]:
    """Decode an uploaded document; numbers with a fraction become Decimal, losing nothing."""
    check_size(len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError([("", f"Not UTF-8 text: the byte at offset {exc.start} cannot be decoded.")]) from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError([("", f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.")]) from None
    except ValueError as exc:
        # E.g. an integer over Python's 4,300 digits; the advice after ";" is for programmers.
        reason = str(exc).split(";")[0]
        raise DocumentError([("", f"Not a readable JSON document: {reason}.")]) from None
    except RecursionError:
        raise DocumentError([("", "Not a design document: nested too deeply.")]) from None
    if not isinstance(data, dict):
        raise DocumentError([("", f"A design document is a JSON object, not {_json_type(data)}.")])
    if _ESCAPED_UNSTORABLE.search(text):
        _first_errors(_text_errors(data))
    return data


# JSON may escape characters no database text holds: NUL (PostgreSQL refuses it) and
# UTF-16 surrogates without their pair (not Unicode text, so not encodable as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Only a \u escape brings them in (json.loads refuses a raw NUL, UTF-8 has no surrogates),
# so a document without one is not walked; a paired surrogate or "\\u0000" is, harmlessly.
_ESCAPED_UNSTORABLE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _visible(text: str) -> str:
    """`text` with unstorable characters written as their JSON escapes, fit to show in a page."""
    return _UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _unstorable(found: re.Match[str], what: str) -> str:
    reason = "a NUL character" if found.group() == "\x00" else "half of a UTF-16 surrogate pair"
    return f"{what} contains {_visible(found.group())}, {reason}, which cannot be stored as text."


def _text_errors(document: Any) -> Iterator[tuple[str, str]]:
    """Every string and property name that cannot be stored, in document order.

    Iterative: a document may be nested almost as deeply as json.loads allows.
    """
    stack: list[tuple[list[str], Any]] = [([], document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if found := _UNSTORABLE.search(value):
                yield pointer(map(_visible, path)), _unstorable(found, "The text")
        elif isinstance(value, dict):
            for key in value:
                if found := _UNSTORABLE.search(key):
                    yield pointer(map(_visible, [*path, key])), _unstorable(found, "The property name")
            stack += [([*path, key], item) for key, item in reversed(value.items())]
        elif isinstance(value, list):
            stack += [([*path, str(i)], item) for i, item in reversed(list(enumerate(value)))]
