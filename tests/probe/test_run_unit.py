"""The probe's pieces without a server: envelopes from a diagnosis, choosing targets from the
inventory, and the push loop's handling of replies (a fake server)."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from backend.domain.diagnostics.commands import RecordDiagnosis
from backend.integrations.onvif.discovery import Discovered
from backend.integrations.onvif.record import build_record_args
from backend.probe import cli as probe_cli
from backend.probe import inventory as probe_inventory
from backend.probe import push as probe_push
from backend.probe import report as probe_report
from backend.probe import targets as probe_targets
from backend.probe.client import OfflineError
from backend.probe.queue import ACKED, QUEUED, REJECTED, SENT, ProbeQueue

from .conftest import canned_diagnosis, small_jpeg

DEVICE = "3f1c8a52-5b7e-4a55-9a67-0d8f0b0d2c11"


class DuckDiagnosis:
    """Only what the probe uses of a Diagnosis: to_json(), snapshot, snapshot_type."""

    snapshot = None
    snapshot_type = None

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": "2026-03-02T08:00:00+00:00",
            "finished_at": "2026-03-02T08:00:04+00:00",
            "results": [
                {
                    "check": "tcp",
                    "verdict": "fail",
                    "message_tr": "Bağlanılamadı " * 200,
                    "evidence": {"e": 1},
                    "duration_ms": 3000,
                },
                {
                    "check": "onvif",
                    "verdict": "skipped",
                    "message_tr": "",
                    "evidence": {"big": "x" * 30_000},
                    "duration_ms": 0,
                },
            ],
            "device": {"make": "Axis", "model": "", "serial": None, "hardware_id": 7},
        }


# ---- envelopes -------------------------------------------------------------------------------


def test_record_args_from_a_diagnosis_are_what_the_command_accepts() -> None:
    jpeg = small_jpeg()
    diag = canned_diagnosis("10.60.1.4", snapshot=jpeg)
    sha = hashlib.sha256(jpeg).hexdigest()
    did = str(uuid.uuid4())
    args = build_record_args(diag.to_json(), diagnosis_id=did, device_id=DEVICE, snapshot_sha256=sha)
    assert args["source"] == "PROBE"
    assert args["id"] == did
    assert args["deviceId"] == DEVICE
    assert args["snapshotSha256"] == sha
    assert "workOrderId" not in args
    assert args["results"][3] == {
        "check": "clock",
        "verdict": "warning",
        "message": "Saat 12 sn ileri.",
        "evidence": {"drift_s": 12.0},
        "durationMs": 5,
    }
    assert args["device"] == {
        "make": "Hikvision",
        "model": "DS-2CD2143G2-I",
        "serial": "HK-PROBE-1",
        "firmware": "V5.7.3",
    }
    assert "secret-not-for-disk" not in json.dumps(args)
    parsed = RecordDiagnosis.model_validate(args)  # camelCase, as the sync wire delivers it
    assert parsed.snapshot_sha256 == sha
    assert parsed.source.value == "probe"
    assert parsed.started_at.isoformat() == diag.started_at.isoformat()


def test_record_args_are_bounded_to_the_commands_limits() -> None:
    wo = str(uuid.uuid4())
    args = build_record_args(
        DuckDiagnosis().to_json(),
        diagnosis_id=str(uuid.uuid4()),
        device_id=DEVICE,
        snapshot_sha256=None,
        work_order_id=wo,
    )
    assert args["workOrderId"] == wo
    assert "snapshotSha256" not in args
    assert len(args["results"][0]["message"]) == 1000
    assert args["results"][1]["evidence"]["truncated"] is True
    assert args["device"] == {"make": "Axis", "hardware_id": "7"}
    RecordDiagnosis.model_validate(args)


def test_enqueue_result_keeps_an_image_snapshot_and_drops_anything_else(tmp_path: Path) -> None:
    device = _dev("a", "10.60.1.4")
    with ProbeQueue(tmp_path / "u") as q:
        jpeg = small_jpeg()
        item = probe_report.enqueue_result(q, device, canned_diagnosis("10.60.1.4", snapshot=jpeg), None)
        assert item.snapshot_type == "image/jpeg"
        assert item.args["snapshotSha256"] == hashlib.sha256(jpeg).hexdigest() == item.snapshot_sha256
        not_image = canned_diagnosis("10.60.1.4", snapshot=b"<html>login</html>")
        item2 = probe_report.enqueue_result(q, device, not_image, None)
        assert item2.snapshot_sha256 is None
        assert "snapshotSha256" not in item2.args
        item3 = probe_report.enqueue_result(q, device, DuckDiagnosis(), None)
        assert item3.seq == 3
        assert item3.label == device.asset_tag
        assert uuid.UUID(item.args["id"]) != uuid.UUID(item3.args["id"])


def test_summary_names_the_failing_checks_in_turkish() -> None:
    lines = [
        line.strip()
        for line in probe_report.summary_lines(
            _dev("a", "10.60.1.4"), canned_diagnosis("10.60.1.4", fail=True).to_json()
        )
    ]
    assert lines[0] == "DMB-a  10.60.1.4:80  ARIZALI"
    assert "HATA   Anlık görüntü: Görüntü alınamadı." in lines
    assert "uyarı  Saat: Saat 12 sn ileri." in lines
    assert len(lines) == 3


# ---- targets ---------------------------------------------------------------------------------


def _dev(
    tag: str, ip: str | None, *, kind: str = "CAMERA", status: str = "ACTIVE", in_blocks: bool = True
) -> probe_inventory.InvDevice:
    return probe_inventory.InvDevice(
        id=f"id-{tag}", asset_tag=f"DMB-{tag}", kind=kind, status=status, ip=ip, port=80,
        make="", model="", site_code="S", in_blocks=in_blocks,
    )  # fmt: skip


def test_only_diagnosable_inventory_devices_are_targets() -> None:
    devices = [
        _dev("cam", "10.0.0.4"),
        _dev("nvr", "10.0.0.3", kind="RECORDER"),
        _dev("sw", "10.0.0.2", kind="SWITCH"),
        _dev("gone", "10.0.0.9", status="REMOVED"),
        _dev("outside", "192.168.5.5", in_blocks=False),
    ]
    found = [
        Discovered("10.0.0.4", ["http://10.0.0.4/onvif/device_service"], [], "urn:uuid:1", []),
        Discovered(
            "172.16.0.1", ["http://10.0.0.3:8080/onvif/device_service"], [], "urn:uuid:2", []
        ),  # NAT'd answer
        Discovered(
            "10.0.0.77",
            ["http://10.0.0.77/onvif/device_service"],
            ["onvif://www.onvif.org/name/Rogue"],
            None,
            [],
        ),
        Discovered("10.0.0.2", [], [], None, []),
        Discovered("10.0.0.9", [], [], None, []),
        Discovered("192.168.5.5", [], [], None, []),
    ]
    sel = probe_targets.select_targets(devices, found, ("10.0.0.4", "10.0.0.200"))
    assert [d.asset_tag for d in sel.targets] == ["DMB-cam", "DMB-nvr"]
    notes = "\n".join(sel.notes)
    assert "10.0.0.77 (Rogue): envanterde yok — teşhis edilmedi" in notes
    assert "10.0.0.200: envanterde yok — teşhis edilmedi" in notes
    assert "DMB-sw: kamera/kayıt cihazı değil (SWITCH)" in notes
    assert "DMB-gone: cihaz hizmette değil (REMOVED)" in notes
    assert "DMB-outside: 192.168.5.5 sahanın IP bloklarında değil" in notes


def test_inventory_checks_addresses_against_the_sites_blocks(tmp_path: Path) -> None:
    inv = probe_inventory.Inventory()
    site = {
        "code": "S1",
        "ipBlocks": [{"cidr": "10.60.1.0/24"}],
        "devices": [
            {
                "id": "a",
                "assetTag": "A",
                "kind": "CAMERA",
                "status": "ACTIVE",
                "ipAddress": "10.60.1.4",
                "onvifPort": 8080,
                "make": "M",
                "model": "X",
            },
            {
                "id": "b",
                "assetTag": "B",
                "kind": "CAMERA",
                "status": "ACTIVE",
                "ipAddress": "10.61.0.4",
                "onvifPort": None,
                "make": "",
                "model": "",
            },
        ],
    }
    inv.merge([site], [{"make": "M", "model": "X", "approvedFirmware": "1.2"}], partial=True)
    inv.save(tmp_path / "inv.json")
    again = probe_inventory.Inventory.load(tmp_path / "inv.json")
    assert again is not None
    a, b = again.devices("s1")
    assert (a.in_blocks, a.port, again.approved_firmware(a)) == (True, 8080, "1.2")
    assert (b.in_blocks, b.port, again.approved_firmware(b)) == (False, 80, None)
    again.merge([{**site, "code": "S2"}], [], partial=True)
    assert again.site_codes() == ["S1", "S2"]
    again.merge([{**site, "code": "S2"}], [], partial=False)
    assert again.site_codes() == ["S2"]


# ---- pushing (a fake server) -----------------------------------------------------------------


class FakeServer:
    """Applies envelopes like the sync core: gap-free per client, replays answered unchanged."""

    def __init__(self) -> None:
        self.last = 0
        self.stored: dict[int, dict[str, Any]] = {}
        self.reject: set[int] = set()
        self.offline = False
        self.pushes: list[list[int]] = []
        self.uploads: list[str] = []

    def upload(self, data: bytes, **kw: Any) -> str:
        if self.offline:
            raise OfflineError("down")
        self.uploads.append(kw["sha256"])
        return "http://x/uploads/1"

    def sync_push(self, client_id: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
        if self.offline:
            raise OfflineError("down")
        self.pushes.append([e["seq"] for e in envelopes])
        replies, expected = [], None
        for e in envelopes:
            seq = e["seq"]
            if seq <= self.last:
                replies.append(self.stored[seq])
                continue
            if seq > self.last + 1:
                expected = self.last + 1
                break
            status = "REJECTED" if seq in self.reject else "APPLIED"
            reply = {"seq": seq, "mutationId": e["mutationId"], "status": status,
                     "code": "NOT_FOUND" if status == "REJECTED" else None, "message": "Kayıt bulunamadı." if status == "REJECTED" else None}  # fmt: skip
            self.stored[seq] = reply
            self.last = seq
            replies.append(reply)
        return {"clientId": client_id, "lastSeq": self.last, "replies": replies, "expectedSeq": expected}


def _filled(tmp_path: Path, n: int, snapshot: bytes | None = None) -> ProbeQueue:
    q = ProbeQueue(tmp_path / "u")
    for i in range(n):
        sha = hashlib.sha256(snapshot).hexdigest() if snapshot else None
        q.enqueue(
            "diagnostics.record",
            {"id": str(i), **({"snapshotSha256": sha} if sha else {})},
            label=f"K{i}",
            snapshot=snapshot,
        )
    return q


def test_push_acks_in_seq_order_and_a_rejection_moves_on(tmp_path: Path) -> None:
    server, out = FakeServer(), io.StringIO()
    server.reject = {2}
    with _filled(tmp_path, 3, small_jpeg()) as q:
        report = probe_push.push(q, server, out)
        assert report.acked == 2
        assert [i.seq for i, _ in report.rejected] == [2]
        assert [(i.seq, i.state) for i in q.items()] == [(1, ACKED), (2, REJECTED), (3, ACKED)]
        assert server.pushes == [[1, 2, 3]]
        assert len(server.uploads) == 1
        assert "REDDEDİLDİ K1: Kayıt bulunamadı. [NOT_FOUND]" in out.getvalue()
        assert probe_push.push(q, server, out).acked == 0
        assert server.pushes == [[1, 2, 3]]


def test_push_resumes_from_expected_seq(tmp_path: Path) -> None:
    server = FakeServer()
    with _filled(tmp_path, 4) as q:
        q.settle(1, {"status": "APPLIED"})  # acknowledged once...
        q.settle(2, {"status": "APPLIED"})  # ...but the server's ledger says otherwise (restored backup)
        report = probe_push.push(q, server, io.StringIO())
        assert server.pushes == [[3, 4], [1, 2, 3, 4]]
        assert report.acked == 4
        assert q.count() == 0
        assert server.last == 4


def test_push_while_offline_keeps_everything_queued(tmp_path: Path) -> None:
    server = FakeServer()
    server.offline = True
    with _filled(tmp_path, 2) as q:
        with pytest.raises(OfflineError):
            probe_push.push(q, server, io.StringIO())
        assert [i.state for i in q.pending()] == [SENT, SENT]  # pushed, no reply: pushed again later
        server.offline = False
        assert probe_push.push(q, server, io.StringIO()).acked == 2
        assert q.count() == 0


def test_a_snapshot_refused_for_good_is_left_out(tmp_path: Path) -> None:
    from backend.probe.client import RefusedError

    class Refusing(FakeServer):
        def upload(self, data: bytes, **kw: Any) -> str:
            raise RefusedError("görüntü yüklemesi başlatılamadı: tür", "BLOB_TYPE_NOT_ALLOWED")

    server, out = Refusing(), io.StringIO()
    with _filled(tmp_path, 1, small_jpeg()) as q:
        assert probe_push.push(q, server, out).acked == 1
        item = q.get(1)
        assert item is not None
        assert "snapshotSha256" not in item.args
        assert item.state == ACKED
        assert "anlık görüntü gönderilmeyecek" in out.getvalue()


# ---- the command's edges -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--server", "saha.local", "--user", "t"],
        ["--server", "http://x", "--user", "t", "--no-discovery"],
        ["--server", "http://x", "--user", "t", "--address", "10.0.0.300"],
        ["--server", "http://x", "--user", "t", "--interface", "eth0"],
        ["--server", "http://x", "--user", "t", "--work-order", "WO-1"],
    ],
)
def test_usage_errors_exit_3(argv: list[str], tmp_path: Path) -> None:
    err = io.StringIO()
    assert (
        probe_cli.run_probe([*argv, "--state", str(tmp_path)], err=err, out=io.StringIO())
        == probe_cli.EXIT_USAGE
    )
    assert err.getvalue().startswith("saha probe: ")


def test_offline_without_a_cached_inventory_exits_3(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()

    def no_password(prompt: str) -> str:
        raise AssertionError("no password is needed offline")

    code = probe_cli.run_probe(
        ["--server", "http://127.0.0.1:9", "--user", "t", "--state", str(tmp_path), "--no-discovery", "--address", "10.0.0.1"],
        out=out, err=err, ask=no_password,
    )  # fmt: skip
    assert code == probe_cli.EXIT_USAGE
    assert "envanter yok" in err.getvalue()


def test_push_only_with_an_empty_queue_needs_no_server(tmp_path: Path) -> None:
    out = io.StringIO()
    code = probe_cli.run_probe(
        ["--server", "http://127.0.0.1:9", "--user", "t", "--state", str(tmp_path), "--push-only"], out=out
    )
    assert code == probe_cli.EXIT_OK
    assert "gönderilecek sonuç yok" in out.getvalue()


def test_a_state_dir_stays_with_its_server(tmp_path: Path) -> None:
    base = ["--user", "t", "--state", str(tmp_path), "--push-only"]
    assert (
        probe_cli.run_probe(["--server", "http://127.0.0.1:9", *base], out=io.StringIO()) == probe_cli.EXIT_OK
    )
    err = io.StringIO()
    assert (
        probe_cli.run_probe(["--server", "http://127.0.0.1:10", *base], out=io.StringIO(), err=err)
        == probe_cli.EXIT_USAGE
    )
    assert "başka bir sunucu" in err.getvalue()


def test_users_have_separate_state(tmp_path: Path) -> None:
    assert probe_cli.user_dir(tmp_path, "emre.kaya") == tmp_path / "users" / "emre.kaya"
    assert probe_cli.user_dir(tmp_path, "../x").parent == tmp_path / "users"
    assert QUEUED == "queued"


def test_reference_images_are_cached_for_offline_image_health(tmp_path: Path) -> None:
    import hashlib
    import io

    from backend.integrations.onvif.record import build_record_args
    from backend.probe.inventory import InvDevice, cached_reference, fetch_references

    image = b"\xff\xd8\xff reference"
    sha = hashlib.sha256(image).hexdigest()
    calls: list[str] = []

    class Client:
        def download_blob(self, sha256: str) -> bytes:
            calls.append(sha256)
            return image

    cam = InvDevice(
        id="d1", asset_tag="DMB-1", kind="CAMERA", status="ACTIVE", ip="10.0.0.5", port=80,
        make="", model="", site_code="S", in_blocks=True, reference_sha256=sha,
    )  # fmt: skip
    err = io.StringIO()

    # when fetched twice (online), then read back (offline)
    assert fetch_references(Client(), [cam], tmp_path, err) == 1
    assert fetch_references(Client(), [cam], tmp_path, err) == 0

    # then it was downloaded once, is used for the diagnosis and named in the record
    assert calls == [sha]
    assert cached_reference(tmp_path, cam) == image
    report = {
        "results": [],
        "device": {},
        "started_at": "2026-11-22T10:00:00+00:00",
        "finished_at": "2026-11-22T10:00:01+00:00",
    }
    args = build_record_args(
        report, diagnosis_id="x", device_id="d1", snapshot_sha256=None, reference_sha256=sha
    )
    assert args["referenceSha256"] == sha


# ---- addresses the probe never connects to ---------------------------------------------------------


def _parsed(*extra: str) -> Any:
    import argparse

    parser = argparse.ArgumentParser()
    probe_cli.add_arguments(parser)
    return parser.parse_args(["--server", "http://saha.local:8000", "--user", "t", "--no-discovery", *extra])


@pytest.mark.parametrize(
    ("address", "range_name"),
    [
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.251", "multicast"),
        ("::1", "loopback"),
    ],
)
def test_an_address_in_a_refused_range_is_a_usage_error(address: str, range_name: str) -> None:
    with pytest.raises(probe_cli.UsageError) as info:
        probe_cli.options(_parsed("--address", address))
    assert range_name in str(info.value)


def test_loopback_only_when_explicitly_allowed_and_it_reaches_the_onvif_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opts = probe_cli.options(_parsed("--address", "127.0.0.1", "--allow-loopback"))
    assert opts.allow_loopback is True
    with pytest.raises(probe_cli.UsageError):  # link-local stays refused
        probe_cli.options(_parsed("--address", "169.254.1.1", "--allow-loopback"))
    seen: dict[str, Any] = {}

    async def fake_diagnose(target: Any, **kwargs: Any) -> Any:
        seen.update(target=target, **kwargs)
        return None

    from backend.integrations.onvif import diagnose as onvif

    monkeypatch.setattr(onvif, "diagnose", fake_diagnose)
    device = probe_inventory.InvDevice("d", "DMB-1", "CAMERA", "ACTIVE", "127.0.0.1", 8080, "", "", "S", True)
    import asyncio

    asyncio.run(probe_targets.diagnose_one(device, opts, "pw", None))
    assert seen["limits"].allow_loopback is True
    assert probe_cli.options(_parsed("--address", "10.0.0.5")).allow_loopback is False
