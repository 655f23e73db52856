"""Step 8: deployment strategy."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .architecture import RUNNING_KINDS, Component, KindLimit, check_kinds
from .base import TEXT_LIMIT, Element, Section, Siblings, unique_name_constraint


class ReleasePlan(Section):
    """Hosting and release; each deployment section is its own record, so saving one never makes another stale."""

    class Release(models.TextChoices):
        ROLLING = "rolling", "Rolling"
        BLUE_GREEN = "blue_green", "Blue-green"
        CANARY = "canary", "Canary"

    hosting = models.CharField(max_length=200, blank=True, help_text="e.g. AWS eu-west-1, on-prem")
    orchestration = models.CharField(max_length=200, blank=True, help_text="e.g. Kubernetes (EKS)")
    release_strategy = models.CharField(max_length=20, choices=Release.choices, blank=True)
    rollback_procedure = models.TextField(blank=True, max_length=TEXT_LIMIT)
    feature_flags = models.TextField(blank=True, max_length=TEXT_LIMIT)
    zero_downtime_migrations = models.TextField(blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = "hosting and release"


class Observability(Section):
    metrics = models.TextField(blank=True, max_length=TEXT_LIMIT)
    structured_logs = models.BooleanField("structured logs with correlation ids", default=False)
    logging_notes = models.TextField(blank=True, max_length=TEXT_LIMIT)
    tracing = models.TextField(blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = "observability"
        verbose_name_plural = "observability"


class DisasterRecovery(Section):
    dr_backups = models.TextField("DR backups", blank=True, max_length=TEXT_LIMIT)
    dr_rpo_minutes = models.PositiveIntegerField("DR RPO (minutes)", null=True, blank=True)
    dr_rto_minutes = models.PositiveIntegerField("DR RTO (minutes)", null=True, blank=True)
    dr_regions = models.CharField("DR regions", max_length=200, blank=True)

    class Meta:
        verbose_name = "disaster recovery"
        verbose_name_plural = "disaster recovery"


class Environment(Element):
    name = models.CharField(max_length=50)
    purpose = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=100, blank=True)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "environment"
        constraints = [*Element.Meta.constraints, unique_name_constraint("environment")]

    def __str__(self) -> str:
        return self.name


class DeploymentUnit(Element):
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="units")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="deployments")
    image = models.CharField("container image", max_length=200, blank=True, help_text="e.g. registry/orders:1.4")
    instances = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("environment", "component")
    kind_limits = {
        "component": KindLimit(RUNNING_KINDS, "Clients and external systems are not deployed by this system.")
    }

    class Meta(Element.Meta):
        verbose_name = "deployment unit"
        constraints = [
            *Element.Meta.constraints,
            models.UniqueConstraint(fields=["environment", "component"], name="deployment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.component} in {self.environment}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        check_kinds(self)
        if self.environment_id and self.component_id and self.clashes(("environment", "component"), siblings=siblings):
            raise ValidationError({"component": f"{self.component} is already deployed to {self.environment}."})


class PipelineStage(Element):
    class Stage(models.TextChoices):
        BUILD = "build", "Build"
        TEST = "test", "Test"
        SCAN = "scan", "Security scan"
        DEPLOY = "deploy", "Deploy"
        SMOKE = "smoke", "Smoke test"

    stage = models.CharField(max_length=10, choices=Stage.choices)
    name = models.CharField(max_length=100)
    tooling = models.CharField(max_length=200, blank=True)
    gate = models.CharField(max_length=200, blank=True, help_text="What must pass to continue")

    class Meta(Element.Meta):
        verbose_name = "pipeline stage"

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        # The position is the stage's place in the pipeline: two stages in one place have no order.
        if self.position is not None and self.clashes(("design", "position"), siblings=siblings):
            raise ValidationError({"position": f"Another stage is already at position {self.position}; pick another."})


class HealthCheck(Element):
    class Kind(models.TextChoices):
        LIVENESS = "liveness", "Liveness"
        READINESS = "readiness", "Readiness"
        STARTUP = "startup", "Startup"

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="health_checks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    probe = models.CharField(max_length=200, help_text="e.g. GET /healthz every 10 s")

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("component",)
    kind_limits = {
        "component": KindLimit(RUNNING_KINDS, "Clients and external systems are not health-checked by this system.")
    }

    class Meta(Element.Meta):
        verbose_name = "health check"

    def __str__(self) -> str:
        return f"{self.component} {self.kind}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        check_kinds(self)


class Alert(Element):
    class Severity(models.TextChoices):
        CRITICAL = "critical", "Critical (page)"
        WARNING = "warning", "Warning (ticket)"
        INFO = "info", "Info"

    name = models.CharField(max_length=100)
    condition = models.CharField(max_length=200)
    threshold = models.CharField(max_length=100)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    runbook = models.CharField(max_length=300, blank=True, help_text="URL or short procedure")

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "alert"
        constraints = [*Element.Meta.constraints, unique_name_constraint("alert")]

    def __str__(self) -> str:
        return self.name


class Slo(Element):
    name = models.CharField(max_length=100)
    sli = models.CharField("SLI", max_length=200, help_text="e.g. share of checkout requests under 300 ms")
    target_percent = models.DecimalField(
        "target (%)", max_digits=6, decimal_places=3, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    window_days = models.PositiveSmallIntegerField("window (days)", default=30, validators=[MinValueValidator(1)])

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "SLO"
        constraints = [*Element.Meta.constraints, unique_name_constraint("slo")]

    def __str__(self) -> str:
        return self.name
