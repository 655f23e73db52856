"""What part of a design a diagram shows, and how: the view options of every diagram.

The same options come from a page's query string (`ViewOptions.from_query`) and from the
`render_diagram` command's flags, and go back into links (`to_query`), so every view of a
diagram has its own address and downloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

DIRECTIONS = ("LR", "TB")
MAX_HOPS = 5
# Longest name taken from a request; names in a design are far shorter.
NAME_LIMIT = 200


class QueryLike(Protocol):
    def get(self, key: str, default: str | None = None) -> str | None: ...
    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class ViewOptions:
    """Which part of the design to draw (all of it by default), its direction and what to fold away."""

    # One bounded context (architecture, deployment) and the components it talks to.
    context: str = ""
    # One data store, by its component's name (ERD), and the tables its tables reference.
    store: str = ""
    # One component and its neighbours up to `hops` interactions away (architecture, deployment).
    component: str = ""
    hops: int = 1
    # One authentication method (sequence).
    method: str = ""
    # One environment (deployment).
    environment: str = ""
    direction: str = "LR"
    # Bounded contexts drawn as one node each, their interactions aggregated.
    collapse: tuple[str, ...] = field(default=())
    # The purpose of each interaction on its edge, beside the protocol.
    purposes: bool = False
    # ERD: each table with its key columns only (primary, foreign, referenced), for a large schema.
    keys_only: bool = False
    # Drawn as a diff (outputs/diagrams/diff.py): (uid, "added" | "removed" | "changed") pairs.
    # Set by the Compare page, never from a query string.
    marks: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if not 1 <= self.hops <= MAX_HOPS:
            raise ValueError(f"hops must be between 1 and {MAX_HOPS}, got {self.hops}")

    @classmethod
    def from_query(cls, query: QueryLike) -> ViewOptions:
        """Options from a query string; values out of range fall back to the defaults."""

        def name(key: str) -> str:
            return " ".join((query.get(key) or "").split())[:NAME_LIMIT]

        try:
            hops = min(MAX_HOPS, max(1, int(query.get("hops") or 1)))
        except ValueError:
            hops = 1
        direction = (query.get("direction") or "").upper()
        collapse = tuple(dict.fromkeys(c.strip()[:NAME_LIMIT] for c in query.getlist("collapse") if c.strip()))
        return cls(
            context=name("context"),
            store=name("store"),
            component=name("component"),
            hops=hops,
            method=name("method"),
            environment=name("environment"),
            direction=direction if direction in DIRECTIONS else "LR",
            collapse=collapse,
            purposes=query.get("purposes") in ("1", "on", "true"),
            keys_only=query.get("keys") in ("1", "on", "true"),
        )

    def only(self, honoured: tuple[str, ...]) -> ViewOptions:
        """These options less those a diagram does not honour (its `Diagram.options`), so a view that
        only differs in them is the same view: the same cache entry, never another layout."""
        default = ViewOptions()
        kept = {
            key: getattr(self, key) for key in ("context", "store", "component", "method", "environment", "direction")
        }
        kept |= {"collapse": self.collapse, "purposes": self.purposes, "keys_only": self.keys_only}
        kept = {key: value if key in honoured else getattr(default, key) for key, value in kept.items()}
        hops = self.hops if "hops" in honoured and kept["component"] else default.hops
        return ViewOptions(**kept, hops=hops, marks=self.marks)

    def to_query(self) -> dict[str, str | list[str]]:
        """The options that differ from the defaults, for a link's query string (urlencode with doseq)."""
        default = ViewOptions()
        query: dict[str, str | list[str]] = {}
        for key in ("context", "store", "component", "method", "environment", "direction"):
            if getattr(self, key) != getattr(default, key):
                query[key] = getattr(self, key)
        if self.component and self.hops != default.hops:
            query["hops"] = str(self.hops)
        if self.collapse:
            query["collapse"] = list(self.collapse)
        if self.purposes:
            query["purposes"] = "1"
        if self.keys_only:
            query["keys"] = "1"
        return query
