"""A comment's markdown as safe HTML, with @mentions of the design's members resolved.

Rendered by the bounded configuration every user text gets (designs.markdown_html: linear time,
raw HTML not interpreted at all, so `<script>` shows as that text), and the result still goes
through nh3 with a short allow-list: links only to http, https and mailto, with
rel="noopener noreferrer nofollow", no images (a remote image would report every reader's visit),
no SVG, no styles, no event handlers.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from designs.markdown_html import convert

TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a", "span", "hr"}
TAGS |= {"table", "thead", "tbody", "tr", "th", "td", "del"}
ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

# "@" not preceded by a word character or another "@" (so not an e-mail address), then a Django
# username (letters, digits, . + - _), not ending with a dot: "thanks @bob." mentions "bob".
MENTION = r"(?<![\w@])@([\w.+-]*[\w+-])"


@dataclass
class Rendered:
    html: str
    # The members mentioned, in order of first mention.
    mentioned: list[Any] = field(default_factory=list)


class _Mention(InlineProcessor):
    def __init__(self, pattern: str, members: Mapping[str, Any], found: list[Any]) -> None:
        super().__init__(pattern)
        self.members = members
        self.found = found

    def handleMatch(self, m: Any, data: str) -> tuple[Any, int, int]:
        user = self.members.get(m.group(1).lower())
        if user is None:
            # Not a member: left as the text it is.
            return None, None, None
        if user not in self.found:
            self.found.append(user)
        span = etree.Element("span")
        span.set("class", "mention")
        span.text = f"@{user.username}"
        return span, m.start(0), m.end(0)


class _Mentions(Extension):
    def __init__(self, members: Mapping[str, Any], found: list[Any]) -> None:
        super().__init__()
        self.members = members
        self.found = found

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After links and autolinks (so an address stays one link), before emphasis.
        md.inlinePatterns.register(_Mention(MENTION, self.members, self.found), "mention", 95)


def render_comment(body: str, members: Mapping[str, Any]) -> Rendered:
    """`members`: the design's members by lower-cased username; only they can be mentioned."""
    found: list[Any] = []
    html = convert(body, ["fenced_code", "tables", "sane_lists", _Mentions(members, found)])
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    return Rendered(clean, found)
