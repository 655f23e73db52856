"""Hostile design documents, as an attacker would write them, for tests/test_document_hostile.py and bench/.

Each is JSON text (bytes, as uploaded) of a design-workbench/1 document with one absurd part; at
the sizes HOSTILE gives, each is just under the default 10 MiB upload limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count, islice, product
from typing import Any

# Digits and capitals only: no property of the format is named like that, so every key is unknown.
_KEY_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _shortest_names() -> Iterator[str]:
    """ "0", "1", … "Z", "00", "01", …: the most keys an attacker fits in the limit."""
    for length in count(1):
        for letters in product(_KEY_CHARACTERS, repeat=length):
            yield "".join(letters)


def _document(*, top: str = "", steps: str = "") -> bytes:
    text = '{"format": "design-workbench/1", "design": {"name": "Hostile"}'
    if steps:
        text += f', "steps": {{{steps}}}'
    if top:
        text += f", {top}"
    return (text + "}").encode()


def _components(items: str) -> str:
    return f'"architecture": {{"components": [{items}]}}'


def unknown_keys(keys: int, where: str) -> bytes:
    """An object of `keys` unknown properties: the document itself, `steps`, or one component."""
    members = ",".join(f'"{name}":0' for name in islice(_shortest_names(), keys))
    if where == "top":
        return _document(top=members)
    if where == "steps":
        return _document(steps=members)
    if where == "element":
        return _document(steps=_components(f'{{"name": "API", "kind": "service", {members}}}'))
    raise ValueError(where)


def nested(levels: int, where: str) -> bytes:
    """`[[[…]]]` nested `levels` deep: as an unknown top-level property, or as a component's kind."""
    arrays = "[" * levels + "]" * levels
    if where == "top":
        return _document(top=f'"x": {arrays}')
    if where == "element":
        return _document(steps=_components(f'{{"name": "API", "kind": {arrays}}}'))
    raise ValueError(where)


def huge_array(items: int) -> bytes:
    """A component list of `items` numbers: every item breaks the schema."""
    return _document(steps=_components(",".join(["0"] * items)))


def unsortable_columns(names: int) -> bytes:
    """An index listing `names` distinct column names after one number (which Python cannot sort among them)."""
    columns = ",".join(["0", *(f'"c{n}"' for n in range(names))])
    return _document(steps=f'"database": {{"indexes": [{{"name": "i", "table": "t", "columns": [{columns}]}}]}}')


def unstorable_texts(texts: int) -> bytes:
    """An unknown property holding `texts` strings that PostgreSQL cannot store (a NUL each)."""
    nuls = ",".join([r'"\u0000"'] * texts)
    return _document(top=f'"x": [{nuls}]')


def duplicate_components(components: int) -> bytes:
    """Schema-valid, but every component after the first repeats its name: one content error each."""
    return _document(steps=_components(",".join(['{"name": "A", "kind": "service"}'] * components)))


# What bench/hostile_documents.py times, each built just under the default 10 MiB limit.
HOSTILE: dict[str, Callable[[], bytes]] = {
    "1.15M unknown keys at the top": lambda: unknown_keys(1_150_000, "top"),
    "1.15M unknown keys in steps": lambda: unknown_keys(1_150_000, "steps"),
    "1.15M unknown keys in a component": lambda: unknown_keys(1_150_000, "element"),
    "[[…]] 10,000 deep at the top": lambda: nested(10_000, "top"),
    "[[…]] 900 deep as a component's kind": lambda: nested(900, "element"),
    "5M numbers as components": lambda: huge_array(5_000_000),
    "1M column names after a number": lambda: unsortable_columns(1_000_000),
    "1.1M NUL strings": lambda: unstorable_texts(1_100_000),
    "300k components of one name": lambda: duplicate_components(300_000),
}


# Markdown a field of 10,000 characters may hold, written to be slow (issue #20): each shape is
# repeated to the field's length (`hostile_markdown`). Stock Python-Markdown took seconds on the
# first twelve (a scan to the end of the text per `[`, `![` or `](`, or per heading and rule line).
MARKDOWN_SHAPES = [
    "[",
    "![",
    "[a](",
    "[a](<",
    "[a][",
    "![a](",
    "[\n",
    "> [\n",
    "*[\n",
    "**[",
    "a\n-\n",
    "a\n=\n",
    "# a\n",
    "***\n",
    "_[",
    "](",
    "*",
    "_",
    "`",
    "<",
    "<a href=",
    "<a@b.c ",
    "a|b\n-|-\n",
    "[a](b) ",
]


def hostile_markdown(shape: str, length: int = 10_000) -> str:
    return (shape * (length // len(shape) + 1))[:length]


class CallCounter:
    """Wraps a callable and counts its calls: how the hostile-input tests show work was refused early."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.wrapped(*args, **kwargs)
