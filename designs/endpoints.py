"""Whether an endpoint returns a collection: said by the endpoint, or read from its response example.

Pure (no models), so completeness, the forms and the design checks all answer the same way. A path
shape cannot tell (`GET /health` and `GET /tenants/{id}/reports/pnl` end in no parameter and
return one thing), the example can: a JSON array is a collection, and so is a page envelope — a
list under a usual key beside a paging key (`{"data": [...], "next_cursor": ...}`). A resource
that merely holds a list (a cart and its items) is not; an endpoint can always say for itself.
"""

from __future__ import annotations

import json

# How list endpoints usually wrap a page of items, and the keys that say it is a page.
ENVELOPE_KEYS = ("items", "data", "results", "records", "entries", "edges", "nodes", "rows")
PAGING_KEYS = {
    "next",
    "next_cursor",
    "nextCursor",
    "cursor",
    "next_page",
    "page",
    "page_size",
    "has_more",
    "hasMore",
    "offset",
    "limit",
    "page_info",
    "pageInfo",
    "links",
    "next_page_token",
    "nextPageToken",
}
SAYS = {"yes": True, "no": False}


def returns_collection(collection: str, response_example: str) -> bool:
    """`collection` is the endpoint's own answer ("yes", "no"), or "" to infer it from the example."""
    if collection in SAYS:
        return SAYS[collection]
    try:
        example = json.loads(response_example) if response_example.strip() else None
    except ValueError:
        return False
    if isinstance(example, list):
        return True
    if not isinstance(example, dict) or not PAGING_KEYS & example.keys():
        return False
    return any(isinstance(example.get(key), list) for key in ENVELOPE_KEYS)
