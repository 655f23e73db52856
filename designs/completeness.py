"""Completeness rules, one function per step, read by the step registry.

Each rule lists what a reviewer would expect before calling the step done; the
step's figure is the share of criteria met.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from . import models as m


@dataclass(frozen=True)
class Criterion:
    label: str
    met: bool


@dataclass(frozen=True)
class StepProgress:
    """How far a step is: criteria met of its total, and the labels of those still missing.

    The one place that turns criteria into a figure: the navigation, the overview, the
    dashboard and the stored completeness all read it, so an empty step is 0 % everywhere.
    """

    met: int
    total: int
    missing: tuple[str, ...]

    @classmethod
    def of(cls, criteria: Iterable[Criterion]) -> StepProgress:
        criteria = list(criteria)
        return cls(
            met=sum(c.met for c in criteria),
            total=len(criteria),
            missing=tuple(c.label for c in criteria if not c.met),
        )

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> StepProgress:
        """From Design.completeness, where it is kept between edits; never computed means nothing met."""
        stored = stored or {}
        return cls(met=stored.get("met", 0), total=stored.get("total", 0), missing=tuple(stored.get("missing", ())))

    def stored(self) -> dict[str, Any]:
        return {"met": self.met, "total": self.total, "missing": list(self.missing)}

    @property
    def percent(self) -> int:
        # A step with nothing to meet has nothing done either: 0 %, not 100 %.
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def state(self) -> str:
        """empty, partial or complete: the mark in the step navigation."""
        if self.met == 0:
            return "empty"
        return "complete" if self.met == self.total else "partial"


def overall_percent(progress: Iterable[StepProgress]) -> int:
    """The design's figure: the mean of its steps' percentages."""
    percents = [p.percent for p in progress]
    return round(sum(percents) / len(percents)) if percents else 0


def _c(label: str, met: Any) -> Criterion:
    return Criterion(label, bool(met))


def _section(model: type[m.Section], design: m.Design) -> m.Section | None:
    return model.objects.filter(design=design).first()


def requirements(design: m.Design) -> list[Criterion]:
    ctx = _section(m.ProblemContext, design)
    load = _section(m.LoadProfile, design)
    nfrs = m.NonFunctionalRequirement.objects.filter(design=design)
    load_fields = ("daily_active_users", "requests_per_user_per_day", "peak_factor", "reads_per_write")
    return [
        _c("Problem statement written", ctx and ctx.problem_statement.strip()),
        _c("Goals and scope stated", ctx and ctx.goals.strip() and (ctx.scope_in.strip() or ctx.scope_out.strip())),
        _c(
            "At least one must-have functional requirement",
            m.FunctionalRequirement.objects.filter(design=design, priority="must").exists(),
        ),
        _c("Non-functional requirements recorded", nfrs.exists()),
        _c(
            "Every NFR has a measurable target",
            nfrs.exists() and not nfrs.filter(Q(metric="") | Q(target_value__isnull=True) | Q(unit="")).exists(),
        ),
        _c(
            "Load profile: users, requests, peak factor and read:write ratio",
            load and all(getattr(load, f) is not None for f in load_fields),
        ),
        _c("Consistency needs per data domain", m.ConsistencyNeed.objects.filter(design=design).exists()),
    ]


def architecture(design: m.Design) -> list[Criterion]:
    style = _section(m.ArchitectureStyle, design)
    components = m.Component.objects.filter(design=design)
    decisions = m.TechnologyDecision.objects.filter(design=design)
    return [
        _c("Architecture style chosen with rationale", style and style.style and style.rationale.strip()),
        _c("At least two components", components.count() >= 2),
        _c(
            "Every component has a responsibility",
            components.exists() and not components.filter(responsibility="").exists(),
        ),
        _c("Interactions between components", m.Interaction.objects.filter(design=design).exists()),
        _c("Technology decisions recorded", decisions.exists()),
        _c(
            "Every decision weighs an alternative",
            decisions.exists() and not decisions.filter(alternatives__isnull=True).exists(),
        ),
    ]


def api(design: m.Design) -> list[Criterion]:
    endpoints = m.Endpoint.objects.filter(design=design)
    collections = endpoints.filter(method="GET").exclude(path__endswith="}")
    return [
        _c("API conventions set", m.ApiSettings.objects.filter(design=design).exists()),
        _c("At least one endpoint", endpoints.exists()),
        _c(
            "Every endpoint documents an error response",
            endpoints.exists() and not endpoints.filter(errors__isnull=True).exists(),
        ),
        _c(
            "Every endpoint has a response example",
            endpoints.exists() and not endpoints.filter(response_example="").exists(),
        ),
        _c(
            "Collection endpoints are paginated",
            endpoints.exists() and not collections.filter(paginated=False).exists(),
        ),
    ]


def database(design: m.Design) -> list[Criterion]:
    tables = m.Table.objects.filter(design=design)
    has_pk = m.Column.objects.filter(table=OuterRef("pk"), primary_key=True)
    fks = m.Column.objects.filter(design=design, references__isnull=False)
    leading = m.IndexColumn.objects.filter(column=OuterRef("pk"), position=0)
    databases = m.DataStore.objects.filter(design=design, component__kind="database")
    # Criteria about "every X" need an X: an empty step is not a partly done one.
    return [
        _c("At least one data store", m.DataStore.objects.filter(design=design).exists()),
        _c("At least one table with columns", m.Column.objects.filter(design=design).exists()),
        _c(
            "Every table has a primary key",
            tables.exists() and not tables.annotate(pk=Exists(has_pk)).filter(pk=False).exists(),
        ),
        _c(
            "Every foreign key is the leading column of an index",
            tables.exists() and not fks.annotate(ix=Exists(leading)).filter(ix=False, primary_key=False).exists(),
        ),
        _c(
            "Backups with RPO and RTO for every database",
            databases.exists()
            and not databases.filter(
                Q(backup_schedule="") | Q(rpo_minutes__isnull=True) | Q(rto_minutes__isnull=True)
            ).exists(),
        ),
        _c(
            "Migration strategy written",
            m.DatabaseSettings.objects.filter(design=design).exclude(migration_strategy="").exists(),
        ),
    ]


def security(design: m.Design) -> list[Criterion]:
    settings = _section(m.SecuritySettings, design)
    methods = m.AuthMethod.objects.filter(design=design)
    threats = m.Threat.objects.filter(design=design)
    return [
        _c("Authentication method chosen", methods.exists()),
        _c("Authentication flow written", m.AuthFlowStep.objects.filter(design=design).exists()),
        _c(
            "Authorization model with roles and permissions",
            settings and settings.authorization_model and m.PermissionGrant.objects.filter(design=design).exists(),
        ),
        _c(
            "Data protection: TLS, keys and secrets",
            settings and settings.tls_in_transit and settings.key_management and settings.secrets_management,
        ),
        _c("Threats modelled", threats.exists()),
        _c("Every threat has a mitigation", threats.exists() and not threats.filter(mitigation="").exists()),
        _c("Audit logging described", settings and settings.audit_logging.strip()),
    ]


def performance(design: m.Design) -> list[Criterion]:
    settings = _section(m.PerformanceSettings, design)
    jobs = m.BackgroundJob.objects.filter(design=design)
    return [
        _c("Performance budgets set", m.PerformanceBudget.objects.filter(design=design).exists()),
        _c("Caching strategy", m.CachePolicy.objects.filter(design=design).exists()),
        _c(
            "Hot queries mapped to indexes",
            m.HotQuery.objects.filter(design=design).exists()
            and not m.HotQuery.objects.filter(design=design, index__isnull=True).exists(),
        ),
        _c("Connection pooling described", settings and settings.connection_pooling.strip()),
        _c("Load balancing chosen", settings and settings.load_balancing),
        _c("Background jobs listed, each idempotent", jobs.exists() and not jobs.filter(idempotent=False).exists()),
    ]


def scalability(design: m.Design) -> list[Criterion]:
    services = m.Component.objects.filter(design=design).exclude(kind__in=("client", "external"))
    rules = m.ScalingRule.objects.filter(design=design)
    return [
        _c(
            "Every running component has a scaling rule",
            services.exists() and not services.filter(scaling__isnull=True).exists(),
        ),
        _c(
            "Per-instance capacity given for horizontally scaled components",
            rules.exists() and not rules.filter(mode="horizontal", capacity_rps__isnull=True).exists(),
        ),
        _c("Data scaling planned", m.DataScaling.objects.filter(design=design).exists()),
        _c("Bottlenecks and single points of failure named", m.Bottleneck.objects.filter(design=design).exists()),
        _c("Phased roadmap", m.RoadmapPhase.objects.filter(design=design).exists()),
    ]


def deployment(design: m.Design) -> list[Criterion]:
    release = _section(m.ReleasePlan, design)
    recovery = _section(m.DisasterRecovery, design)
    return [
        _c("Environments listed", m.Environment.objects.filter(design=design).exists()),
        _c("Hosting and orchestration", release and release.hosting and release.orchestration),
        _c("CI/CD stages", m.PipelineStage.objects.filter(design=design).exists()),
        _c(
            "Release strategy with rollback procedure",
            release and release.release_strategy and release.rollback_procedure.strip(),
        ),
        _c("Health checks", m.HealthCheck.objects.filter(design=design).exists()),
        _c(
            "Alerts with runbooks",
            m.Alert.objects.filter(design=design).exists()
            and not m.Alert.objects.filter(design=design, runbook="").exists(),
        ),
        _c("SLOs", m.Slo.objects.filter(design=design).exists()),
        _c(
            "Disaster recovery: RPO and RTO",
            recovery and recovery.dr_rpo_minutes is not None and recovery.dr_rto_minutes is not None,
        ),
    ]
