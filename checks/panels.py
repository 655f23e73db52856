"""The overview's "Design review" card: a placeholder that loads the findings once the page is shown.

Checking a large design means reading its snapshot first (a few hundred ms); the overview never
waits for it. The link works without JavaScript.
"""

from __future__ import annotations

from designs.presentation import Panel

PANEL = "design-review"


STEP_PANEL = "step-findings"


def review_panel() -> Panel:
    return Panel(PANEL, "checks/_panel.html", lambda design: None)


def step_panel() -> Panel:
    """A step's own findings, next to its elements; loaded after the page, redrawn after each save."""
    return Panel(STEP_PANEL, "checks/_step_panel.html", lambda design: None)


THREATS_PANEL = "threat-suggestions"
TRACEABILITY_PANEL = "traceability"


def threat_suggestions_panel() -> Panel:
    """Step 5's suggestions, loaded once the page is shown (they read the whole design)."""
    return Panel(THREATS_PANEL, "checks/_threats_panel.html", lambda design: None)


def traceability_panel() -> Panel:
    """A link to the matrix, on step 1 and the overview."""
    return Panel(TRACEABILITY_PANEL, "checks/_traceability_panel.html", lambda design: None)
