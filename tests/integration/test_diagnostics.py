"""Diagnostics in the domain: recording results, the target guard, health, history, faults,
baselines, encrypted credentials and once-only scheduled runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.assets.models import Device, DeviceKind
from backend.domain.diagnostics import queries as dq
from backend.domain.diagnostics.models import (
    DeviceCredential,
    DeviceHealth,
    Diagnosis,
    DiagnosisSource,
    ScheduledRun,
)
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.auth import actor_for
from backend.domain.workorders.models import WorkOrder, WorkOrderType
from backend.integrations.credentials import CredentialCipher, CredentialError, load_key
from backend.jobs.scheduler import SYSTEM, Job, Scheduler, jobs
from tests.factories import make_device, reload, run
from tests.integration.conftest import World

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def _result(check: str, verdict: str, message: str = "") -> dict[str, Any]:
    return {"check": check, "verdict": verdict, "message": message, "evidence": {"x": 1}, "durationMs": 12}


def _record(
    db: Database, who: Any, target: Device, results: list[dict[str, Any]], *, at: datetime = T0, **extra: Any
) -> Any:
    args = {
        "id": uuid.uuid4(),
        "deviceId": target.id,
        "source": "REMOTE",
        "startedAt": at,
        "finishedAt": at + timedelta(seconds=2),
        "results": results,
        **extra,
    }
    return run(db, who, "diagnostics.record", args)


def _refused(code: ErrorCode, fn: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code is code
    return info.value


def test_a_recorded_diagnosis_updates_health_and_the_inventory(db: Database, world: World) -> None:
    # when a technician's remote diagnosis finds the firmware off baseline and the clock off
    d = _record(
        db,
        world.tech,
        world.cam_north,
        [
            _result("tcp", "ok"),
            _result("firmware", "warning", "Onaylı 5.7.3, kamerada 5.5.0"),
            _result("clock", "fail"),
        ],
        device={"make": "Hikvision", "model": "DS-2CD2143G2-I", "firmware": "5.5.0", "serial": "X1"},
    )
    # then
    assert d.overall.value == "fail"
    with db.read_session() as s:
        health = s.exec(select(DeviceHealth).where(DeviceHealth.device_id == world.cam_north.id)).one()
    assert health.overall.value == "fail"
    assert health.checks == {"tcp": "ok", "firmware": "warning", "clock": "fail"}
    cam = reload(db, Device, world.cam_north.id)
    assert (cam.make, cam.model, cam.firmware, cam.serial_number) == (
        "Hikvision",
        "DS-2CD2143G2-I",
        "5.5.0",
        "X1",
    )


def test_results_are_validated_and_scheduled_sources_are_the_systems(db: Database, world: World) -> None:
    _refused(
        ErrorCode.VALIDATION_FAILED, _record, db, world.tech, world.cam_north, [_result("teleport", "ok")]
    )
    _refused(ErrorCode.VALIDATION_FAILED, _record, db, world.tech, world.cam_north, [])
    # a client claiming a scheduled run gets a PROBE result: the source is the server's decision
    claimed = _record(db, world.tech, world.cam_north, [_result("tcp", "ok")], source="NIGHTLY")
    assert claimed.source is DiagnosisSource.PROBE
    assert claimed.requested_by_id == world.tech.id
    _refused(
        ErrorCode.NOT_FOUND, _record, db, world.tech, world.cam_south, [_result("tcp", "ok")]
    )  # other region
    _refused(
        ErrorCode.PERMISSION_DENIED, _record, db, world.security, world.cam_north, [_result("tcp", "ok")]
    )


def test_history_shows_when_each_check_changed(db: Database, world: World) -> None:
    _record(db, world.tech, world.cam_north, [_result("tcp", "ok"), _result("snapshot", "ok")], at=T0)
    _record(
        db,
        world.tech,
        world.cam_north,
        [_result("tcp", "ok"), _result("snapshot", "fail")],
        at=T0 + timedelta(days=1),
    )
    _record(
        db,
        world.tech,
        world.cam_north,
        [_result("tcp", "ok"), _result("snapshot", "ok")],
        at=T0 + timedelta(days=2),
    )

    with db.read_session() as s:
        history = dq.device_diagnoses(s, actor_for(world.tech), world.cam_north.id)
    changes = dq.check_changes(history)

    assert [(c.check, c.before, c.after, c.at.day) for c in changes] == [
        ("snapshot", "fail", "ok", 22),
        ("snapshot", "ok", "fail", 21),
        ("tcp", None, "ok", 20),
        ("snapshot", None, "ok", 20),
    ]


def test_a_late_probe_result_does_not_overwrite_newer_health(db: Database, world: World) -> None:
    _record(db, world.tech, world.cam_north, [_result("tcp", "ok")], at=T0 + timedelta(hours=5))
    _record(db, world.tech, world.cam_north, [_result("tcp", "fail")], at=T0, source="PROBE")
    with db.read_session() as s:
        assert s.exec(select(DeviceHealth)).one().overall.value == "ok"


def test_health_overview_counts_cameras_by_site(db: Database, world: World) -> None:
    other = make_device(db, world.admin, world.site_north, ip="10.1.1.11")
    make_device(db, world.admin, world.site_north, ip="10.1.1.12")  # planned, not in service: not counted
    run(db, world.admin, "device.update", {"deviceId": other.id, "status": "ACTIVE"})
    _record(db, world.tech, world.cam_north, [_result("tcp", "fail")])
    with db.read_session() as s:
        rows = dq.health_overview(s, actor_for(world.manager))
    north = next(r for r in rows if r.site_id == world.site_north.id)
    assert (north.ok, north.warning, north.fail, north.unchecked) == (0, 0, 1, 1)
    assert other.kind is DeviceKind.CAMERA


def test_a_failed_diagnosis_opens_a_prefilled_fault_work_order(db: Database, world: World) -> None:
    d = _record(
        db,
        world.tech,
        world.cam_north,
        [_result("tcp", "ok"), _result("snapshot", "fail", "Görüntü alınamadı")],
    )
    wo = run(db, world.tech, "diagnostics.openFault", {"diagnosisId": d.id})
    wo = reload(db, WorkOrder, wo.id)
    assert wo.type is WorkOrderType.FAULT
    assert wo.assignee_id == world.tech.id
    assert "Görüntü alınamadı" in wo.description
    ok = _record(db, world.tech, world.cam_north, [_result("tcp", "ok")])
    _refused(
        ErrorCode.DIAGNOSTICS_NOTHING_TO_REPORT,
        run,
        db,
        world.tech,
        "diagnostics.openFault",
        {"diagnosisId": ok.id},
    )


def test_only_admins_manage_firmware_baselines(db: Database, world: World) -> None:
    args = {"make": "Hikvision", "model": "DS-2CD2143G2-I", "approvedFirmware": "5.7.3"}
    _refused(ErrorCode.PERMISSION_DENIED, run, db, world.manager, "firmware.setBaseline", args)
    first = run(db, world.admin, "firmware.setBaseline", args)
    again = run(db, world.admin, "firmware.setBaseline", {**args, "approvedFirmware": "5.8.0"})
    assert again.id == first.id
    assert again.approved_firmware == "5.8.0"


def test_the_target_guard_refuses_what_is_not_a_registered_in_block_device(
    db: Database, world: World
) -> None:
    actor = actor_for(world.manager)
    no_ip = make_device(db, world.admin, world.site_north)
    recorder_elsewhere = make_device(
        db, world.admin, world.site_north, ip="10.1.1.50", kind=DeviceKind.SWITCH
    )

    def plan(device_id: uuid.UUID) -> Any:
        with db.read_session() as s:
            return dq.plan_diagnosis(s, actor, device_id)

    refused = _refused(
        ErrorCode.DIAGNOSTICS_TARGET_REFUSED, plan, world.cam_north.id
    )  # planned, not in service
    assert "hizmette" in refused.message("tr")
    for device in (no_ip, world.cam_north):
        run(db, world.admin, "device.update", {"deviceId": device.id, "status": "ACTIVE"})
    _refused(ErrorCode.DIAGNOSTICS_TARGET_REFUSED, plan, no_ip.id)
    _refused(ErrorCode.DIAGNOSTICS_NOT_A_CAMERA, plan, recorder_elsewhere.id)
    _refused(ErrorCode.NOT_FOUND, plan, uuid.uuid4())
    _refused(ErrorCode.DIAGNOSTICS_NO_CREDENTIALS, plan, world.cam_north.id)
    # an address that drifted out of the site's blocks (edited behind the rules) is refused too
    with db.write_session() as s:
        cam = s.get(Device, world.cam_north.id)
        assert cam is not None
        cam.ip_address = "192.168.77.5"
    _refused(ErrorCode.DIAGNOSTICS_TARGET_REFUSED, plan, world.cam_north.id)


def test_credentials_are_encrypted_and_bound_to_their_device(tmp_path: Path) -> None:
    cipher = CredentialCipher(load_key(None, tmp_path))
    a, b = uuid.uuid4(), uuid.uuid4()
    secret = cipher.encrypt(a, "çok-gizli-şifre")
    assert "gizli" not in secret
    assert cipher.decrypt(a, secret) == "çok-gizli-şifre"
    with pytest.raises(CredentialError):
        cipher.decrypt(b, secret)  # copied onto another device
    with pytest.raises(CredentialError):
        CredentialCipher(load_key(None, tmp_path / "other")).decrypt(a, secret)  # another key
    assert (tmp_path / "credentials_key").stat().st_mode & 0o777 == 0o600
    assert load_key(None, tmp_path) == load_key(None, tmp_path)


async def test_set_credentials_stores_only_ciphertext(db: Database, world: World, settings: Settings) -> None:
    from backend.integrations.blobs.store import LocalBlobStore
    from backend.services.diagnostics import DiagnosticsService
    from backend.services.uploads import UploadService

    service = DiagnosticsService(db, UploadService(db, LocalBlobStore(settings.data_dir), settings), settings)
    await service.set_credentials(actor_for(world.admin), world.cam_north.id, "onvif", "Parola-123")
    with db.read_session() as s:
        row = s.get(DeviceCredential, world.cam_north.id)
    assert row is not None
    assert "Parola" not in row.secret
    assert service.cipher.decrypt(world.cam_north.id, row.secret) == "Parola-123"


# ---- the scheduler ----------------------------------------------------------------------------


async def test_each_period_runs_once_even_with_two_replicas(db: Database) -> None:
    calls: list[tuple[str, str]] = []

    async def sweep(actor: Any, source: DiagnosisSource) -> tuple[int, int]:
        calls.append((actor.username, source.value))
        return 3, 0

    clock = [datetime(2026, 11, 23, 0, 30, tzinfo=UTC)]  # Monday 03:30 in İstanbul
    replicas = [
        Scheduler(db, sweep, jobs(2, 3), clock=lambda: clock[0], instance=f"replica-{i}") for i in (1, 2)
    ]

    first = [await r.tick() for r in replicas]
    again = [await r.tick() for r in replicas]
    clock[0] += timedelta(days=1)  # Tuesday: a new night, the same week
    tuesday = [await r.tick() for r in replicas]

    assert first == [["nightly-camera-sweep", "weekly-recording-check"], []]
    assert again == [[], []]
    assert tuesday == [["nightly-camera-sweep"], []]
    assert calls == [("saha-system", "nightly"), ("saha-system", "weekly"), ("saha-system", "nightly")]
    with db.read_session() as s:
        runs = s.exec(select(ScheduledRun).order_by(ScheduledRun.period)).all()
    assert [(r.job, r.period, r.claimed_by, r.devices) for r in runs] == [
        ("nightly-camera-sweep", "2026-11-23", "replica-1", 3),
        ("nightly-camera-sweep", "2026-11-24", "replica-1", 3),
        ("weekly-recording-check", "2026-W48", "replica-1", 3),
    ]


def test_jobs_are_due_after_their_local_hour() -> None:
    nightly = Job("n", DiagnosisSource.NIGHTLY, 2)
    weekly = Job("w", DiagnosisSource.WEEKLY, 3, weekday=0)
    assert nightly.period(datetime(2026, 11, 22, 22, 59, tzinfo=UTC)) is None  # 01:59 in İstanbul
    assert nightly.period(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "2026-11-23"  # 02:30 in İstanbul
    assert weekly.period(datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) == "2026-W47"  # Sunday: catch up the week
    assert SYSTEM.can("diagnostics.schedule")


DIAG = """
query($id: ID!) {
  deviceDiagnoses(deviceId: $id) { source overall snapshotUrl results { check label verdict message } }
  deviceCheckChanges(deviceId: $id) { check label before after }
  deviceReference(deviceId: $id) { imageSha256 url }
}
"""


async def test_graphql_history_reference_and_overview(gql: Any, db: Database, world: World) -> None:
    _record(
        db, world.tech, world.cam_north, [_result("tcp", "ok"), _result("snapshot", "fail", "Görüntü yok")]
    )
    run(
        db, world.tech, "diagnostics.setReference", {"deviceId": world.cam_north.id, "imageSha256": "ab" * 32}
    )

    body = await gql.ok(DIAG, {"id": str(world.cam_north.id)}, token=world.token(world.tech))
    overview = await gql.ok("{ healthOverview { siteCode fail } }", token=world.token(world.manager))
    denied = await gql("{ healthOverview { siteCode } }", token=world.token(world.tech))
    hidden = await gql(DIAG, {"id": str(world.cam_south.id)}, token=world.token(world.tech))

    [d] = body["deviceDiagnoses"]
    assert d["overall"] == "FAIL"
    assert d["results"][1] == {
        "check": "snapshot",
        "label": "Anlık görüntü",
        "verdict": "FAIL",
        "message": "Görüntü yok",
    }
    assert {c["check"] for c in body["deviceCheckChanges"]} == {"tcp", "snapshot"}
    assert body["deviceReference"]["url"] == "/blobs/" + "ab" * 32
    assert {"siteCode": world.site_north.code, "fail": 1} in overview["healthOverview"]
    assert denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert {e["extensions"]["code"] for e in hidden["errors"]} == {"NOT_FOUND"}


def test_a_new_recorder_is_not_failed_for_retention_it_cannot_have_yet() -> None:
    from datetime import date

    plan = dq.DiagnosisPlan(
        device_id=uuid.uuid4(),
        asset_tag="NVR-1",
        host="10.0.0.1",
        port=80,
        is_recorder=True,
        username="u",
        secret="s",
        approved_firmware=None,
        reference_sha256=None,
        installed_on=date(2026, 11, 17),
    )
    assert plan.retention_days_expected(date(2026, 11, 22)) == 5.0
    assert plan.retention_days_expected(date(2027, 1, 1)) == 20.0
    assert (
        dq.DiagnosisPlan(**{**plan.__dict__, "installed_on": None}).retention_days_expected(
            date(2026, 11, 22)
        )
        == 20.0
    )


def test_concurrent_claims_of_one_period_have_exactly_one_winner(db: Database) -> None:
    import threading

    from backend.jobs.scheduler import claim

    barrier = threading.Barrier(4)
    wins: list[bool] = []

    def replica(i: int) -> None:
        barrier.wait()
        won = db.run_write(lambda s: claim(s, "nightly-camera-sweep", "2026-11-30", f"replica-{i}", T0))
        wins.append(won)

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(wins) == [False, False, False, True]
    with db.read_session() as s:
        assert len(s.exec(select(ScheduledRun)).all()) == 1


DIAGNOSE = """
mutation($id: ID!) { r: diagnoseDevice(deviceId: $id) {
  __typename ... on OperationError { code field message } ... on DiagnosisSuccess { diagnosis { id } } } }
"""


async def test_diagnose_now_refuses_before_connecting(gql: Any, db: Database, world: World) -> None:
    cam = {"id": str(world.cam_north.id)}
    planned = await gql.ok(DIAGNOSE, cam, token=world.token(world.tech))
    run(db, world.admin, "device.update", {"deviceId": world.cam_north.id, "status": "ACTIVE"})
    no_credentials = await gql.ok(DIAGNOSE, cam, token=world.token(world.tech))
    other_region = await gql.ok(DIAGNOSE, {"id": str(world.cam_south.id)}, token=world.token(world.tech))
    denied = await gql(DIAGNOSE, cam, token=world.token(world.security))

    assert planned["r"]["code"] == "DIAGNOSTICS_TARGET_REFUSED"
    assert "hizmette değil" in planned["r"]["message"]
    assert no_credentials["r"]["code"] == "DIAGNOSTICS_NO_CREDENTIALS"
    assert other_region["r"]["code"] == "NOT_FOUND"
    assert len(denied["errors"]) == 1
    assert denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with db.read_session() as s:
        assert s.exec(select(Diagnosis)).all() == []
