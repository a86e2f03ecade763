"""The generated GraphQL half of the authorisation matrix: every query field and every mutation of
``schema.graphql`` × every role, called with well-formed dummy arguments built from the schema,
against the table below (written out, not derived from the permission table). The outcome is
whether the person got past authorisation: ``PERMISSION_DENIED`` / ``AUTH_REQUIRED`` is "refused",
anything else (a result, ``NOT_FOUND`` for the dummy id, a validation error) is "allowed".

A field added to the schema without a row here fails ``test_every_operation_has_a_row``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLUnionType,
    Undefined,
    build_schema,
    get_named_type,
    is_leaf_type,
)

from tests.conftest import GQL
from tests.integration.conftest import World

SCHEMA = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
ROLES = ("anonymous", "admin", "manager", "tech", "security", "unit_head", "zabita")
EVERYONE = ROLES[1:]
SIGNERS = ("admin", "manager", "tech", "security", "unit_head")
SURVEYORS = ("admin", "tech", "security")
MANAGERS = ("admin", "manager")
WORKERS = ("admin", "manager", "tech")
READERS = ("admin", "manager", "tech", "security", "unit_head")  # workorders.read
PUBLIC = ROLES  # no sign-in needed

# operation → the roles that get past authorisation
ALLOWED: dict[str, tuple[str, ...]] = {
    # queries
    "query.syncPull": EVERYONE,
    "query.survey": READERS,
    "query.surveys": READERS,
    "query.deviceChangeProposals": MANAGERS,
    "query.deviceReference": WORKERS,
    "query.deviceDiagnoses": WORKERS,
    "query.deviceCheckChanges": WORKERS,
    "query.healthOverview": MANAGERS,
    "query.firmwareBaselines": WORKERS,
    "query.signingSetup": EVERYONE,  # nothing secret in it
    "query.viewer": EVERYONE,
    "query.myWorkOrders": READERS,
    "query.workOrders": READERS,
    "query.workOrder": READERS,
    "query.reviewQueue": MANAGERS,
    "query.sites": EVERYONE,
    "query.site": EVERYONE,
    "query.devices": EVERYONE,
    "query.device": EVERYONE,
    "query.technicians": MANAGERS,
    "query.checklistTemplates": WORKERS,
    "query.checklists": WORKERS,
    "query.recordingCoverage": WORKERS,
    # mutations
    "mutation.signIn": PUBLIC,
    "mutation.refreshSession": PUBLIC,
    "mutation.signOut": PUBLIC,
    "mutation.syncPush": EVERYONE,
    "mutation.setSigningPin": SIGNERS,
    "mutation.beginPasskeyRegistration": SIGNERS,
    "mutation.finishPasskeyRegistration": SIGNERS,
    "mutation.revokePasskey": SIGNERS,
    "mutation.createWorkOrder": MANAGERS,
    "mutation.openCleaningRound": MANAGERS,
    "mutation.openExtraCleaning": WORKERS,
    "mutation.openRecordingCheck": WORKERS,
    "mutation.answerChecklistItem": WORKERS,
    "mutation.completeChecklist": WORKERS,
    "mutation.editChecklistTemplate": ("admin",),
    "mutation.assignWorkOrder": MANAGERS,
    "mutation.startWorkOrder": ("admin", "tech"),
    "mutation.submitWorkOrder": ("admin", "tech"),
    "mutation.approveWorkOrder": MANAGERS,
    "mutation.returnWorkOrder": MANAGERS,
    "mutation.closeWorkOrder": MANAGERS,
    "mutation.addWorkOrderNote": WORKERS,
    "mutation.createSite": MANAGERS,
    "mutation.updateSite": MANAGERS,
    "mutation.addIpBlock": MANAGERS,
    "mutation.removeIpBlock": MANAGERS,
    "mutation.createDevice": MANAGERS,
    "mutation.updateDevice": MANAGERS,
    "mutation.setDeviceCredentials": MANAGERS,
    "mutation.acceptDeviceChangeProposal": MANAGERS,
    "mutation.rejectDeviceChangeProposal": MANAGERS,
    "mutation.diagnoseDevice": WORKERS,
    "mutation.openFaultFromDiagnosis": WORKERS,
    "mutation.setReferenceImage": WORKERS,
    "mutation.setFirmwareBaseline": ("admin",),
    "mutation.requestSurvey": MANAGERS,
    "mutation.addSurveyPoint": SURVEYORS,
    "mutation.recordSurveyApproval": MANAGERS,
}


def _value(t: GraphQLInputType) -> Any:
    """A well-formed value of type ``t`` (required fields only)."""
    if isinstance(t, GraphQLNonNull):
        return _value(t.of_type)
    if isinstance(t, GraphQLList):
        return []
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    if isinstance(t, GraphQLInputObjectType):
        return {
            name: _value(f.type)
            for name, f in t.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        }
    assert isinstance(t, GraphQLScalarType)
    return {
        "ID": str(uuid.uuid4()),
        "String": "x",
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "Date": "2026-01-01",
        "DateTime": "2026-01-01T00:00:00Z",
        "JSON": {},
    }[t.name]


def _operation(kind: str, name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    required = {a: arg for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)}
    required = {a: arg for a, arg in required.items() if arg.default_value is Undefined}
    params = ", ".join(f"${a}: {arg.type}" for a, arg in required.items())
    call = ", ".join(f"{a}: ${a}" for a in required)
    named = get_named_type(field.type)
    selection = "" if is_leaf_type(named) else " { __typename }"
    if isinstance(named, GraphQLUnionType) and "OperationError" in {t.name for t in named.types}:
        selection = " { __typename ... on OperationError { code } }"
    head = f"{kind}({params})" if params else kind
    text = f"{head} {{ {name}{f'({call})' if call else ''}{selection} }}"
    return text, {a: _value(arg.type) for a, arg in required.items()}


def _operations() -> dict[str, tuple[str, dict[str, Any]]]:
    out = {}
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            out[f"{kind}.{name}"] = _operation(kind, name, field)
    return out


OPERATIONS = _operations()


REFUSED = ("PERMISSION_DENIED", "AUTH_REQUIRED")


def _refused(body: dict[str, Any], field: str) -> bool:
    """Refused by authorisation: as a GraphQL error, or as the mutation's OperationError."""
    codes = [str(e.get("extensions", {}).get("code")) for e in body.get("errors") or []]
    value = (body.get("data") or {}).get(field)
    if isinstance(value, dict) and value.get("__typename") == "OperationError":
        codes.append(str(value.get("code")))
    return any(c in REFUSED for c in codes)


def test_every_operation_has_a_row() -> None:
    assert set(ALLOWED) == set(OPERATIONS)


@pytest.mark.parametrize("role", ROLES)
async def test_each_operation_admits_exactly_the_roles_of_its_row(gql: GQL, world: World, role: str) -> None:
    token = None if role == "anonymous" else world.token(getattr(world, role))
    got = {}
    for op, (text, variables) in sorted(OPERATIONS.items()):
        got[op] = not _refused(await gql(text, variables, token=token), op.split(".", 1)[1])
    expected = {op: role in ALLOWED[op] for op in OPERATIONS}
    assert {op for op, ok in got.items() if ok != expected[op]} == set()
