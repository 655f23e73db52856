"""The overview's "Design review" card: a placeholder that loads the findings once the page is shown.

Checking a large design means reading its snapshot first (a few hundred ms); the overview never
waits for it. The link works without JavaScript.
"""

from __future__ import annotations

from designs.presentation import Panel

PANEL = "design-review"


def review_panel() -> Panel:
    return Panel(PANEL, "checks/_panel.html", lambda design: None)
