"""Reading an uploaded document: size, encoding, JSON, text PostgreSQL can store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

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


def read_limited(stream: IO[bytes]) -> bytes:
    """Read a document of unknown size (stdin, a pipe), refusing it once it passes the limit.

    One byte past DESIGN_UPLOAD_MAX_BYTES tells it is too large: a 60 MB or endless stream is
    never held in memory.
    """
    limit = settings.DESIGN_UPLOAD_MAX_BYTES
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        largest = _megabytes(limit)
        raise DocumentError([("", f"The document is more than {largest}; the largest accepted is {largest}.")])
    return raw


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
        # Deeper than the interpreter's recursion limit, so far deeper than MAX_DEPTH.
        raise DocumentError([("", _TOO_DEEP)]) from None
    if not isinstance(data, dict):
        raise DocumentError([("", f"A design document is a JSON object, not {_json_type(data)}.")])
    if (path := _too_deep(data)) is not None:
        raise DocumentError([(pointer(map(_visible, path)), _TOO_DEEP)])
    if _ESCAPED_UNSTORABLE.search(text):
        _first_errors(_text_errors(data))
    return data


# The format nests six levels at most (document, steps, step, list, element, index columns);
# honest mistakes a level or two deeper get the schema's precise messages. Anything deeper is
# refused before validation, so no check, message or serialisation recurses more than this.
MAX_DEPTH = 12
_TOO_DEEP = f"Not a design document: nested more than {MAX_DEPTH} levels deep."


# json.loads makes plain dicts and lists, and a set lookup of the type is several times faster
# than isinstance() over the millions of values of a hostile document.
_CONTAINERS = frozenset({dict, list})


def _too_deep(container: dict[str, Any] | list[Any], depth: int = 1) -> list[str] | None:
    """The path to the first array or object nested more than MAX_DEPTH deep, if any.

    Recursive, but never deeper than MAX_DEPTH + 1 calls, and it stops at the first one found.
    """
    if depth > MAX_DEPTH:
        return []
    items = container.items() if type(container) is dict else enumerate(container)
    for key, value in items:
        if type(value) in _CONTAINERS and (path := _too_deep(value, depth + 1)) is not None:
            return [str(key), *path]
    return None


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


def _text_errors(container: dict[str, Any] | list[Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every string and property name that cannot be stored, in document order.

    Lazy, so finding the first few does not list a million strings first; recursive, as
    parse_document refuses anything nested more than MAX_DEPTH before calling it.
    """
    if type(container) is dict:
        for key in container:
            if found := _UNSTORABLE.search(key):
                yield pointer(map(_visible, [*path, key])), _unstorable(found, "The property name")
    items = container.items() if type(container) is dict else enumerate(container)
    for key, value in items:
        if type(value) is str:
            if found := _UNSTORABLE.search(value):
                yield pointer(map(_visible, [*path, str(key)])), _unstorable(found, "The text")
        elif type(value) in _CONTAINERS:
            yield from _text_errors(value, (*path, str(key)))
