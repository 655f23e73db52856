"""The write path of threat suggestions: accepting one makes a Threat element, dismissing one is remembered.

The suggestions themselves are computed from the snapshot by the checks app (checks.threats), which
holds no models; it calls these to write. Accepting goes through services.element_save, so the
Threat's own rules apply and the activity log records it like any threat added in the form.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from . import models as m
from . import services
from .models.activity import shorten
from .models.security import Level
from .steps import get_step

# Suggested threats start as open, of medium likelihood and impact: the architect rates them.
THREATS = get_step("security").element("threats")


def dismissed_ids(design: m.Design) -> set[str]:
    return set(m.ThreatSuggestionDismissal.objects.filter(design=design).values_list("suggestion_id", flat=True))


def dismissals(design: m.Design) -> list[m.ThreatSuggestionDismissal]:
    """The dismissed suggestions, latest first, with who dismissed them."""
    qs = m.ThreatSuggestionDismissal.objects.filter(design=design).select_related("dismissed_by")
    return list(qs.order_by("-dismissed_at", "-pk"))


def dismiss(
    *, design: m.Design, suggestion_id: str, title: str, reason: str, actor: services.Actor = None
) -> m.ThreatSuggestionDismissal:
    """Remember that a suggestion is not wanted, and why; a blank reason is refused."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this threat does not apply, so reviewers can judge it."})
    user = actor if actor is not None and actor.is_authenticated else None
    with services.editing(design) as locked:
        try:
            with transaction.atomic():
                found = m.ThreatSuggestionDismissal.objects.create(
                    design=locked, suggestion_id=suggestion_id, title=title[:300], reason=reason, dismissed_by=user
                )
        except IntegrityError:
            # Dismissed meanwhile (a second tab): the first reason stands.
            return m.ThreatSuggestionDismissal.objects.get(design=locked, suggestion_id=suggestion_id)
        services.record(
            locked,
            actor=actor,
            action=m.ActivityEntry.Action.CHANGED,
            step="security",
            kind="threat suggestion",
            label=f"dismissed: {title}",
            changes=[["reason", "—", shorten(reason)]],
        )
        return found


def accept(
    *,
    design: m.Design,
    category: str,
    target_kind: str,
    target_uid: uuid.UUID | None,
    description: str,
    mitigation: str,
    actor: services.Actor = None,
) -> m.Threat:
    """Add the suggested threat to step 5, linked to its target (a component, an interaction or none)."""
    values: dict[str, object] = {
        "category": category,
        "target_component": None,
        "target_interaction": None,
        "description": description,
        "likelihood": Level.MEDIUM,
        "impact": Level.MEDIUM,
        "mitigation": mitigation,
        "status": m.Threat.Status.OPEN,
    }
    if target_kind:
        model = m.Interaction if target_kind == "interaction" else m.Component
        target = model.objects.filter(design=design, uid=target_uid).first()
        if target is None:
            raise ValidationError(f"The {target_kind} this threat is about no longer exists.")
        values[f"target_{target_kind}"] = target
    return services.element_save(design=design, spec=THREATS, values=values, actor=actor)  # type: ignore[return-value]
