"""Step 5: security."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .architecture import Component, Interaction
from .base import TEXT_LIMIT, Element, Section, Siblings, unique_name_constraint


class SecuritySettings(Section):
    class Model(models.TextChoices):
        RBAC = "rbac", "RBAC (role-based)"
        ABAC = "abac", "ABAC (attribute-based)"
        HYBRID = "hybrid", "RBAC with ABAC rules"

    authorization_model = models.CharField(max_length=10, choices=Model.choices, blank=True)
    tls_in_transit = models.CharField(
        "TLS in transit", max_length=200, blank=True, help_text="e.g. TLS 1.3 everywhere, mTLS inside the mesh"
    )
    key_management = models.TextField(blank=True, max_length=TEXT_LIMIT)
    secrets_management = models.TextField(blank=True, max_length=TEXT_LIMIT)
    pii_handling = models.TextField("PII handling", blank=True, max_length=TEXT_LIMIT)
    retention_and_deletion = models.TextField(blank=True, max_length=TEXT_LIMIT)
    audit_logging = models.TextField(
        blank=True, max_length=TEXT_LIMIT, help_text="What is logged, where, for how long."
    )

    class Meta:
        verbose_name = "security settings"


class AuthMethod(Element):
    class Kind(models.TextChoices):
        SESSION = "session", "Session cookie"
        JWT = "jwt", "JWT with refresh rotation"
        OAUTH2_OIDC = "oauth2_oidc", "OAuth2 / OIDC"
        API_KEY = "api_key", "API key"
        MTLS = "mtls", "mTLS"
        MFA = "mfa", "MFA"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    used_by = models.CharField(max_length=200, blank=True, help_text="Which clients or services use it")
    access_token_minutes = models.PositiveIntegerField("access token lifetime (min)", null=True, blank=True)
    refresh_token_days = models.PositiveIntegerField("refresh token lifetime (days)", null=True, blank=True)
    refresh_rotation = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=TEXT_LIMIT)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "authentication method"
        constraints = [*Element.Meta.constraints, unique_name_constraint("authmethod")]

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        access, refresh = self.access_token_minutes, self.refresh_token_days
        if access is not None and refresh is not None and refresh * 24 * 60 < access:
            raise ValidationError(
                {
                    "refresh_token_days": f"A refresh token that lives {refresh} days expires before the access token "
                    f"it renews ({access} minutes); make it live longer."
                }
            )


class AuthFlowStep(Element):
    method = models.ForeignKey(
        AuthMethod, on_delete=models.CASCADE, related_name="flow_steps", verbose_name="authentication method"
    )
    actor_from = models.CharField("from", max_length=100)
    actor_to = models.CharField("to", max_length=100)
    message = models.CharField(max_length=200)

    class Meta(Element.Meta):
        verbose_name = "flow step"

    def __str__(self) -> str:
        return f"{self.actor_from} → {self.actor_to}: {self.message}"


class SecurityRole(Element):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "role"
        constraints = [*Element.Meta.constraints, unique_name_constraint("securityrole")]

    def __str__(self) -> str:
        return self.name


class PermissionGrant(Element):
    class Action(models.TextChoices):
        READ = "read", "Read"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"
        MANAGE = "manage", "Manage"

    role = models.ForeignKey(SecurityRole, on_delete=models.CASCADE, related_name="grants")
    resource = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=Action.choices)

    class Meta(Element.Meta):
        verbose_name = "permission"
        constraints = [
            *Element.Meta.constraints,
            models.UniqueConstraint(fields=["role", "resource", "action"], name="permission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.action} {self.resource}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.role_id and self.resource and self.clashes(("role", "action"), folded="resource", siblings=siblings):
            raise ValidationError({"resource": f"{self.role} already may {self.action} {self.resource}."})


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Threat(Element):
    class Stride(models.TextChoices):
        SPOOFING = "spoofing", "Spoofing"
        TAMPERING = "tampering", "Tampering"
        REPUDIATION = "repudiation", "Repudiation"
        INFORMATION_DISCLOSURE = "information_disclosure", "Information disclosure"
        DENIAL_OF_SERVICE = "denial_of_service", "Denial of service"
        ELEVATION_OF_PRIVILEGE = "elevation_of_privilege", "Elevation of privilege"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MITIGATED = "mitigated", "Mitigated"
        ACCEPTED = "accepted", "Accepted"
        TRANSFERRED = "transferred", "Transferred"

    category = models.CharField("STRIDE category", max_length=30, choices=Stride.choices)
    target_component = models.ForeignKey(
        Component, on_delete=models.CASCADE, null=True, blank=True, related_name="threats"
    )
    target_interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, null=True, blank=True, related_name="threats"
    )
    description = models.TextField(max_length=TEXT_LIMIT)
    likelihood = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    impact = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    mitigation = models.TextField(blank=True, max_length=TEXT_LIMIT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("target_component", "target_interaction__source", "target_interaction__target")

    class Meta(Element.Meta):
        verbose_name = "threat"
        constraints = [
            *Element.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(target_component__isnull=True) | models.Q(target_interaction__isnull=True),
                name="threat_single_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on {self.target}"

    @property
    def target(self) -> object:
        return self.target_component or self.target_interaction or "the system"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.target_component_id and self.target_interaction_id:
            raise ValidationError({"target_interaction": "Target a component or an interaction, not both."})
        if self.status == self.Status.MITIGATED and not self.mitigation.strip():
            raise ValidationError({"mitigation": "Describe the mitigation before marking the threat mitigated."})


class ComplianceRegime(Element):
    class Regime(models.TextChoices):
        GDPR = "gdpr", "GDPR"
        PCI_DSS = "pci_dss", "PCI-DSS"
        SOC2 = "soc2", "SOC 2"
        HIPAA = "hipaa", "HIPAA"
        OTHER = "other", "Other"

    regime = models.CharField(max_length=10, choices=Regime.choices)
    notes = models.TextField(blank=True, max_length=TEXT_LIMIT)

    class Meta(Element.Meta):
        verbose_name = "compliance regime"
        constraints = [
            *Element.Meta.constraints,
            models.UniqueConstraint(
                fields=["design", "regime"], condition=~models.Q(regime="other"), name="compliance_once"
            ),
        ]

    def __str__(self) -> str:
        return self.get_regime_display()

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if (
            self.design_id
            and self.regime != self.Regime.OTHER
            and self.clashes(("design", "regime"), siblings=siblings)
        ):
            raise ValidationError({"regime": f"{self.get_regime_display()} is already listed."})


class ThreatSuggestionDismissal(models.Model):
    """A threat suggestion the architect dismissed, with why: it is never proposed again.

    Keyed by the suggestion's stable id (checks.threats: a hash of its rule, STRIDE category and
    target uid), so it survives edits of the target and of the design. Not part of the design
    document: it is a decision about the workbench's proposals, not about the system.
    """

    design = models.ForeignKey("designs.Design", on_delete=models.CASCADE, related_name="dismissed_suggestions")
    suggestion_id = models.CharField(max_length=64)
    # What was proposed, so the record reads on its own once the target is gone.
    title = models.CharField(max_length=300)
    reason = models.TextField(max_length=TEXT_LIMIT)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "dismissed threat suggestion"
        constraints = [
            models.UniqueConstraint(fields=["design", "suggestion_id"], name="suggestion_dismissed_once"),
        ]

    def __str__(self) -> str:
        return self.title
