"""Step 3: API specification."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from designs.endpoints import returns_collection

from .architecture import SERVICE_KINDS, Component, KindLimit, check_kinds
from .base import Element, Section, Siblings

JSON_EXAMPLE_LIMIT = 20_000


def validate_json_example(value: str) -> None:
    if not value.strip():
        return
    try:
        json.loads(value, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise ValidationError(f"Not valid JSON: {exc}") from None


def _refuse_constant(name: str) -> None:
    # Python's json reads NaN and Infinity; JSON, OpenAPI and every other client do not.
    raise ValueError(f"{name} is not a JSON value")


PATH_PARAMETER = re.compile(r"\{[^{}/]+\}")


def validate_path(value: str) -> None:
    if not re.fullmatch(r"/[^\s?#]*", value):
        raise ValidationError("A path starts with / and has no spaces, query string or fragment.")
    if re.sub(PATH_PARAMETER, "", value).count("{") or re.sub(PATH_PARAMETER, "", value).count("}"):
        raise ValidationError("Path parameters are written {name}, each within one segment.")
    if "//" in value:
        raise ValidationError("A path has no empty segments (//).")
    names = PATH_PARAMETER.findall(value)
    if len(set(names)) != len(names):
        raise ValidationError("Each path parameter may appear only once.")


def path_shape(path: str) -> str:
    """The path as a router sees it: /orders/{id} and /orders/{orderId}/ are the same route."""
    return PATH_PARAMETER.sub("{}", path).rstrip("/") or "/"


class ApiSettings(Section):
    class Style(models.TextChoices):
        REST = "rest", "REST"
        GRAPHQL = "graphql", "GraphQL"
        GRPC = "grpc", "gRPC"

    class Versioning(models.TextChoices):
        URL = "url", "URL path (/v1)"
        HEADER = "header", "Header"
        CONTENT = "content", "Content negotiation"

    class Pagination(models.TextChoices):
        CURSOR = "cursor", "Cursor"
        OFFSET = "offset", "Offset"

    style = models.CharField(max_length=10, choices=Style.choices, default=Style.REST)
    base_path = models.CharField(
        max_length=100,
        default="/api/v1",
        validators=[RegexValidator(r"^/[^\s]*$", "Start with / and use no spaces.")],
    )
    versioning = models.CharField(max_length=10, choices=Versioning.choices, default=Versioning.URL)
    pagination = models.CharField(max_length=10, choices=Pagination.choices, default=Pagination.CURSOR)
    rate_limits = models.CharField(max_length=200, blank=True, help_text="e.g. 100 requests/min per user")
    error_format = models.CharField(max_length=100, default="RFC 9457 problem+json")

    class Meta:
        verbose_name = "API settings"


class Endpoint(Element):
    # Labels as written in HTTP (a bare TextChoices member would be labelled "Get").
    class Method(models.TextChoices):
        GET = "GET", "GET"
        POST = "POST", "POST"
        PUT = "PUT", "PUT"
        PATCH = "PATCH", "PATCH"
        DELETE = "DELETE", "DELETE"
        HEAD = "HEAD", "HEAD"
        OPTIONS = "OPTIONS", "OPTIONS"

    service = models.ForeignKey(
        Component, on_delete=models.CASCADE, related_name="endpoints", verbose_name="owning service"
    )
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.GET)
    path = models.CharField(max_length=300, validators=[validate_path])
    summary = models.CharField(max_length=200)
    auth_required = models.BooleanField(default=True)
    roles_scopes = models.CharField("roles / scopes", max_length=200, blank=True)
    request_example = models.TextField(
        blank=True, max_length=JSON_EXAMPLE_LIMIT, validators=[validate_json_example], help_text="JSON."
    )
    success_status = models.PositiveSmallIntegerField(
        default=200, validators=[MinValueValidator(100), MaxValueValidator(399)]
    )
    response_example = models.TextField(
        blank=True, max_length=JSON_EXAMPLE_LIMIT, validators=[validate_json_example], help_text="JSON."
    )
    idempotent = models.BooleanField(default=False)
    collection = models.CharField(
        "returns a collection",
        max_length=3,
        blank=True,
        choices=[("", "Infer from the response example"), ("yes", "Yes: a list"), ("no", "No: one resource")],
        help_text="Left to infer: a JSON array, or an object with items/data/results…, is a collection.",
    )
    # What `collection` and the example say, kept for completeness (one SQL query); set on every save.
    is_collection = models.BooleanField(default=False, editable=False)
    paginated = models.BooleanField(default=False)
    exposes_classification = models.CharField(
        "data exposed",
        max_length=20,
        default="internal",
        choices=[("public", "Public"), ("internal", "Internal"), ("confidential", "Confidential"), ("pii", "PII")],
    )
    # Traceability: which functional requirements this endpoint serves.
    requirements = models.ManyToManyField(
        "FunctionalRequirement", blank=True, related_name="endpoints", verbose_name="serves requirements"
    )

    kind_limits = {
        "service": KindLimit(SERVICE_KINDS, "An endpoint belongs to a service, web app, API gateway or worker.")
    }

    class Meta(Element.Meta):
        verbose_name = "endpoint"
        constraints = [
            *Element.Meta.constraints,
            models.UniqueConstraint(fields=["design", "method", "path"], name="endpoint_unique_method_path"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_collection = returns_collection(self.collection, self.response_example)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_collection"}
        super().save(*args, **kwargs)

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        # Imports insert in bulk, without save(): the derived flag is set here too.
        self.is_collection = returns_collection(self.collection, self.response_example)
        check_kinds(self)
        if self.design_id and self.path and self.clashes(("design", "method", "path"), siblings=siblings):
            raise ValidationError({"path": f"{self.method} {self.path} is already defined in this design."})
        if self.design_id and self.path and siblings is None:
            self.check_route_is_free()

    def check_route_is_free(self) -> None:
        """Refuse a path that routes like another one, e.g. /orders/{id} beside /orders/{orderId}."""
        shape = path_shape(self.path)
        others = Endpoint.objects.filter(design_id=self.design_id, method=self.method).exclude(pk=self.pk)
        for other in others.only("path"):
            if other.path != self.path and path_shape(other.path) == shape:
                raise ValidationError(
                    {"path": f"{self.method} {self.path} is the same route as {self.method} {other.path}."}
                )


class EndpointError(Element):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="errors")
    status = models.PositiveSmallIntegerField(validators=[MinValueValidator(400), MaxValueValidator(599)])
    meaning = models.CharField(max_length=200)
    example = models.TextField(blank=True, max_length=JSON_EXAMPLE_LIMIT, validators=[validate_json_example])

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("endpoint",)

    class Meta(Element.Meta):
        verbose_name = "error response"
        constraints = [
            *Element.Meta.constraints,
            models.UniqueConstraint(fields=["endpoint", "status"], name="endpointerror_unique_status"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} → {self.status}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.endpoint_id and self.status and self.clashes(("endpoint", "status"), siblings=siblings):
            raise ValidationError({"status": f"{self.endpoint} already documents a {self.status} response."})
