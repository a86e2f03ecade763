"""Records are evidence: a client's diagnosis is PROBE evidence signed by its pusher, what it says
about the device is a proposal a manager decides, a pushed "all ok" never clears what the server
found, and device credentials are only what the server's own cipher sealed — over GraphQL and
over syncPush alike."""

# ruff: noqa: F811 - the sync tests' `push` fixture is imported as a fixture

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.assets.models import Device, DeviceKind
from backend.domain.commands import CommandContext
from backend.domain.diagnostics import commands as dc
from backend.domain.diagnostics.models import (
    DeviceChangeProposal,
    DeviceCredential,
    DeviceHealth,
    Diagnosis,
    DiagnosisSource,
    ProposalStatus,
    Verdict,
)
from backend.domain.people.auth import actor_for
from backend.integrations.blobs.store import LocalBlobStore
from backend.integrations.credentials import CredentialCipher, load_key
from backend.jobs.scheduler import SYSTEM
from backend.services.diagnostics import DiagnosticsService
from backend.services.uploads import UploadService
from tests.conftest import GQL
from tests.factories import reload, run
from tests.integration.conftest import World
from tests.sync.conftest import Push, push  # noqa: F401 - fixture
from tests.sync.phones import Phone

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
INVENTORY = {"make": "Hikvision", "model": "DS-2CD2143G2-I", "serial": "HK-1", "firmware": "5.7.3"}
FORGED = {"make": "Axis", "model": "P3245", "serial": "AX-999", "firmware": "9.9.9"}

PUSH = """mutation($c: String!, $e: [SyncEnvelopeInput!]!) { r: syncPush(clientId: $c, envelopes: $e) {
  __typename ... on SyncPushResult { replies { seq status code field result } }
  ... on OperationError { code } } }"""
HISTORY = """query($id: ID!) { deviceDiagnoses(deviceId: $id) { id source overall requestedById } }"""
PROPOSALS = """query($id: ID) { deviceChangeProposals(deviceId: $id) {
  id deviceId assetTag field oldValue proposedValue status diagnosisSource proposedById } }"""
DECIDE = """mutation($id: ID!) { r: %s(proposalId: $id) { __typename
  ... on DeviceChangeProposalSuccess { proposal { field status decidedById } }
  ... on OperationError { code } } }"""
CREDENTIALS = """mutation($i: SetDeviceCredentialsInput!) { r: setDeviceCredentials(input: $i) {
  __typename ... on OperationError { code field } } }"""


def _camera(db: Database, world: World, ip: str = "10.1.1.20", **fields: str) -> Device:
    """An active camera whose make, model, serial and firmware the inventory already knows."""
    info = {**INVENTORY, **fields}
    device: Device = run(
        db,
        world.admin,
        "device.create",
        {
            "siteId": world.site_north.id,
            "kind": DeviceKind.CAMERA,
            "assetTag": f"DMB-E{uuid.uuid4().hex[:6]}",
            "ipAddress": ip,
            "status": "ACTIVE",
            "make": info["make"],
            "model": info["model"],
            "serialNumber": info["serial"],
            "firmware": info["firmware"],
        },
    )
    return device


def _record_args(
    device: Device, verdict: str = "ok", *, at: datetime = T0, source: str = "REMOTE", **device_info: str
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "deviceId": str(device.id),
        "source": source,
        "startedAt": at.isoformat(),
        "finishedAt": (at + timedelta(seconds=3)).isoformat(),
        "results": [
            {"check": "tcp", "verdict": "ok", "message": "", "evidence": {}, "durationMs": 5},
            {"check": "snapshot", "verdict": verdict, "message": "", "evidence": {}, "durationMs": 50},
        ],
        "device": device_info,
    }


def _server_record(db: Database, who: Any, args: dict[str, Any], source: DiagnosisSource) -> Diagnosis:
    actor = who if who is SYSTEM else actor_for(who)
    return db.run_write(
        lambda s: dc.record_server_diagnosis(CommandContext(session=s, actor=actor), args, source)
    )


def _inventory(db: Database, device: Device) -> dict[str, str]:
    d = reload(db, Device, device.id)
    return {"make": d.make, "model": d.model, "serial": d.serial_number, "firmware": d.firmware}


def _proposals(db: Database, device: Device) -> list[DeviceChangeProposal]:
    with db.read_session() as s:
        return list(
            s.exec(
                select(DeviceChangeProposal)
                .where(DeviceChangeProposal.device_id == device.id)
                .order_by(col(DeviceChangeProposal.field))
            ).all()
        )


def _health(db: Database, device: Device) -> DeviceHealth:
    with db.read_session() as s:
        return s.exec(select(DeviceHealth).where(DeviceHealth.device_id == device.id)).one()


# ---- diagnoses pushed by clients ----------------------------------------------------------------


def test_a_pushed_diagnosis_is_probe_evidence_and_its_device_identity_only_a_proposal(
    db: Database, world: World, push: Push
) -> None:
    # given a camera the inventory knows, and one whose serial number is not recorded yet
    cam = _camera(db, world)
    blank = _camera(db, world, ip="10.1.1.21", serial="")
    phone = Phone(push, world.tech, "tech-phone")

    # when the technician's phone pushes "server-run, all ok" results claiming another device
    claimed = _record_args(cam, source="REMOTE", **FORGED)
    filling = _record_args(blank, source="NIGHTLY", serial="HK-2", firmware="5.7.3")
    replies = phone.send(("diagnostics.record", claimed), ("diagnostics.record", filling))

    # then both are recorded as PROBE results, signed by the technician
    assert [r.status for r in replies] == ["applied", "applied"]
    stored = reload(db, Diagnosis, uuid.UUID(claimed["id"]))
    assert (stored.source, stored.requested_by_id) == (DiagnosisSource.PROBE, world.tech.id)
    assert reload(db, Diagnosis, uuid.UUID(filling["id"])).source is DiagnosisSource.PROBE
    # the inventory is untouched; every differing field became a pending proposal
    assert _inventory(db, cam) == INVENTORY
    assert [
        (p.field, p.old_value, p.proposed_value, p.status, p.proposed_by_id) for p in _proposals(db, cam)
    ] == [
        ("firmware", "5.7.3", "9.9.9", ProposalStatus.PENDING, world.tech.id),
        ("make", "Hikvision", "Axis", ProposalStatus.PENDING, world.tech.id),
        ("model", "DS-2CD2143G2-I", "P3245", ProposalStatus.PENDING, world.tech.id),
        ("serial_number", "HK-1", "AX-999", ProposalStatus.PENDING, world.tech.id),
    ]
    # an empty inventory field is filled directly, nothing to decide
    assert _inventory(db, blank)["serial"] == "HK-2"
    assert _proposals(db, blank) == []

    # and pushing the same claim again proposes nothing twice
    again = phone.send(("diagnostics.record", _record_args(cam, at=T0 + timedelta(hours=1), **FORGED)))
    assert again[0].status == "applied"
    assert len(_proposals(db, cam)) == 4


def test_a_diagnosis_id_of_someone_else_is_not_reused(db: Database, world: World, push: Push) -> None:
    cam = _camera(db, world)
    args = _record_args(cam, "fail")
    assert Phone(push, world.tech, "t").send(("diagnostics.record", args))[0].status == "applied"
    # another person replaying the same id (with an "ok") does not get or change that evidence
    [reply] = Phone(push, world.manager, "m").send(
        ("diagnostics.record", {**_record_args(cam), "id": args["id"]})
    )
    assert (reply.status, reply.code, reply.field) == ("rejected", "NOT_FOUND", "id")
    assert reload(db, Diagnosis, uuid.UUID(args["id"])).overall is Verdict.FAIL


def test_a_pushed_ok_never_clears_what_a_server_run_found(db: Database, world: World, push: Push) -> None:
    cam = _camera(db, world)
    phone = Phone(push, world.tech, "tech-phone")
    # given the nightly sweep found the camera failing
    _server_record(db, SYSTEM, _record_args(cam, "fail", at=T0), DiagnosisSource.NIGHTLY)
    assert (_health(db, cam).overall, _health(db, cam).source) == (Verdict.FAIL, DiagnosisSource.NIGHTLY)

    # when a phone pushes a later "all ok" claiming to be a remote run
    [reply] = phone.send(("diagnostics.record", _record_args(cam, "ok", at=T0 + timedelta(hours=1))))

    # then it is kept as PROBE evidence, but the health still shows the server's failure
    assert reply.status == "applied"
    health = _health(db, cam)
    assert (health.overall, health.source) == (Verdict.FAIL, DiagnosisSource.NIGHTLY)

    # a server run that finds it fixed clears it; a pushed failure afterwards is shown as PROBE
    _server_record(
        db, world.tech, _record_args(cam, "ok", at=T0 + timedelta(hours=2)), DiagnosisSource.REMOTE
    )
    assert (_health(db, cam).overall, _health(db, cam).source) == (Verdict.OK, DiagnosisSource.REMOTE)
    phone.send(("diagnostics.record", _record_args(cam, "fail", at=T0 + timedelta(hours=3))))
    assert (_health(db, cam).overall, _health(db, cam).source) == (Verdict.FAIL, DiagnosisSource.PROBE)


def test_only_the_server_records_scheduled_runs(db: Database, world: World) -> None:
    cam = _camera(db, world)
    import pytest

    from backend.domain.errors import DomainError, ErrorCode

    with pytest.raises(DomainError) as refused:
        _server_record(db, world.tech, _record_args(cam), DiagnosisSource.NIGHTLY)
    assert refused.value.code is ErrorCode.PERMISSION_DENIED
    d = _server_record(db, SYSTEM, _record_args(cam), DiagnosisSource.WEEKLY)
    assert (d.source, d.requested_by_id) == (DiagnosisSource.WEEKLY, None)


@dataclass
class _Outcome:
    device: dict[str, str]
    started_at: datetime = T0
    results: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"check": "tcp", "verdict": "ok", "message_tr": "", "evidence": {}, "duration_ms": 1}
        ]
    )
    snapshot: bytes | None = None
    snapshot_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": (self.started_at + timedelta(seconds=1)).isoformat(),
            "results": self.results,
            "device": self.device,
        }


async def test_a_remote_run_is_remote_updates_firmware_and_proposes_another_serial(
    db: Database, world: World, settings: Settings
) -> None:
    # given a camera with credentials, and a device at its address reporting new firmware and
    # another serial number (a swapped camera)
    cam = _camera(db, world)

    async def diagnose(*_args: Any, **_kw: Any) -> _Outcome:
        return _Outcome(device={**INVENTORY, "firmware": "5.8.0", "serial": "HK-SWAPPED"})

    service = DiagnosticsService(
        db, UploadService(db, LocalBlobStore(settings.data_dir), settings), settings, diagnose=diagnose
    )
    await service.set_credentials(actor_for(world.admin), cam.id, "onvif", "Parola-123")

    # when a technician diagnoses it from the server
    d = await service.run(actor_for(world.tech), cam.id)

    # then it is a REMOTE run of that person, the firmware is current, the serial is a question
    assert (d.source, d.requested_by_id) == (DiagnosisSource.REMOTE, world.tech.id)
    assert _inventory(db, cam) == {**INVENTORY, "firmware": "5.8.0"}
    assert [(p.field, p.proposed_value) for p in _proposals(db, cam)] == [("serial_number", "HK-SWAPPED")]


# ---- proposals: listed and decided by managers, over GraphQL and the sync -----------------------


async def test_managers_list_accept_and_reject_proposals_over_graphql(
    gql: GQL, db: Database, world: World
) -> None:
    cam = _camera(db, world)
    # given an admin's client (who may run scheduled sweeps) pushes a result claiming NIGHTLY
    args = _record_args(cam, source="NIGHTLY", make="Axis", firmware="9.9.9")
    env = {"seq": 1, "mutationId": "a1", "name": "diagnostics.record", "args": args}
    pushed = (await gql.ok(PUSH, {"c": "admin-laptop", "e": [env]}, token=world.token(world.admin)))["r"]
    assert pushed["replies"][0]["status"] == "APPLIED"

    # then the history shows a PROBE result signed by the admin, not a nightly run
    history = await gql.ok(HISTORY, {"id": str(cam.id)}, token=world.token(world.tech))
    assert history["deviceDiagnoses"] == [
        {"id": args["id"], "source": "PROBE", "overall": "OK", "requestedById": str(world.admin.id)}
    ]
    # and the manager sees two pending proposals; a technician may not list them
    listed = (await gql.ok(PROPOSALS, {"id": str(cam.id)}, token=world.token(world.manager)))[
        "deviceChangeProposals"
    ]
    assert [(p["field"], p["oldValue"], p["proposedValue"], p["diagnosisSource"]) for p in listed] == [
        ("firmware", "5.7.3", "9.9.9", "PROBE"),
        ("make", "Hikvision", "Axis", "PROBE"),
    ]
    assert {p["status"] for p in listed} == {"PENDING"}
    assert listed[0]["proposedById"] == str(world.admin.id)
    denied = await gql(PROPOSALS, {"id": str(cam.id)}, token=world.token(world.tech))
    assert denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    firmware, make = listed

    # when the manager accepts the firmware and rejects the make
    accepted = await gql.ok(
        DECIDE % "acceptDeviceChangeProposal", {"id": firmware["id"]}, token=world.token(world.manager)
    )
    rejected = await gql.ok(
        DECIDE % "rejectDeviceChangeProposal", {"id": make["id"]}, token=world.token(world.manager)
    )
    twice = await gql.ok(
        DECIDE % "acceptDeviceChangeProposal", {"id": make["id"]}, token=world.token(world.manager)
    )
    by_tech = await gql(
        DECIDE % "acceptDeviceChangeProposal", {"id": make["id"]}, token=world.token(world.tech)
    )

    # then
    assert accepted["r"]["proposal"] == {
        "field": "firmware",
        "status": "ACCEPTED",
        "decidedById": str(world.manager.id),
    }
    assert rejected["r"]["proposal"]["status"] == "REJECTED"
    assert twice["r"] == {"__typename": "OperationError", "code": "DEVICE_PROPOSAL_DECIDED"}
    assert by_tech["data"]["r"] == {"__typename": "OperationError", "code": "PERMISSION_DENIED"}
    assert _inventory(db, cam) == {**INVENTORY, "firmware": "9.9.9"}
    pending = await gql.ok(PROPOSALS, {"id": None}, token=world.token(world.manager))
    assert pending["deviceChangeProposals"] == []
    # a rejected value is not proposed again
    env2 = {
        "seq": 2,
        "mutationId": "a2",
        "name": "diagnostics.record",
        "args": _record_args(cam, make="Axis"),
    }
    await gql.ok(PUSH, {"c": "admin-laptop", "e": [env2]}, token=world.token(world.admin))
    assert (await gql.ok(PROPOSALS, {"id": None}, token=world.token(world.manager)))[
        "deviceChangeProposals"
    ] == []


def test_proposals_are_decided_through_the_sync_too(db: Database, world: World, push: Push) -> None:
    cam = _camera(db, world)
    Phone(push, world.tech, "t").send(("diagnostics.record", _record_args(cam, make="Axis", serial="AX-1")))
    make, serial = (p for p in _proposals(db, cam) if p.field in ("make", "serial_number"))
    # the inventory's serial changed meanwhile (a manager typed it in): accepting is stale
    with db.write_session() as s:
        row = s.get(Device, cam.id)
        assert row is not None
        row.serial_number = "HK-1-FIXED"

    by_tech = Phone(push, world.tech, "t2").send(("device.acceptProposal", {"proposalId": make.id}))
    manager = Phone(push, world.manager, "m").send(
        ("device.acceptProposal", {"proposalId": make.id}),
        ("device.acceptProposal", {"proposalId": serial.id}),
        ("device.rejectProposal", {"proposalId": serial.id}),
        ("device.rejectProposal", {"proposalId": uuid.uuid4()}),
    )

    assert [(r.status, r.code) for r in by_tech] == [("rejected", "PERMISSION_DENIED")]
    assert [r.code or r.status for r in manager] == [
        "applied",
        "DEVICE_PROPOSAL_STALE",
        "applied",
        "NOT_FOUND",
    ]
    assert _inventory(db, cam)["make"] == "Axis"
    assert _inventory(db, cam)["serial"] == "HK-1-FIXED"
    assert [p.status for p in _proposals(db, cam) if p.field in ("make", "serial_number")] == [
        ProposalStatus.ACCEPTED,
        ProposalStatus.REJECTED,
    ]


# ---- device credentials: only what the server's cipher sealed ------------------------------------


def _stored(db: Database, device: Device) -> DeviceCredential | None:
    with db.read_session() as s:
        return s.get(DeviceCredential, device.id)


async def test_set_device_credentials_over_graphql_refuses_bad_text_and_changes_nothing(
    gql: GQL, db: Database, world: World, settings: Settings
) -> None:
    cam = _camera(db, world)
    token = world.token(world.admin)

    async def attempt(username: str, password: str) -> dict[str, Any]:
        body = await gql.ok(
            CREDENTIALS,
            {"i": {"deviceId": str(cam.id), "username": username, "password": password}},
            token=token,
        )
        return dict(body["r"])

    bad = [
        await attempt("on\x00vif", "Parola-123"),
        await attempt("onvif\u202e", "Parola-123"),
        await attempt("x" * 65, "Parola-123"),
        await attempt("onvif", "Parola\n123"),
        await attempt("onvif", "p" * 129),
        await attempt("onvif", "ş" * 128 + "ş"),
        await attempt("onvif", ""),
    ]
    assert [(b.get("code"), b.get("field")) for b in bad] == [
        ("VALIDATION_FAILED", "username"),
        ("VALIDATION_FAILED", "username"),
        ("VALIDATION_FAILED", "username"),
        ("VALIDATION_FAILED", "password"),
        ("VALIDATION_FAILED", "password"),
        ("VALIDATION_FAILED", "password"),
        ("VALIDATION_FAILED", "password"),
    ]
    assert _stored(db, cam) is None

    ok = await attempt("onvif", "Çok-gizli 123")
    assert ok == {"__typename": "OkSuccess"}
    row = _stored(db, cam)
    assert row is not None
    cipher = CredentialCipher(load_key(settings.credentials_key or None, settings.data_dir))
    assert cipher.decrypt(cam.id, row.secret) == "Çok-gizli 123"


async def test_credentials_pushed_through_the_sync_are_refused_whatever_the_secret(
    gql: GQL, db: Database, world: World, settings: Settings, push: Push
) -> None:
    cam = _camera(db, world)
    other = _camera(db, world, ip="10.1.1.22")
    # given credentials set online
    service = DiagnosticsService(db, UploadService(db, LocalBlobStore(settings.data_dir), settings), settings)
    await service.set_credentials(actor_for(world.admin), cam.id, "onvif", "Parola-123")
    before = _stored(db, cam)
    assert before is not None
    server = service.cipher
    foreign = CredentialCipher(b"k" * 32)
    secrets = [
        "düz metin parola",  # plain text
        "A" * 60,  # base64-looking noise
        foreign.encrypt(cam.id, "Parola-456"),  # sealed with another key
        server.encrypt(other.id, "Parola-456"),  # sealed for another device
        server.encrypt(cam.id, "Parola-456"),  # even a real one: a client cannot have made it
        before.secret,  # nor copied it
    ]

    # when an admin's phone pushes them (and one with a control character in the username)
    phone = Phone(push, world.admin, "admin-phone")
    replies = phone.send(
        *[
            ("device.setCredentials", {"deviceId": cam.id, "username": "hacker", "secret": s})
            for s in secrets
        ],
        ("device.setCredentials", {"deviceId": cam.id, "username": "a\x1bb", "secret": before.secret}),
    )
    wire = await gql.ok(
        PUSH,
        {
            "c": "admin-web",
            "e": [
                {
                    "seq": 1,
                    "mutationId": "w1",
                    "name": "device.setCredentials",
                    "args": {"deviceId": str(cam.id), "username": "x", "secret": "Z" * 50},
                }
            ],
        },
        token=world.token(world.admin),
    )

    # then every one is a typed validation refusal and the stored account is unchanged
    assert [(r.status, r.code) for r in replies] == [("rejected", "VALIDATION_FAILED")] * 7
    assert [r.field for r in replies][-1] == "username"
    assert wire["r"]["replies"][0]["code"] == "VALIDATION_FAILED"
    after = _stored(db, cam)
    assert after is not None
    assert (after.username, after.secret, after.updated_at) == (
        before.username,
        before.secret,
        before.updated_at,
    )
    assert _stored(db, other) is None
