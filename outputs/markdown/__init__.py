"""The design as markdown: the full report and the architecture brief, with Mermaid diagrams inside."""

from __future__ import annotations

from .brief import brief_markdown
from .full import full_markdown

__all__ = ["brief_markdown", "full_markdown"]
