"""Completeness rules, one set per step, read by the step registry.

Each rule lists what a reviewer would expect before calling the step done; the
step's figure is the share of criteria met. A criterion is a condition on the
design written as SQL (subqueries on its elements), so every criterion of every
step is answered by one query, whatever the design's size: completeness is
recomputed after each save.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

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


@dataclass(frozen=True)
class Rule:
    """A criterion: its label and the condition on the design that meets it.

    `failing` names the elements that keep an unmet criterion unmet ("every X has Y": the Xs
    without Y), as the model and the condition they meet, so a page can list them by name.
    """

    label: str
    condition: Q | Exists | GreaterThanOrEqual
    failing: tuple[type[models.Model], Q] | None = None


class StepRules:
    """The criteria of one step; calling it with a design answers them (see `evaluate` for many steps)."""

    def __init__(self, *rules: Rule) -> None:
        self.rules = rules

    def __call__(self, design: m.Design) -> list[Criterion]:
        return evaluate(design, {"step": self})["step"]


# Stands in for the design's pk while a query is compiled once, to be filled in on each run.
_ANY_DESIGN = -1
_compiled: dict[tuple[tuple[str, int], ...], tuple[str, tuple[Any, ...]]] = {}


def _sql(steps: dict[str, StepRules]) -> tuple[str, tuple[Any, ...]]:
    """The one query answering every criterion of `steps`, compiled once per set of rules.

    Django takes longer to compile fifty subqueries than PostgreSQL takes to run them, and the
    query differs between designs only in the design's pk: compiled once, it is reused.
    """
    key = tuple((name, id(rules)) for name, rules in steps.items())
    if key not in _compiled:
        conditions: dict[str, ExpressionWrapper] = {}
        for name, rules in steps.items():
            for i, rule in enumerate(rules.rules):
                conditions[f"{name}_{i}"] = ExpressionWrapper(Q(rule.condition), output_field=models.BooleanField())
        sql, params = m.Design.objects.filter(pk=_ANY_DESIGN).values(**conditions).query.sql_with_params()
        if params.count(_ANY_DESIGN) != 1:
            raise AssertionError("a criterion uses the placeholder pk as a value")
        _compiled[key] = (sql, params)
    return _compiled[key]


def evaluate(design: m.Design, steps: dict[str, StepRules]) -> dict[str, list[Criterion]]:
    """Every criterion of the given steps, in one query."""
    sql, params = _sql(steps)
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(design.pk if p == _ANY_DESIGN else p for p in params))
        row = cursor.fetchone()
        answers = dict(zip((column.name for column in cursor.description), row, strict=True))
    return {
        key: [Criterion(rule.label, bool(answers[f"{key}_{i}"])) for i, rule in enumerate(rules.rules)]
        for key, rules in steps.items()
    }


# ---------------------------------------------------------------- conditions on the design's rows


def _of(model: type[models.Model], *conditions: Q, **filters: Any) -> Exists:
    """Whether the design has a row of `model` matching the conditions."""
    return Exists(model.objects.filter(*conditions, design=OuterRef("pk"), **filters))


def _every(model: type[models.Model], condition: Q, *within: Q) -> Q:
    """The design has rows of `model` (among `within`), and every one meets `condition`.

    Criteria about "every X" need an X: an empty step is not a partly done one."""
    return Q(_of(model, *within)) & ~Q(_of(model, ~condition, *within))


def _every_rule(label: str, model: type[models.Model], condition: Q, *within: Q) -> Rule:
    """A "every X meets C" criterion, naming the Xs that do not."""
    return Rule(label, _every(model, condition, *within), failing=(model, Q(~condition, *within)))


def _at_least(model: type[models.Model], count: int) -> GreaterThanOrEqual:
    rows = model.objects.filter(design=OuterRef("pk")).order_by().values("design").annotate(n=Count("pk")).values("n")
    return GreaterThanOrEqual(Coalesce(Subquery(rows), 0), count)


def _written(field: str) -> Q:
    """Text with something besides white space in it."""
    return Q(**{f"{field}__regex": r"\S"})


def _chosen(*fields: str) -> Q:
    return ~Q(**{fields[0]: ""}) & (_chosen(*fields[1:]) if fields[1:] else Q())


requirements = StepRules(
    Rule("Problem statement written", _of(m.ProblemContext, _written("problem_statement"))),
    Rule(
        "Goals and scope stated",
        _of(m.ProblemContext, _written("goals"), _written("scope_in") | _written("scope_out")),
    ),
    Rule("At least one must-have functional requirement", _of(m.FunctionalRequirement, priority="must")),
    Rule("Non-functional requirements recorded", _of(m.NonFunctionalRequirement)),
    _every_rule(
        "Every NFR has a measurable target",
        m.NonFunctionalRequirement,
        ~Q(metric="") & Q(target_value__isnull=False) & ~Q(unit=""),
    ),
    Rule(
        "Load profile: users, requests, peak factor and read:write ratio",
        _of(
            m.LoadProfile,
            daily_active_users__isnull=False,
            requests_per_user_per_day__isnull=False,
            peak_factor__isnull=False,
            reads_per_write__isnull=False,
        ),
    ),
    Rule("Consistency needs per data domain", _of(m.ConsistencyNeed)),
)

architecture = StepRules(
    Rule("Architecture style chosen with rationale", _of(m.ArchitectureStyle, _chosen("style"), _written("rationale"))),
    Rule("At least two components", _at_least(m.Component, 2)),
    _every_rule("Every component has a responsibility", m.Component, ~Q(responsibility="")),
    Rule("Interactions between components", _of(m.Interaction)),
    Rule("Technology decisions recorded", _of(m.TechnologyDecision)),
    _every_rule(
        "Every decision weighs an alternative",
        m.TechnologyDecision,
        Q(Exists(m.DecisionAlternative.objects.filter(decision=OuterRef("pk")))),
    ),
)

# A collection endpoint: a GET that says it returns a list, or whose example is one (designs/endpoints.py).
_COLLECTION = Q(method="GET", is_collection=True)

api = StepRules(
    Rule("API conventions set", _of(m.ApiSettings)),
    Rule("At least one endpoint", _of(m.Endpoint)),
    _every_rule(
        "Every endpoint documents an error response",
        m.Endpoint,
        Q(Exists(m.EndpointError.objects.filter(endpoint=OuterRef("pk")))),
    ),
    _every_rule("Every endpoint has a response example", m.Endpoint, ~Q(response_example="")),
    Rule(
        "Collection endpoints are paginated",
        Q(_of(m.Endpoint)) & ~Q(_of(m.Endpoint, _COLLECTION, paginated=False)),
        failing=(m.Endpoint, _COLLECTION & Q(paginated=False)),
    ),
)

_LEADS_AN_INDEX = Q(Exists(m.IndexColumn.objects.filter(column=OuterRef("pk"), position=0)))

database = StepRules(
    Rule("At least one data store", _of(m.DataStore)),
    Rule("At least one table with columns", _of(m.Column)),
    _every_rule(
        "Every table has a primary key",
        m.Table,
        Q(Exists(m.Column.objects.filter(table=OuterRef("pk"), primary_key=True))),
    ),
    Rule(
        "Every foreign key is the leading column of an index",
        Q(_of(m.Table)) & ~Q(_of(m.Column, ~_LEADS_AN_INDEX, references__isnull=False, primary_key=False)),
        failing=(m.Column, ~_LEADS_AN_INDEX & Q(references__isnull=False, primary_key=False)),
    ),
    _every_rule(
        "Backups with RPO and RTO for every database",
        m.DataStore,
        ~Q(backup_schedule="") & Q(rpo_minutes__isnull=False) & Q(rto_minutes__isnull=False),
        Q(component__kind="database"),
    ),
    Rule("Migration strategy written", _of(m.DatabaseSettings, ~Q(migration_strategy=""))),
)

security = StepRules(
    Rule("Authentication method chosen", _of(m.AuthMethod)),
    Rule("Authentication flow written", _of(m.AuthFlowStep)),
    Rule(
        "Authorization model with roles and permissions",
        Q(_of(m.SecuritySettings, _chosen("authorization_model"))) & Q(_of(m.PermissionGrant)),
    ),
    Rule(
        "Data protection: TLS, keys and secrets",
        _of(m.SecuritySettings, _chosen("tls_in_transit", "key_management", "secrets_management")),
    ),
    Rule("Threats modelled", _of(m.Threat)),
    _every_rule("Every threat has a mitigation", m.Threat, ~Q(mitigation="")),
    Rule("Audit logging described", _of(m.SecuritySettings, _written("audit_logging"))),
)

performance = StepRules(
    Rule("Performance budgets set", _of(m.PerformanceBudget)),
    Rule("Caching strategy", _of(m.CachePolicy)),
    _every_rule("Hot queries mapped to indexes", m.HotQuery, Q(index__isnull=False)),
    Rule("Connection pooling described", _of(m.PerformanceSettings, _written("connection_pooling"))),
    Rule("Load balancing chosen", _of(m.PerformanceSettings, _chosen("load_balancing"))),
    _every_rule("Background jobs listed, each idempotent", m.BackgroundJob, Q(idempotent=True)),
)

scalability = StepRules(
    _every_rule(
        "Every running component has a scaling rule",
        m.Component,
        Q(Exists(m.ScalingRule.objects.filter(component=OuterRef("pk")))),
        ~Q(kind__in=("client", "external")),
    ),
    Rule(
        "Per-instance capacity given for horizontally scaled components",
        Q(_of(m.ScalingRule)) & ~Q(_of(m.ScalingRule, mode="horizontal", capacity_rps__isnull=True)),
        failing=(m.ScalingRule, Q(mode="horizontal", capacity_rps__isnull=True)),
    ),
    Rule("Data scaling planned", _of(m.DataScaling)),
    Rule("Bottlenecks and single points of failure named", _of(m.Bottleneck)),
    Rule("Phased roadmap", _of(m.RoadmapPhase)),
)

deployment = StepRules(
    Rule("Environments listed", _of(m.Environment)),
    Rule("Hosting and orchestration", _of(m.ReleasePlan, _chosen("hosting", "orchestration"))),
    Rule("CI/CD stages", _of(m.PipelineStage)),
    Rule(
        "Release strategy with rollback procedure",
        _of(m.ReleasePlan, _chosen("release_strategy"), _written("rollback_procedure")),
    ),
    Rule("Health checks", _of(m.HealthCheck)),
    _every_rule("Alerts with runbooks", m.Alert, ~Q(runbook="")),
    Rule("SLOs", _of(m.Slo)),
    Rule(
        "Disaster recovery: RPO and RTO",
        _of(m.DisasterRecovery, dr_rpo_minutes__isnull=False, dr_rto_minutes__isnull=False),
    ),
)
