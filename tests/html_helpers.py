"""Reading rendered pages as parsed HTML (tinyhtml5, as a browser parses it): elements by tag, id, class."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import tinyhtml5

XHTML = "{http://www.w3.org/1999/xhtml}"


def parse(response_or_html: Any) -> Element:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return tinyhtml5.parse(html)


def find_all(root: Element, tag: str = "*", **attrs: str) -> list[Element]:
    """Elements of `tag` whose attributes hold these values (`class_` is one of the classes)."""
    found = []
    for element in root.iter(f"{XHTML}{tag}" if tag != "*" else None):
        ok = True
        for name, value in attrs.items():
            if name == "class_":
                ok &= value in (element.get("class") or "").split()
            else:
                ok &= element.get(name) == value
        if ok:
            found.append(element)
    return found


def find(root: Element, tag: str = "*", **attrs: str) -> Element | None:
    found = find_all(root, tag, **attrs)
    return found[0] if found else None


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())
