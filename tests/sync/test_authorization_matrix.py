"""The authorisation matrix: every operation × every role, over GraphQL and over the sync
(syncPush / syncPull), with the outcome each must get. One row per operation; an operation added
later gets its row here. (Rows so far: the signing set-up of issue 9 — signingSetup,
setSigningPin, beginPasskeyRegistration, finishPasskeyRegistration, revokePasskey, the
`account.setSigningPin` / `passkey.register` / `passkey.revoke` commands, and the `passkey`
entity's row scope.)

Outcomes: ``ok`` (allowed, past every permission and scope check), or the error code a person in
that role gets (``AUTH_REQUIRED``, ``PERMISSION_DENIED``, ``NOT_FOUND`` for a row out of scope,
``COMMAND_ONLINE_ONLY``, …).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.people.models import Role, User
from backend.domain.signing.models import Passkey
from tests.conftest import GQL
from tests.factories import PASSWORD, register_passkey
from tests.integration.conftest import World
from tests.signing_support import pin_set_box
from tests.sync.conftest import Push, env
from tests.webauthn_soft import SoftAuthenticator

ROLES = ["anonymous", "admin", "manager", "tech", "security", "unit_head", "zabita"]
SIGNERS = {"admin", "manager", "tech", "security", "unit_head"}  # hold `account.signing`


def _user(world: World, role: str) -> User | None:
    return None if role == "anonymous" else getattr(world, role)


def _code(body: dict[str, Any], field: str) -> str:
    """The outcome of one root field: its error code (GraphQL error or result union), or ok."""
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    value = body["data"][field]
    if isinstance(value, dict) and value.get("__typename") == "OperationError":
        return str(value["code"])
    return "ok"


async def _call(gql: GQL, world: World, role: str, query: str, variables: dict[str, Any], field: str) -> str:
    user = _user(world, role)
    return _code(await gql(query, variables, token=world.token(user) if user else None), field)


# --- GraphQL rows ----------------------------------------------------------------------------

SETUP = "{ signingSetup { rpId pinKeyId } }"
SET_PIN = (
    "mutation($p: String!, $b: JSON!) { setSigningPin(password: $p, pinBox: $b) "
    "{ __typename ... on OperationError { code } } }"
)
BEGIN = (
    "mutation($p: String!) { beginPasskeyRegistration(password: $p) "
    "{ __typename ... on OperationError { code } } }"
)
FINISH = (
    'mutation { finishPasskeyRegistration(ticket: "not-a-ticket", credential: {}) '
    "{ __typename ... on OperationError { code } } }"
)
REVOKE = "mutation($id: ID!) { revokePasskey(passkeyId: $id) { __typename ... on OperationError { code } } }"

ALLOWED_IF_SIGNER = {r: ("ok" if r in SIGNERS else "PERMISSION_DENIED") for r in ROLES} | {
    "anonymous": "AUTH_REQUIRED"
}


@pytest.mark.parametrize("role", ROLES)
async def test_signing_setup_query(gql: GQL, world: World, role: str) -> None:
    expected = "AUTH_REQUIRED" if role == "anonymous" else "ok"  # nothing secret in it
    assert await _call(gql, world, role, SETUP, {}, "signingSetup") == expected


@pytest.mark.parametrize("role", ROLES)
async def test_set_signing_pin(gql: GQL, world: World, role: str) -> None:
    user = _user(world, role)
    box = pin_set_box(user.id if user else world.tech.id, "482916")
    outcome = await _call(gql, world, role, SET_PIN, {"p": PASSWORD, "b": box}, "setSigningPin")
    assert outcome == ALLOWED_IF_SIGNER[role]


@pytest.mark.parametrize("role", ROLES)
async def test_begin_passkey_registration(gql: GQL, world: World, role: str) -> None:
    outcome = await _call(gql, world, role, BEGIN, {"p": PASSWORD}, "beginPasskeyRegistration")
    assert outcome == ALLOWED_IF_SIGNER[role]


@pytest.mark.parametrize("role", ROLES)
async def test_finish_passkey_registration(gql: GQL, world: World, role: str) -> None:
    # past the permission check a bogus ticket is what stops it
    expected = {**ALLOWED_IF_SIGNER, **dict.fromkeys(SIGNERS, "PASSKEY_TICKET_INVALID")}[role]
    assert await _call(gql, world, role, FINISH, {}, "finishPasskeyRegistration") == expected


@pytest.mark.parametrize("role", ROLES)
async def test_revoke_passkey_own_and_someone_elses(db: Database, gql: GQL, world: World, role: str) -> None:
    # given a passkey of the technician (someone else's, except for the technician)
    theirs = register_passkey(db, world.tech, SoftAuthenticator())
    # when / then
    outcome = await _call(gql, world, role, REVOKE, {"id": str(theirs.id)}, "revokePasskey")
    expected = {
        "anonymous": "AUTH_REQUIRED",
        "admin": "ok",  # signing.manage: a lost phone
        "tech": "ok",  # their own
        "zabita": "PERMISSION_DENIED",
    }.get(role, "NOT_FOUND")  # others' passkeys are out of scope for everyone else
    assert outcome == expected
    # and a signer may always remove their own
    user = _user(world, role)
    if user is not None and role in SIGNERS and role != "tech":
        own = register_passkey(db, user, SoftAuthenticator())
        assert await _call(gql, world, role, REVOKE, {"id": str(own.id)}, "revokePasskey") == "ok"


# --- sync rows ---------------------------------------------------------------------------------

PUSHERS = [r for r in ROLES if r != "anonymous"]


@pytest.mark.parametrize("role", PUSHERS)
def test_sync_commands_of_the_signing_set_up(db: Database, world: World, push: Push, role: str) -> None:
    # given: the person's phone queued both set-up commands and removals of passkeys
    user = _user(world, role)
    assert user is not None
    set_pin = ("account.setSigningPin", {"pinBox": pin_set_box(user.id, "482916")}, "COMMAND_ONLINE_ONLY")
    register = ("passkey.register", {"ticket": "x" * 20, "credential": {}}, "COMMAND_ONLINE_ONLY")
    rows = [set_pin, register]
    if role in SIGNERS:
        own = register_passkey(db, user, SoftAuthenticator())
        rows.append(("passkey.revoke", {"passkeyId": str(own.id)}, "ok"))
    if role != "tech":
        theirs = register_passkey(db, world.tech, SoftAuthenticator())
        expected = {"admin": "ok", "zabita": "PERMISSION_DENIED"}.get(role, "NOT_FOUND")
        rows.append(("passkey.revoke", {"passkeyId": str(theirs.id)}, expected))
    # when they are pushed
    envelopes = [env("m", i + 1, name, args) for i, (name, args, _) in enumerate(rows)]
    replies = push(user, "m", envelopes).replies
    # then
    assert [r.code or "ok" for r in replies] == [expected for _, _, expected in rows]


@pytest.mark.parametrize("role", PUSHERS)
def test_passkey_rows_reach_their_owner_only(db: Database, world: World, pull_all: Any, role: str) -> None:
    # given a passkey for every person who may have one
    for name in SIGNERS:
        register_passkey(db, getattr(world, name), SoftAuthenticator())
    user = _user(world, role)
    assert user is not None
    # when the person pulls everything they may see
    state, _, _ = pull_all(user)
    # then: their own passkeys, nobody else's, and never a public key
    pulled = [data for (kind, _), data in state.items() if kind == "passkey"]
    with db.read_session() as s:
        own = {str(p.id) for p in s.exec(select(Passkey).where(Passkey.user_id == user.id)).all()}
    assert {p["id"] for p in pulled} == own
    assert all(p["userId"] == str(user.id) for p in pulled)
    assert not any({"publicKey", "signCount", "aaguid"} & set(p) for p in pulled)
    assert (len(own) > 0) == (user.role is not Role.ZABITA)


# --- inventory change proposals (records are evidence) -------------------------------------------

PROPOSALS = "{ deviceChangeProposals { id } }"
DECIDE_PROPOSAL = "mutation($id: ID!) { %s(proposalId: $id) { __typename ... on OperationError { code } } }"
MANAGES_DEVICES = {"admin", "manager"}  # hold `devices.manage`


def _proposal(db: Database, world: World) -> str:
    """A pending proposal: the technician's probe says the north camera is another make."""
    import uuid as _uuid

    from backend.domain.diagnostics.models import DeviceChangeProposal
    from tests.factories import run

    run(db, world.admin, "device.update", {"deviceId": world.cam_north.id, "firmware": "5.7.3"})
    args = {
        "id": _uuid.uuid4(),
        "deviceId": world.cam_north.id,
        "startedAt": "2026-12-01T01:00:00+00:00",
        "finishedAt": "2026-12-01T01:00:05+00:00",
        "results": [{"check": "tcp", "verdict": "ok"}],
        "device": {"firmware": "9.9.9"},
    }
    run(db, world.tech, "diagnostics.record", args)
    with db.read_session() as s:
        return str(s.exec(select(DeviceChangeProposal.id)).one())


@pytest.mark.parametrize("role", ROLES)
async def test_device_change_proposals_query(db: Database, gql: GQL, world: World, role: str) -> None:
    _proposal(db, world)
    expected = {"anonymous": "AUTH_REQUIRED"}.get(
        role, "ok" if role in MANAGES_DEVICES else "PERMISSION_DENIED"
    )
    assert await _call(gql, world, role, PROPOSALS, {}, "deviceChangeProposals") == expected


@pytest.mark.parametrize("mutation", ["acceptDeviceChangeProposal", "rejectDeviceChangeProposal"])
@pytest.mark.parametrize("role", ROLES)
async def test_decide_device_change_proposal(
    db: Database, gql: GQL, world: World, role: str, mutation: str
) -> None:
    pid = _proposal(db, world)
    expected = {"anonymous": "AUTH_REQUIRED"}.get(
        role, "ok" if role in MANAGES_DEVICES else "PERMISSION_DENIED"
    )
    assert await _call(gql, world, role, DECIDE_PROPOSAL % mutation, {"id": pid}, mutation) == expected


@pytest.mark.parametrize("role", PUSHERS)
def test_sync_commands_deciding_proposals(db: Database, world: World, push: Push, role: str) -> None:
    pid = _proposal(db, world)
    user = _user(world, role)
    assert user is not None
    envelopes = [
        env("d", 1, "device.rejectProposal", {"proposalId": pid}),
        env("d", 2, "device.acceptProposal", {"proposalId": pid}),
    ]
    replies = push(user, "d", envelopes).replies
    expected = ["ok", "DEVICE_PROPOSAL_DECIDED"] if role in MANAGES_DEVICES else ["PERMISSION_DENIED"] * 2
    assert [r.code or "ok" for r in replies] == expected
