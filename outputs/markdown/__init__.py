"""The design as markdown: the full report and the architecture brief, with Mermaid diagrams inside."""

from __future__ import annotations

from collections.abc import Callable

from .brief import brief_markdown
from .full import full_markdown

# The report's two layouts, by name: every rendering of a report (markdown, HTML, PDF) starts here.
LAYOUTS: dict[str, Callable[..., str]] = {"full": full_markdown, "brief": brief_markdown}

__all__ = ["LAYOUTS", "brief_markdown", "full_markdown"]
