"""``saha probe`` against the real server (a subprocess, as from a laptop): results arrive in the
device's history with their snapshot, pushes are replay-safe, results made while the server is
down stay queued and arrive later, and nothing outside the inventory is ever diagnosed.

ONVIF itself is replaced by a canned diagnosis (``FakeDiagnose``); ``test_ipycam.py`` runs the
real one against a virtual camera.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.integrations.onvif import diagnose as onvif_diagnose
from backend.integrations.onvif import discovery
from backend.integrations.onvif.discovery import Discovered
from backend.probe import cli as probe_cli
from backend.probe import client as probe_client
from backend.probe.client import OfflineError, SahaClient
from backend.probe.queue import ACKED, QUEUED, ProbeQueue

from .conftest import SITE, TECHNICIAN, FakeDiagnose, Server, small_jpeg


@pytest.fixture
def camera(server: Server) -> dict[str, Any]:
    """An active demo camera of the technician's region, with an address."""
    devices = server.site_devices(SITE)
    return next(d for d in devices if d["kind"] == "CAMERA" and d["status"] == "ACTIVE" and d["ipAddress"])


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDiagnose:
    fake = FakeDiagnose(snapshot=small_jpeg())
    monkeypatch.setattr(onvif_diagnose, "diagnose", fake)
    monkeypatch.setenv("SAHA_PROBE_PASSWORD", TECHNICIAN[1])
    monkeypatch.setenv("SAHA_ONVIF_PASSWORD", "kamera-parolasi")
    return fake


def probe(server: Server, state: Path, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()

    def no_prompt(prompt: str) -> str:
        raise AssertionError(f"asked for a password: {prompt}")

    code = probe_cli.run_probe(
        ["--server", server.url, "--user", TECHNICIAN[0], "--state", str(state), *extra],
        out=out,
        err=err,
        ask=no_prompt,
    )
    return code, out.getvalue(), err.getvalue()


def queue_of(state: Path) -> ProbeQueue:
    return ProbeQueue(probe_cli.user_dir(state, TECHNICIAN[0]))


def test_a_probe_result_arrives_in_the_devices_history_with_its_snapshot(
    live_server: Server,
    camera: dict[str, Any],
    fake: FakeDiagnose,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = live_server
    answers = [
        Discovered(
            camera["ipAddress"], [f"http://{camera['ipAddress']}/onvif/device_service"], [], "urn:uuid:c1", []
        ),
        Discovered(
            "10.60.1.250",
            ["http://10.60.1.250/onvif/device_service"],
            ["onvif://www.onvif.org/name/Bilinmeyen"],
            "urn:uuid:x",
            [],
        ),
        Discovered("192.168.77.7", [], [], "urn:uuid:y", []),
    ]
    asked: dict[str, Any] = {}

    async def fake_probe(**kw: Any) -> list[Discovered]:
        asked.update(kw)
        return answers

    monkeypatch.setattr(discovery, "probe", fake_probe)

    code, out, err = probe(server, tmp_path, "--site", SITE, "--interface", "10.60.1.200", "--timeout", "2")

    assert code == probe_cli.EXIT_OK, (out, err)  # a warning is not a failure
    assert asked == {"interface_ip": "10.60.1.200", "timeout": 2.0}
    assert fake.hosts == [camera["ipAddress"]]  # only the inventory camera
    target, kw = fake.calls[0]  # type: ignore[index]
    assert (target.port, target.username, target.password) == (
        camera["onvifPort"] or 80,
        "admin",
        "kamera-parolasi",
    )
    assert kw["reference_image"] is None
    assert "10.60.1.250 (Bilinmeyen): envanterde yok — teşhis edilmedi" in out
    assert "192.168.77.7: envanterde yok — teşhis edilmedi" in out
    assert f"{camera['assetTag']}  {camera['ipAddress']}:" in out
    assert "UYARI" in out
    assert "gönderildi: 1 sonuç onaylandı" in out

    with queue_of(tmp_path) as q:
        [item] = q.items()
        assert item.state == ACKED
        sent_id = item.args["id"]
    history = server.diagnoses(camera["id"])
    mine = next(d for d in history if d["id"] == sent_id)
    assert mine["source"] == "PROBE"
    assert mine["overall"] == "WARNING"
    assert {r["check"]: r["verdict"] for r in mine["results"]}["clock"] == "WARNING"
    assert mine["deviceInfo"]["serial"] == "HK-PROBE-1"
    jpeg = small_jpeg()
    assert mine["snapshotUrl"] == f"/blobs/{hashlib.sha256(jpeg).hexdigest()}"
    blob = server.blob(mine["snapshotUrl"])
    assert blob.status_code == 200
    assert blob.content == jpeg
    assert blob.headers["content-type"].startswith("image/jpeg")
    # the inventory was cached for offline use, the ONVIF password was not written anywhere
    user_dir = probe_cli.user_dir(tmp_path, TECHNICIAN[0])
    assert SITE in (user_dir / "inventory.json").read_text()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"kamera-parolasi" not in path.read_bytes(), path


def test_a_second_push_is_a_replay(
    live_server: Server, camera: dict[str, Any], fake: FakeDiagnose, tmp_path: Path
) -> None:
    server = live_server
    code, out, _ = probe(server, tmp_path, "--no-discovery", "--address", camera["ipAddress"])
    assert code == probe_cli.EXIT_OK, out
    before = server.diagnoses(camera["id"])

    # the replies were lost (say, the laptop was closed): the envelopes are pushed again
    db = sqlite3.connect(probe_cli.user_dir(tmp_path, TECHNICIAN[0]) / "queue.sqlite3")
    with db:
        db.execute("UPDATE outbox SET state = 'sent', reply = NULL")
    db.close()
    code, out, _ = probe(server, tmp_path, "--push-only")
    assert code == probe_cli.EXIT_OK, out
    assert "gönderildi: 1 sonuç onaylandı" in out
    assert [d["id"] for d in server.diagnoses(camera["id"])] == [d["id"] for d in before]  # nothing new

    code, out, _ = probe(server, tmp_path, "--push-only")
    assert (code, out.strip()) == (probe_cli.EXIT_OK, "gönderilecek sonuç yok")
    assert fake.hosts == [camera["ipAddress"]]  # --push-only diagnoses nothing


def test_results_made_while_the_server_is_down_stay_queued_and_arrive_later(
    live_server: Server, camera: dict[str, Any], fake: FakeDiagnose, tmp_path: Path
) -> None:
    server = live_server
    code, out, _ = probe(server, tmp_path, "--site", SITE, "--no-discovery", "--address", camera["ipAddress"])
    assert code == probe_cli.EXIT_OK, out  # online once: the inventory is cached

    server.stop()
    fake.fail = True
    code, out, err = probe(
        server, tmp_path, "--site", SITE, "--no-discovery", "--address", camera["ipAddress"]
    )
    assert code == probe_cli.EXIT_QUEUED, (out, err)
    assert "önbellekteki envanter" in err
    assert "ARIZALI" in out
    assert "çevrimdışı: 1 sonuç kuyrukta" in out
    assert len(fake.hosts) == 2  # diagnosed offline, from the cached inventory
    code, out, _ = probe(server, tmp_path, "--push-only")
    assert (code, out.strip()) == (probe_cli.EXIT_QUEUED, "çevrimdışı: 1 sonuç kuyrukta")
    with queue_of(tmp_path) as q:
        [waiting] = q.pending()
        assert waiting.state == QUEUED
        assert waiting.seq == 2

    server.start()
    code, out, _ = probe(server, tmp_path, "--push-only")
    assert code == probe_cli.EXIT_OK, out
    assert "gönderildi: 1 sonuç onaylandı" in out
    arrived = next(d for d in server.diagnoses(camera["id"]) if d["id"] == waiting.args["id"])
    assert arrived["source"] == "PROBE"
    assert arrived["overall"] == "FAIL"
    assert server.blob(arrived["snapshotUrl"]).content == small_jpeg()
    with queue_of(tmp_path) as q:
        assert q.count() == 0


def test_the_server_going_away_during_the_push_keeps_the_results(
    live_server: Server,
    camera: dict[str, Any],
    fake: FakeDiagnose,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = live_server

    def down(self: SahaClient, client_id: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
        raise OfflineError("sunucuya ulaşılamadı: ConnectError")

    with monkeypatch.context() as m:
        m.setattr(SahaClient, "sync_push", down)
        code, out, _ = probe(server, tmp_path, "--no-discovery", "--address", camera["ipAddress"])
    assert code == probe_cli.EXIT_QUEUED
    assert "çevrimdışı: 1 sonuç kuyrukta" in out
    code, out, _ = probe(server, tmp_path, "--push-only")
    assert code == probe_cli.EXIT_OK
    assert "gönderildi: 1 sonuç onaylandı" in out


def test_an_address_outside_the_inventory_is_never_diagnosed(
    live_server: Server, fake: FakeDiagnose, tmp_path: Path
) -> None:
    code, out, _ = probe(
        live_server,
        tmp_path,
        "--site",
        SITE,
        "--no-discovery",
        "--address",
        "10.60.1.250",
        "--address",
        "10.99.0.1",
    )
    assert code == probe_cli.EXIT_OK
    assert fake.calls is None  # diagnose() was never called
    assert "10.60.1.250: envanterde yok — teşhis edilmedi" in out
    assert "10.99.0.1: envanterde yok — teşhis edilmedi" in out
    assert "gönderilecek sonuç yok" in out
    with queue_of(tmp_path) as q:
        assert q.items() == []


def test_a_failing_device_exits_1(
    live_server: Server, camera: dict[str, Any], fake: FakeDiagnose, tmp_path: Path
) -> None:
    fake.fail = True
    code, out, _ = probe(live_server, tmp_path, "--no-discovery", "--address", camera["ipAddress"])
    assert code == probe_cli.EXIT_FAILING, out
    assert "HATA   Anlık görüntü: Görüntü alınamadı." in out


def test_a_wrong_password_exits_3(
    live_server: Server,
    camera: dict[str, Any],
    fake: FakeDiagnose,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAHA_PROBE_PASSWORD", "yanlis-parola")
    code, _, err = probe(live_server, tmp_path, "--no-discovery", "--address", camera["ipAddress"])
    assert code == probe_cli.EXIT_USAGE
    assert err.startswith("giriş başarısız")
    assert fake.calls is None


class _FailSecondPatch(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.patches = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            self.patches += 1
            if self.patches == 2:
                raise httpx.ConnectError("cable pulled", request=request)
        return super().handle_request(request)


def test_a_tus_upload_resumes_from_the_servers_offset(
    live_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe_client, "CHUNK_BYTES", 200)
    data = small_jpeg((10, 200, 90)) + b"\x00" * 500  # trailing bytes: still a JPEG by its magic
    sha = hashlib.sha256(data).hexdigest()
    created: list[str] = []
    transport = _FailSecondPatch()
    with SahaClient(live_server.url, transport=transport) as c:
        c.sign_in(*TECHNICIAN)
        with pytest.raises(OfflineError):
            c.upload(data, sha256=sha, content_type="image/jpeg", filename="a.jpg", on_created=created.append)
        [url] = created
        assert c.upload_offset(url) == 200  # the first chunk is durable on the server
        assert c.upload(data, sha256=sha, content_type="image/jpeg", filename="a.jpg", resume_url=url) == url
        assert c.upload_offset(url) == len(data)
        # the blob exists now: a new upload of it is complete at once
        assert c.upload(data, sha256=sha, content_type="image/jpeg", filename="b.jpg") != url
    assert live_server.blob(f"/blobs/{sha}").content == data
