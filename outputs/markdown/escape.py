"""User text made inert in markdown: shown as the characters typed, never as markup.

The same text must stay text on code hosts (CommonMark/GFM) and in our own HTML rendering
(Python-Markdown with the tables extension), so only escapes both honour are used: a backslash
before the inline markup characters, entities for `<`, `>` and `&`, and a backslash before what
would start a block (heading, list, quote, setext underline) at the beginning of a line.

Text kept as markdown (the executive summary, `md_quote`) is made safe rather than inert: a link
keeps its address only when that is a web, mail or relative one (a `javascript:` or `data:` link
is left as its text), an image is left as its text (a remote one would report every reader's
visit to its host), and a Mermaid directive (`%%{init: …}%%`, which could reconfigure the diagram
renderer of a code host) becomes a Mermaid comment. The HTML report's nh3 drops the same things.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]|])")
# `%%{` opens a Mermaid directive; `%% {` is a Mermaid comment.
_MERMAID_DIRECTIVE = re.compile(r"%%(?=\{)")
# Where a link's destination starts: after `](` (inline links and images) or `]:` (a reference
# definition), past spaces and an opening `<`.
_DESTINATION = re.compile(r"\]([(:])[ \t]*(?:\n[ \t>]*)?(?:&lt;)?")
# A destination kept as it is: web and mail addresses, and relative ones (no scheme before the first
# `/`, `?` or `#`); anything else (javascript:, data:, vbscript:, file:, …) loses its link.
_SAFE_DESTINATION = re.compile(r"(?:https?://|mailto:|[#/?.]|[^\s:/?#()<>]*(?:[/?#)\s]|$))", re.IGNORECASE)
_BLOCK_START = re.compile(r"^(\s*)([#+\-=~]|\d+(?=[.)](\s|$)))")
_SPACES = re.compile(r"\s+")


def _inline(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(r"\\\1", text)


def md_text(value: object) -> str:
    """One line of user text: line breaks become spaces, so a table cell or heading stays one."""
    text = _SPACES.sub(" ", str(value)).strip()
    return _BLOCK_START.sub(_escape_start, _inline(text))


def md_block(value: object) -> str:
    """Multi-line user text as one paragraph per blank-line-separated part, lines kept as line breaks."""
    paragraphs = []
    text = _MERMAID_DIRECTIVE.sub("%% ", str(value))
    for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [_BLOCK_START.sub(_escape_start, _inline(line.strip())) for line in part.split("\n") if line.strip()]
        if lines:
            paragraphs.append("  \n".join(lines))
    return "\n\n".join(paragraphs)


def md_quote(value: object) -> str:
    """Text the user wrote as markdown (the executive summary), kept as markdown inside a block quote.

    Every line starts with "> ", so nothing in it (a heading, a table, a code fence never closed)
    reaches past the quote into the report's own structure: a quote ends where its marked lines do,
    and so does anything opened in it. Raw HTML is not markdown's to keep: `<`, `>` and `&` become
    entities (inside a code span they then show as typed entities, a small price).
    """
    text = str(value).replace("\r\n", "\n").strip()
    if not text:
        return ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _safe_links(_MERMAID_DIRECTIVE.sub("%% ", text))
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def _safe_links(text: str) -> str:
    """Markdown with links only to web, mail and relative addresses, and no images (see the module's
    docstring): the `]` before an unsafe destination is escaped, so no link or definition forms and
    the text shows as typed; every `![` becomes `!\\[`, so an image is at most a link."""
    text = text.replace("![", "!\\[")
    pieces, start = [], 0
    for found in _DESTINATION.finditer(text):
        at = back = found.start()
        while back > start and text[back - 1] == "\\":
            back -= 1
        # An odd run of backslashes already escapes this `]`; another would escape the backslash instead.
        if (at - back) % 2 or _SAFE_DESTINATION.match(text, found.end()):
            continue
        pieces += [text[start:at], "\\]"]
        start = at + 1
    return "".join([*pieces, text[start:]])


def _escape_start(found: re.Match[str]) -> str:
    marker = found[2]
    # A number starts a list only with the "." or ")" after it; escaping that keeps the digits.
    if marker[0].isdigit():
        return f"{found[1]}{marker}\\"
    # Python-Markdown does not honour "\~", and "~~~" opens a code block: an entity works everywhere.
    if marker == "~":
        return f"{found[1]}&#126;"
    return f"{found[1]}\\{marker}"


class Written(str):
    """Markdown we wrote ourselves (a link), put in a table cell as is."""


# What would end an autolink, split its table cell, or be read as code or an escape inside it.
_LINK_UNSAFE = {"<": "%3C", ">": "%3E", "|": "%7C", "`": "%60", "\\": "%5C"}


def md_link(url: str) -> Written:
    """An autolink to a web address the caller has checked to be http(s)."""
    return Written("<" + "".join(_LINK_UNSAFE.get(ch, ch) for ch in url) + ">")


def md_cell(value: object) -> str:
    """A table cell; an empty one shows a dash, so a row never collapses."""
    if isinstance(value, Written):
        return str(value)
    text = md_text(value)
    return text or "—"


def md_table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table of user values (headers are ours, escaped all the same)."""
    lines = [
        "| " + " | ".join(md_cell(h) for h in headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fenced(code: str, language: str = "") -> str:
    """A fenced code block longer than any run of backticks inside, so the content cannot close it."""
    runs = [len(run) for run in re.findall(r"`+", code)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


def mermaid_text(value: object, limit: int = 80) -> str:
    """A Mermaid label: everything but letters, digits, spaces and plain punctuation as an entity
    code (`#35;`), so quotes, semicolons, brackets and markup cannot end the label or the statement."""
    text = _SPACES.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(ch if ch.isalnum() or ch in " .,:/-_'" else f"#{ord(ch)};" for ch in text)
