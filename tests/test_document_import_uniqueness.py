"""Uniqueness on import: every rule reports as the forms' checks do, without a query per element.

The import answers uniqueness from the elements it has accepted so far instead of
asking the database for each one (designs.models.base.Siblings); these cases pin
the messages of every uniqueness rule and constraint the models declare.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db import models as dj
from django.test.utils import CaptureQueriesContext

from designs import models as m
from designs.document import FORMAT, DocumentError, import_design
from designs.models.base import unique_name_constraint
from designs.steps import all_element_specs


def _document(**steps: dict) -> dict:
    return {"format": FORMAT, "design": {"name": "Imported"}, "steps": steps}


def _errors(document: dict, owner) -> list[tuple[str, str]]:
    designs = m.Design.objects.count()
    with pytest.raises(DocumentError) as caught:
        import_design(document, owner=owner)
    assert m.Design.objects.count() == designs
    return caught.value.errors


COMPONENTS = [
    {"name": "API", "kind": "service"},
    {"name": "Admin", "kind": "service"},
    {"name": "DB", "kind": "database"},
    {"name": "Browser", "kind": "client"},
]
ARCHITECTURE = {"components": COMPONENTS}
STORE = {"component": "DB", "engine": "PostgreSQL"}
TABLE = {"store": "DB", "name": "orders"}
ENDPOINT = {"service": "API", "method": "GET", "path": "/orders", "summary": "List"}

CASES = {
    "component name, ignoring case": (
        _document(architecture={"components": [*COMPONENTS, {"name": "api", "kind": "worker"}]}),
        [("/steps/architecture/components/4/name", "Another component in this design already has the name “api”.")],
    ),
    "requirement code": (
        _document(requirements={"functional": [{"code": "FR-1", "title": "A"}, {"code": "fr-1", "title": "B"}]}),
        [
            (
                "/steps/requirements/functional/1/code",
                "Another functional requirement in this design already has the code “fr-1”.",
            )
        ],
    ),
    "alternative per decision": (
        _document(
            architecture={
                "decisions": [{"code": "ADR-1", "area": "db", "choice": "PG"}, {"area": "queue", "choice": "Kafka"}],
                "alternatives": [
                    {"decision": "ADR-1", "option": "MySQL", "tradeoffs": "x"},
                    {"decision": "ADR-2", "option": "MySQL", "tradeoffs": "x"},
                    {"decision": "ADR-1", "option": "mysql", "tradeoffs": "x"},
                ],
            }
        ),
        [
            (
                "/steps/architecture/alternatives/2/option",
                "Another alternative in this decision already has the alternative “mysql”.",
            )
        ],
    ),
    "endpoint method and path": (
        _document(architecture=ARCHITECTURE, api={"endpoints": [ENDPOINT, {**ENDPOINT, "service": "Admin"}]}),
        [("/steps/api/endpoints/1/path", "GET /orders is already defined in this design.")],
    ),
    "endpoint of the wrong kind on a taken path": (
        _document(architecture=ARCHITECTURE, api={"endpoints": [ENDPOINT, {**ENDPOINT, "service": "Browser"}]}),
        [
            ("/steps/api/endpoints/1", "Endpoint with this Design, Method and Path already exists."),
            ("/steps/api/endpoints/1/service", "An endpoint belongs to a service, web app, API gateway or worker."),
        ],
    ),
    "error status per endpoint": (
        _document(
            architecture=ARCHITECTURE,
            api={
                "endpoints": [ENDPOINT],
                "errors": [
                    {"endpoint": "GET /orders", "status": 404, "meaning": "Gone"},
                    {"endpoint": "GET /orders", "status": 404, "meaning": "Missing"},
                ],
            },
        ),
        [("/steps/api/errors/1/status", "GET /orders already documents a 404 response.")],
    ),
    "data store per component": (
        _document(architecture=ARCHITECTURE, database={"stores": [STORE, {**STORE, "engine": "Redis"}]}),
        [("/steps/database/stores/1/component", "This component already has a data store; edit that one.")],
    ),
    "table name": (
        _document(
            architecture=ARCHITECTURE, database={"stores": [STORE], "tables": [TABLE, {**TABLE, "name": "Orders"}]}
        ),
        [("/steps/database/tables/1/name", "Another table in this design already has the name “Orders”.")],
    ),
    "column per table": (
        _document(
            architecture=ARCHITECTURE,
            database={
                "stores": [STORE],
                "tables": [TABLE, {**TABLE, "name": "lines"}],
                "columns": [
                    {"table": "orders", "name": "id", "data_type": "bigint"},
                    {"table": "lines", "name": "id", "data_type": "bigint"},
                    {"table": "orders", "name": "ID", "data_type": "bigint"},
                ],
            },
        ),
        [("/steps/database/columns/2/name", "Another column in this table already has the name “ID”.")],
    ),
    "index name": (
        _document(
            architecture=ARCHITECTURE,
            database={
                "stores": [STORE],
                "tables": [TABLE],
                "columns": [{"table": "orders", "name": "id", "data_type": "bigint"}],
                "indexes": [
                    {"table": "orders", "name": "ix", "columns": ["id"]},
                    {"table": "orders", "name": "IX", "columns": ["id"]},
                ],
            },
        ),
        [("/steps/database/indexes/1/name", "Another index in this design already has the name “IX”.")],
    ),
    "permission": (
        _document(
            security={
                "roles": [{"name": "admin"}],
                "permissions": [
                    {"role": "admin", "resource": "orders", "action": "read"},
                    {"role": "admin", "resource": "orders", "action": "update"},
                    {"role": "admin", "resource": "orders", "action": "read"},
                ],
            }
        ),
        [("/steps/security/permissions/2/resource", "admin already may read orders.")],
    ),
    "compliance regime, except other": (
        _document(
            security={"compliance": [{"regime": "other"}, {"regime": "gdpr"}, {"regime": "other"}, {"regime": "gdpr"}]}
        ),
        [("/steps/security/compliance/3/regime", "GDPR is already listed.")],
    ),
    "scaling rule per component": (
        _document(architecture=ARCHITECTURE, scalability={"scaling": [{"component": "API"}, {"component": "API"}]}),
        [("/steps/scalability/scaling/1/component", "This component already has a scaling rule; edit that one.")],
    ),
    "deployment unit per environment": (
        _document(
            architecture=ARCHITECTURE,
            deployment={
                "environments": [{"name": "prod"}, {"name": "Prod"}],
                "units": [
                    {"environment": "prod", "component": "API"},
                    {"environment": "prod", "component": "Admin"},
                    {"environment": "prod", "component": "API"},
                ],
            },
        ),
        [
            (
                "/steps/deployment/environments/1/name",
                "Another environment in this design already has the name “Prod”.",
            ),
            ("/steps/deployment/units/2/component", "API is already deployed to prod."),
        ],
    ),
    "interaction with itself": (
        _document(architecture={**ARCHITECTURE, "interactions": [{"source": "API", "target": "API"}]}),
        [
            (
                "/steps/architecture/interactions/0/target",
                "A component cannot interact with itself; choose another target.",
            )
        ],
    ),
    "threat on two targets": (
        _document(
            architecture={**ARCHITECTURE, "interactions": [{"source": "API", "target": "DB"}]},
            security={
                "threats": [
                    {
                        "category": "spoofing",
                        "target_component": "API",
                        "target_interaction": "API -> DB",
                        "description": "x",
                    }
                ]
            },
        ),
        [("/steps/security/threats/0/target_interaction", "Target a component or an interaction, not both.")],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_it_reports_each_uniqueness_rule_as_the_forms_do(owner, case):
    document, expected = CASES[case]

    assert _errors(document, owner) == expected


# Constraints the import leaves to each model's clean(), which reports a violation
# before Django's own check would (see designs.models.base.Siblings). A case-insensitive
# name constraint mirrors the model's unique_in_design / unique_in_parent; any other
# needs a case above.
CHECKED_BY_CLEAN = {
    "compliance_once": "compliance regime, except other",
    "interaction_not_to_itself": "interaction with itself",
    "threat_single_target": "threat on two targets",
}


def _mirrors_a_declared_rule(model: type[m.Element], constraint: dj.BaseConstraint) -> bool:
    rules = {("design", name) for name in model.unique_in_design} | {
        (parent, name) for name, parent in model.unique_in_parent
    }
    return constraint in [unique_name_constraint(model._meta.model_name, name, scope) for scope, name in rules]


def test_every_constraint_the_import_leaves_to_clean_is_covered():
    for _, spec in all_element_specs():
        for constraint in spec.model._meta.constraints:
            plain = isinstance(constraint, dj.UniqueConstraint) and constraint.fields and not constraint.condition
            if not plain and not _mirrors_a_declared_rule(spec.model, constraint):
                assert CHECKED_BY_CLEAN.get(constraint.name) in CASES, constraint.name


def test_it_checks_uniqueness_without_a_query_per_element(owner):
    def queries(count: int) -> int:
        components = [{"name": f"component {i}", "kind": "service"} for i in range(count)]
        endpoints = [{"service": "component 0", "path": f"/things/{i}", "summary": "x"} for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            import_design(_document(architecture={"components": components}, api={"endpoints": endpoints}), owner=owner)
        return len(captured)

    assert queries(40) == queries(4)
