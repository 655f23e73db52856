"""OpenAPI 3.1 description of a design's API (step 3, with the security of step 5), from the snapshot.

Pure: a snapshot in, a plain dict (and its YAML or JSON text) out. What the design holds maps as:

- `info`: the design's name and version, the API conventions (style, versioning, rate limits,
  error format) written into its description; `servers`: the base path (a relative server URL).
- one operation per endpoint under its path template as written (paths are relative to the base
  path), with its `{name}` path parameters declared, a tag per owning service component, a unique
  `operationId` made from the method and path, the summary, the request example as the request
  body and the response example under the success status, every error response under its status.
- error bodies are `application/problem+json` (RFC 9457) when the API's error format says so,
  else `application/json`; paginated endpoints take the cursor or offset query parameters of the
  API's pagination style; header versioning adds an `API-Version` header parameter, content
  negotiation a versioned vendor media type on the bodies.
- each authentication method of step 5 becomes a security scheme (MFA is a factor of sign-in, not
  a way to call an API, so it has none); an endpoint that needs authentication accepts any of them
  (the design does not tie methods to endpoints) with its roles/scopes, a public one says `[]`.

Schemas are inferred from the examples (types, properties, array items): the examples are what
the design decides, the schemas only describe their shape. Output is deterministic: keys in a
fixed order, the design's order everywhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

import yaml

from designs.snapshot import DesignSnapshot, ElementRecord

OPENAPI_VERSION = "3.1.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON_MEDIA_TYPE = "application/json"
# A path parameter as the design writes it (designs.models.api.PATH_PARAMETER).
PATH_PARAMETER = re.compile(r"\{([^{}/]+)\}")
VERSION_HEADER = "API-Version"
SERVER_DESCRIPTION = "Base path of the API; every path is relative to it."
STYLES = {"rest": "REST", "graphql": "GraphQL", "grpc": "gRPC"}
# Component keys must match ^[a-zA-Z0-9._-]+$ (OpenAPI 3.1, Components Object).
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WORD = re.compile(r"[A-Za-z0-9]+")
_PROBLEM_MARKERS = ("problem", "9457", "7807")


def openapi_document(snapshot: DesignSnapshot) -> dict[str, Any]:
    """The design's API as an OpenAPI 3.1 document (plain dicts, lists and scalars)."""
    return _Builder(snapshot).document()


def openapi_yaml(snapshot: DesignSnapshot) -> str:
    return dump_yaml(openapi_document(snapshot))


def openapi_json(snapshot: DesignSnapshot) -> str:
    return json.dumps(openapi_document(snapshot), indent=2, ensure_ascii=False) + "\n"


class _NoAliases(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML without anchors: a tool reading the file should see each value where it is used."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Descriptions read as written: a multi-line text as a literal block (the emitter falls back
    # to a quoted style by itself when a block cannot hold the text exactly).
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_NoAliases.add_representer(str, _represent_text)


def dump_yaml(document: dict[str, Any]) -> str:
    # sort_keys=False: the builder's order is the stable, readable one (openapi, info, servers, …).
    return yaml.dump(document, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)


def problem_format(error_format: str) -> bool:
    """Whether the API's error format field names RFC 9457 (or its predecessor 7807) problem details."""
    lowered = error_format.lower()
    return any(marker in lowered for marker in _PROBLEM_MARKERS)


def infer_schema(value: Any) -> dict[str, Any]:
    """A JSON Schema describing one example value's shape (not its limits)."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        return {"type": "array", "items": infer_schema(value[0])} if value else {"type": "array"}
    return {"type": "object", "properties": {str(key): infer_schema(item) for key, item in value.items()}}


def operation_id(method: str, path: str) -> str:
    """getOrdersById for GET /orders/{id}: the method, then each segment's words, parameters after "By"."""
    words = [method.lower()]
    for segment in path.split("/"):
        parameter = PATH_PARAMETER.fullmatch(segment)
        parts = _WORD.findall(parameter[1] if parameter else segment)
        if parameter and parts:
            words.append("By")
        words += [part[:1].upper() + part[1:] for part in parts]
    return "".join(words)


def scheme_key(name: str) -> str:
    return _KEY_UNSAFE.sub("_", name).strip("_") or "auth"


def scopes_of(roles_scopes: str) -> list[str]:
    """The roles or scopes an endpoint lists, comma or semicolon separated, as written."""
    return [part.strip() for part in re.split(r"[,;]", roles_scopes) if part.strip()]


def _example(text: str) -> tuple[bool, Any]:
    """(present, value) of a JSON example; an example that is not JSON stays as its text."""
    if not text.strip():
        return False, None
    try:
        return True, json.loads(text)
    except ValueError:
        return True, text


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


class _Builder:
    def __init__(self, snapshot: DesignSnapshot) -> None:
        self.snapshot = snapshot
        self.settings = snapshot.section("conventions")
        # Without API conventions saved yet, the model's defaults: URL versioning, cursors, problem+json.
        self.endpoints = snapshot.elements("endpoints")
        self.problem = problem_format(self.settings.error_format) if self.settings else True
        self.pagination = self.settings.pagination if self.settings else "cursor"
        self.versioning = self.settings.versioning if self.settings else "url"
        self.schemes = self._security_schemes()

    # ------------------------------------------------------------ document

    def document(self) -> dict[str, Any]:
        paths = self._paths()
        document: dict[str, Any] = {
            "openapi": OPENAPI_VERSION,
            "info": self._info(),
            "servers": [{"url": self._base_path(), "description": SERVER_DESCRIPTION}],
        }
        tags = self._tags()
        if tags:
            document["tags"] = tags
        document["paths"] = paths
        components = self._components()
        if components:
            document["components"] = components
        return document

    def _base_path(self) -> str:
        return self.settings.base_path if self.settings and self.settings.base_path else "/"

    def _api_version(self) -> str:
        """The version the base path names (v2 in /api/v2), else v1."""
        for segment in reversed(self._base_path().split("/")):
            if re.fullmatch(r"v\d+(\.\d+)*", segment, re.IGNORECASE):
                return segment.lower()
        return "v1"

    def _info(self) -> dict[str, Any]:
        version = f"{self._api_version()} (design version {self.snapshot.version})"
        if self.snapshot.version is None:
            version = self._api_version()
        lines = []
        if self.snapshot.summary.strip():
            lines += [self.snapshot.summary.strip(), ""]
        if self.settings is not None:
            versioning = {
                "url": f"in the URL path ({self._base_path()})",
                "header": f"by the {VERSION_HEADER} header",
                "content": "by content negotiation (a versioned media type)",
            }.get(self.settings.versioning, self.settings.versioning)
            style = STYLES.get(self.settings.style, self.settings.style)
            lines.append(f"- Style: {style}; versioning {versioning}.")
            lines.append(f"- Pagination: {self.settings.pagination}.")
            if self.settings.rate_limits:
                lines.append(f"- Rate limits: {self.settings.rate_limits}")
            if self.settings.error_format:
                lines.append(f"- Error format: {self.settings.error_format}")
        lines.append("")
        lines.append("Generated by Design Workbench; request and response schemas are inferred from the examples.")
        return {"title": self.snapshot.name or "Design", "version": version, "description": "\n".join(lines).strip()}

    def _tags(self) -> list[dict[str, Any]]:
        tags: list[dict[str, Any]] = []
        seen: set[ElementRecord] = set()
        for endpoint in self.endpoints:
            service = endpoint.service
            if service is None or service in seen:
                continue
            seen.add(service)
            tag: dict[str, Any] = {"name": service.name}
            if service.responsibility:
                tag["description"] = service.responsibility
            tags.append(tag)
        return tags

    # ------------------------------------------------------------ paths

    def _paths(self) -> dict[str, Any]:
        # Templates that differ only in parameter names are one path in OpenAPI ("identical"
        # templated paths must not exist): the first spelling in design order names them.
        canonical: dict[str, str] = {}
        paths: dict[str, dict[str, Any]] = {}
        used_ids: set[str] = set()
        for endpoint in self.endpoints:
            shape = PATH_PARAMETER.sub("{}", endpoint.path)
            path = canonical.setdefault(shape, endpoint.path)
            item = paths.setdefault(path, {})
            method = endpoint.method.lower()
            if method in item:
                continue  # the design refuses a second METHOD /path; a document built by hand may not
            item[method] = self._operation(endpoint, path, used_ids)
        return paths

    def _operation(self, endpoint: ElementRecord, path: str, used_ids: set[str]) -> dict[str, Any]:
        operation: dict[str, Any] = {}
        if endpoint.service is not None:
            operation["tags"] = [endpoint.service.name]
        operation["summary"] = endpoint.summary
        operation["operationId"] = self._unique_id(operation_id(endpoint.method, path), used_ids)
        parameters = self._parameters(endpoint, path)
        if parameters:
            operation["parameters"] = parameters
        present, request = _example(endpoint.request_example)
        if present:
            operation["requestBody"] = {"required": True, "content": {self._media_type(): self._media(request)}}
        operation["responses"] = self._responses(endpoint)
        security = self._security(endpoint)
        if security is not None:
            operation["security"] = security
        elif endpoint.auth_required:
            operation["x-auth-required"] = True  # no authentication method in step 5 yet to name
        if endpoint.idempotent:
            operation["x-idempotent"] = True
        if endpoint.exposes_classification:
            operation["x-data-classification"] = endpoint.exposes_classification
        return operation

    def _unique_id(self, base: str, used: set[str]) -> str:
        candidate, number = base, 2
        while candidate.lower() in used:
            candidate, number = f"{base}{number}", number + 1
        used.add(candidate.lower())
        return candidate

    def _parameters(self, endpoint: ElementRecord, path: str) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in PATH_PARAMETER.findall(path)
        ]
        if self.versioning == "header":
            parameters.append({"$ref": "#/components/parameters/ApiVersion"})
        if endpoint.paginated:
            first = "Offset" if self.pagination == "offset" else "Cursor"
            parameters += [{"$ref": f"#/components/parameters/{first}"}, {"$ref": "#/components/parameters/Limit"}]
        return parameters

    def _media_type(self) -> str:
        if self.versioning == "content":
            return f"application/vnd.{scheme_key(self.snapshot.slug or 'api').lower()}.{self._api_version()}+json"
        return JSON_MEDIA_TYPE

    @staticmethod
    def _media(value: Any) -> dict[str, Any]:
        return {"schema": infer_schema(value), "example": value}

    def _responses(self, endpoint: ElementRecord) -> dict[str, Any]:
        status = endpoint.success_status or 200
        success: dict[str, Any] = {"description": _phrase(status)}
        present, response = _example(endpoint.response_example)
        if present and status not in (204, 304):
            success["content"] = {self._media_type(): self._media(response)}
        responses: dict[str, Any] = {str(status): success}
        media_type = PROBLEM_MEDIA_TYPE if self.problem else JSON_MEDIA_TYPE
        for error in self.snapshot.referring(endpoint, "errors", "endpoint"):
            body: dict[str, Any] = {}
            if self.problem:
                body["schema"] = {"$ref": "#/components/schemas/Problem"}
            present, example = _example(error.example)
            if present:
                body.setdefault("schema", infer_schema(example))
                body["example"] = example
            responses[str(error.status)] = {"description": error.meaning or _phrase(error.status)}
            if body:
                responses[str(error.status)]["content"] = {media_type: body}
        return responses

    # ------------------------------------------------------------ security

    def _security_schemes(self) -> dict[str, dict[str, Any]]:
        schemes: dict[str, dict[str, Any]] = {}
        for method in self.snapshot.elements("auth"):
            scheme = _scheme(method.kind)
            if scheme is None:
                continue
            key, number = scheme_key(method.name), 2
            while key in schemes:
                key, number = f"{scheme_key(method.name)}_{number}", number + 1
            description = [method.name]
            if method.used_by:
                description.append(f"Used by: {method.used_by}")
            if method.notes:
                description.append(method.notes)
            schemes[key] = {**scheme, "description": "\n\n".join(description)}
        return schemes

    def _security(self, endpoint: ElementRecord) -> list[dict[str, list[str]]] | None:
        if not endpoint.auth_required:
            return []
        if not self.schemes:
            return None
        scopes = scopes_of(endpoint.roles_scopes)
        return [{key: list(scopes)} for key in self.schemes]

    # ------------------------------------------------------------ components

    def _components(self) -> dict[str, Any]:
        components: dict[str, Any] = {}
        schemas = {}
        if self.problem and any(self.snapshot.elements("errors")):
            schemas["Problem"] = _PROBLEM_SCHEMA
        if schemas:
            components["schemas"] = schemas
        parameters = {}
        if self.versioning == "header":
            parameters["ApiVersion"] = {
                "name": VERSION_HEADER,
                "in": "header",
                "required": False,
                "description": "The API version asked for; the latest when absent.",
                "schema": {"type": "string", "example": self._api_version()},
            }
        if any(e.paginated for e in self.endpoints):
            if self.pagination == "offset":
                parameters["Offset"] = {
                    "name": "offset",
                    "in": "query",
                    "required": False,
                    "description": "How many items to skip.",
                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                }
            else:
                parameters["Cursor"] = {
                    "name": "cursor",
                    "in": "query",
                    "required": False,
                    "description": "The cursor of the next page, as the previous page returned it.",
                    "schema": {"type": "string"},
                }
            parameters["Limit"] = {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "The most items one page holds.",
                "schema": {"type": "integer", "minimum": 1},
            }
        if parameters:
            components["parameters"] = parameters
        if self.schemes:
            components["securitySchemes"] = self.schemes
        return components


def _scheme(kind: str) -> dict[str, Any] | None:
    """The security scheme of an authentication method's kind (without its description)."""
    return {
        "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        # A relative URL (OpenAPI 3.1 allows them): the design names no identity provider.
        "oauth2_oidc": {"type": "openIdConnect", "openIdConnectUrl": "/.well-known/openid-configuration"},
        "api_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "mtls": {"type": "mutualTLS"},
    }.get(kind)


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
    },
}


def operations(document: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) of every operation of a document, for tests and the bench."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            yield method.upper(), path, operation
