"""A large design built in bulk, for query-count tests and benchmarks.

`build_large_design` fills every step with many rows in a few dozen INSERTs
(bulk_create), so tests can compare a page's query count on a big design with
the count on a small one. The rows are plausible rather than meaningful.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import cycle

from django.contrib.auth.models import AbstractBaseUser

from designs import models as m
from designs import services
from designs.models import ComponentKind as K

# Kinds in the proportions of a services platform; every kind appears.
KIND_CYCLE = (
    K.SERVICE,
    K.SERVICE,
    K.SERVICE,
    K.WORKER,
    K.DATABASE,
    K.DATABASE,
    K.CACHE,
    K.QUEUE,
    K.SEARCH,
    K.WEB_APP,
    K.API_GATEWAY,
    K.LOAD_BALANCER,
    K.CDN,
    K.OBJECT_STORAGE,
    K.CLIENT,
    K.EXTERNAL,
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def build_large_design(
    owner: AbstractBaseUser,
    *,
    name: str = "Large design",
    components: int = 100,
    interactions: int = 300,
    tables: int = 200,
    columns_per_table: int = 10,
    endpoints: int = 300,
    others: int = 30,
) -> m.Design:
    """A design with the given sizes; every other list gets `others` rows."""
    design = services.design_create(name=name, summary="A **large** design.", owner=owner)
    d = {"design": design}

    _sections(design)
    comps = m.Component.objects.bulk_create(
        m.Component(
            **d,
            position=i,
            name=f"component-{i:03}",
            kind=kind,
            technology="Tech",
            responsibility=f"Does part {i}.",
            owning_team=f"team-{i % 7}",
            stateful=kind in (K.DATABASE,),
            bounded_context=f"context-{i % 5}",
        )
        for i, kind in zip(range(components), cycle(KIND_CYCLE), strict=False)
    )
    by_kind: dict[str, list[m.Component]] = {}
    for c in comps:
        by_kind.setdefault(c.kind, []).append(c)
    services_ = by_kind[K.SERVICE] + by_kind[K.WEB_APP] + by_kind[K.WORKER]
    stores_kinds = by_kind[K.DATABASE] + by_kind[K.CACHE] + by_kind[K.SEARCH]

    n = len(comps)
    pairs = [(i, (i + step) % n) for step in range(1, n) for i in range(n)][:interactions]
    inters = m.Interaction.objects.bulk_create(
        m.Interaction(
            **d,
            position=k,
            source=comps[a],
            target=comps[b],
            mode=("sync", "async", "sync")[k % 3],
            protocol=("https_rest", "grpc", "kafka")[k % 3],
            purpose=f"Call {k}",
            data_classification=("internal", "pii", "public")[k % 3],
        )
        for k, (a, b) in enumerate(pairs)
    )

    _requirements(design, others)
    decisions = m.TechnologyDecision.objects.bulk_create(
        m.TechnologyDecision(
            **d, position=i, code=f"ADR-{i + 1}", area=f"area {i}", choice=f"choice {i}", justification="Because."
        )
        for i in range(others)
    )
    m.DecisionAlternative.objects.bulk_create(
        m.DecisionAlternative(**d, position=i, decision=dec, option=f"alternative {i}", tradeoffs="Slower.")
        for i, dec in enumerate(decisions)
    )

    eps = m.Endpoint.objects.bulk_create(
        m.Endpoint(
            **d,
            position=i,
            service=services_[i % len(services_)],
            method=METHODS[i % len(METHODS)],
            path=f"/resources-{i // len(METHODS)}/{{id}}" if i % 2 else f"/resources-{i // len(METHODS)}",
            summary=f"Endpoint {i}",
            request_example='{"a": 1}',
            response_example='{"ok": true}',
            paginated=i % 2 == 0,
        )
        for i in range(endpoints)
    )
    m.EndpointError.objects.bulk_create(
        m.EndpointError(**d, position=i, endpoint=ep, status=404, meaning="Not found", example='{"title": "x"}')
        for i, ep in enumerate(eps[: others * 2])
    )

    stores = m.DataStore.objects.bulk_create(
        m.DataStore(
            **d,
            position=i,
            component=c,
            engine="PostgreSQL 16",
            purpose="Data",
            rpo_minutes=5,
            rto_minutes=30,
            backup_schedule="nightly",
            encrypted_at_rest=True,
        )
        for i, c in enumerate(stores_kinds)
    )
    tbls = m.Table.objects.bulk_create(
        m.Table(**d, position=i, store=stores[i % len(stores)], name=f"table_{i:03}", description=f"Table {i}")
        for i in range(tables)
    )
    cols = m.Column.objects.bulk_create(
        m.Column(
            **d,
            position=j,
            table=t,
            name="id" if j == 0 else f"col_{j}",
            data_type="bigint" if j < 2 else "text",
            nullable=j > 1,
            primary_key=j == 0,
            pii=j == 9,
        )
        for t in tbls
        for j in range(columns_per_table)
    )
    ids = cols[::columns_per_table]
    # col_1 of table i references table i-1's id.
    referencing = [cols[i * columns_per_table + 1] for i in range(1, len(tbls))] if columns_per_table > 1 else []
    for k, col in enumerate(referencing):
        col.references = ids[k]
        col.on_delete = "cascade"
    m.Column.objects.bulk_update(referencing, ["references", "on_delete"])
    idx = m.Index.objects.bulk_create(
        m.Index(**d, position=i, table=col.table, name=f"ix_{col.table.name}_fk", serves_query="join")
        for i, col in enumerate(referencing[: others * 2])
    )
    m.IndexColumn.objects.bulk_create(
        m.IndexColumn(index=ix, column=col, position=0) for ix, col in zip(idx, referencing, strict=False)
    )

    _traceability(design, services_, eps)
    _security(design, comps, inters, others)
    _performance(design, eps, idx, by_kind, others)
    _scalability(design, comps, stores, tbls, others)
    _deployment(design, comps, others)
    services.design_changed(design)
    design.refresh_from_db()
    return design


def _traceability(design: m.Design, code: list[m.Component], eps: list[m.Endpoint]) -> None:
    """Each service-like component serves two requirements, each endpoint one."""
    frs = list(m.FunctionalRequirement.objects.filter(design=design).order_by("position"))
    if not frs:
        return
    m.Component.requirements.through.objects.bulk_create(
        m.Component.requirements.through(component=c, functionalrequirement=frs[k])
        for i, c in enumerate(code)
        for k in sorted({i % len(frs), (i + 1) % len(frs)})
    )
    m.Endpoint.requirements.through.objects.bulk_create(
        m.Endpoint.requirements.through(endpoint=e, functionalrequirement=frs[i % len(frs)]) for i, e in enumerate(eps)
    )


def _sections(design: m.Design) -> None:
    d = {"design": design}
    m.ProblemContext.objects.create(**d, problem_statement="Sell things.", goals="Sell.", scope_in="Shop")
    m.LoadProfile.objects.create(
        **d,
        daily_active_users=1_000_000,
        peak_concurrent_users=50_000,
        requests_per_user_per_day=Decimal(50),
        peak_factor=Decimal(3),
        reads_per_write=Decimal(9),
        average_payload_kb=Decimal(4),
        new_records_per_day=2_000_000,
        average_record_kb=Decimal(1),
        retention_years=Decimal(3),
    )
    m.ArchitectureStyle.objects.create(**d, style="microservices", rationale="Teams.")
    m.ApiSettings.objects.create(**d)
    m.DatabaseSettings.objects.create(**d, migration_strategy="Expand/contract.", zero_downtime=True)
    m.SecuritySettings.objects.create(
        **d,
        authorization_model="rbac",
        tls_in_transit="TLS 1.3",
        key_management="KMS",
        secrets_management="Vault",
        audit_logging="All.",
    )
    m.PerformanceSettings.objects.create(**d, connection_pooling="PgBouncer", load_balancing="round_robin")
    m.ReleasePlan.objects.create(
        **d, hosting="AWS", orchestration="EKS", release_strategy="canary", rollback_procedure="Roll back."
    )
    m.DisasterRecovery.objects.create(**d, dr_rpo_minutes=5, dr_rto_minutes=60)


def _requirements(design: m.Design, count: int) -> None:
    d = {"design": design}
    m.FunctionalRequirement.objects.bulk_create(
        m.FunctionalRequirement(**d, position=i, code=f"FR-{i + 1}", title=f"Feature {i}") for i in range(count)
    )
    m.NonFunctionalRequirement.objects.bulk_create(
        m.NonFunctionalRequirement(
            **d,
            position=i,
            code=f"NFR-{i + 1}",
            category="performance",
            title=f"Fast {i}",
            metric="p99 latency",
            comparator="<=",
            target_value=Decimal(200),
            unit="ms",
        )
        for i in range(count)
    )
    m.ConsistencyNeed.objects.bulk_create(
        m.ConsistencyNeed(
            **d, position=i, data_domain=f"domain {i}", preference="consistency", consistency_model="strong"
        )
        for i in range(count)
    )
    m.ConstraintOrAssumption.objects.bulk_create(
        m.ConstraintOrAssumption(**d, position=i, kind="constraint", statement=f"Constraint {i}") for i in range(count)
    )


def _security(design: m.Design, comps: list, inters: list, count: int) -> None:
    d = {"design": design}
    methods = m.AuthMethod.objects.bulk_create(
        m.AuthMethod(**d, position=i, name=f"auth {i}", kind="jwt", access_token_minutes=15) for i in range(count)
    )
    m.AuthFlowStep.objects.bulk_create(
        m.AuthFlowStep(
            **d, position=i, method=methods[i % len(methods)], actor_from="Client", actor_to="Auth", message=f"Step {i}"
        )
        for i in range(count)
    )
    roles = m.SecurityRole.objects.bulk_create(m.SecurityRole(**d, position=i, name=f"role {i}") for i in range(count))
    m.PermissionGrant.objects.bulk_create(
        m.PermissionGrant(**d, position=i, role=r, resource=f"resource {i}", action="read") for i, r in enumerate(roles)
    )
    m.Threat.objects.bulk_create(
        m.Threat(
            **d,
            position=i,
            category="spoofing",
            description=f"Threat {i}",
            mitigation="Auth.",
            target_component=comps[i] if i % 2 else None,
            target_interaction=None if i % 2 else inters[i],
        )
        for i in range(count)
    )
    m.ComplianceRegime.objects.bulk_create(
        m.ComplianceRegime(**d, position=i, regime=r) for i, r in enumerate(("gdpr", "pci_dss", "soc2", "hipaa"))
    )


def _performance(design: m.Design, eps: list, idx: list, by_kind: dict, count: int) -> None:
    d = {"design": design}
    m.PerformanceBudget.objects.bulk_create(
        m.PerformanceBudget(**d, position=i, endpoint=eps[i], p50_ms=50, p95_ms=150, p99_ms=300) for i in range(count)
    )
    caches = by_kind[K.CACHE]
    m.CachePolicy.objects.bulk_create(
        m.CachePolicy(
            **d,
            position=i,
            layer="distributed",
            cached_data=f"data {i}",
            ttl_seconds=60,
            cache_component=caches[i % len(caches)],
        )
        for i in range(count)
    )
    m.HotQuery.objects.bulk_create(
        m.HotQuery(
            **d, position=i, name=f"query {i}", sql="SELECT 1", calls_per_second=Decimal(100), index=idx[i % len(idx)]
        )
        for i in range(count)
    )
    queues = by_kind[K.QUEUE]
    m.BackgroundJob.objects.bulk_create(
        m.BackgroundJob(
            **d, position=i, name=f"job {i}", trigger="cron", queue=queues[i % len(queues)], idempotent=True
        )
        for i in range(count)
    )


def _scalability(design: m.Design, comps: list, stores: list, tbls: list, count: int) -> None:
    d = {"design": design}
    m.ScalingRule.objects.bulk_create(
        m.ScalingRule(
            **d,
            position=i,
            component=c,
            min_instances=2,
            max_instances=10,
            capacity_rps=Decimal(500),
            autoscale_metric="CPU",
        )
        for i, c in enumerate(comps)
        if c.kind not in (K.CLIENT, K.EXTERNAL)
    )
    m.DataScaling.objects.bulk_create(
        m.DataScaling(**d, position=i, store=t.store, table=t, technique="partitioning")
        for i, t in enumerate(tbls[:count])
    )
    m.Bottleneck.objects.bulk_create(
        m.Bottleneck(**d, position=i, kind="spof", component=comps[i], description=f"Single {i}") for i in range(count)
    )
    m.RoadmapPhase.objects.bulk_create(
        m.RoadmapPhase(**d, position=i, name=f"phase {i}", trigger_metric="1k rps", changes="More.")
        for i in range(count)
    )


def _deployment(design: m.Design, comps: list, count: int) -> None:
    d = {"design": design}
    envs = m.Environment.objects.bulk_create(
        m.Environment(**d, position=i, name=name, region="eu-west-1")
        for i, name in enumerate(("dev", "staging", "production"))
    )
    m.DeploymentUnit.objects.bulk_create(
        m.DeploymentUnit(
            **d, position=i, environment=envs[i % len(envs)], component=comps[i // len(envs)], image=f"registry/c{i}:1"
        )
        for i in range(count)
    )
    m.PipelineStage.objects.bulk_create(
        m.PipelineStage(**d, position=i, stage=("build", "test", "scan", "deploy", "smoke")[i % 5], name=f"stage {i}")
        for i in range(count)
    )
    running = [c for c in comps if c.kind not in (K.CLIENT, K.EXTERNAL)]
    m.HealthCheck.objects.bulk_create(
        m.HealthCheck(**d, position=i, component=running[i], kind="readiness", probe="GET /healthz")
        for i in range(count)
    )
    m.Alert.objects.bulk_create(
        m.Alert(**d, position=i, name=f"alert {i}", condition="errors", threshold="1%", runbook="https://x")
        for i in range(count)
    )
    m.Slo.objects.bulk_create(
        m.Slo(**d, position=i, name=f"slo {i}", sli="availability", target_percent=Decimal("99.9"))
        for i in range(count)
    )
