"""Reading an OpenAPI 3.0 or 3.1 document into a neutral structure step 3 can take.

Pure: bytes in, `ParsedApi` out, no database. `$ref`s are resolved by jsonref (local
references only: a reference to another file or URL is refused, so an upload never makes the
server fetch anything). Cyclic schemas stay cyclic proxies; the example generator cuts them
where they come round again and at a fixed depth.

Every field of `ParsedEndpoint` maps onto one field of `designs.models.Endpoint` (and
`ParsedErrorResponse` onto `EndpointError`); what the model has no place for is listed in
`ParsedApi.skipped` (`imports.plan.Skipped`) with the reason, never dropped silently. A file
that cannot be read raises `imports.plan.ImportFileError` naming the JSON pointer, or the
line and column of a syntax error. imports/openapi_plan.py turns the result into a plan.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import jsonref
import yaml
from django.conf import settings

from imports.plan import ImportFileError, Skipped, read_text

# Step 3 holds these methods; TRACE is the only OpenAPI method it does not.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
IDEMPOTENT_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}

# Field limits of designs.models.Endpoint / EndpointError (kept here so the parser stays pure;
# tests/test_import_openapi_parse.py checks they agree with the models).
SUMMARY_LIMIT = 200
SCOPES_LIMIT = 200
MEANING_LIMIT = 200
EXAMPLE_LIMIT = 20_000

# Query parameters whose presence on a GET says the list is paginated.
PAGINATION_PARAMETERS = {
    "page",
    "pagenumber",
    "page_number",
    "pagesize",
    "page_size",
    "per_page",
    "perpage",
    "limit",
    "offset",
    "cursor",
    "after",
    "before",
    "starting_after",
    "ending_before",
    "pagetoken",
    "page_token",
    "next_token",
    "nexttoken",
    "continuation_token",
}

# How deep a generated example nests before it stops (a cyclic schema would never end), and how many
# values it may hold (ten properties each referring to a schema of ten properties… grows tenfold a level).
EXAMPLE_DEPTH = 8
EXAMPLE_VALUES = 2_000

# Vendor extensions the import reads (the workbench's own export writes it), so not skipped.
READ_EXTENSIONS = {"x-auth-required"}

# securitySchemes types (and http schemes) → designs.models.AuthMethod.Kind values.
SCHEME_KINDS = {
    "oauth2": "oauth2_oidc",
    "openIdConnect": "oauth2_oidc",
    "apiKey": "api_key",
    "mutualTLS": "mtls",
}


@dataclass(frozen=True)
class ParsedServer:
    url: str  # as written, e.g. https://{region}.example.com/v1
    resolved: str  # with each variable's default, e.g. https://eu.example.com/v1
    description: str = ""


@dataclass(frozen=True)
class ParsedScheme:
    name: str
    type: str  # as in the document: http, apiKey, oauth2, openIdConnect, mutualTLS
    kind: str | None  # designs.models.AuthMethod.Kind value, None when none fits (e.g. HTTP basic)
    detail: str = ""  # bearer format, header name, …


@dataclass(frozen=True)
class ParsedErrorResponse:
    status: int  # 400-599
    meaning: str  # EndpointError.meaning
    example: str  # JSON text, "" when none


@dataclass(frozen=True)
class ParsedEndpoint:
    method: str  # upper case, one of Endpoint.Method
    path: str
    summary: str  # never empty, at most SUMMARY_LIMIT
    description: str
    tag: str | None  # the operation's first tag
    operation_id: str | None
    auth_required: bool
    scopes: tuple[str, ...]
    schemes: tuple[str, ...]  # names of the security schemes the operation accepts
    request_example: str  # JSON text, "" when none
    success_status: int  # 100-399
    response_example: str
    errors: tuple[ParsedErrorResponse, ...]
    paginated: bool
    idempotent: bool
    pointer: str  # where the operation is in the document
    # "yes" when the operation pages through a list; else "" (the design infers it from the example).
    collection: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def roles_scopes(self) -> str:
        return _clip(", ".join(self.scopes), SCOPES_LIMIT)


@dataclass
class ParsedApi:
    openapi: str  # the document's version, e.g. "3.1.0"
    title: str
    version: str
    description: str = ""
    servers: list[ParsedServer] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # in the document's order, then first use
    schemes: list[ParsedScheme] = field(default_factory=list)
    endpoints: list[ParsedEndpoint] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def base_path(self) -> str:
        """The path of the first server's URL, e.g. /api/v1 ("" when it has none)."""
        if not self.servers:
            return ""
        resolved = self.servers[0].resolved
        rest = resolved.split("://", 1)[1] if "://" in resolved else resolved
        path = "/" + rest.split("/", 1)[1] if "/" in rest else ""
        return path.rstrip("/")


def parse_openapi(raw: bytes | str, *, max_values: int | None = None) -> ParsedApi:
    """Parse an OpenAPI 3.0 or 3.1 document given as JSON or YAML text.

    The document may hold at most `max_values` values (IMPORT_MAX_VALUES), counting its YAML aliases
    expanded and every value an example expands to through its `$ref`s: one budget, counted before
    anything is copied, so a small file that expands to millions is refused before it costs anything.
    """
    budget = _Budget(settings.IMPORT_MAX_VALUES if max_values is None else max_values)
    document = _load(raw)
    _check_expansion(document, budget)
    _check_version(document)
    resolved = _resolve(document)
    return _Reader(resolved, budget).read()


# Reading the text -------------------------------------------------------------------------


def _load(raw: bytes | str) -> dict[str, Any]:
    if isinstance(raw, bytes):
        text = read_text(raw)  # the size limit, UTF-8, no NUL
    else:
        text = raw.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFileError("The file is empty: expected an OpenAPI document in JSON or YAML.")
    try:
        if text.lstrip()[0] in "{[":
            data = _load_json(text)
        else:
            data = _load_yaml(text)
    except RecursionError:
        raise ImportFileError("The document nests too deeply to be read.") from None
    if not isinstance(data, dict):
        raise ImportFileError(
            f"An OpenAPI document is an object at the top, not {_kind(data)}.",
            pointer="",
        )
    return data


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"Not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except ValueError as exc:
        raise ImportFileError(f"Not valid JSON: {str(exc).split(';')[0]}") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _load_yaml(text: str) -> Any:
    try:
        # libyaml's safe loader when PyYAML was built with it: ten times faster on big documents.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot be read"
        if mark is None:
            raise ImportFileError(f"Not valid YAML: {problem}") from None
        raise ImportFileError(f"Not valid YAML: {problem}", line=mark.line + 1, column=mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise ImportFileError(f"Not valid YAML: {exc}") from None


class _Budget:
    """The values one document may make the import hold (IMPORT_MAX_VALUES): a 10 MiB document written
    out holds a few hundred thousand; aliases of aliases (a "billion laughs") or an example whose `$ref`s
    refer to objects of `$ref`s (ten keys, seven levels: 11 million) would hold millions or billions."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, count: int, once: str, pointer: str | None = None) -> None:
        """Count `count` more values; past the limit, refuse the document saying why (`once` its …)."""
        self.spent += count
        if self.spent > self.limit:
            raise ImportFileError(
                f"The document holds more than {self.limit:,} values once its {once}; at most {self.limit:,} are read.",
                pointer=pointer,
            )


def _check_expansion(document: dict[str, Any], budget: _Budget) -> None:
    """Refuse a document whose YAML aliases multiply it past the budget (or make it contain itself)."""
    count, stack = 0, [document]
    while stack:
        value = stack.pop()
        count += 1
        if count > budget.limit:
            break
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    budget.spend(count, "YAML aliases are expanded (aliases of aliases, or an alias inside itself)")


def _check_version(document: dict[str, Any]) -> None:
    if "openapi" not in document:
        if "swagger" in document:
            raise ImportFileError(
                f"This is a Swagger {document['swagger']} document; only OpenAPI 3.0 and 3.1 are read. "
                "Convert it to OpenAPI 3 first (for example with swagger2openapi).",
                pointer="/swagger",
            )
        raise ImportFileError(
            "Not an OpenAPI document: there is no `openapi` field with the version (3.0.x or 3.1.x).",
            pointer="",
        )
    version = str(document["openapi"])
    if not (version.startswith("3.0") or version.startswith("3.1")):
        raise ImportFileError(f"OpenAPI {version} is not supported; only 3.0 and 3.1 are read.", pointer="/openapi")


def _refuse_external(uri: str) -> Any:
    # An uploaded file must never make the server read another file or fetch a URL.
    raise ImportFileError(f"`{uri}` is outside this document; only references within the file are resolved")


def _resolve(document: dict[str, Any]) -> dict[str, Any]:
    try:
        # lazy_load=False resolves every reference now, so a dangling one fails here with its
        # location; proxies keep a cyclic schema a cycle of objects instead of an endless copy.
        return jsonref.replace_refs(document, loader=_refuse_external, lazy_load=False, proxies=True)
    except jsonref.JsonRefError as exc:
        target = exc.reference.get("$ref") if isinstance(exc.reference, Mapping) else exc.uri
        if isinstance(exc.cause, ImportFileError):
            reason = exc.cause.message
        elif "itself" in exc.message:
            reason = "it refers to itself"
        else:
            reason = "nothing in the document is at that address"
        raise ImportFileError(
            f"The $ref `{target}` cannot be resolved: {reason}.", pointer=_pointer(exc.path)
        ) from None
    except RecursionError:
        raise ImportFileError("The document nests too deeply to resolve its references.") from None


# Walking the document ---------------------------------------------------------------------


class _Reader:
    def __init__(self, document: dict[str, Any], budget: _Budget):
        self.doc = document
        self.budget = budget
        self.skipped: list[Skipped] = []
        self.extensions: dict[str, int] = {}
        self.tags: list[str] = []
        self.schemes: dict[str, ParsedScheme] = {}
        self.global_security: Any = document.get("security")

    def read(self) -> ParsedApi:
        doc = self.doc
        info = self._object(doc.get("info", {}), "/info")
        components = self._object(doc.get("components", {}), "/components")
        self.schemes = self._schemes(components)
        for index, tag in enumerate(self._array(doc.get("tags", []), "/tags")):
            tag = self._object(tag, f"/tags/{index}")
            name = _line(_scalar(tag.get("name", "")))[:100]
            if name and name not in self.tags:
                self.tags.append(name)
        api = ParsedApi(
            openapi=str(doc["openapi"]),
            title=_line(_scalar(info.get("title", "") or "")),
            version=_scalar(info.get("version", "") or ""),
            description=_text(_scalar(info.get("description", "") or "")),
            servers=self._servers(doc.get("servers", []), "/servers"),
            schemes=list(self.schemes.values()),
        )
        self._check_extensions(doc)
        self._check_extensions(info)
        paths = doc.get("paths", {})
        if paths is None:
            paths = {}
        paths = self._object(paths, "/paths")
        for path, item in paths.items():
            path = str(path)
            if path.startswith("x-"):
                self._extension(path)
                continue
            api.endpoints.extend(self._path_item(path, item, _pointer(("paths", path))))
        self._skip_top_level(doc)
        api.tags = self.tags
        if self.extensions:
            names = ", ".join(sorted(self.extensions))
            places = sum(self.extensions.values())
            api.skipped.append(
                Skipped(
                    "vendor extensions",
                    f"{names} ({places} place{'s' if places != 1 else ''})",
                    "x- extensions belong to other tools; the design has no place for them",
                )
            )
        api.skipped[:0] = self.skipped
        return api

    # Structure checks: a wrong type is an error naming where it is.

    def _object(self, value: Any, pointer: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise ImportFileError(f"Expected an object here, found {_kind(value)}.", pointer=pointer)
        return value

    def _array(self, value: Any, pointer: str) -> Sequence[Any]:
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise ImportFileError(f"Expected an array here, found {_kind(value)}.", pointer=pointer)
        return value

    def _extension(self, name: str) -> None:
        self.extensions[name] = self.extensions.get(name, 0) + 1

    def _check_extensions(self, obj: Mapping[str, Any]) -> None:
        for key in obj:
            if isinstance(key, str) and key.startswith("x-") and key not in READ_EXTENSIONS:
                self._extension(key)

    def _skip(self, kind: str, name: str, reason: str, where: str = "") -> None:
        self.skipped.append(Skipped(kind, name, reason, where))

    # Top level

    def _servers(self, servers: Any, pointer: str) -> list[ParsedServer]:
        result = []
        for index, server in enumerate(self._array(servers or [], pointer)):
            server = self._object(server, f"{pointer}/{index}")
            url = server.get("url")
            if not isinstance(url, str):
                raise ImportFileError("A server needs a `url` string.", pointer=f"{pointer}/{index}/url")
            variables = self._object(server.get("variables", {}) or {}, f"{pointer}/{index}/variables")
            resolved = url
            for name, variable in variables.items():
                variable = self._object(variable, f"{pointer}/{index}/variables/{_escape(str(name))}")
                resolved = resolved.replace("{" + str(name) + "}", _scalar(variable.get("default", "")))
            result.append(ParsedServer(url, resolved, _line(_scalar(server.get("description", "") or ""))))
        return result

    def _schemes(self, components: Mapping[str, Any]) -> dict[str, ParsedScheme]:
        schemes = self._object(components.get("securitySchemes", {}) or {}, "/components/securitySchemes")
        result = {}
        for name, scheme in schemes.items():
            scheme = self._object(scheme, _pointer(("components", "securitySchemes", name)))
            kind_name = _scalar(scheme.get("type", ""))
            kind = SCHEME_KINDS.get(kind_name)
            detail = ""
            if kind_name == "http":
                http_scheme = _scalar(scheme.get("scheme", "")).lower()
                detail = http_scheme + (f" ({scheme['bearerFormat']})" if scheme.get("bearerFormat") else "")
                # A bearer token is the JWT-style method of step 5; basic and digest have no kind.
                kind = "jwt" if http_scheme == "bearer" else None
            elif kind_name == "apiKey":
                detail = f"{scheme.get('in', '')} {scheme.get('name', '')}".strip()
                if scheme.get("in") == "cookie":
                    kind = "session"
            result[str(name)] = ParsedScheme(str(name), kind_name, kind, detail)
        return result

    def _skip_top_level(self, doc: Mapping[str, Any]) -> None:
        webhooks = doc.get("webhooks") or {}
        if isinstance(webhooks, Mapping):
            for name, item in webhooks.items():
                methods = [m.upper() for m in item if m in METHODS] if isinstance(item, Mapping) else []
                self._skip(
                    "webhook",
                    f"{name}" + (f" ({', '.join(methods)})" if methods else ""),
                    "step 3 holds the endpoints the API serves, not the requests it sends to subscribers",
                    _pointer(("webhooks", name)),
                )
        if doc.get("externalDocs"):
            self._skip("external documentation", "link", "the design has no place for it", "/externalDocs")

    # Paths and operations

    def _path_item(self, path: str, item: Any, pointer: str) -> list[ParsedEndpoint]:
        item = self._object(item, pointer)
        self._check_extensions(item)
        shared = list(self._array(item.get("parameters", []) or [], f"{pointer}/parameters"))
        if item.get("servers"):
            self._skip("servers", f"of {path}", "step 3 has one base path for the whole API", f"{pointer}/servers")
        endpoints = []
        for method, operation in item.items():
            if not isinstance(method, str):
                continue
            if method == "trace":
                self._skip(
                    "operation",
                    f"TRACE {path}",
                    "step 3 holds GET, PUT, POST, DELETE, OPTIONS, HEAD and PATCH",
                    f"{pointer}/trace",
                )
            if method not in METHODS:
                continue
            endpoints.append(self._operation(method.upper(), path, operation, shared, f"{pointer}/{method}"))
        return endpoints

    def _operation(self, method: str, path: str, operation: Any, shared: list[Any], pointer: str) -> ParsedEndpoint:
        op = self._object(operation, pointer)
        self._check_extensions(op)
        key = f"{method} {path}"
        tags = op.get("tags") or []
        tag = None
        if isinstance(tags, Sequence) and not isinstance(tags, str) and tags:
            tag = _line(_scalar(tags[0]))[:100] or None
            if tag and tag not in self.tags:
                self.tags.append(tag)
        parameters = self._parameters(key, shared, op.get("parameters", []) or [], pointer)
        auth_required, scopes, schemes = self._security(key, op, pointer)
        request_example = self._request_example(key, op.get("requestBody"), f"{pointer}/requestBody")
        success_status, response_example, errors = self._responses(key, op, f"{pointer}/responses")
        for part, why in (
            ("callbacks", "step 3 holds the endpoints the API serves, not the requests it sends back"),
            ("servers", "step 3 has one base path for the whole API"),
        ):
            if op.get(part):
                self._skip(part, f"of {key}", why, f"{pointer}/{part}")
        query_names = {p.lower() for p in parameters.get("query", [])}
        header_names = {p.lower() for p in parameters.get("header", [])}
        paginated = method == "GET" and (bool(query_names & PAGINATION_PARAMETERS) or _pages(response_example))
        description = _text(_scalar(op.get("description", "") or ""))
        return ParsedEndpoint(
            method=method,
            path=path,
            summary=self._summary(op, description, key),
            description=description,
            tag=tag,
            operation_id=_scalar(op["operationId"]) if op.get("operationId") is not None else None,
            auth_required=auth_required,
            scopes=scopes,
            schemes=schemes,
            request_example=request_example,
            success_status=success_status,
            response_example=response_example,
            errors=errors,
            paginated=paginated,
            collection="yes" if paginated else "",
            idempotent=method in IDEMPOTENT_METHODS or "idempotency-key" in header_names,
            pointer=pointer,
        )

    def _summary(self, op: Mapping[str, Any], description: str, key: str) -> str:
        for candidate in (op.get("summary"), description, op.get("operationId")):
            if candidate:
                text = _line(_scalar(candidate).strip().splitlines()[0] if _scalar(candidate).strip() else "")
                if text:
                    return _clip(text, SUMMARY_LIMIT)
        return key

    def _parameters(self, key: str, shared: list[Any], own: Any, pointer: str) -> dict[str, list[str]]:
        """The parameters' names by location; the operation's override the path item's."""
        by_name: dict[tuple[str, str], Mapping[str, Any]] = {}
        for source, where in ((shared, pointer.rsplit("/", 1)[0] + "/parameters"), (own, f"{pointer}/parameters")):
            for index, parameter in enumerate(self._array(source, where)):
                parameter = self._object(parameter, f"{where}/{index}")
                name, location = parameter.get("name"), parameter.get("in")
                if not isinstance(name, str) or not isinstance(location, str):
                    raise ImportFileError("A parameter needs a `name` and an `in`.", pointer=f"{where}/{index}")
                by_name[(location, name)] = parameter
        names: dict[str, list[str]] = {}
        for location, name in by_name:
            names.setdefault(location, []).append(name)
        # Path parameters are held by the path template itself.
        for location in ("query", "header", "cookie"):
            listed = [
                n for n in names.get(location, []) if location != "query" or n.lower() not in PAGINATION_PARAMETERS
            ]
            if location == "header":
                listed = [n for n in listed if n.lower() != "idempotency-key"]
            if listed:
                self._skip(
                    f"{location} parameter{'s' if len(listed) > 1 else ''}",
                    f"{', '.join(listed)} of {key}",
                    f"step 3 records no {location} parameters",
                    pointer,
                )
        return names

    def _security(self, key: str, op: Mapping[str, Any], pointer: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        requirements = op["security"] if "security" in op else self.global_security
        where = f"{pointer}/security" if "security" in op else "/security"
        if not requirements:
            # The workbench's own export says so when step 5 has no method to name yet.
            return op.get("x-auth-required") is True and requirements is None, (), ()
        requirements = self._array(requirements, where)
        scopes: list[str] = []
        schemes: list[str] = []
        optional = False
        for index, requirement in enumerate(requirements):
            requirement = self._object(requirement, f"{where}/{index}")
            if not requirement:
                optional = True  # {} among the alternatives: calling without credentials is allowed
            for name, needed in requirement.items():
                if name not in self.schemes:
                    self._skip(
                        "security requirement",
                        f"{name} of {key}",
                        "no security scheme of that name is defined in components.securitySchemes",
                        f"{where}/{index}",
                    )
                elif name not in schemes:
                    schemes.append(name)
                for scope in needed or []:
                    if _scalar(scope) not in scopes:
                        scopes.append(_scalar(scope))
        return not optional, tuple(scopes), tuple(schemes)

    def _request_example(self, key: str, body: Any, pointer: str) -> str:
        if not body:
            return ""
        body = self._object(body, pointer)
        return self._content_example(
            f"request body of {key}", body.get("content"), f"{pointer}/content", direction="request"
        )

    def _responses(
        self, key: str, op: Mapping[str, Any], pointer: str
    ) -> tuple[int, str, tuple[ParsedErrorResponse, ...]]:
        if "responses" not in op:
            self._skip("responses", f"of {key}", "the operation lists none; 200 assumed", pointer)
            return 200, "", ()
        responses = self._object(op["responses"], pointer)
        successes: list[tuple[int, str, Mapping[str, Any]]] = []
        errors: list[ParsedErrorResponse] = []
        for code, response in responses.items():
            code = str(code)
            where = f"{pointer}/{_escape(code)}"
            if code.startswith("x-"):
                self._extension(code)
                continue
            response = self._object(response, where)
            if response.get("links"):
                self._skip(
                    "links", f"of {key} → {code}", "the design has no place for response links", f"{where}/links"
                )
            if code == "default" or not code.isdigit() or not 100 <= int(code) <= 599:
                self._skip(
                    "response",
                    f"{code} of {key}",
                    "step 3 records responses by their exact status code"
                    if code == "default" or code.upper().endswith("XX")
                    else "not an HTTP status code",
                    where,
                )
                continue
            status = int(code)
            if status >= 400:
                example = self._content_example(
                    f"response {code} of {key}", response.get("content"), f"{where}/content", status=status
                )
                meaning = _line(_scalar(response.get("description", "") or "")) or _reason(status)
                errors.append(ParsedErrorResponse(status, _clip(meaning, MEANING_LIMIT), example))
            else:
                successes.append((status, where, response))
        if not successes:
            return 200, "", tuple(sorted(errors, key=lambda e: e.status))
        # The lowest 2xx is the success; a 3xx or 1xx only when there is no 2xx.
        successes.sort(key=lambda s: (not 200 <= s[0] < 300, s[0]))
        status, where, response = successes[0]
        example = self._content_example(f"response {status} of {key}", response.get("content"), f"{where}/content")
        for other, other_where, _response in successes[1:]:
            self._skip(
                "response", f"{other} of {key}", f"step 3 records one success status; {status} is kept", other_where
            )
        return status, example, tuple(sorted(errors, key=lambda e: e.status))

    def _content_example(
        self, what: str, content: Any, pointer: str, direction: str = "response", status: int | None = None
    ) -> str:
        if not content:
            return ""
        content = self._object(content, pointer)
        media_type = _pick_media_type(list(content))
        if media_type is None:
            return ""
        where = f"{pointer}/{_escape(media_type)}"
        media = self._object(content[media_type], where)
        value, found = _media_example(media)
        if found:
            # Counted before it is copied: `$ref`s inside an example may expand it a millionfold.
            values = expanded_size(value)
            self.budget.spend(values, f"references are expanded: the example of {what} alone holds {values:,}", where)
            if values > EXAMPLE_LIMIT:  # each value takes at least a character of the JSON text
                reason = f"it holds {values:,} values, more than the {EXAMPLE_LIMIT:,} characters step 3 holds"
                self._skip("example", f"of {what}", reason, pointer)
                return ""
        else:
            schema = media.get("schema")
            if not isinstance(schema, Mapping) or _is_binary(schema):
                return ""
            value = example_from_schema(schema, direction=direction, budget=self.budget)
            if status is not None and isinstance(value, dict) and isinstance(value.get("status"), int):
                # A generated problem details body (RFC 9457) carries the response's own status.
                value["status"] = status
        text = _json(value)
        if len(text) > EXAMPLE_LIMIT and not found:
            for depth in range(EXAMPLE_DEPTH - 1, 0, -1):
                smaller = example_from_schema(media["schema"], max_depth=depth, direction=direction, budget=self.budget)
                text = _json(smaller)
                if len(text) <= EXAMPLE_LIMIT:
                    break
        if len(text) > EXAMPLE_LIMIT:
            self._skip(
                "example", f"of {what}", f"it is {len(text):,} characters; step 3 holds {EXAMPLE_LIMIT:,}", pointer
            )
            return ""
        return text


# Keys of a list response that say there is a next page (or a container holding one).
PAGE_KEYS = {"next", "next_cursor", "nextcursor", "next_page", "nextpage", "next_page_token", "nextpagetoken"}
PAGE_KEYS |= {"has_more", "hasmore", "total_pages", "totalpages", "page_count", "pagecount"}
PAGE_CONTAINERS = {"links", "_links", "pagination", "paging", "page", "meta", "cursor"}


def _pages(example: str) -> bool:
    """Whether a response example visibly pages: `next`, `has_more`, `links.next`, …"""
    if not example.startswith("{"):
        return False
    body = json.loads(example)
    keys = {str(k).lower() for k in body}
    if keys & PAGE_KEYS:
        return True
    containers = [v for k, v in body.items() if str(k).lower() in PAGE_CONTAINERS and isinstance(v, dict)]
    return any({str(k).lower() for k in c} & PAGE_KEYS for c in containers)


def _pick_media_type(media_types: list[str]) -> str | None:
    """The media type whose example is kept: JSON first, then anything with a schema."""

    def rank(name: str) -> int:
        base = name.split(";")[0].strip().lower()
        if base == "application/json":
            return 0
        if base.endswith("+json"):
            return 1
        if "json" in base:
            return 2
        if base in ("*/*", "application/*"):
            return 3
        return 4

    return min(media_types, key=rank) if media_types else None


def _media_example(media: Mapping[str, Any]) -> tuple[Any, bool]:
    if "example" in media:
        return media["example"], True
    examples = media.get("examples")
    if isinstance(examples, Mapping):
        for example in examples.values():
            if isinstance(example, Mapping) and "value" in example:
                return example["value"], True
    schema = media.get("schema")
    if isinstance(schema, Mapping):
        if "example" in schema:
            return schema["example"], True
        if (
            isinstance(schema.get("examples"), Sequence)
            and not isinstance(schema["examples"], str)
            and schema["examples"]
        ):
            return schema["examples"][0], True
    return None, False


def _is_binary(schema: Mapping[str, Any]) -> bool:
    return schema.get("format") in ("binary", "byte") and schema.get("type") == "string"


# Example generation -------------------------------------------------------------------------

_STRING_FORMATS = {
    "date-time": "2024-01-01T12:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com",
    "uri-reference": "/example",
    "iri": "https://example.com",
    "url": "https://example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "byte": "ZXhhbXBsZQ==",
    "binary": "",
    "password": "********",
    "regex": "^.*$",
    "json-pointer": "/example",
}


def example_from_schema(
    schema: Any, *, max_depth: int = EXAMPLE_DEPTH, direction: str = "response", budget: _Budget | None = None
) -> Any:
    """A deterministic example value for a JSON Schema (OpenAPI 3.0 or 3.1 dialect).

    An example, const, default or enum in the schema wins; otherwise a value of its type.
    A schema met again on its own path (a cycle) or past max_depth gives None, and an object
    leaves such a property out, so `Node.children: [Node]` becomes `"children": []`.
    A request leaves out readOnly properties, a response writeOnly ones. At most EXAMPLE_VALUES
    values are generated: past them, properties are left out the same way. The values it copies
    out of the schema (an example, a default…) are counted against `budget` before they are copied.
    """
    return _Generator(max_depth, direction, budget or _Budget(settings.IMPORT_MAX_VALUES)).value(schema, 0, ())


_CUT = object()  # a cycle or the depth limit: the caller leaves it out


class _Generator:
    def __init__(self, max_depth: int, direction: str, document: _Budget):
        self.max_depth = max_depth
        self.budget = EXAMPLE_VALUES
        self.document = document
        self.hidden = "readOnly" if direction == "request" else "writeOnly"

    def value(self, schema: Any, depth: int, seen: tuple[int, ...]) -> Any:
        result = self._value(schema, depth, seen)
        return None if result is _CUT else result

    def _value(self, schema: Any, depth: int, seen: tuple[int, ...]) -> Any:
        if not isinstance(schema, Mapping):
            return None  # `true` / `{}`-like schemas in 3.1 allow anything
        identity = id(getattr(schema, "__subject__", schema))
        if identity in seen or depth > self.max_depth or self.budget <= 0:
            return _CUT
        self.budget -= 1  # what it generates is bounded per example; what it copies counts against `document`
        seen = (*seen, identity)
        for keyword in ("example", "const", "default"):
            if keyword in schema:
                return self._copy(schema[keyword], keyword)
        examples = schema.get("examples")
        if isinstance(examples, Sequence) and not isinstance(examples, str) and examples:
            return self._copy(examples[0], "examples")
        enum = schema.get("enum")
        if isinstance(enum, Sequence) and not isinstance(enum, str) and enum:
            return self._copy(enum[0], "enum")
        if isinstance(schema.get("allOf"), Sequence) and schema["allOf"]:
            return self._all_of(schema, depth, seen)
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, Sequence) and branches:
                # The first branch that is not just null, and that does not lead round the cycle.
                for branch in sorted(branches, key=lambda b: _type_of(b) == "null"):
                    result = self._value(branch, depth + 1, seen)
                    if result is not _CUT:
                        return result
                return _CUT
        kind = _type_of(schema)
        if kind == "object":
            return self._object(schema, depth, seen)
        if kind == "array":
            items = schema.get("items")
            if isinstance(items, Sequence) and items:  # 3.0 never, 3.1 prefixItems-like tuples
                items = items[0]
            if isinstance(schema.get("prefixItems"), Sequence) and schema["prefixItems"]:
                items = schema["prefixItems"][0]
            item = self._value(items, depth + 1, seen)
            return [] if item is _CUT else [item]
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return _number(schema, int)
        if kind == "number":
            return _number(schema, float)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return None

    def _copy(self, value: Any, keyword: str) -> Any:
        values = expanded_size(value)
        self.document.spend(values, f"references are expanded: a schema's {keyword} alone holds {values:,}")
        return _plain(value)

    def _all_of(self, schema: Mapping[str, Any], depth: int, seen: tuple[int, ...]) -> Any:
        merged: dict[str, Any] = {}
        other: Any = _CUT
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        for part in [*schema["allOf"], rest]:
            value = self._value(part, depth + 1, seen)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not _CUT and value is not None:
                other = value
        if merged or other is _CUT:
            return merged
        return other

    def _object(self, schema: Mapping[str, Any], depth: int, seen: tuple[int, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            for name, sub in properties.items():
                if isinstance(sub, Mapping) and sub.get(self.hidden) is True:
                    continue
                value = self._value(sub, depth + 1, seen)
                if value is not _CUT:
                    result[str(name)] = value
        extra = schema.get("additionalProperties")
        if not result and isinstance(extra, Mapping) and extra:
            value = self._value(extra, depth + 1, seen)
            if value is not _CUT:
                result["key"] = value
        return result

    def _string(self, schema: Mapping[str, Any]) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _STRING_FORMATS:
            return _STRING_FORMATS[fmt]
        minimum = schema.get("minLength")
        if isinstance(minimum, int) and 6 < minimum <= 100:
            return "s" * minimum
        return "string"


def _type_of(schema: Any) -> str | None:
    if not isinstance(schema, Mapping):
        return None
    kind = schema.get("type")
    if isinstance(kind, Sequence) and not isinstance(kind, str):
        # 3.1: ["string", "null"] is a nullable string.
        kinds = [_scalar(k) for k in kind]
        kind = next((k for k in kinds if k != "null"), kinds[0] if kinds else None)
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return None


def _number(schema: Mapping[str, Any], cast: type) -> int | float:
    for bound, step in (("minimum", 0), ("exclusiveMinimum", 1)):
        value = schema.get(bound)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return cast(value + step)
    maximum = schema.get("maximum")
    if isinstance(maximum, (int, float)) and not isinstance(maximum, bool) and maximum < 0:
        return cast(maximum)
    return cast(0)


# Small helpers ----------------------------------------------------------------------------

# How deep _plain copies a value (a cyclic reference would never end).
PLAIN_DEPTH = 32


def expanded_size(value: Any) -> int:
    """How many values `_plain(value)` makes, counted without copying: a value met again at the same
    depth (one target of many `$ref`s) is counted once and multiplied, so ten keys of seven levels of
    references cost 80 visits, not 11 million."""
    sizes: dict[tuple[int, int], int] = {}

    def size(value: Any, depth: int) -> int:
        if depth > PLAIN_DEPTH:
            return 1
        value = getattr(value, "__subject__", value)
        if not isinstance(value, (Mapping, list, tuple)):
            return 1
        key = (id(value), depth)
        if key not in sizes:
            children = value.values() if isinstance(value, Mapping) else value
            sizes[key] = 1 + sum(size(child, depth + 1) for child in children)
        return sizes[key]

    return size(value, 0)


def _plain(value: Any, depth: int = 0) -> Any:
    """A copy made of plain JSON types: jsonref proxies, YAML dates and tuples become JSON."""
    if depth > PLAIN_DEPTH:
        return None
    value = getattr(value, "__subject__", value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    return str(value)  # dates and datetimes YAML read from unquoted scalars


def _scalar(value: Any) -> str:
    """A text field's value as text; an object or array where text belongs is no text (its repr could
    expand a tree of `$ref`s a millionfold)."""
    value = getattr(value, "__subject__", value)
    if isinstance(value, str):
        return value
    if isinstance(value, (Mapping, list, tuple)):
        return ""
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(_plain(value), indent=2, ensure_ascii=False)


def _text(value: str) -> str:
    """Text PostgreSQL can store: no NUL, no other control characters but newline and tab."""
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def _line(value: str) -> str:
    return " ".join(_text(value).split())


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + _escape(str(p)) for p in parts)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Sequence):
        return "an array"
    return f"a {type(value).__name__}"
