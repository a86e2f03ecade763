"""End to end: ``saha probe`` runs the real ``diagnose()`` against a virtual ONVIF camera
(ipycam, the diagnostics tests' peer) registered in the demo inventory, and the result arrives on
the server with the camera's own snapshot.

The peer listens on 127.0.0.1 without WS-Discovery, so the probe is given ``--no-discovery
--address 127.0.0.1 --allow-loopback``; the camera's site gets the block 127.0.0.0/8 for it, written
behind the rules that refuse loopback.
"""

from __future__ import annotations

import io
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.probe import cli as probe_cli

from .conftest import ADMIN, REPO, TECHNICIAN, Server, free_port

pytest.importorskip("ipycam")
pytest.importorskip("cv2")

PEER_SCRIPT = REPO / "tests" / "onvif" / "_ipycam_peer.py"
PEER_USER, PEER_PASSWORD = "saha-probe", "Kamera-Parola-9!"
POLE_SITE = "KNK-KI-02"  # one camera, in the technician's region


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if not PEER_SCRIPT.exists():
        pytest.skip("the ipycam peer launcher (tests/onvif/_ipycam_peer.py) is not there")
    port = free_port()
    log = (tmp_path_factory.mktemp("ipycam") / "peer.log").open("w")
    command = [
        sys.executable, str(PEER_SCRIPT), "--bind", "127.0.0.1", "--port", str(port),
        "--rtsp-port", str(free_port()), "--username", PEER_USER, "--password", PEER_PASSWORD,
        "--width", "640", "--height", "360", "--fps", "5", "--no-discovery",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENCV_LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=log, text=True, env=env, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline and proc.poll() is None:
                if sel.select(timeout=0.2) and proc.stdout.readline().startswith("READY"):
                    break
            else:
                pytest.fail("ipycam peer did not start")
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def registered(server: Server, peer: int) -> dict[str, Any]:
    """The pole site's camera, moved (in the inventory) to the peer's address.

    The rules refuse loopback blocks and addresses (no camera lives there), so the lab block and
    the address are written into the server's database behind them, as only a test may."""
    import uuid
    from datetime import UTC, datetime

    from backend.db.engine import Database
    from backend.domain.assets.models import Device, DeviceStatus, IpBlock

    [camera] = [d for d in server.site_devices(POLE_SITE) if d["kind"] == "CAMERA"]
    refused = server.gql(
        'mutation($s: ID!) { addIpBlock(input: {siteId: $s, cidr: "127.0.0.0/8", description: "test peer"}) '
        "{ __typename ... on OperationError { code } } }",
        {"s": camera["siteId"]},
        token=ADMIN,
    )
    assert refused["addIpBlock"] == {"__typename": "OperationError", "code": "IPBLOCK_RESERVED_RANGE"}
    db = Database(f"sqlite:///{server.data / 'saha.db'}")
    try:
        with db.write_session() as s:
            s.add(
                IpBlock(
                    site_id=uuid.UUID(camera["siteId"]),
                    cidr="127.0.0.0/8",
                    description="test peer",
                    created_at=datetime.now(UTC),
                )
            )
            row = s.get(Device, uuid.UUID(camera["id"]))
            assert row is not None
            row.ip_address, row.onvif_port, row.status = "127.0.0.1", peer, DeviceStatus.ACTIVE
    finally:
        db.dispose()
    return {**camera, "ipAddress": "127.0.0.1", "onvifPort": peer}


def test_probe_diagnoses_a_real_onvif_camera_and_the_server_has_it(
    server: Server, registered: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAHA_PROBE_PASSWORD", TECHNICIAN[1])
    monkeypatch.setenv("SAHA_ONVIF_PASSWORD", PEER_PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    code = probe_cli.run_probe(
        ["--server", server.url, "--user", TECHNICIAN[0], "--state", str(tmp_path), "--site", POLE_SITE,
         "--onvif-user", PEER_USER, "--no-discovery", "--address", "127.0.0.1", "--timeout", "3",
         "--allow-loopback"],  # the peer listens on loopback, where no camera on site ever is
        out=out, err=err,
    )  # fmt: skip
    assert code in (probe_cli.EXIT_OK, probe_cli.EXIT_FAILING), (out.getvalue(), err.getvalue())
    assert f"{registered['assetTag']}  127.0.0.1:{registered['onvifPort']}" in out.getvalue()
    assert "gönderildi: 1 sonuç onaylandı" in out.getvalue()

    [mine] = [d for d in server.diagnoses(registered["id"]) if d["source"] == "PROBE"]
    verdicts = {r["check"]: r["verdict"] for r in mine["results"]}
    assert verdicts["tcp"] == verdicts["onvif"] == verdicts["auth"] == verdicts["snapshot"] == "OK", verdicts
    assert mine["deviceInfo"]["make"] == "PythonCam"
    assert PEER_PASSWORD not in str(mine)
    blob = server.blob(mine["snapshotUrl"])
    assert blob.status_code == 200
    assert blob.content[:3] == b"\xff\xd8\xff"
