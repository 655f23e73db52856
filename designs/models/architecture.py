"""Step 2: architecture design."""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models

from .base import TEXT_LIMIT, Element, Section, Siblings, listing, unique_name_constraint


class ArchitectureStyle(Section):
    class Style(models.TextChoices):
        MONOLITH = "monolith", "Monolith"
        MODULAR_MONOLITH = "modular_monolith", "Modular monolith"
        MICROSERVICES = "microservices", "Microservices"
        SERVERLESS = "serverless", "Serverless"
        EVENT_DRIVEN = "event_driven", "Event-driven"

    style = models.CharField(max_length=20, choices=Style.choices, blank=True)
    rationale = models.TextField(blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = "architecture style"


class ComponentKind(models.TextChoices):
    CLIENT = "client", "Client"
    WEB_APP = "web_app", "Web app"
    API_GATEWAY = "api_gateway", "API gateway"
    LOAD_BALANCER = "load_balancer", "Load balancer"
    CDN = "cdn", "CDN"
    SERVICE = "service", "Service"
    WORKER = "worker", "Worker"
    DATABASE = "database", "Database"
    CACHE = "cache", "Cache"
    QUEUE = "queue", "Queue / stream"
    OBJECT_STORAGE = "object_storage", "Object storage"
    SEARCH = "search", "Search"
    EXTERNAL = "external", "External system"


# Kinds a reference may point at, where only some make sense.
DATA_STORE_KINDS = (ComponentKind.DATABASE, ComponentKind.CACHE, ComponentKind.SEARCH)
SERVICE_KINDS = (ComponentKind.SERVICE, ComponentKind.WEB_APP, ComponentKind.API_GATEWAY, ComponentKind.WORKER)
# Kinds we run and operate ourselves: they scale, deploy and answer health checks.
RUNNING_KINDS = tuple(k for k in ComponentKind if k not in (ComponentKind.CLIENT, ComponentKind.EXTERNAL))
CACHE_KINDS = (ComponentKind.CACHE, ComponentKind.CDN)
REQUEST_PATH_KINDS = (
    ComponentKind.WEB_APP,
    ComponentKind.API_GATEWAY,
    ComponentKind.LOAD_BALANCER,
    ComponentKind.SERVICE,
    ComponentKind.DATABASE,
    ComponentKind.CACHE,
)


class KindLimit(NamedTuple):
    """The kinds of component a reference accepts, and what to say when it points at another.

    A model declares its limits once, in `kind_limits` (field name -> KindLimit); its clean()
    checks them through check_kinds(), and Component.clean() reads them when a kind changes.
    """

    kinds: tuple[str, ...]
    message: str


def check_kinds(element: Element) -> None:
    """Refuse a reference to a component of the wrong kind (forms only offer the right ones)."""
    limits: dict[str, KindLimit] = getattr(element, "kind_limits", {})
    for field, limit in limits.items():
        component = getattr(element, field) if getattr(element, f"{field}_id") else None
        if component is not None and component.kind not in limit.kinds:
            raise ValidationError({field: limit.message})


def _a(label: str) -> str:
    """The kind's label after “a” or “an”, lower-cased unless it starts with an acronym."""
    if not label[:2].isupper():
        label = label.lower()
    return f"{'an' if label[0].lower() in 'aeiou' else 'a'} {label}"


class Component(Element):
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ComponentKind.choices)
    technology = models.CharField(max_length=100, blank=True)
    responsibility = models.TextField(blank=True, max_length=TEXT_LIMIT)
    owning_team = models.CharField(max_length=100, blank=True)
    stateful = models.BooleanField(default=False)
    bounded_context = models.CharField(max_length=100, blank=True)
    # Traceability: which functional requirements this component serves (step 1 is written first).
    requirements = models.ManyToManyField(
        "FunctionalRequirement", blank=True, related_name="components", verbose_name="serves requirements"
    )

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "component"
        constraints = [*Element.Meta.constraints, unique_name_constraint("component")]

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        # An import (siblings given) saves only new elements, and each reference checks its own kind limit.
        if siblings is None:
            self.check_kind_keeps_references()

    def check_kind_keeps_references(self) -> None:
        """Refuse a new kind that an element referring to this component does not accept.

        Its own clean() checks the kind only when that element is saved, so without this an edit
        here would leave a design that breaks its own rules and no longer imports.
        """
        if self.kind not in ComponentKind.values:
            return  # the field's own error says so
        stored = self.stored("kind")
        if stored is None or stored["kind"] == self.kind:
            return
        blocking: list[str] = []
        count = 0
        for relation in self._meta.related_objects:
            limit = getattr(relation.related_model, "kind_limits", {}).get(relation.field.name)
            if limit is None or self.kind in limit.kinds:
                continue
            found = relation.related_model._default_manager.filter(**{relation.field.name: self.pk}).count()
            if found:
                meta = relation.related_model._meta
                noun = meta.verbose_name if found == 1 else meta.verbose_name_plural
                blocking.append(f"the {relation.field.verbose_name} of {found} {noun}")
                count += found
        if blocking:
            those, them = ("that", "it") if count == 1 else ("those", "them")
            raise ValidationError(
                {
                    "kind": f"{self.name} is {listing(blocking, limit=len(blocking))}; "
                    f"{_a(ComponentKind(self.kind).label)} can't be {those}. Change or delete {them} first."
                }
            )


class Interaction(Element):
    class Mode(models.TextChoices):
        SYNC = "sync", "Sync request"
        ASYNC = "async", "Async message"
        REPLICATION = "replication", "Data replication"

    class Protocol(models.TextChoices):
        HTTPS_REST = "https_rest", "HTTPS/REST"
        HTTP = "http", "HTTP (plain)"
        GRPC = "grpc", "gRPC"
        GRAPHQL = "graphql", "GraphQL"
        WEBSOCKET = "websocket", "WebSocket"
        SQL = "sql", "SQL"
        AMQP = "amqp", "AMQP"
        KAFKA = "kafka", "Kafka"
        MQTT = "mqtt", "MQTT"
        REDIS = "redis", "Redis protocol"
        S3 = "s3", "S3 API"
        SMTP = "smtp", "SMTP"
        OTHER = "other", "Other"

    class Classification(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal"
        CONFIDENTIAL = "confidential", "Confidential"
        PII = "pii", "PII"

    source = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="incoming")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.SYNC)
    protocol = models.CharField(max_length=20, choices=Protocol.choices, default=Protocol.HTTPS_REST)
    purpose = models.CharField(max_length=200, blank=True)
    data_classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.INTERNAL
    )
    tls = models.BooleanField("TLS", default=True, help_text="Encrypted in transit.")

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("source", "target")

    class Meta(Element.Meta):
        verbose_name = "interaction"
        constraints = [
            *Element.Meta.constraints,
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="interaction_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_protocol_display()})"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.source_id and self.source_id == self.target_id:
            raise ValidationError({"target": "A component cannot interact with itself; choose another target."})


class TechnologyDecision(Element):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        SUPERSEDED = "superseded", "Superseded"
        DEPRECATED = "deprecated", "Deprecated"

    code = models.CharField(max_length=20, blank=True, help_text="Left empty, the next ADR-n is used.")
    area = models.CharField(max_length=100, help_text="e.g. primary database, messaging")
    choice = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    context = models.TextField(blank=True, max_length=TEXT_LIMIT)
    justification = models.TextField(blank=True, max_length=TEXT_LIMIT)
    consequences = models.TextField(blank=True, max_length=TEXT_LIMIT)

    unique_in_design = ("code",)
    code_prefix = "ADR"

    class Meta(Element.Meta):
        verbose_name = "technology decision"
        constraints = [*Element.Meta.constraints, unique_name_constraint("technologydecision", "code")]

    def __str__(self) -> str:
        return f"{self.code} {self.area}: {self.choice}"


class DecisionAlternative(Element):
    decision = models.ForeignKey(TechnologyDecision, on_delete=models.CASCADE, related_name="alternatives")
    option = models.CharField("alternative", max_length=200)
    tradeoffs = models.TextField("trade-offs", max_length=TEXT_LIMIT)

    unique_in_parent = (("option", "decision"),)

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("decision",)

    class Meta(Element.Meta):
        verbose_name = "alternative"
        constraints = [*Element.Meta.constraints, unique_name_constraint("decisionalternative", "option", "decision")]

    def __str__(self) -> str:
        return f"{self.option} (vs {self.decision.choice})"
