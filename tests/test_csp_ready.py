"""Templates stay ready for a strict Content-Security-Policy: no inline script, handlers or styles."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class _Inline(HTMLParser):
    """Collects what a strict CSP would block: inline <script>, on…= and hx-on… handlers, style=."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        for name in names:
            if name.startswith(("on", "hx-on")) or name == "style":
                self.found.append(f"<{tag} {name}=…>")


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_it_keeps_behaviour_and_style_out_of_the_markup(path):
    parser = _Inline()
    parser.feed(path.read_text(encoding="utf-8"))

    assert parser.found == []


def test_it_would_see_an_inline_handler():
    parser = _Inline()
    parser.feed('<form hx-on:keydown="x()"><span style="color: red" onclick="y()"></span></form>')

    assert parser.found == ["<form hx-on:keydown=…>", "<span style=…>", "<span onclick=…>"]
