"""The registry of the eight guided steps.

Navigation, forms, the step pages, completeness, the design document and (later)
reports and checks all read this one declaration. Adding a field to a step is a
model field plus its name here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from django.db import models as dj
from django.db.models import Q

from . import completeness as rules
from . import models as m

GUIDANCE_DIR = Path(__file__).parent / "guidance"


@dataclass(frozen=True, eq=False)
class SectionSpec:
    """A one-per-design record of a step, edited as one form."""

    key: str
    model: type[m.Section]
    fields: tuple[str, ...]
    title: str = ""
    # The step that lists this section; set by the Step that holds it.
    step: Step = field(init=False, repr=False)

    @property
    def label(self) -> str:
        return self.title or str(self.model._meta.verbose_name).capitalize()


@dataclass(frozen=True)
class KeyRule:
    """How an element that others reference is named in the design document (its natural key).

    A key is unique in a design because the model enforces it: see each Meta.constraints.
    """

    parts: tuple[str, ...]
    separator: str = " "
    describes: str = "its name"
    # No unique name: the element carries a "key" property, by default its parts
    # joined, numbered " #2", " #3"… when they repeat.
    explicit: bool = False


# Identity-hashed: specs are singletons of the registry and key form caches.
@dataclass(frozen=True, eq=False)
class ElementSpec:
    """A list of elements of a step, edited inline row by row."""

    key: str
    model: type[m.Element]
    fields: tuple[str, ...]
    # Shown in the row; defaults to the first four fields.
    columns: tuple[str, ...] = ()
    title: str = ""
    help: str = ""
    # Narrows a reference's choices beyond the model's own rules (component kinds come from the
    # model's `kind_limits`): filter keyword arguments, or a Q where the rule is an OR.
    choice_filters: Mapping[str, Mapping[str, Any] | Q] = field(default_factory=dict)
    prefetch: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    # Rows of a child list are shown under a heading per parent (e.g. columns per table);
    # `order_by` must sort by that parent first.
    group_by: str = ""
    # A form class to extend, for elements with fields the model does not hold directly.
    form_base: str = ""
    # Many-to-many references (e.g. the requirements a component serves), kept apart from `fields`:
    # a multi-select in the form, a tuple of records in the snapshot, a list of keys in the document.
    links: tuple[str, ...] = ()
    # How others refer to an element of this list; every list a field refers to needs one (a test checks it).
    natural_key: KeyRule | None = None
    # What a reader calls one element (in findings, reports, diffs), from its record;
    # by default its name, title or code, else its first field.
    names: Callable[[Any], str] | None = None
    # The step that lists this list; set by the Step that holds it.
    step: Step = field(init=False, repr=False)

    @property
    def label(self) -> str:
        return self.title or str(self.model._meta.verbose_name_plural).capitalize()

    def label_of(self, record: Any) -> str:
        """What a reader calls this element of the list (`record` is a snapshot's ElementRecord)."""
        if self.names is not None:
            return self.names(record)
        for name in ("name", "title", "code"):
            if name in self.fields:
                return str(getattr(record, name))
        return str(getattr(record, self.fields[0]))

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def row_columns(self) -> tuple[str, ...]:
        return self.columns or self.fields[:4]

    @property
    def cell_columns(self) -> tuple[str, ...]:
        """Columns shown in each row: a grouped list names the parent once, in its heading."""
        return tuple(name for name in self.row_columns if name != self.group_by)

    def select_related(self) -> list[str]:
        """Relations the rows and their labels read, so a list is one query."""
        related: list[str] = []
        for name in self.row_columns:
            f = next((f for f in self.model._meta.fields if f.name == name), None)
            if f is not None and (f.many_to_one or f.one_to_one):
                related.append(name)
                related += [f"{name}__{sub}" for sub in getattr(f.related_model, "label_related", ())]
        related += list(self.model.label_related)
        return sorted(set(related))

    def queryset(self, design: m.Design) -> dj.QuerySet:
        qs = self.model.objects.filter(design=design).select_related(*self.select_related())
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        if self.order_by:
            qs = qs.order_by(*self.order_by)
        return qs


@dataclass(frozen=True, eq=False)
class Step:
    number: int
    key: str
    title: str
    sections: tuple[SectionSpec, ...]
    elements: tuple[ElementSpec, ...]
    rule: rules.StepRules
    # Named panels shown above the forms, e.g. "capacity"; designs.presentation.PANELS says how to draw each.
    panels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Each spec belongs to exactly one step and knows it (specs are frozen: set once, here).
        for spec in (*self.sections, *self.elements):
            object.__setattr__(spec, "step", self)

    @cached_property
    def guidance(self) -> str:
        return (GUIDANCE_DIR / f"{self.key}.md").read_text()

    def section(self, key: str) -> SectionSpec:
        for spec in self.sections:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def element(self, key: str) -> ElementSpec:
        for spec in self.elements:
            if spec.key == key:
                return spec
        raise KeyError(key)


def element_label(record: Any) -> str:
    """What a reader calls an element: its list's rule (ElementSpec.label_of) applied to its record."""
    return record.spec.label_of(record)


def _pretty(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _threat_label(record: Any) -> str:
    target = record.target_component or record.target_interaction
    return f"{_pretty(record.category)} on {element_label(target) if target is not None else 'the system'}"


def _data_scaling_label(record: Any) -> str:
    return f"{_pretty(record.technique)} for {record.table.name if record.table else record.store.component.name}"


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "requirements",
        "Requirements analysis",
        sections=(
            SectionSpec(
                "context", m.ProblemContext, ("problem_statement", "goals", "stakeholders", "scope_in", "scope_out")
            ),
            SectionSpec(
                "load",
                m.LoadProfile,
                (
                    "daily_active_users",
                    "peak_concurrent_users",
                    "requests_per_user_per_day",
                    "peak_factor",
                    "reads_per_write",
                    "average_payload_kb",
                    "new_records_per_day",
                    "average_record_kb",
                    "retention_years",
                ),
            ),
        ),
        elements=(
            ElementSpec(
                "functional",
                m.FunctionalRequirement,
                ("code", "title", "description", "priority"),
                columns=("code", "title", "priority", "description"),
                natural_key=KeyRule(("code",), describes="its code, e.g. FR-1"),
                names=lambda r: f"{r.code} {r.title}",
            ),
            ElementSpec(
                "nonfunctional",
                m.NonFunctionalRequirement,
                ("code", "category", "title", "metric", "comparator", "target_value", "unit"),
                columns=("code", "category", "title", "target_display"),
                natural_key=KeyRule(("code",), describes="its code, e.g. NFR-1"),
                names=lambda r: f"{r.code} {r.title}",
            ),
            ElementSpec(
                "consistency",
                m.ConsistencyNeed,
                ("data_domain", "preference", "consistency_model", "rationale"),
                title="Consistency vs. availability per data domain",
                names=lambda r: r.data_domain,
            ),
            ElementSpec("constraints", m.ConstraintOrAssumption, ("kind", "statement"), names=lambda r: r.statement),
        ),
        rule=rules.requirements,
        panels=("traceability",),
    ),
    Step(
        2,
        "architecture",
        "Architecture design",
        sections=(SectionSpec("style", m.ArchitectureStyle, ("style", "rationale")),),
        elements=(
            ElementSpec(
                "components",
                m.Component,
                ("name", "kind", "technology", "responsibility", "owning_team", "stateful", "bounded_context"),
                columns=("name", "kind", "technology", "owning_team", "bounded_context", "stateful"),
                links=("requirements",),
                natural_key=KeyRule(("name",)),
            ),
            ElementSpec(
                "interactions",
                m.Interaction,
                ("source", "target", "mode", "protocol", "purpose", "data_classification", "tls"),
                columns=("source", "target", "mode", "protocol", "data_classification", "purpose"),
                natural_key=KeyRule(("source", "target"), " -> ", "“Source -> Target”", explicit=True),
                names=lambda r: f"{r.source.name} → {r.target.name}",
            ),
            ElementSpec(
                "decisions",
                m.TechnologyDecision,
                ("code", "area", "choice", "status", "context", "justification", "consequences"),
                columns=("code", "area", "choice", "status", "justification"),
                title="Technology decisions (ADRs)",
                natural_key=KeyRule(("code",), describes="its code, e.g. ADR-1"),
                names=lambda r: f"{r.code} {r.area}: {r.choice}",
            ),
            ElementSpec(
                "alternatives",
                m.DecisionAlternative,
                ("decision", "option", "tradeoffs"),
                title="Alternatives weighed",
                group_by="decision",
                order_by=("decision__position", "decision_id", "position", "id"),
                names=lambda r: r.option,
            ),
        ),
        rule=rules.architecture,
        panels=("architecture-diagram",),
    ),
    Step(
        3,
        "api",
        "API specification",
        sections=(
            SectionSpec(
                "conventions",
                m.ApiSettings,
                ("style", "base_path", "versioning", "pagination", "rate_limits", "error_format"),
                title="API conventions",
            ),
        ),
        elements=(
            ElementSpec(
                "endpoints",
                m.Endpoint,
                (
                    "service",
                    "method",
                    "path",
                    "summary",
                    "auth_required",
                    "roles_scopes",
                    "request_example",
                    "success_status",
                    "response_example",
                    "idempotent",
                    "collection",
                    "paginated",
                    "exposes_classification",
                ),
                columns=("method", "path", "service", "summary", "success_status", "auth_required", "paginated"),
                links=("requirements",),
                natural_key=KeyRule(("method", "path"), " ", "“METHOD /path”"),
                names=lambda r: f"{r.method} {r.path}",
            ),
            ElementSpec(
                "errors",
                m.EndpointError,
                ("endpoint", "status", "meaning", "example"),
                title="Error responses",
                group_by="endpoint",
                order_by=("endpoint__position", "endpoint_id", "status"),
                names=lambda r: f"{r.endpoint.method} {r.endpoint.path} → {r.status}",
            ),
        ),
        rule=rules.api,
        panels=("openapi-export", "import-openapi"),
    ),
    Step(
        4,
        "database",
        "Database architecture",
        sections=(
            SectionSpec(
                "migrations", m.DatabaseSettings, ("migration_strategy", "zero_downtime"), title="Schema migrations"
            ),
        ),
        elements=(
            ElementSpec(
                "stores",
                m.DataStore,
                (
                    "component",
                    "engine",
                    "purpose",
                    "consistency_model",
                    "replicas",
                    "replication",
                    "sharding_key",
                    "encrypted_at_rest",
                    "backup_schedule",
                    "rpo_minutes",
                    "rto_minutes",
                ),
                columns=(
                    "component",
                    "engine",
                    "consistency_model",
                    "replication",
                    "replicas",
                    "encrypted_at_rest",
                    "rpo_minutes",
                    "rto_minutes",
                ),
                natural_key=KeyRule(("component",), describes="its component's name"),
                names=lambda r: r.component.name,
            ),
            ElementSpec(
                "types",
                m.CustomType,
                ("name", "kind", "labels", "base_type", "constraint", "description"),
                columns=("name", "kind", "labels", "base_type", "constraint"),
                title="Custom types (enums and domains)",
                help="Declare an enum or a domain here, then use its name as a column type.",
                natural_key=KeyRule(("name",)),
            ),
            ElementSpec(
                "tables",
                m.Table,
                ("store", "name", "description", "partitioning", "partition_key"),
                columns=("name", "store", "partitioning", "partition_key", "description"),
                natural_key=KeyRule(("name",)),
            ),
            ElementSpec(
                "columns",
                m.Column,
                (
                    "table",
                    "name",
                    "data_type",
                    "nullable",
                    "default",
                    "primary_key",
                    "unique",
                    "references",
                    "on_delete",
                    "pii",
                ),
                columns=("table", "name", "data_type", "primary_key", "nullable", "unique", "references", "pii"),
                group_by="table",
                order_by=("table__position", "table_id", "position", "id"),
                # A foreign key can only reference a primary key or unique column.
                choice_filters={"references": Q(primary_key=True) | Q(unique=True)},
                natural_key=KeyRule(("table", "name"), ".", "“table.column”"),
                names=lambda r: f"{r.table.name}.{r.name}",
            ),
            ElementSpec(
                "indexes",
                m.Index,
                ("table", "name", "unique", "method", "condition", "serves_query"),
                columns=("table", "name", "columns_in_order", "unique", "method", "serves_query"),
                prefetch=("index_columns__column",),
                form_base="IndexForm",
                natural_key=KeyRule(("name",)),
            ),
        ),
        rule=rules.database,
        panels=("erd-diagram", "dbml-export", "import-sql"),
    ),
    Step(
        5,
        "security",
        "Security",
        sections=(
            SectionSpec(
                "protection",
                m.SecuritySettings,
                (
                    "authorization_model",
                    "tls_in_transit",
                    "key_management",
                    "secrets_management",
                    "pii_handling",
                    "retention_and_deletion",
                    "audit_logging",
                ),
                title="Authorization model and data protection",
            ),
        ),
        elements=(
            ElementSpec(
                "auth",
                m.AuthMethod,
                (
                    "name",
                    "kind",
                    "used_by",
                    "access_token_minutes",
                    "refresh_token_days",
                    "refresh_rotation",
                    "notes",
                ),
                title="Authentication methods",
                natural_key=KeyRule(("name",)),
            ),
            ElementSpec(
                "flow",
                m.AuthFlowStep,
                ("method", "position", "actor_from", "actor_to", "message"),
                columns=("method", "position", "actor_from", "actor_to", "message"),
                title="Authentication flow steps",
                group_by="method",
                order_by=("method__position", "method_id", "position", "id"),
                names=lambda r: r.message,
            ),
            ElementSpec("roles", m.SecurityRole, ("name", "description"), natural_key=KeyRule(("name",))),
            ElementSpec(
                "permissions",
                m.PermissionGrant,
                ("role", "resource", "action"),
                title="Permission matrix",
                group_by="role",
                order_by=("role__position", "role_id", "resource", "action"),
                names=lambda r: f"{r.role.name}: {r.action} {r.resource}",
            ),
            ElementSpec(
                "threats",
                m.Threat,
                (
                    "category",
                    "target_component",
                    "target_interaction",
                    "description",
                    "likelihood",
                    "impact",
                    "mitigation",
                    "status",
                ),
                columns=(
                    "category",
                    "target_component",
                    "target_interaction",
                    "likelihood",
                    "impact",
                    "status",
                    "mitigation",
                ),
                names=_threat_label,
            ),
            ElementSpec(
                "compliance",
                m.ComplianceRegime,
                ("regime", "notes"),
                title="Compliance regimes",
                names=lambda r: r.regime.upper(),
            ),
        ),
        rule=rules.security,
        panels=("sequence-diagram", "threat-suggestions"),
    ),
    Step(
        6,
        "performance",
        "Performance optimization",
        sections=(
            SectionSpec(
                "pooling",
                m.PerformanceSettings,
                ("connection_pooling", "load_balancing", "lb_health_checks"),
                title="Connection pooling and load balancing",
            ),
        ),
        elements=(
            ElementSpec(
                "budgets",
                m.PerformanceBudget,
                ("endpoint", "nfr", "p50_ms", "p95_ms", "p99_ms"),
                columns=("endpoint", "nfr", "p50_ms", "p95_ms", "p99_ms"),
                names=lambda r: f"Budget for {element_label(r.endpoint or r.nfr)}",
            ),
            ElementSpec(
                "caching",
                m.CachePolicy,
                ("layer", "cached_data", "pattern", "ttl_seconds", "invalidation", "cache_component"),
                columns=("layer", "cached_data", "pattern", "ttl_seconds", "cache_component"),
                names=lambda r: r.cached_data,
            ),
            ElementSpec(
                "hot_queries",
                m.HotQuery,
                ("name", "sql", "calls_per_second", "index"),
                columns=("name", "calls_per_second", "index"),
            ),
            ElementSpec(
                "jobs",
                m.BackgroundJob,
                ("name", "trigger", "queue", "retry_policy", "idempotent"),
                columns=("name", "trigger", "queue", "retry_policy", "idempotent"),
            ),
        ),
        rule=rules.performance,
    ),
    Step(
        7,
        "scalability",
        "Scalability planning",
        sections=(),
        elements=(
            ElementSpec(
                "scaling",
                m.ScalingRule,
                (
                    "component",
                    "mode",
                    "stateless",
                    "min_instances",
                    "max_instances",
                    "autoscale_metric",
                    "autoscale_threshold",
                    "capacity_rps",
                    "peak_share_percent",
                    "requests_per_user_per_day",
                ),
                columns=(
                    "component",
                    "mode",
                    "stateless",
                    "min_instances",
                    "max_instances",
                    "capacity_rps",
                    "autoscale_metric",
                ),
                title="Scaling per component",
                order_by=("component__position", "component_id"),
                names=lambda r: r.component.name,
            ),
            ElementSpec(
                "data_scaling",
                m.DataScaling,
                ("store", "technique", "table", "notes"),
                title="Data scaling",
                names=_data_scaling_label,
            ),
            ElementSpec(
                "bottlenecks",
                m.Bottleneck,
                ("kind", "component", "description", "mitigation"),
                names=lambda r: r.component.name if r.component else r.description[:40],
            ),
            ElementSpec("roadmap", m.RoadmapPhase, ("name", "trigger_metric", "changes"), title="Phased roadmap"),
        ),
        rule=rules.scalability,
        panels=("capacity", "deployment-diagram"),
    ),
    Step(
        8,
        "deployment",
        "Deployment strategy",
        sections=(
            SectionSpec(
                "release",
                m.ReleasePlan,
                (
                    "hosting",
                    "orchestration",
                    "release_strategy",
                    "rollback_procedure",
                    "feature_flags",
                    "zero_downtime_migrations",
                ),
                title="Hosting and release",
            ),
            SectionSpec(
                "observability",
                m.Observability,
                (
                    "metrics",
                    "structured_logs",
                    "logging_notes",
                    "tracing",
                ),
                title="Observability",
            ),
            SectionSpec(
                "recovery",
                m.DisasterRecovery,
                (
                    "dr_backups",
                    "dr_rpo_minutes",
                    "dr_rto_minutes",
                    "dr_regions",
                ),
                title="Disaster recovery",
            ),
        ),
        elements=(
            ElementSpec("environments", m.Environment, ("name", "purpose", "region"), natural_key=KeyRule(("name",))),
            ElementSpec(
                "units",
                m.DeploymentUnit,
                ("environment", "component", "image", "instances"),
                title="Components per environment",
                group_by="environment",
                order_by=("environment__position", "environment_id", "component__position", "id"),
                names=lambda r: f"{r.component.name} in {r.environment.name}",
            ),
            ElementSpec(
                "pipeline",
                m.PipelineStage,
                ("position", "stage", "name", "tooling", "gate"),
                columns=("position", "stage", "name", "tooling", "gate"),
                title="CI/CD stages",
            ),
            ElementSpec(
                "health",
                m.HealthCheck,
                ("component", "kind", "probe"),
                title="Health checks",
                names=lambda r: f"{r.component.name} {r.kind}",
            ),
            ElementSpec("alerts", m.Alert, ("name", "condition", "threshold", "severity", "runbook")),
            ElementSpec("slos", m.Slo, ("name", "sli", "target_percent", "window_days"), title="SLOs"),
        ),
        rule=rules.deployment,
        panels=("deployment-diagram",),
    ),
)

# Panels the design's overview shows, in this order (other apps register them, as for the steps).
OVERVIEW_PANELS: tuple[str, ...] = (
    "design-review",
    "traceability",
    "architecture-diagram",
    "erd-diagram",
    "sequence-diagram",
    "deployment-diagram",
)

# Panels every step shows after its own (the design checks' findings of that step).
EVERY_STEP_PANELS: tuple[str, ...] = ("step-findings",)

_BY_KEY = {step.key: step for step in STEPS}
_BY_MODEL: dict[type[dj.Model], SectionSpec | ElementSpec] = {
    spec.model: spec for step in STEPS for spec in (*step.sections, *step.elements)
}


def get_step(key: str) -> Step:
    return _BY_KEY[key]


def spec_for(model: type[dj.Model]) -> SectionSpec | ElementSpec | None:
    """The section or list whose records are `model`'s (None for a model no step lists, e.g. a link row)."""
    return _BY_MODEL.get(model)


def all_element_specs() -> list[tuple[Step, ElementSpec]]:
    return [(step, spec) for step in STEPS for spec in step.elements]


def neighbours(step: Step) -> tuple[Step | None, Step | None]:
    i = STEPS.index(step)
    return (STEPS[i - 1] if i > 0 else None, STEPS[i + 1] if i + 1 < len(STEPS) else None)
