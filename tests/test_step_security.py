"""Step 5, security: authentication, authorization, data protection, threats, compliance."""

from __future__ import annotations

from designs import models as m
from tests.step_helpers import (
    component,
    create_url,
    edit_data,
    edit_url,
    new_data,
    section_data,
    section_url,
    select_options,
    step_url,
)

STEP = "security"


def auth_method(design: m.Design) -> m.AuthMethod:
    return m.AuthMethod.objects.get_or_create(design=design, name="Customer login", defaults={"kind": "jwt"})[0]


def interaction(design: m.Design) -> m.Interaction:
    return m.Interaction.objects.create(
        design=design, source=component(design, "web", "web_app"), target=component(design, "orders")
    )


def auth_fields(design: m.Design) -> dict:
    return {
        "name": "Customer login",
        "kind": "jwt",
        "used_by": "web and mobile",
        "access_token_minutes": 15,
        "refresh_token_days": 30,
        "refresh_rotation": True,
        "notes": "Refresh tokens are single-use.",
    }


def flow_fields(design: m.Design) -> dict:
    return {
        "method": auth_method(design).pk,
        "position": 1,
        "actor_from": "Browser",
        "actor_to": "Auth service",
        "message": "POST /token with password",
    }


def role_fields(design: m.Design) -> dict:
    return {"name": "support-agent", "description": "Answers customers."}


def permission_fields(design: m.Design) -> dict:
    role = m.SecurityRole.objects.create(design=design, name="support-agent")
    return {"role": role.pk, "resource": "orders", "action": "read"}


def threat_fields(design: m.Design) -> dict:
    return {
        "category": "spoofing",
        "target_component": component(design, "orders").pk,
        "target_interaction": "",
        "description": "Stolen session tokens",
        "likelihood": "high",
        "impact": "high",
        "mitigation": "Short-lived JWTs bound to the device",
        "status": "mitigated",
    }


def compliance_fields(design: m.Design) -> dict:
    return {"regime": "gdpr", "notes": "EU customers; DPA with the PSP."}


# The cases every element list is tested with, in tests/test_step_elements.py.
VALID = {
    "auth": (auth_fields, m.AuthMethod, {"name": "Customer login", "refresh_rotation": True}, "Customer login"),
    "flow": (flow_fields, m.AuthFlowStep, {"message": "POST /token with password"}, "POST /token with password"),
    "roles": (role_fields, m.SecurityRole, {"name": "support-agent"}, "support-agent"),
    "permissions": (permission_fields, m.PermissionGrant, {"resource": "orders", "action": "read"}, "orders"),
    "threats": (
        threat_fields,
        m.Threat,
        {"category": "spoofing", "target_component__name": "orders"},
        "Short-lived JWTs bound to the device",
    ),
    "compliance": (compliance_fields, m.ComplianceRegime, {"regime": "gdpr"}, "GDPR"),
}


def _threat_with_both_targets(design):
    return {**threat_fields(design), "target_interaction": interaction(design).pk}


def _mitigated_without_mitigation(design):
    return {**threat_fields(design), "mitigation": ""}


def _threat_without_description(design):
    return {**threat_fields(design), "description": ""}


def _permission_twice(design):
    fields = permission_fields(design)
    m.PermissionGrant.objects.create(design=design, role_id=fields["role"], resource="orders", action="read")
    return fields


def _regime_twice(design):
    m.ComplianceRegime.objects.create(design=design, regime="gdpr")
    return compliance_fields(design)


def _auth_name_taken(design):
    auth_method(design)
    return auth_fields(design)


def _negative_token_lifetime(design):
    return {**auth_fields(design), "access_token_minutes": -5}


def _flow_step_without_message(design):
    return {**flow_fields(design), "message": ""}


def _refresh_shorter_than_access(design):
    return {**auth_fields(design), "access_token_minutes": 2880, "refresh_token_days": 1}


INVALID = [
    ("auth", _refresh_shorter_than_access, "refresh_token_days", "expires before the access token it renews"),
    ("threats", _threat_with_both_targets, "target_interaction", "Target a component or an interaction, not both."),
    ("threats", _mitigated_without_mitigation, "mitigation", "Describe the mitigation"),
    ("threats", _threat_without_description, "description", "This field is required."),
    ("permissions", _permission_twice, "resource", "support-agent already may read orders."),
    ("compliance", _regime_twice, "regime", "GDPR is already listed."),
    ("auth", _auth_name_taken, "name", "already has the name"),
    ("auth", _negative_token_lifetime, "access_token_minutes", "greater than or equal to 0"),
    ("flow", _flow_step_without_message, "message", "This field is required."),
]


def test_it_accepts_a_threat_on_an_interaction(owner_client, design):
    target = interaction(design)
    data = new_data("threats", **{**threat_fields(design), "target_component": "", "target_interaction": target.pk})
    owner_client.post(create_url(design, STEP, "threats"), data)
    assert m.Threat.objects.get(design=design).target_interaction == target


def test_it_lists_interactions_by_their_ends_as_threat_targets(owner_client, design):
    interaction(design)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert select_options(content, "new-threats-target_interaction") == ["web → orders (HTTPS/REST)"]


def test_it_allows_several_other_compliance_regimes(owner_client, design):
    for notes in ("Local banking rules", "Works council agreement"):
        response = owner_client.post(
            create_url(design, STEP, "compliance"), new_data("compliance", regime="other", notes=notes)
        )
        assert response.status_code == 302
    assert m.ComplianceRegime.objects.filter(design=design, regime="other").count() == 2


def test_it_edits_a_threats_status(owner_client, design):
    threat = m.Threat.objects.create(design=design, category="tampering", description="Price tampering")
    data = edit_data(
        "threats",
        threat,
        category="tampering",
        description="Price tampering",
        likelihood="low",
        impact="high",
        mitigation="Prices read server-side",
        status="mitigated",
    )
    response = owner_client.post(edit_url(design, STEP, "threats", threat.pk), data)
    assert response.status_code == 302
    threat.refresh_from_db()
    assert (threat.status, threat.mitigation) == ("mitigated", "Prices read server-side")


def test_it_saves_data_protection(owner_client, design):
    data = section_data(
        "protection",
        authorization_model="rbac",
        tls_in_transit="TLS 1.3",
        key_management="KMS",
        secrets_management="Vault",
        pii_handling="Tokenised",
        retention_and_deletion="7 years",
        audit_logging="Every admin action",
    )
    response = owner_client.post(section_url(design, STEP, "protection"), data)
    assert response.status_code == 302
    settings = m.SecuritySettings.objects.get(design=design)
    assert (settings.authorization_model, settings.secrets_management) == ("rbac", "Vault")
