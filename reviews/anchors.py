"""Where a comment is anchored: each element of a design by uid, with a fingerprint of its values.

A comment keeps the fingerprint of its element at the time it was written; comparing it with the
element's fingerprint now tells "outdated" (the element changed) and "element deleted" (no element
has the uid any more). Fingerprints are read from the design snapshot, so they cover exactly the
values a design document holds (references by the referenced element's uid: renaming a table does
not make comments on its columns outdated).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from designs.caching import cached_by_state, design_state
from designs.models import Design
from designs.snapshot import DesignSnapshot, ElementRecord, load_snapshot

ANCHOR_CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Anchor:
    step_key: str
    list_key: str
    fingerprint: str


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def fingerprint(record: ElementRecord) -> str:
    values = dict(zip(record.field_names(), (_plain(v) for v in record.comparable()), strict=True))
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def anchors_of(snapshot: DesignSnapshot) -> dict[uuid.UUID, Anchor]:
    return {
        record.uid: Anchor(step_key, list_key, fingerprint(record))
        for step_key, step in snapshot.steps.items()
        for list_key, records in step.elements.items()
        for record in records
    }


def design_anchors(design: Design) -> dict[uuid.UUID, Anchor]:
    """Every element of the design as stored now, cached per design state (every edit moves `updated_at`)."""
    return cached_by_state(
        "comment-anchors",
        design_state(design),
        build=lambda: anchors_of(load_snapshot(design)),
        timeout=ANCHOR_CACHE_SECONDS,
    )
