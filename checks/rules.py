"""The design checks: each a pure function of a snapshot, registered with a stable id.

Ids are prefixed by the step a reader fixes them in and are never reused. Each rule looks only at
facts the model holds (a flag, a reference, an empty field), never guesses from free text, and
stays silent where the design does not say enough to judge: a false alarm teaches architects to
ignore the list. tests/test_checks_rules.py holds, for every rule, a design that must trigger it
and a near-miss that must not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from designs.capacity import GROWTH_FACTOR, capacity_from_snapshot
from designs.endpoints import returns_collection
from designs.snapshot import DesignSnapshot, ElementRecord
from designs.steps import element_label

from .registry import Hit, Severity, rule
from .traceability import traceability

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Component kinds (the values of designs.models.ComponentKind; checks hold no models).
CLIENT, EXTERNAL, DATABASE, CACHE, CDN = "client", "external", "database", "cache", "cdn"
SERVICE_KINDS = frozenset({"service", "web_app", "api_gateway", "worker"})
# What a call chain counts as a hop: a call into code that may itself call on.
HOP_KINDS = SERVICE_KINDS | {EXTERNAL}
# Where a user's request enters the system.
ENTRY_KINDS = frozenset({CLIENT, "web_app", "api_gateway", "load_balancer", CDN})
REQUEST_PATH_KINDS = frozenset({"web_app", "api_gateway", "load_balancer", "service", DATABASE, CACHE})
SENSITIVE = frozenset({"pii", "confidential"})
MAX_CHAIN_HOPS = 3
CHATTY_INTERACTIONS = 3
READ_HEAVY = Decimal(10)
# Collection-looking GET paths that name one thing (the caller, a probe), not a list to page through.


def _sync(snapshot: DesignSnapshot) -> list[ElementRecord]:
    return [i for i in snapshot.elements("interactions") if i.mode == "sync"]


def _running(snapshot: DesignSnapshot) -> list[ElementRecord]:
    """Components this system runs itself (clients and external systems are someone else's)."""
    return [c for c in snapshot.elements("components") if c.kind not in (CLIENT, EXTERNAL)]


def _style(snapshot: DesignSnapshot) -> str:
    style = snapshot.section("style")
    return style.style if style is not None else ""


def _blank(record: object, field: str) -> bool:
    return record is None or not str(getattr(record, field) or "").strip()


def _count(items: list, one: str, several: str) -> str:
    return f"1 {one}" if len(items) == 1 else f"{len(items)} {several}"


def _names(components: Iterable[ElementRecord]) -> str:
    return " → ".join(c.name for c in components)


# ---------------------------------------------------------------- requirements


@rule(
    "REQ-001",
    WARNING,
    "requirements",
    title="Non-functional requirement with no measurable target",
    explanation="“Fast” and “highly available” cannot be tested, budgeted or alerted on. Without a metric, "
    "comparator, value and unit nobody can tell whether the design meets the requirement.",
    fix="Give it a target such as “p99 latency ≤ 400 ms” or “availability ≥ 99.95 %”.",
)
def nfr_without_target(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for nfr in snapshot.elements("nonfunctional"):
        if not (nfr.metric and nfr.comparator and nfr.target_value is not None and nfr.unit):
            yield Hit(nfr, f"{element_label(nfr)} has no measurable target.")


@rule(
    "REQ-002",
    WARNING,
    "requirements",
    title="Functional requirement served by nothing",
    explanation="A requirement no component or endpoint serves is either not designed yet or served by "
    "something nobody wrote down; either way a reviewer cannot tell how the design delivers it. Applied once "
    "the design links requirements at all; a requirement marked Won't needs nothing.",
    fix="On the components (step 2) or endpoints (step 3) that deliver it, add it to “Serves requirements”, "
    "or mark it Won't.",
)
def unserved_requirement(snapshot: DesignSnapshot) -> Iterator[Hit]:
    matrix = traceability(snapshot)
    if matrix.started:
        for requirement in matrix.unserved:
            yield Hit(requirement, f"{element_label(requirement)} is served by no component or endpoint.")


# ---------------------------------------------------------------- architecture


@rule(
    "ARCH-008",
    INFO,
    "architecture",
    title="Component serving no requirement",
    explanation="A service, web app or worker that serves no functional requirement is either missing its "
    "links or not needed. Infrastructure (databases, caches, queues, gateways) is not expected to name "
    "requirements. Applied once the design links requirements at all.",
    fix="Add the requirements it delivers to its “Serves requirements”, or question whether it is needed.",
)
def idle_component(snapshot: DesignSnapshot) -> Iterator[Hit]:
    matrix = traceability(snapshot)
    if matrix.started:
        for component in matrix.idle_components:
            yield Hit(component, f"{component.name} serves no functional requirement.")


@rule(
    "ARCH-001",
    ERROR,
    "architecture",
    title="Database shared by several services",
    explanation="Services that reach into one database directly are coupled through its schema: none can "
    "change a table, scale or fail on its own, and the data has no single owner to keep it consistent. "
    "Reading through the service that owns the database is fine; components of one bounded context "
    "(a service and its worker) count as one owner. Not applied to a (modular) monolith.",
    fix="Give the database one owning service and let the others call it or consume its events, "
    "or put the components that must share it in one bounded context.",
)
def shared_database(snapshot: DesignSnapshot) -> Iterator[Hit]:
    if _style(snapshot) in ("monolith", "modular_monolith"):
        return
    writers: dict[ElementRecord, dict[str, ElementRecord]] = defaultdict(dict)
    for interaction in snapshot.elements("interactions"):
        source, target = interaction.source, interaction.target
        if target.kind == DATABASE and source.kind in SERVICE_KINDS and interaction.mode != "replication":
            owner = source.bounded_context.strip().casefold() or f"component:{source.uid}"
            writers[target].setdefault(owner, source)
    for database in snapshot.elements("components"):
        owners = writers.get(database, {})
        if len(owners) > 1:
            names = sorted(c.name for c in owners.values())
            yield Hit(database, f"{database.name} is used directly by {len(names)} services: {', '.join(names)}.")


def _graph(interactions: Iterable[ElementRecord]) -> dict[ElementRecord, list[ElementRecord]]:
    """Adjacency of the interactions, each list in page order (no self-loops: the model refuses them)."""
    graph: dict[ElementRecord, list[ElementRecord]] = defaultdict(list)
    for interaction in interactions:
        graph[interaction.source].append(interaction)
    return graph


def _components_in_cycles(
    nodes: list[ElementRecord], graph: dict[ElementRecord, list[ElementRecord]]
) -> list[list[ElementRecord]]:
    """Strongly connected components of more than one node (Tarjan's algorithm, iterative: a design may
    hold thousands of components)."""
    index: dict[ElementRecord, int] = {}
    low: dict[ElementRecord, int] = {}
    on_stack: set[ElementRecord] = set()
    stack: list[ElementRecord] = []
    found: list[list[ElementRecord]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph.get(node, [])
            if i < len(edges):
                work.append((node, i + 1))
                nxt = edges[i].target
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member is node:
                        break
                if len(members) > 1:
                    found.append(members)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _cycle_path(start: ElementRecord, members: set[ElementRecord], graph: dict) -> list[ElementRecord]:
    """The interactions of one shortest cycle through `start` inside a strongly connected component."""
    previous: dict[ElementRecord, ElementRecord] = {}
    queue = [start]
    for node in queue:
        for interaction in graph.get(node, []):
            nxt = interaction.target
            if nxt not in members:
                continue
            if nxt is start:
                path = [interaction]
                while path[0].source is not start:
                    path.insert(0, previous[path[0].source])
                return path
            if nxt not in previous:
                previous[nxt] = interaction
                queue.append(nxt)
    return []


@rule(
    "ARCH-002",
    ERROR,
    "architecture",
    title="Cycle of synchronous calls",
    explanation="Services that call each other synchronously in a loop cannot be deployed, scaled or "
    "restarted independently, and one slow member holds threads in all of them: a cascading failure "
    "waiting to happen, and a deadlock when a call waits on itself.",
    fix="Break the cycle: make one direction asynchronous (an event), merge the services, or move the "
    "shared logic into the service both depend on.",
)
def sync_cycles(snapshot: DesignSnapshot) -> Iterator[Hit]:
    components = snapshot.elements("components")
    graph = _graph(_sync(snapshot))
    order = {c: i for i, c in enumerate(components)}
    for members in _components_in_cycles(components, graph):
        start = min(members, key=order.__getitem__)
        path = _cycle_path(start, set(members), graph)
        names = _names([i.source for i in path] + [start])
        yield Hit(path[0], f"Synchronous calls go round in a cycle: {names}.")


@rule(
    "ARCH-003",
    WARNING,
    "architecture",
    title="Synchronous call chain deeper than three hops",
    explanation="Every synchronous hop adds its latency and multiplies the chance of failure: a request "
    "that waits on four or more services in a row is as slow as their sum and as available as their "
    "product. The first component a request reaches is not a hop; each further call into a service, web "
    "app, gateway, worker or external system is. Clients, load balancers, CDNs and data stores add none.",
    fix="Shorten the chain: return data the caller already has, denormalise, or let the deeper services "
    "work asynchronously after the response.",
)
def deep_call_chains(snapshot: DesignSnapshot) -> Iterator[Hit]:
    edges = _sync(snapshot)
    components = snapshot.elements("components")
    cycle_of = {c: n for n, members in enumerate(_components_in_cycles(components, _graph(edges))) for c in members}
    # Edges inside a cycle are ARCH-002's; what is left is acyclic, so longest paths are well defined.
    edges = [i for i in edges if i.source not in cycle_of or cycle_of[i.source] != cycle_of.get(i.target)]
    graph = _graph(edges)

    def weight(component: ElementRecord) -> int:
        return int(component.kind in HOP_KINDS)

    indegree: dict[ElementRecord, int] = defaultdict(int)
    for interaction in edges:
        indegree[interaction.target] += 1
    order, ready = [], [c for c in components if not indegree[c]]
    while ready:
        node = ready.pop()
        order.append(node)
        for interaction in graph.get(node, []):
            indegree[interaction.target] -= 1
            if not indegree[interaction.target]:
                ready.append(interaction.target)
    # depth: the most hop-kind components on a chain starting here, this one included.
    depth: dict[ElementRecord, int] = {}
    step: dict[ElementRecord, ElementRecord] = {}
    for node in reversed(order):
        depth[node] = weight(node)
        for interaction in graph.get(node, []):
            reach = weight(node) + depth[interaction.target]
            if reach > depth[node]:
                depth[node], step[node] = reach, interaction
    # Report each over-long chain once, from where it starts: not from a node inside a longer one.
    inside = {i.target for i in edges if depth[i.source] == weight(i.source) + depth[i.target]}
    for node in components:
        # The first service a request reaches is where it starts; each further one is a hop.
        hops = depth.get(node, 0) - 1
        if hops > MAX_CHAIN_HOPS and node not in inside:
            chain, at = [node], node
            while at in step:
                at = step[at].target
                chain.append(at)
            while chain[-1].kind not in HOP_KINDS:
                chain.pop()  # a trailing data store adds no hop
            yield Hit(node, f"{_names(chain)} is {hops} synchronous hops deep.")


@rule(
    "ARCH-004",
    WARNING,
    "architecture",
    title="Chatty service pair",
    explanation="Several synchronous interactions between the same two services usually mean one "
    "conversation split into many round trips, or a boundary drawn through the middle of one "
    "responsibility: latency adds up and the two cannot change apart.",
    fix="Merge the calls into one coarser operation, move the data to the service that needs it, or "
    "redraw the boundary so the pair becomes one service.",
)
def chatty_pairs(snapshot: DesignSnapshot) -> Iterator[Hit]:
    pairs: dict[frozenset, list[ElementRecord]] = defaultdict(list)
    for interaction in _sync(snapshot):
        if interaction.source.kind in SERVICE_KINDS and interaction.target.kind in SERVICE_KINDS:
            pairs[frozenset((interaction.source, interaction.target))].append(interaction)
    for interactions in pairs.values():
        if len(interactions) >= CHATTY_INTERACTIONS:
            first = interactions[0]
            yield Hit(
                first,
                f"{first.source.name} and {first.target.name} talk through {len(interactions)} "
                "synchronous interactions.",
            )


@rule(
    "ARCH-005",
    ERROR,
    "architecture",
    title="PII or confidential data on an interaction without TLS",
    explanation="Anyone on the network path can read or alter personal or confidential data sent in the "
    "clear, inside the data centre too; GDPR and PCI-DSS both require encryption in transit.",
    fix="Turn on TLS (or mTLS inside a mesh) for the interaction.",
)
def sensitive_without_tls(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for interaction in snapshot.elements("interactions"):
        if interaction.data_classification in SENSITIVE and not interaction.tls:
            what = "PII" if interaction.data_classification == "pii" else "Confidential data"
            yield Hit(interaction, f"{what} travels without TLS on {element_label(interaction)}.")


@rule(
    "ARCH-006",
    WARNING,
    "architecture",
    title="Traffic from outside without TLS",
    explanation="Requests from clients and external systems cross networks nobody in the team controls; "
    "without TLS they can be read, replayed or rewritten on the way, whatever they carry.",
    fix="Terminate TLS at the edge (load balancer, gateway or CDN) for every interaction from outside.",
)
def outside_without_tls(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for interaction in snapshot.elements("interactions"):
        outside = interaction.source.kind in (CLIENT, EXTERNAL) or interaction.target.kind in (CLIENT, EXTERNAL)
        # Sensitive data without TLS is ARCH-005's error already.
        if outside and not interaction.tls and interaction.data_classification not in SENSITIVE:
            yield Hit(interaction, f"{element_label(interaction)} crosses into or out of the system without TLS.")


@rule(
    "ARCH-007",
    WARNING,
    "architecture",
    title="Technology choice with no alternative weighed",
    explanation="A decision record that names no alternative does not show it was a decision: reviewers "
    "cannot tell what was traded off, and the team cannot tell when to revisit it.",
    fix="Add at least one alternative that was considered, with its trade-offs.",
)
def decision_without_alternative(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for decision in snapshot.elements("decisions"):
        if decision.status in ("superseded", "deprecated"):
            continue
        if not snapshot.referring(decision, "alternatives", "decision"):
            yield Hit(decision, f"{element_label(decision)} weighs no alternative.")


# ---------------------------------------------------------------- API


@rule(
    "API-001",
    WARNING,
    "api",
    title="Endpoint with no error responses",
    explanation="Clients handle what the contract tells them. An endpoint that documents only success "
    "leaves validation errors, missing resources, conflicts and rate limits to be discovered in production.",
    fix="Document the error responses it can return (e.g. 400, 404, 409, 429) with an example body.",
)
def endpoint_without_errors(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for endpoint in snapshot.elements("endpoints"):
        if not snapshot.referring(endpoint, "errors", "endpoint"):
            yield Hit(endpoint, f"{element_label(endpoint)} documents no error response.")


@rule(
    "API-002",
    WARNING,
    "api",
    title="Unpaginated collection endpoint",
    explanation="A list that returns every row is fast on the first day and times out, or runs the server "
    "out of memory, once the table grows. A GET returns a collection when it says so, or when its response "
    "example is a JSON array (or an object with items, data, results…).",
    fix="Paginate it (the design's pagination convention: cursor or offset) with a maximum page size.",
)
def unpaginated_collections(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for endpoint in snapshot.elements("endpoints"):
        collection = returns_collection(endpoint.collection, endpoint.response_example)
        if endpoint.method == "GET" and collection and not endpoint.paginated:
            yield Hit(endpoint, f"{element_label(endpoint)} returns a collection without pagination.")


@rule(
    "API-003",
    ERROR,
    "api",
    title="Confidential or PII data exposed without authentication",
    explanation="An endpoint that serves personal or confidential data to anyone who asks is a data breach "
    "by design, and enumerating its identifiers is all it takes.",
    fix="Require authentication (and an authorisation check on the caller's own data), or stop exposing the data.",
)
def sensitive_without_auth(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for endpoint in snapshot.elements("endpoints"):
        if endpoint.exposes_classification in SENSITIVE and not endpoint.auth_required:
            what = "PII" if endpoint.exposes_classification == "pii" else "confidential data"
            yield Hit(endpoint, f"{element_label(endpoint)} exposes {what} without authentication.")


@rule(
    "API-004",
    WARNING,
    "api",
    title="Public endpoints with no rate limit",
    explanation="Endpoints anyone can call without signing in are where scraping, credential stuffing and "
    "accidental floods arrive; without a limit one client can take the service down for everyone.",
    fix="State the rate limits in the API conventions (e.g. 60 requests/min per IP, 429 with Retry-After).",
)
def public_without_rate_limit(snapshot: DesignSnapshot) -> Iterator[Hit]:
    public = [e for e in snapshot.elements("endpoints") if not e.auth_required]
    if public and _blank(snapshot.section("conventions"), "rate_limits"):
        yield Hit(
            "conventions",
            f"{_count(public, 'endpoint needs', 'endpoints need')} no authentication and no rate limit is stated.",
        )


# ---------------------------------------------------------------- database


def _columns_by_table(snapshot: DesignSnapshot) -> dict[ElementRecord, list[ElementRecord]]:
    by_table: dict[ElementRecord, list[ElementRecord]] = defaultdict(list)
    for column in snapshot.elements("columns"):
        by_table[column.table].append(column)
    return by_table


@rule(
    "DB-001",
    ERROR,
    "database",
    title="Table without a primary key",
    explanation="Without a primary key rows cannot be addressed, updated or deleted one by one, duplicates "
    "creep in, and PostgreSQL's logical replication cannot replicate updates of the table. Tables of "
    "cache and search stores are not judged.",
    fix="Mark its key column(s) as primary key, e.g. an id bigint or uuid column.",
)
def table_without_primary_key(snapshot: DesignSnapshot) -> Iterator[Hit]:
    by_table = _columns_by_table(snapshot)
    for table in snapshot.elements("tables"):
        # A search index or cache keyspace listed as a table has keys of its own kind.
        if table.store.component.kind != DATABASE:
            continue
        if not any(c.primary_key for c in by_table.get(table, ())):
            yield Hit(table, f"{table.name} has no primary key.")


@rule(
    "DB-002",
    WARNING,
    "database",
    title="Foreign key without a supporting index",
    explanation="PostgreSQL indexes the referenced key, not the referencing column: joins from the parent, "
    "and every delete or key update of a parent row, scan the whole child table.",
    fix="Add an index whose first column is the foreign key column.",
)
def foreign_key_without_index(snapshot: DesignSnapshot) -> Iterator[Hit]:
    leading: set[ElementRecord] = {index.columns[0] for index in snapshot.elements("indexes") if index.columns}
    by_table = _columns_by_table(snapshot)
    for column in snapshot.elements("columns"):
        if column.references is None or column.unique or column in leading:
            continue
        keys = [c for c in by_table[column.table] if c.primary_key]
        if keys and keys[0] is column:
            continue  # the primary key's index leads with it
        yield Hit(
            column, f"{element_label(column)} references {element_label(column.references)} but no index leads with it."
        )


@rule(
    "DB-003",
    ERROR,
    "database",
    title="PII stored without encryption at rest",
    explanation="Personal data on unencrypted disks, snapshots and backups is exposed to anyone who gets a "
    "copy of them; GDPR expects encryption as a basic safeguard.",
    fix="Turn on encryption at rest for the data store (e.g. KMS-encrypted volumes and backups).",
)
def pii_unencrypted(snapshot: DesignSnapshot) -> Iterator[Hit]:
    holding: set[ElementRecord] = {c.table.store for c in snapshot.elements("columns") if c.pii}
    pii_into = {i.target for i in snapshot.elements("interactions") if i.data_classification == "pii"}
    for store in snapshot.elements("stores"):
        if store.encrypted_at_rest:
            continue
        if store in holding:
            yield Hit(store, f"{store.component.name} holds PII columns and is not encrypted at rest.")
        elif store.component in pii_into:
            yield Hit(store, f"{store.component.name} receives PII and is not encrypted at rest.")


@rule(
    "DB-004",
    WARNING,
    "database",
    title="Database with no backups",
    explanation="Replicas copy mistakes as faithfully as data: a dropped table or a bad migration is gone "
    "everywhere at once unless there is a backup to restore from.",
    fix="State the backup schedule, e.g. nightly snapshots plus continuous WAL archiving for point-in-time recovery.",
)
def database_without_backups(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for store in snapshot.elements("stores"):
        if store.component.kind == DATABASE and not store.backup_schedule.strip():
            yield Hit(store, f"{store.component.name} has no backup schedule.")


@rule(
    "DB-005",
    INFO,
    "database",
    title="Database with no recovery objectives",
    explanation="Without an RPO (how much data may be lost) and an RTO (how long recovery may take) the "
    "backup schedule and replication cannot be judged, nor tested in a restore drill.",
    fix="Set the RPO and RTO in minutes.",
)
def database_without_objectives(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for store in snapshot.elements("stores"):
        if store.component.kind == DATABASE and (store.rpo_minutes is None or store.rto_minutes is None):
            yield Hit(store, f"{store.component.name} has no RPO or RTO.")


# ---------------------------------------------------------------- security


@rule(
    "SEC-001",
    WARNING,
    "security",
    title="Threat without mitigation",
    explanation="A threat written down and left without a mitigation is a known risk nobody owns. Threats "
    "marked accepted or transferred are decisions and are not reported.",
    fix="Describe the mitigation, or mark the threat accepted (or transferred) with the reason.",
)
def threat_without_mitigation(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for threat in snapshot.elements("threats"):
        if threat.status not in ("accepted", "transferred") and not threat.mitigation.strip():
            yield Hit(threat, f"{element_label(threat)} has no mitigation.")


@rule(
    "SEC-002",
    WARNING,
    "security",
    title="No secrets management",
    explanation="Where database passwords, API keys and signing keys live decides whether a leaked image, "
    "repository or log line leaks them too; left unsaid, they end up in config files.",
    fix="Describe secrets management, e.g. a vault or cloud secrets manager, injected at runtime, rotated.",
)
def no_secrets_management(snapshot: DesignSnapshot) -> Iterator[Hit]:
    if _running(snapshot) and _blank(snapshot.section("protection"), "secrets_management"):
        yield Hit("protection", "The design does not say where secrets are kept.")


@rule(
    "SEC-003",
    WARNING,
    "security",
    title="PII stored with no retention and deletion policy",
    explanation="Personal data kept forever is a growing liability; GDPR requires a retention period and "
    "erasure on request.",
    fix="State how long personal data is kept and how it is deleted or anonymised.",
)
def pii_without_retention(snapshot: DesignSnapshot) -> Iterator[Hit]:
    pii = [c for c in snapshot.elements("columns") if c.pii]
    if pii and _blank(snapshot.section("protection"), "retention_and_deletion"):
        yield Hit(
            "protection",
            f"{_count(pii, 'column holds', 'columns hold')} PII and no retention or deletion policy is stated.",
        )


@rule(
    "SEC-004",
    WARNING,
    "security",
    title="Authenticated endpoints but no authentication method",
    explanation="Endpoints require authentication, yet the design does not say how a caller proves who it "
    "is, so token lifetimes, rotation and the sign-in flow are still undecided.",
    fix="Add the authentication methods in step 5 (e.g. OIDC with short-lived JWTs and refresh rotation).",
)
def auth_without_method(snapshot: DesignSnapshot) -> Iterator[Hit]:
    protected = [e for e in snapshot.elements("endpoints") if e.auth_required]
    if protected and not snapshot.elements("auth"):
        yield Hit(
            "auth",
            f"{_count(protected, 'endpoint requires', 'endpoints require')} authentication but no method is defined.",
        )


# ---------------------------------------------------------------- performance


@rule(
    "PERF-001",
    WARNING,
    "performance",
    title="Read-heavy workload with no cache",
    explanation="At ten reads or more per write most requests ask for what was just read by someone else; "
    "serving all of them from the database spends its capacity on repeats.",
    fix="Add a cache policy (CDN, HTTP or a distributed cache) for the hottest reads.",
)
def read_heavy_without_cache(snapshot: DesignSnapshot) -> Iterator[Hit]:
    load = snapshot.section("load")
    if load is None or load.reads_per_write is None or load.reads_per_write < READ_HEAVY:
        return
    caches = [c for c in snapshot.elements("components") if c.kind in (CACHE, CDN)]
    if not snapshot.elements("caching") and not caches:
        ratio = load.reads_per_write.normalize()
        yield Hit("caching", f"The load profile reads {ratio:f} times per write and nothing is cached.")


@rule(
    "PERF-002",
    WARNING,
    "performance",
    title="Hot query with no index",
    explanation="A query run many times a second without an index to serve it scans its table each time: "
    "it is the first thing to fall over as data grows.",
    fix="Name the index that serves it, adding one in step 4 if needed.",
)
def hot_query_without_index(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for query in snapshot.elements("hot_queries"):
        if query.index is None:
            yield Hit(query, f"{query.name} is served by no index.")


@rule(
    "PERF-003",
    WARNING,
    "performance",
    title="Retried background job that is not idempotent",
    explanation="Queues deliver at least once and retries re-run a job that may already have done its work: "
    "a job that is not idempotent sends the email twice or charges the card twice.",
    fix="Make the job idempotent (an idempotency key, a processed-messages table) and mark it so.",
)
def retried_job_not_idempotent(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for job in snapshot.elements("jobs"):
        if job.retry_policy.strip() and not job.idempotent:
            yield Hit(job, f"{job.name} is retried but not idempotent.")


@rule(
    "PERF-004",
    INFO,
    "performance",
    title="Cache with neither expiry nor invalidation",
    explanation="A cache entry that never expires and is never invalidated serves stale data forever.",
    fix="Give it a TTL, an invalidation rule, or both.",
)
def cache_never_refreshed(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for policy in snapshot.elements("caching"):
        if policy.ttl_seconds is None and not policy.invalidation.strip():
            yield Hit(policy, f"{policy.cached_data} has no TTL and no invalidation.")


# ---------------------------------------------------------------- scalability


@rule(
    "SCALE-001",
    WARNING,
    "scalability",
    title="Stateful component scaled horizontally",
    explanation="Instances behind a load balancer each hold their own state: a user's next request lands "
    "on another instance that knows nothing of the last one, and scaling in loses what the removed "
    "instance held.",
    fix="Move the state out (a database or a cache such as Redis) and mark the component stateless, or "
    "scale it vertically.",
)
def stateful_scaled_out(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for scaling in snapshot.elements("scaling"):
        component = scaling.component
        stateful = component.stateful or not scaling.stateless
        if scaling.mode == "horizontal" and stateful and component.kind in SERVICE_KINDS:
            yield Hit(scaling, f"{component.name} holds state and is scaled horizontally.")


def _request_path(snapshot: DesignSnapshot) -> list[ElementRecord]:
    """Components a user's request reaches synchronously from where it enters, in page order."""
    graph = _graph(_sync(snapshot))
    components = snapshot.elements("components")
    reached = {c for c in components if c.kind in ENTRY_KINDS}
    queue = list(reached)
    for node in queue:
        for interaction in graph.get(node, []):
            if interaction.target not in reached:
                reached.add(interaction.target)
                queue.append(interaction.target)
    return [c for c in components if c in reached and c.kind in REQUEST_PATH_KINDS]


@rule(
    "SCALE-002",
    WARNING,
    "scalability",
    title="Single instance on the request path",
    explanation="One instance of a component every request goes through is a single point of failure: a "
    "crash, a deploy or a host failure takes the whole path down. Judged from the scaling rule, else the "
    "deployed instances; a data store with a replica or standby is not single, one without either is.",
    fix="Run at least two instances (min instances ≥ 2), or give the data store a replica or standby.",
)
def single_instance_on_request_path(snapshot: DesignSnapshot) -> Iterator[Hit]:
    scaling = {r.component: r for r in snapshot.elements("scaling")}
    stores = {s.component: s for s in snapshot.elements("stores")}
    deployed: dict[ElementRecord, int] = defaultdict(int)
    for unit in snapshot.elements("units"):
        deployed[unit.component] = max(deployed[unit.component], unit.instances)
    for component in _request_path(snapshot):
        store = stores.get(component)
        if store is not None and (store.replicas or store.replication != "none"):
            continue
        rule_ = scaling.get(component)
        if rule_ is not None:
            instances = rule_.min_instances
        else:
            # A data store with neither replica nor standby is one server, whatever was deployed.
            instances = 1 if store is not None else deployed.get(component)
        if instances == 1:
            yield Hit(rule_ or component, f"{component.name} runs as a single instance on the request path.")


@rule(
    "SCALE-003",
    ERROR,
    "scalability",
    title="Today's peak needs more instances than the maximum",
    explanation="At the load profile's peak — the part of it the component serves, by its scaling rule's "
    "share or own rate — the component needs more instances than its scaling rule allows, so it is "
    "overloaded today.",
    fix="Raise max instances, or the capacity of one instance (a bigger instance, a cheaper request path); "
    "if the component serves only part of the peak, give its share in the scaling rule.",
)
def peak_above_max(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for need in capacity_from_snapshot(snapshot).components:
        if need.instances_now is not None and need.instances_now > need.rule.max_instances:
            yield Hit(
                need.rule,
                f"{need.component.name} needs {need.instances_now} instances at today's peak "
                f"(serving {need.serves}); "
                f"at most {need.rule.max_instances} are allowed.",
            )


@rule(
    "SCALE-004",
    WARNING,
    "scalability",
    title=f"{GROWTH_FACTOR}× the peak needs more instances than the maximum",
    explanation=f"At {GROWTH_FACTOR} times today's peak (the part of it the component serves) the component "
    "needs more instances than its scaling rule allows: growth will hit this ceiling before anything else "
    "is redesigned.",
    fix="Raise max instances, raise the capacity of one instance, or plan the change in the roadmap; if the "
    "component serves only part of the peak, give its share in the scaling rule.",
)
def growth_above_max(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for need in capacity_from_snapshot(snapshot).components:
        over_now = need.instances_now is not None and need.instances_now > need.rule.max_instances
        if need.exceeds_max_at_10x and not over_now:  # over today is SCALE-003's error
            yield Hit(
                need.rule,
                f"{need.component.name} needs {need.instances_at_10x} instances at {GROWTH_FACTOR}× the peak "
                f"(serving {need.serves}); "
                f"at most {need.rule.max_instances} are allowed.",
            )


# ---------------------------------------------------------------- deployment


@rule(
    "DEPLOY-001",
    WARNING,
    "deployment",
    title="Service with no health check",
    explanation="Without a liveness or readiness probe the orchestrator keeps sending traffic to an instance "
    "that has hung or not finished starting, and a rolling deploy cannot tell a good release from a bad one.",
    fix="Add its health checks (readiness and liveness at least).",
)
def service_without_health_check(snapshot: DesignSnapshot) -> Iterator[Hit]:
    if _style(snapshot) == "serverless":
        return  # the platform runs functions; there is nothing to probe
    checked = {h.component for h in snapshot.elements("health")}
    for component in snapshot.elements("components"):
        if component.kind in SERVICE_KINDS and component not in checked:
            yield Hit(component, f"{component.name} has no health check.")


@rule(
    "DEPLOY-002",
    WARNING,
    "deployment",
    title="No alerts",
    explanation="Without alerts the first to notice an outage are the users.",
    fix="Add alerts on the symptoms users feel (error rate, latency against the SLOs, saturation), each "
    "with a runbook.",
)
def no_alerts(snapshot: DesignSnapshot) -> Iterator[Hit]:
    if _running(snapshot) and not snapshot.elements("alerts"):
        yield Hit("alerts", "The design defines no alert.")


@rule(
    "DEPLOY-003",
    WARNING,
    "deployment",
    title="No rollback procedure",
    explanation="Every release can go wrong; deciding how to undo one during the incident is the slowest "
    "and riskiest time to decide it.",
    fix="Describe the rollback: how it is triggered, how long it takes, and what happens to migrations.",
)
def no_rollback(snapshot: DesignSnapshot) -> Iterator[Hit]:
    if _running(snapshot) and _blank(snapshot.section("release"), "rollback_procedure"):
        yield Hit("release", "The design does not say how a release is rolled back.")


@rule(
    "DEPLOY-004",
    WARNING,
    "deployment",
    title="Critical alert without a runbook",
    explanation="A critical alert pages someone, often at night; without a runbook they start the diagnosis "
    "from nothing.",
    fix="Link a runbook or write the first steps to take.",
)
def critical_alert_without_runbook(snapshot: DesignSnapshot) -> Iterator[Hit]:
    for alert in snapshot.elements("alerts"):
        if alert.severity == "critical" and not alert.runbook.strip():
            yield Hit(alert, f"{alert.name} pages without a runbook.")


@rule(
    "DEPLOY-005",
    WARNING,
    "deployment",
    title="No disaster recovery objective",
    explanation="The design keeps data but does not say how much of it may be lost, or for how long the "
    "system may be down, when a region or the primary database is lost.",
    fix="Set the disaster recovery RPO and RTO and describe the backups and regions that meet them.",
)
def no_dr_objective(snapshot: DesignSnapshot) -> Iterator[Hit]:
    if not snapshot.elements("stores"):
        return
    recovery = snapshot.section("recovery")
    if recovery is None or (recovery.dr_rpo_minutes is None and recovery.dr_rto_minutes is None):
        yield Hit("recovery", "The design keeps data but sets no disaster recovery RPO or RTO.")
