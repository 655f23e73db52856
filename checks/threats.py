"""Threat suggestions: STRIDE candidates proposed from the model, for the architect to accept or dismiss.

Pure functions of a snapshot, like the checks. Each suggestion names its target (a component, an
interaction, or the system for a role), its STRIDE category, why the model suggests it and a
mitigation to start from. Its id is stable — a hash of the rule, the category and the target's uid —
so a dismissal is remembered across edits. Fewer, better: a suggestion is made only where the model
holds the fact that makes the threat real (a boundary crossed, PII stored, a write without
authentication, a role that manages), never for what an existing threat already covers (same target,
same category), and never again once dismissed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from designs.snapshot import DesignSnapshot, ElementRecord
from designs.steps import element_label

OUTSIDE = frozenset({"client", "external"})
SENSITIVE = frozenset({"pii", "confidential"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SPOOFING = "spoofing"
TAMPERING = "tampering"
REPUDIATION = "repudiation"
DISCLOSURE = "information_disclosure"
ELEVATION = "elevation_of_privilege"


@dataclass(frozen=True)
class Suggestion:
    id: str
    rule: str
    category: str
    # The component or interaction the threat is on; None for the system as a whole.
    target: ElementRecord | None
    title: str
    explanation: str
    mitigation: str
    # What a threat on the system as a whole comes through (a role), for its title.
    via: str = ""

    @property
    def category_label(self) -> str:
        return self.category.replace("_", " ").capitalize()

    @property
    def target_kind(self) -> str:
        """ "component", "interaction" or "" (the system), as the Threat element's target fields."""
        if self.target is None:
            return ""
        return "interaction" if self.target.spec.key == "interactions" else "component"

    @property
    def target_label(self) -> str:
        if self.target is not None:
            return element_label(self.target)
        return f"the system via {self.via}" if self.via else "the system"

    @property
    def target_uid(self) -> uuid.UUID | None:
        return None if self.target is None else self.target.uid


def suggestion_id(rule: str, category: str, anchor: uuid.UUID) -> str:
    """Stable across edits: the rule, the category and the uid of what it is about."""
    return hashlib.sha256(f"{rule}:{category}:{anchor}".encode()).hexdigest()[:32]


def _make(
    rule: str,
    category: str,
    anchor: ElementRecord,
    target: ElementRecord | None,
    explanation: str,
    mitigation: str,
    *,
    via: str = "",
) -> Suggestion:
    on = element_label(target) if target is not None else "the system" + (f" via {via}" if via else "")
    title = f"{category.replace('_', ' ').capitalize()} on {on}"
    return Suggestion(
        suggestion_id(rule, category, anchor.uid), rule, category, target, title, explanation, mitigation, via
    )


def _boundary(snapshot: DesignSnapshot) -> Iterator[Suggestion]:
    for i in snapshot.elements("interactions"):
        if i.source.kind not in OUTSIDE or i.target.kind in OUTSIDE:
            continue
        who = "a client" if i.source.kind == "client" else "an external system"
        crossing = f"{i.source.name} → {i.target.name} enters the system from {who}"
        yield _make(
            "boundary",
            SPOOFING,
            i,
            i,
            f"{crossing}: anyone who can reach {i.target.name} can claim to be {i.source.name}.",
            "Authenticate every caller at the boundary (tokens checked by the gateway, signed webhooks, "
            "mTLS for partners) and reject unauthenticated requests before they reach business code.",
        )
        if not i.tls or i.source.kind == "external":
            why = "travels without TLS" if not i.tls else "comes from a system we do not control"
            yield _make(
                "boundary",
                TAMPERING,
                i,
                i,
                f"{crossing} and {why}: its content can be altered on the way or forged at the source.",
                "Require TLS 1.2+ end to end, verify message signatures (e.g. HMAC on webhooks) and "
                "validate every field against the schema before acting on it.",
            )
        if i.data_classification in SENSITIVE:
            data = "PII" if i.data_classification == "pii" else "confidential data"
            yield _make(
                "boundary",
                DISCLOSURE,
                i,
                i,
                f"{crossing} carrying {data}: it can leak in transit, in logs or in error responses.",
                "Encrypt in transit (TLS), return only the fields the caller needs, keep personal data out of "
                "logs and error messages.",
            )


def _pii_stores(snapshot: DesignSnapshot) -> Iterator[Suggestion]:
    holding = {column.table.store for column in snapshot.elements("columns") if column.pii}
    for store in snapshot.elements("stores"):
        if store not in holding:
            continue
        name = store.component.name
        at_rest = "is encrypted at rest" if store.encrypted_at_rest else "is not encrypted at rest"
        yield _make(
            "pii-store",
            DISCLOSURE,
            store,
            store.component,
            f"{name} holds PII columns and {at_rest}: a stolen backup, a leaked credential or an over-broad "
            "query exposes personal data.",
            "Encrypt at rest with managed keys, give each service its own least-privilege credentials, "
            "mask PII in non-production copies and audit access to PII tables.",
        )
        yield _make(
            "pii-store",
            TAMPERING,
            store,
            store.component,
            f"{name} holds PII: whoever can write to it directly can alter personal records unnoticed.",
            "Allow writes only through the owning service, keep an audit trail of changes to personal data "
            "and restrict direct database access to break-glass accounts.",
        )


def _open_endpoints(snapshot: DesignSnapshot) -> Iterator[Suggestion]:
    # Grouped by service: one suggestion per service and category, naming its open endpoints.
    by_service: dict[ElementRecord, list[ElementRecord]] = {}
    for endpoint in snapshot.elements("endpoints"):
        if endpoint.auth_required:
            continue
        writes = endpoint.method not in READ_METHODS
        if writes or endpoint.exposes_classification in SENSITIVE | {"internal"}:
            by_service.setdefault(endpoint.service, []).append(endpoint)
    for service, endpoints in by_service.items():
        names = ", ".join(f"{e.method} {e.path}" for e in endpoints)
        yield _make(
            "open-endpoint",
            SPOOFING,
            service,
            service,
            f"{service.name} answers {names} without authentication: any caller can act as any user there.",
            "Require authentication on these endpoints, or narrow each to public data and read-only use; "
            "rate-limit what must stay open.",
        )
        writing = [f"{e.method} {e.path}" for e in endpoints if e.method not in READ_METHODS]
        if writing:
            yield _make(
                "open-endpoint",
                ELEVATION,
                service,
                service,
                f"{service.name} changes data through {', '.join(writing)} without authentication: "
                "anyone gets the rights of a signed-in user.",
                "Authenticate and authorise every write (check the caller's role or scope per request); "
                "if a write must stay anonymous, make it idempotent, validated and rate-limited.",
            )


def _admin_roles(snapshot: DesignSnapshot) -> Iterator[Suggestion]:
    # Managing one's own things ("own cart", the convention of the permission matrix) is no admin right.
    managing = {
        grant.role
        for grant in snapshot.elements("permissions")
        if grant.action == "manage" and not grant.resource.lower().startswith("own ")
    }
    for role in snapshot.elements("roles"):
        if role not in managing and "admin" not in role.name.lower():
            continue
        yield _make(
            "admin-role",
            ELEVATION,
            role,
            None,
            f"The role {role.name} manages resources: a stolen admin session or a flaw in its checks hands "
            "over the whole system.",
            f"Require MFA and short sessions for {role.name}, grant it to few named people, check the role "
            "on the server for every admin action and review grants regularly.",
            via=role.name,
        )
        yield _make(
            "admin-role",
            REPUDIATION,
            role,
            None,
            f"Actions of {role.name} change what others see and may do; without a record, a harmful change "
            "cannot be traced to who made it.",
            "Write an append-only audit log of every admin action (who, what, when, from where), kept "
            "outside the admins' own reach.",
            via=role.name,
        )


def _covered(snapshot: DesignSnapshot) -> set[tuple[uuid.UUID | None, str]]:
    """(target uid, category) of every threat the design already records."""
    found = set()
    for threat in snapshot.elements("threats"):
        target = threat.target_component or threat.target_interaction
        found.add((None if target is None else target.uid, threat.category))
    return found


def suggest_threats(snapshot: DesignSnapshot, dismissed: Collection[str] = ()) -> list[Suggestion]:
    """The design's threat suggestions, without the dismissed ones and those an existing threat covers."""
    covered = _covered(snapshot)
    found: list[Suggestion] = []
    seen: set[str] = set()
    for generate in (_boundary, _open_endpoints, _pii_stores, _admin_roles):
        for suggestion in generate(snapshot):
            if suggestion.id in dismissed or suggestion.id in seen:
                continue
            if (suggestion.target_uid, suggestion.category) in covered:
                continue
            seen.add(suggestion.id)
            found.append(suggestion)
    return found


def find_suggestion(snapshot: DesignSnapshot, suggestion_id: str, dismissed: Collection[str] = ()) -> Suggestion | None:
    return next((s for s in suggest_threats(snapshot, dismissed) if s.id == suggestion_id), None)
