"""Remote diagnosis end to end: the server's DiagnosticsService, its target guard, encrypted
credentials, the blob store and the recorded result, against a real ipycam peer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from backend.config import Settings
from backend.db.engine import Database
from backend.db.migrate import upgrade
from backend.domain.assets.models import Device, IpBlock, SiteKind
from backend.domain.diagnostics.models import DeviceHealth, Diagnosis, DiagnosisSource
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.auth import actor_for
from backend.domain.people.models import Role
from backend.integrations.blobs.store import LocalBlobStore
from backend.services.diagnostics import DiagnosticsService
from backend.services.uploads import UploadService
from tests.factories import make_region, make_site, make_user, run
from tests.onvif.conftest import Peer, Sandbox


def _lab_device(db: Database, admin: Any, site: Any, peer: Peer) -> Device:
    """A camera at the peer's loopback address. The rules refuse loopback blocks and addresses (no
    device lives there), so the lab block and address are written behind them, as a test may."""
    with db.write_session() as s:
        s.add(
            IpBlock(
                site_id=site.id, cidr="127.0.0.0/8", description="test peer", created_at=datetime.now(UTC)
            )
        )
    cam: Device = run(
        db, admin, "device.create", {"siteId": site.id, "kind": "CAMERA", "assetTag": "DMB-ONVIF-1"}
    )
    run(db, admin, "device.update", {"deviceId": cam.id, "status": "ACTIVE"})
    with db.write_session() as s:
        row = s.get(Device, cam.id)
        assert row is not None
        row.ip_address, row.onvif_port = peer.host, peer.port
    return cam


@pytest.fixture
def world(tmp_path: Path, peer: Peer) -> Iterator[dict[str, Any]]:
    # SQLite only: the client thread lives in the cameras' private network, where no PostgreSQL is
    url = f"sqlite:///{tmp_path / 'saha.db'}"
    upgrade(url)
    db = Database(url)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        scheduler_enabled=False,
        demo_data=False,
        onvif_allow_loopback=True,  # the peer listens on 127.0.0.1
    )
    region = make_region(db)
    admin = make_user(db, Role.ADMIN)
    tech = make_user(db, Role.TECHNICIAN, region=region)
    site = make_site(db, admin, region=region, kind=SiteKind.SERVICE_BUILDING)
    cam = _lab_device(db, admin, site, peer)
    service = DiagnosticsService(db, UploadService(db, LocalBlobStore(settings.data_dir), settings), settings)
    yield {
        "db": db,
        "service": service,
        "admin": admin,
        "tech": tech,
        "cam": cam,
        "site": site,
        "settings": settings,
    }
    db.dispose()


def test_without_the_loopback_setting_the_server_refuses_to_connect_to_loopback(
    sandbox: Sandbox, peer: Peer, world: dict[str, Any]
) -> None:
    # given: the same camera, but a server with the default settings (loopback not allowed)
    db, admin = world["db"], actor_for(world["admin"])
    settings = world["settings"].model_copy(update={"onvif_allow_loopback": False})
    service = DiagnosticsService(db, UploadService(db, LocalBlobStore(settings.data_dir), settings), settings)
    sandbox.run(service.set_credentials(admin, world["cam"].id, peer.username, peer.password))
    # when
    recorded = sandbox.run(service.run(admin, world["cam"].id))
    # then: the address is refused before any connection, and the rest is not tried
    tcp = next(r for r in recorded.results if r["check"] == "tcp")
    assert tcp["verdict"] == "fail"
    assert tcp["evidence"]["failure"] == "address_refused"
    assert tcp["evidence"]["range"] == "loopback"
    assert "127.0.0.1" in tcp["message"]
    assert {r["verdict"] for r in recorded.results if r["check"] != "tcp"} == {"skipped"}


def test_a_remote_diagnosis_is_recorded_with_its_snapshot_and_health(
    sandbox: Sandbox, peer: Peer, world: dict[str, Any]
) -> None:
    db, service, cam = world["db"], world["service"], world["cam"]
    sandbox.run(service.set_credentials(actor_for(world["admin"]), cam.id, peer.username, peer.password))

    # when a manager diagnoses the camera from the PWA (no reference image yet)
    first = sandbox.run(service.run(actor_for(world["admin"]), cam.id))

    # then every check is recorded, the snapshot is stored, the inventory learns the device's facts
    checks = {r["check"]: r["verdict"] for r in first.results}
    assert checks["auth"] == "ok"
    assert checks["snapshot"] == "ok"
    assert checks["image_health"] == "skipped"
    assert first.source is DiagnosisSource.REMOTE
    assert first.snapshot_sha256 is not None
    snapshot = sandbox.run(service.blobs.read_bytes(first.snapshot_sha256))
    assert snapshot is not None
    assert snapshot[:2] == b"\xff\xd8"
    with db.read_session() as s:
        device = s.get(Device, cam.id)
        health = s.exec(select(DeviceHealth).where(DeviceHealth.device_id == cam.id)).one()
    assert device is not None
    assert (device.make, device.model, device.firmware) == (peer.manufacturer, peer.model, peer.firmware)
    assert health.last_diagnosis_id == first.id

    # when that snapshot becomes the camera's reference, the next diagnosis compares with it
    run(
        db,
        world["tech"],
        "diagnostics.setReference",
        {"deviceId": cam.id, "imageSha256": first.snapshot_sha256},
    )
    second = sandbox.run(service.run(actor_for(world["tech"]), cam.id))
    assert {r["check"]: r["verdict"] for r in second.results}["image_health"] == "ok"
    assert second.reference_sha256 == first.snapshot_sha256
    with db.read_session() as s:
        assert len(s.exec(select(Diagnosis).where(Diagnosis.device_id == cam.id)).all()) == 2


def test_the_server_connects_only_to_registered_devices_inside_their_blocks(
    sandbox: Sandbox, peer: Peer, world: dict[str, Any]
) -> None:
    db, service, admin = world["db"], world["service"], actor_for(world["admin"])
    # a device registered with an address outside its site's blocks (edited behind the rules)
    stray = run(
        db,
        world["admin"],
        "device.create",
        {"siteId": world["site"].id, "kind": "CAMERA", "assetTag": "DMB-STRAY"},
    )
    run(db, world["admin"], "device.update", {"deviceId": stray.id, "status": "ACTIVE"})
    with db.write_session() as s:
        row = s.get(Device, stray.id)
        assert row is not None
        row.ip_address = "10.99.0.1"
    sandbox.run(service.set_credentials(admin, stray.id, peer.username, peer.password))

    for device_id, code in (
        (stray.id, ErrorCode.DIAGNOSTICS_TARGET_REFUSED),
        (uuid.uuid4(), ErrorCode.NOT_FOUND),
    ):
        with pytest.raises(DomainError) as info:
            sandbox.run(service.run(admin, device_id))
        assert info.value.code is code
    with db.read_session() as s:
        assert s.exec(select(Diagnosis)).all() == []


def test_without_credentials_the_server_does_not_try(sandbox: Sandbox, world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as info:
        sandbox.run(world["service"].run(actor_for(world["admin"]), world["cam"].id))
    assert info.value.code is ErrorCode.DIAGNOSTICS_NO_CREDENTIALS


def test_a_sweep_diagnoses_every_camera_in_service_as_the_system(
    sandbox: Sandbox, peer: Peer, world: dict[str, Any]
) -> None:
    from backend.jobs.scheduler import SYSTEM

    service, cam = world["service"], world["cam"]
    sandbox.run(service.set_credentials(actor_for(world["admin"]), cam.id, peer.username, peer.password))

    devices, failures = sandbox.run(service.sweep(SYSTEM, DiagnosisSource.NIGHTLY))

    assert (devices, failures) == (1, 0)
    with world["db"].read_session() as s:
        [d] = s.exec(select(Diagnosis)).all()
    assert d.source is DiagnosisSource.NIGHTLY
    assert d.requested_by_id is None
