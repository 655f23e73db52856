"""Values cached by a design's state: the one way a page, a diagram, a report or the checks are kept.

Every edit of a design moves its `updated_at` (services.design_changed), so `design_state` names one
state of it exactly and a key built from it never needs invalidating: an edit simply asks for new
keys, and the old values age out of the cache. A frozen version's state is its own ("version-N").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.core.cache import cache

if TYPE_CHECKING:
    from .models import Design

T = TypeVar("T")


def design_state(design: Design) -> str:
    """The design as stored now: its id and the time of its last edit."""
    return f"{design.pk}:{design.updated_at.isoformat()}"


def state_key(kind: str, design_state: str, *parts: object) -> str:
    """`kind:` and a digest of the state and the parts (what else the value depends on, its code's
    version first), so a key stays short however long the parts are."""
    digest = hashlib.sha256("\0".join(map(str, (design_state, *parts))).encode()).hexdigest()
    return f"{kind}:{digest}"


def cached_by_state(
    kind: str,
    design_state: str,
    *parts: object,
    build: Callable[[], T],
    timeout: int,
    keep: Callable[[T], bool] = lambda value: True,
) -> T:
    """The value kept under `kind`, the design's state and `parts`, built (and kept when `keep` says
    so: a failed diagram is not) on a miss. `build` runs only on a miss, so it is where the snapshot
    is loaded."""
    key = state_key(kind, design_state, *parts)
    found = cache.get(key)
    if found is None:
        found = build()
        if keep(found):
            cache.set(key, found, timeout)
    return found
