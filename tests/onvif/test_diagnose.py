"""diagnose() against real ipycam cameras (see conftest.py), plus the verdict logic that no
installable peer can exercise (recorders), driven through the same internal steps."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from backend.integrations.onvif import _soap
from backend.integrations.onvif.diagnose import (
    CAMERA_CHECKS,
    RECORDER_CHECKS,
    Check,
    CheckResult,
    Diagnosis,
    Limits,
    Target,
    Thresholds,
    Verdict,
)
from backend.integrations.onvif.diagnose import diagnose as _diagnose
from backend.integrations.onvif.diagnose.clock import judge_clock
from backend.integrations.onvif.diagnose.run import Run

from .conftest import CLOCK_SHIFT_S, LAB, Peer, Sandbox


def diagnose(target: Target, **kwargs: Any) -> Coroutine[Any, Any, Diagnosis]:
    """The peers listen on loopback, which only a client told so (tests, development) reaches."""
    kwargs.setdefault("limits", LAB)
    return _diagnose(target, **kwargs)


AUTHENTICATED = (
    Check.DEVICE_INFO,
    Check.FIRMWARE,
    Check.NETWORK,
    Check.PROFILES,
    Check.STREAM_URI,
    Check.SNAPSHOT,
    Check.IMAGE_HEALTH,
    Check.PTZ,
)


def verdicts(d: Diagnosis) -> dict[str, str]:
    return {r.check.value: r.verdict.value for r in d.results}


def result(d: Diagnosis, check: Check) -> CheckResult:
    found = d.result(check)
    assert found is not None, check
    return found


@pytest.fixture(scope="module")
def healthy(sandbox: Sandbox, peer: Peer) -> Diagnosis:
    """One full diagnosis of the healthy peer, shared by the read-only tests below."""
    return sandbox.run(diagnose(peer.target(), approved_firmware=peer.firmware))


# ---- the healthy camera ----------------------------------------------------------------------


def test_harness_client_thread_is_inside_the_private_namespace(sandbox: Sandbox) -> None:
    # given
    if sandbox.netns is None:
        pytest.skip(f"no private network namespace here ({sandbox.reason})")

    async def namespace_inode() -> int:
        return os.stat("/proc/thread-self/ns/net").st_ino

    # when
    client_ns = sandbox.run(namespace_inode())
    # then
    assert client_ns == os.stat(f"/var/run/netns/{sandbox.netns}").st_ino
    assert client_ns != os.stat("/proc/thread-self/ns/net").st_ino


def test_healthy_camera_is_ok_overall_with_checks_in_order(healthy: Diagnosis) -> None:
    assert [r.check for r in healthy.results] == list(CAMERA_CHECKS)
    assert healthy.overall is Verdict.OK
    assert verdicts(healthy) == {
        "tcp": "ok",
        "onvif": "ok",
        "auth": "ok",
        "device_info": "ok",
        "firmware": "ok",
        "clock": "ok",
        "network": "not_supported",  # ipycam has no GetNetworkInterfaces
        "profiles": "ok",
        "stream_uri": "ok",
        "snapshot": "ok",
        "image_health": "skipped",  # no reference image given
        "ptz": "ok",
    }
    assert all(r.message_tr for r in healthy.results)
    assert healthy.finished_at >= healthy.started_at


def test_device_info_is_what_ipycam_reports(healthy: Diagnosis, peer: Peer) -> None:
    assert healthy.device == {
        "make": peer.manufacturer,
        "model": peer.model,
        "serial": peer.serial,
        "firmware": peer.firmware,
        "hardware_id": "PY-HW-01",
    }
    assert (
        result(healthy, Check.DEVICE_INFO).message_tr
        == "PythonCam VirtualCam-1 · seri no PY-000001 · yazılım 1.3.0"
    )


def test_ipycam_asks_a_password_even_for_the_time_so_the_clock_is_read_after_auth(healthy: Diagnosis) -> None:
    assert result(healthy, Check.ONVIF).evidence["authless_time"] is False
    clock = result(healthy, Check.CLOCK)
    assert clock.evidence["source"] == "authenticated"
    assert abs(clock.evidence["drift_s"]) <= 2
    assert clock.message_tr.startswith("Kamera saati sunucuyla uyumlu")


def test_profiles_report_codec_resolution_and_frame_rate(healthy: Diagnosis, peer: Peer) -> None:
    profiles = result(healthy, Check.PROFILES).evidence["profiles"]
    main, sub = profiles
    assert (main["token"], main["encoding"], main["width"], main["height"], main["frame_rate"]) == (
        "Profile_Main",
        "H264",
        peer.width,
        peer.height,
        peer.fps,
    )
    assert (sub["encoding"], sub["resolution"]) == ("H264", "640x360")
    assert main["bitrate_kbps"] == 8000
    assert main["ptz"] is True


def test_stream_uri_is_rtsp_and_carries_no_credentials(healthy: Diagnosis, peer: Peer) -> None:
    stream = result(healthy, Check.STREAM_URI)
    assert stream.evidence["uri"].startswith("rtsp://127.0.0.1:")
    assert stream.evidence["uri"].endswith("/video_main")
    assert stream.evidence["host_matches_target"] is True
    assert peer.password not in json.dumps(stream.evidence)


def test_snapshot_is_a_jpeg_fetched_with_basic_after_a_basic_challenge(
    healthy: Diagnosis, peer: Peer
) -> None:
    import cv2
    import numpy as np

    snap = result(healthy, Check.SNAPSHOT)
    assert healthy.snapshot is not None
    assert healthy.snapshot[:3] == b"\xff\xd8\xff"
    assert healthy.snapshot_type == "image/jpeg"
    assert snap.evidence["auth_scheme"] == "basic"  # ipycam challenges with Basic only
    assert (snap.evidence["width"], snap.evidence["height"]) == (peer.width, peer.height)
    assert snap.evidence["bytes"] == len(healthy.snapshot)
    image = cv2.imdecode(np.frombuffer(healthy.snapshot, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (peer.height, peer.width, 3)


def test_snapshots_are_stable_without_the_timestamp_overlay(
    sandbox: Sandbox, peer: Peer, healthy: Diagnosis
) -> None:
    again = sandbox.run(diagnose(peer.target()))
    assert again.snapshot == healthy.snapshot


def test_ptz_is_present(healthy: Diagnosis) -> None:
    ptz = result(healthy, Check.PTZ)
    assert ptz.verdict is Verdict.OK
    assert ptz.evidence["ptz"] is True
    assert ptz.evidence["nodes"][0]["name"] == "DigitalPTZ"
    assert ptz.message_tr == "PTZ var (DigitalPTZ)."


def test_to_json_is_json_and_never_holds_the_password(healthy: Diagnosis, peer: Peer) -> None:
    # when
    document = healthy.to_json()
    text = json.dumps(document, ensure_ascii=False)
    # then
    assert peer.password not in text
    assert peer.password not in repr(healthy)
    assert peer.password not in repr(healthy.target)
    assert "password" not in document["target"]
    assert document["overall"] == "ok"
    assert document["snapshot_bytes"] == len(healthy.snapshot or b"")
    assert len(document["snapshot_sha256"]) == 64
    assert "snapshot" not in document
    assert [r["check"] for r in document["results"]] == [c.value for c in CAMERA_CHECKS]


# ---- credentials, firmware, clock -------------------------------------------------------------


def test_wrong_password_fails_auth_and_skips_every_authenticated_check(sandbox: Sandbox, peer: Peer) -> None:
    # when
    d = sandbox.run(diagnose(peer.target(password="not-the-password")))
    # then
    auth = result(d, Check.AUTH)
    assert auth.verdict is Verdict.FAIL
    assert auth.message_tr == "Kullanıcı adı/parola kabul edilmedi."
    assert auth.evidence["error"] == "Fault"
    for check in AUTHENTICATED:
        assert result(d, check).verdict is Verdict.SKIPPED, check
        assert result(d, check).evidence == {"blocked_by": "auth"}
    # ipycam will not tell its time without a password either
    assert result(d, Check.CLOCK).verdict is Verdict.SKIPPED
    assert d.overall is Verdict.FAIL
    assert d.device == {}
    assert d.snapshot is None
    assert "not-the-password" not in json.dumps(d.to_json())


def test_firmware_off_the_baseline_is_a_warning(sandbox: Sandbox, peer: Peer) -> None:
    d = sandbox.run(diagnose(peer.target(), approved_firmware="1.2.9"))
    firmware = result(d, Check.FIRMWARE)
    assert firmware.verdict is Verdict.WARNING
    assert firmware.message_tr == "Onaylı sürüm 1.2.9, kamerada 1.3.0."
    assert firmware.evidence == {"firmware": "1.3.0", "approved": "1.2.9"}
    assert d.overall is Verdict.WARNING


def test_firmware_equal_to_the_baseline_is_ok(healthy: Diagnosis) -> None:
    firmware = result(healthy, Check.FIRMWARE)
    assert firmware.verdict is Verdict.OK
    assert firmware.message_tr == "Yazılım sürümü onaylı sürümle aynı (1.3.0)."


def test_without_a_baseline_firmware_is_skipped_and_does_not_worsen_overall(
    sandbox: Sandbox, peer: Peer
) -> None:
    d = sandbox.run(diagnose(peer.target()))
    firmware = result(d, Check.FIRMWARE)
    assert firmware.verdict is Verdict.SKIPPED
    assert firmware.message_tr == "Bu model için onaylı yazılım sürümü tanımlı değil."
    assert d.overall is Verdict.OK


def test_clock_shifted_90s_ahead_fails_with_the_drift_measured(sandbox: Sandbox, skewed_peer: Peer) -> None:
    # when
    d = sandbox.run(diagnose(skewed_peer.target()))
    # then
    clock = result(d, Check.CLOCK)
    assert clock.verdict is Verdict.FAIL
    assert clock.evidence["drift_s"] == pytest.approx(CLOCK_SHIFT_S, abs=2.5)
    assert re.fullmatch(
        r"Kamera saati sunucudan (8[89]|9[01]) sn ileri: kayıtların delil değeri için saat eşitlenmeli \(NTP\)\.",
        clock.message_tr,
    )
    assert result(d, Check.AUTH).verdict is Verdict.OK  # adjust_time signs with the device's clock
    assert d.overall is Verdict.FAIL


def test_a_clock_too_far_off_for_ws_security_is_named_when_the_password_is_refused(
    sandbox: Sandbox, far_clock_peer: Peer
) -> None:
    # ipycam hides its time behind the password and refuses tokens > 300 s off: adjust_time has
    # nothing to adjust with, so even the right password is refused. The HTTP Date header tells why.
    d = sandbox.run(diagnose(far_clock_peer.target()))
    auth = result(d, Check.AUTH)
    assert auth.verdict is Verdict.FAIL
    assert auth.message_tr.startswith(
        "Kullanıcı adı/parola kabul edilmedi. Cihazın HTTP saat başlığı sunucudan 10 dk ileri"
    )
    assert "saat farkı da reddedilme nedeni olabilir" in auth.message_tr
    assert auth.evidence["http_date_offset_s"] == pytest.approx(600, abs=2.5)


def test_a_wrong_password_on_a_clock_in_step_gets_no_clock_hint(sandbox: Sandbox, peer: Peer) -> None:
    d = sandbox.run(diagnose(peer.target(password="nope")))
    assert "http_date_offset_s" not in result(d, Check.AUTH).evidence


@pytest.mark.parametrize(
    ("server_offset_s", "verdict", "words"),
    [
        (0, Verdict.OK, "sunucuyla uyumlu"),
        (12, Verdict.WARNING, "geri"),  # our clock 12 s ahead = the camera is 12 s behind
        (-40, Verdict.FAIL, "ileri"),
    ],
)
def test_clock_thresholds_against_the_server_clock(
    sandbox: Sandbox, peer: Peer, server_offset_s: int, verdict: Verdict, words: str
) -> None:
    def server_now() -> datetime:
        return datetime.now(UTC) + timedelta(seconds=server_offset_s)

    d = sandbox.run(diagnose(peer.target(), now=server_now, thresholds=Thresholds()))
    clock = result(d, Check.CLOCK)
    assert clock.verdict is verdict
    assert words in clock.message_tr


# ---- reachability --------------------------------------------------------------------------------


def test_nothing_listening_fails_tcp_at_once_and_skips_the_rest(sandbox: Sandbox) -> None:
    # given
    port = sandbox.free_port()
    started = time.perf_counter()
    # when
    d = sandbox.run(diagnose(Target("127.0.0.1", port, "u", "p")))
    # then
    assert time.perf_counter() - started < 1.0
    tcp = result(d, Check.TCP)
    assert tcp.verdict is Verdict.FAIL
    assert tcp.evidence["error"] == "ConnectionRefusedError"
    assert "reddetti" in tcp.message_tr
    assert {r.verdict for r in d.results[1:]} == {Verdict.SKIPPED}
    assert all(r.evidence == {"blocked_by": "tcp"} for r in d.results[1:])
    assert d.overall is Verdict.FAIL


def test_a_silent_host_fails_tcp_after_the_connect_timeout(sandbox: Sandbox) -> None:
    # given: a listener whose accept queue is full drops further SYNs, like a firewalled host
    async def full_listener() -> tuple[socket.socket, socket.socket, int]:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler = socket.create_connection(listener.getsockname(), timeout=1)
        return listener, filler, listener.getsockname()[1]

    listener, filler, port = sandbox.run(full_listener())
    try:
        started = time.perf_counter()
        # when
        d = sandbox.run(
            diagnose(Target("127.0.0.1", port), limits=Limits(connect_timeout=0.5, allow_loopback=True))
        )
        elapsed = time.perf_counter() - started
    finally:
        filler.close()
        listener.close()
    # then
    tcp = result(d, Check.TCP)
    assert tcp.verdict is Verdict.FAIL
    assert tcp.evidence["error"] == "TimeoutError"
    assert "0,5 sn içinde bağlanılamadı" in tcp.message_tr
    assert 0.45 < elapsed < 1.5


def test_an_http_server_that_is_not_onvif_fails_the_onvif_check(sandbox: Sandbox) -> None:
    from aiohttp import web

    async def start() -> tuple[web.AppRunner, int]:
        runner = web.AppRunner(web.Application())  # every path: 404
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    runner, port = sandbox.run(start())
    try:
        d = sandbox.run(diagnose(Target("127.0.0.1", port, "u", "p")))
    finally:
        sandbox.run(runner.cleanup())
    onvif = result(d, Check.ONVIF)
    assert onvif.verdict is Verdict.FAIL
    assert "ONVIF hizmeti bulunamadı (HTTP 404)" in onvif.message_tr
    assert all(r.verdict is Verdict.SKIPPED for r in d.results[2:])


def test_a_device_that_never_answers_soap_fails_onvif_after_the_call_timeout(sandbox: Sandbox) -> None:
    writers: list[asyncio.StreamWriter] = []

    async def start() -> tuple[asyncio.Server, int]:
        async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            await reader.read(65536)  # and never answer

        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        return server, server.sockets[0].getsockname()[1]

    async def stop(server: asyncio.Server) -> None:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()

    server, port = sandbox.run(start())
    try:
        started = time.perf_counter()
        d = sandbox.run(
            diagnose(
                Target("127.0.0.1", port, "u", "p"), limits=Limits(call_timeout=0.5, allow_loopback=True)
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        sandbox.run(stop(server))
    onvif = result(d, Check.ONVIF)
    assert onvif.verdict is Verdict.FAIL
    assert onvif.message_tr == "Kamera GetSystemDateAndTime isteğine 0,5 sn içinde yanıt vermedi."
    assert onvif.evidence == {
        "error": "TimeoutError",
        "call": "GetSystemDateAndTime",
        "timeout_s": 0.5,
        "failure": "timeout",
        "message_en": "The device did not answer GetSystemDateAndTime within 0.5 s.",
    }
    assert elapsed < 3


# ---- a camera left without a password ------------------------------------------------------------


def test_a_camera_without_password_is_flagged_and_its_snapshot_is_open(
    sandbox: Sandbox, open_peer: Peer
) -> None:
    d = sandbox.run(diagnose(open_peer.target()))
    auth, snap = result(d, Check.AUTH), result(d, Check.SNAPSHOT)
    assert auth.verdict is Verdict.WARNING
    assert "kullanıcı adı/parola tanımlı değil" in auth.message_tr
    assert snap.verdict is Verdict.WARNING
    assert snap.evidence["auth_scheme"] == "none"
    assert "parola sorulmadan" in snap.message_tr
    assert result(d, Check.ONVIF).evidence["authless_time"] is True
    assert result(d, Check.CLOCK).evidence["source"] == "authless"
    assert d.overall is Verdict.WARNING


def test_credentials_given_to_a_camera_that_ignores_them_are_flagged(
    sandbox: Sandbox, open_peer: Peer
) -> None:
    d = sandbox.run(diagnose(open_peer.target(username="admin", password="whatever")))
    auth = result(d, Check.AUTH)
    assert auth.verdict is Verdict.WARNING
    assert auth.evidence["anonymous_access"] is True
    assert "parolasız isteklere de yanıt veriyor" in auth.message_tr


# ---- image health -------------------------------------------------------------------------------


def test_image_health_maps_the_assessment_verdict(sandbox: Sandbox, peer: Peer) -> None:
    # given
    seen: list[tuple[bytes, bytes]] = []

    def assess(reference: bytes, snapshot: bytes) -> Any:
        seen.append((reference, snapshot))
        return SimpleNamespace(
            verdict="warning",
            problems=["blurred"],
            metrics={"sharpness_ratio": 0.41},
            message_tr="Görüntü bulanık.",
        )

    # when
    d = sandbox.run(diagnose(peer.target(), reference_image=b"reference-bytes", assess_image=assess))
    # then
    health = result(d, Check.IMAGE_HEALTH)
    assert health.verdict is Verdict.WARNING
    assert health.message_tr == "Görüntü bulanık."
    assert health.evidence == {
        "verdict": "warning",
        "problems": ["blurred"],
        "metrics": {"sharpness_ratio": 0.41},
    }
    assert seen == [(b"reference-bytes", d.snapshot)]
    assert d.overall is Verdict.WARNING


def test_an_exception_in_one_check_fails_only_that_check(sandbox: Sandbox, peer: Peer) -> None:
    def assess(reference: bytes, snapshot: bytes) -> Any:
        raise RuntimeError("model file missing")

    d = sandbox.run(diagnose(peer.target(), reference_image=b"ref", assess_image=assess))
    health = result(d, Check.IMAGE_HEALTH)
    assert health.verdict is Verdict.FAIL
    assert health.evidence["error"] == "RuntimeError"
    assert health.evidence["failure"] == "unexpected"
    # a plain sentence for the technician; the exception's own text stays in the server log
    assert health.message_tr == "Beklenmeyen bir yazılım hatası oluştu; ayrıntı sunucu günlüğünde."
    assert "model file missing" not in json.dumps(health.to_json())
    assert result(d, Check.PTZ).verdict is Verdict.OK  # the checks after it still ran


def test_image_health_with_the_real_assessment_of_the_peers_own_snapshot(
    sandbox: Sandbox, peer: Peer, healthy: Diagnosis
) -> None:
    pytest.importorskip("backend.integrations.imaging.health", reason="imaging.health not written yet")
    assert healthy.snapshot is not None
    d = sandbox.run(diagnose(peer.target(), reference_image=healthy.snapshot))
    health = result(d, Check.IMAGE_HEALTH)
    assert health.verdict is Verdict.OK, health
    assert health.message_tr


# ---- many at once ---------------------------------------------------------------------------------


def test_many_concurrent_diagnoses_share_nothing(sandbox: Sandbox, peer: Peer) -> None:
    async def many() -> list[Diagnosis]:
        wrong = peer.target(password="wrong")
        targets = [peer.target() if i % 4 else wrong for i in range(20)]
        return await asyncio.gather(*(diagnose(t) for t in targets))

    results = sandbox.run(many())
    assert [d.overall for d in results] == [Verdict.OK if i % 4 else Verdict.FAIL for i in range(20)]
    assert len({d.snapshot for d in results if d.snapshot}) == 1


# ---- recorders ---------------------------------------------------------------------------------


def test_a_recorder_without_the_search_service_reports_retention_not_supported(
    sandbox: Sandbox, peer: Peer
) -> None:
    called: list[Any] = []

    async def retention(cam: Any, now: datetime) -> Any:
        called.append(cam)

    d = sandbox.run(diagnose(peer.target(is_recorder=True), recorder_retention=retention))
    assert [r.check for r in d.results] == list(RECORDER_CHECKS)
    for check in (Check.RETENTION, Check.RECORDING_ACTIVE):
        assert result(d, check).verdict is Verdict.NOT_SUPPORTED
        assert "Profile G" in result(d, check).message_tr
    assert called == []
    assert result(d, Check.FIRMWARE).message_tr == "Bu model için onaylı yazılım sürümü tanımlı değil."


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _recorder_run(retention: Any) -> Run:
    run = Run(
        Target("10.0.0.5", 80, "u", "p", is_recorder=True),
        approved_firmware=None,
        reference_image=None,
        now=lambda: NOW,
        limits=Limits(call_timeout=1.0),
        thresholds=Thresholds(),
        assess_image=None,
        recorder_retention=retention,
    )
    run.cam = SimpleNamespace(xaddrs={_soap.NS_SEARCH: "http://10.0.0.5/onvif/search"})
    return run


async def _recording_checks(retention: Any) -> tuple[CheckResult, CheckResult]:
    run = _recorder_run(retention)
    return (
        await run.step(Check.RETENTION),
        await run.step(Check.RECORDING_ACTIVE),
    )


def _summary(days: float | None, latest_ago: timedelta | None, advancing: bool | None = True) -> Any:
    latest = NOW - latest_ago if latest_ago is not None else None
    earliest = latest - timedelta(days=days) if latest and days is not None else None
    return SimpleNamespace(earliest=earliest, latest=latest, days=days, recordings=4, advancing=advancing)


async def test_retention_of_23_days_and_a_fresh_recording_are_ok() -> None:
    calls: list[datetime] = []

    async def retention(cam: Any, now: datetime) -> Any:
        calls.append(now)
        return _summary(23.4, timedelta(minutes=2))

    kept, active = await _recording_checks(retention)
    assert (kept.verdict, active.verdict) == (Verdict.OK, Verdict.OK)
    assert kept.message_tr == "Kayıtlar 23,4 günlük (Yönerge md. 9: en az 20 gün)."
    assert active.message_tr == "Kayıt sürüyor (son kayıt 2 dk önce)."
    assert kept.evidence["recordings"] == 4
    assert calls == [NOW]  # one search shared by both checks


async def test_retention_under_20_days_fails_citing_directive_9() -> None:
    async def retention(cam: Any, now: datetime) -> Any:
        return _summary(12.5, timedelta(minutes=1))

    kept, active = await _recording_checks(retention)
    assert kept.verdict is Verdict.FAIL
    assert kept.message_tr == "Kayıtlar yalnızca 12,5 günlük. Yönerge md. 9: en az 20 gün saklanmalı."
    assert active.verdict is Verdict.OK


async def test_a_latest_recording_3_hours_old_means_recording_is_not_advancing() -> None:
    async def retention(cam: Any, now: datetime) -> Any:
        return _summary(30, timedelta(hours=3))

    kept, active = await _recording_checks(retention)
    assert kept.verdict is Verdict.OK
    assert active.verdict is Verdict.FAIL
    assert active.message_tr == "Son kayıt 3 sa önce: kayıt ilerlemiyor."
    assert active.evidence["age_minutes"] == 180.0


async def test_a_recording_that_stopped_advancing_fails_even_when_recent() -> None:
    async def retention(cam: Any, now: datetime) -> Any:
        return _summary(30, timedelta(minutes=5), advancing=False)

    _, active = await _recording_checks(retention)
    assert active.verdict is Verdict.FAIL
    assert "kayıt ilerlemiyor" in active.message_tr


async def test_a_recorder_with_no_recordings_fails_both() -> None:
    async def retention(cam: Any, now: datetime) -> Any:
        return _summary(None, None, advancing=None)

    kept, active = await _recording_checks(retention)
    assert (kept.verdict, active.verdict) == (Verdict.FAIL, Verdict.FAIL)
    assert "Yönerge md. 9" in kept.message_tr


async def test_a_recorder_refusing_the_search_operation_is_not_supported() -> None:
    from lxml import etree
    from zeep.exceptions import Fault

    async def retention(cam: Any, now: datetime) -> Any:
        raise Fault(
            "Optional Action Not Implemented",
            code="env:Receiver",
            subcodes=[etree.QName("http://www.onvif.org/ver10/error", "ActionNotSupported")],
        )

    kept, active = await _recording_checks(retention)
    assert (kept.verdict, active.verdict) == (Verdict.NOT_SUPPORTED, Verdict.NOT_SUPPORTED)
    assert kept.evidence["subcodes"] == ["ActionNotSupported"]


async def test_one_stopped_channel_of_an_advancing_recorder_is_a_warning() -> None:
    channels = [
        SimpleNamespace(
            token=f"REC{i}", source=f"Kamera {i}", earliest=NOW - timedelta(days=25), latest=latest
        )
        for i, latest in enumerate([NOW - timedelta(minutes=1), NOW - timedelta(days=2), NOW], start=1)
    ]

    async def retention(cam: Any, now: datetime) -> Any:
        summary = _summary(25, timedelta(minutes=1))
        summary.per_recording = channels
        return summary

    kept, active = await _recording_checks(retention)
    assert kept.verdict is Verdict.OK
    assert active.verdict is Verdict.WARNING
    assert active.message_tr == "Kayıt sürüyor, ama 3 kanaldan 1 tanesinde kayıt ilerlemiyor: Kamera 2."
    assert active.evidence["stopped_channels"] == ["REC2"]
    assert [c["token"] for c in kept.evidence["channels"]] == ["REC1", "REC2", "REC3"]


async def test_the_default_recorder_retention_gets_our_limits_and_its_unsupported_is_mapped() -> None:
    from onvif.exceptions import ONVIFError

    class Camera:
        def __init__(self) -> None:
            self.xaddrs = {_soap.NS_SEARCH: "http://10.0.0.5/onvif/search"}

        async def create_search_service(self) -> Any:
            raise ONVIFError(
                "Device doesn`t support service: search with namespace http://www.onvif.org/ver10/search/wsdl"
            )

    run = _recorder_run(None)  # None: backend.integrations.onvif.recording.recorder_retention
    run.cam = Camera()
    kept = await run.step(Check.RETENTION)
    active = await run.step(Check.RECORDING_ACTIVE)
    assert (kept.verdict, active.verdict) == (Verdict.NOT_SUPPORTED, Verdict.NOT_SUPPORTED)
    assert kept.evidence["error"] == "RecordingServiceUnsupported"


async def test_recording_service_errors_are_told_apart() -> None:
    from backend.integrations.onvif.recording import RecordingServiceError

    async def refused(cam: Any, now: datetime) -> Any:
        raise RecordingServiceError(
            "SOAP fault Sender/NotAuthorized: denied", codes=("Sender", "NotAuthorized")
        )

    async def broken(cam: Any, now: datetime) -> Any:
        raise RecordingServiceError("invalid answer from the search service: truncated")

    kept, _ = await _recording_checks(refused)
    assert kept.verdict is Verdict.WARNING
    assert "okuma yetkisi yok" in kept.message_tr
    kept, _ = await _recording_checks(broken)
    assert kept.verdict is Verdict.FAIL
    assert kept.message_tr == "Kayıt bilgisi alınamadı: invalid answer from the search service: truncated"


async def test_a_hanging_recording_search_times_out_both_checks() -> None:
    async def retention(cam: Any, now: datetime) -> Any:
        await asyncio.sleep(10)

    started = time.perf_counter()
    kept, active = await _recording_checks(retention)
    assert time.perf_counter() - started < 3  # 2 × call_timeout, once
    assert (kept.verdict, active.verdict) == (Verdict.FAIL, Verdict.FAIL)
    assert kept.evidence["error"] == "TimeoutError"


# ---- pieces --------------------------------------------------------------------------------------


async def test_services_listed_with_a_wrong_password_are_not_taken_as_accepted_credentials() -> None:
    # given: a device that lists its services to anyone but refuses GetDeviceInformation
    from lxml import etree
    from zeep.exceptions import Fault

    class DeviceManagement:
        async def GetDeviceInformation(self) -> Any:  # noqa: N802 - the ONVIF operation name
            raise Fault(
                "Sender not Authorized",
                code="env:Sender",
                subcodes=[etree.QName("http://www.onvif.org/ver10/error", "NotAuthorized")],
            )

    class Camera:
        def __init__(self) -> None:
            self.xaddrs: dict[str, str] = {}

        async def update_xaddrs(self) -> None:
            self.xaddrs = {_soap.NS_MEDIA: "http://10.0.0.5/onvif/media"}

        async def create_devicemgmt_service(self) -> Any:
            return DeviceManagement()

    run = _recorder_run(None)
    run.cam = Camera()
    # when
    auth = await run.step(Check.AUTH)
    # then
    assert auth.verdict is Verdict.FAIL
    assert auth.message_tr == "Kullanıcı adı/parola kabul edilmedi."
    assert auth.evidence["services"] == ["media"]
    assert auth.evidence["subcodes"] == ["NotAuthorized"]


def test_clock_without_utc_time_is_a_warning_not_a_guess() -> None:
    run = _recorder_run(None)
    answer = {
        "DateTimeType": "Manual",
        "UTCDateTime": None,
        "LocalDateTime": {
            "Date": {"Year": 2026, "Month": 11, "Day": 22},
            "Time": {"Hour": 15, "Minute": 0, "Second": 0},
        },
    }
    verdict, message, evidence = judge_clock(run, answer, NOW, NOW, "authless")
    assert verdict is Verdict.WARNING
    assert "UTC saatini bildirmiyor" in message
    assert evidence["device_local_time"] == "2026-11-22T15:00:00"


def test_manual_clock_far_off_says_to_set_ntp() -> None:
    run = _recorder_run(None)
    answer = {
        "DateTimeType": "Manual",
        "UTCDateTime": {
            "Date": {"Year": 2026, "Month": 11, "Day": 22},
            "Time": {"Hour": 9, "Minute": 30, "Second": 0},
        },
    }
    verdict, message, evidence = judge_clock(run, answer, NOW, NOW, "authless")
    assert verdict is Verdict.FAIL
    assert message == (
        "Kayıt cihazının saati sunucudan 2 sa 30 dk geri: kayıtların delil değeri için saat eşitlenmeli (NTP). "
        "Saat elle ayarlanmış; cihaza NTP sunucusu tanımlanmalı."
    )
    assert evidence["drift_s"] == -9000.0


def test_auth_errors_are_recognised_however_the_device_says_it() -> None:
    from lxml import etree
    from zeep.exceptions import Fault, TransportError

    not_authorized = Fault(
        "Sender not Authorized",
        code="env:Sender",
        subcodes=[etree.QName("http://www.onvif.org/ver10/error", "NotAuthorized")],
    )
    assert _soap.is_auth_error(not_authorized)
    assert _soap.is_auth_error(Fault("Sender not authorized"))  # ipycam: no subcode, just the text
    assert _soap.is_auth_error(TransportError("Unauthorized", status_code=401))
    assert not _soap.is_auth_error(TransportError("Not found", status_code=404))
    assert not _soap.is_auth_error(Fault("Action not supported: GetNetworkInterfaces"))
    assert _soap.is_unsupported(Fault("Action not supported: GetNetworkInterfaces"))


def test_urls_and_error_texts_lose_their_credentials() -> None:
    assert (
        _soap.strip_credentials("rtsp://admin:s3cret@10.0.0.5:554/Streaming?user=admin&password=s3cret&ch=1")
        == "rtsp://10.0.0.5:554/Streaming?user=***&password=***&ch=1"
    )
    assert _soap.scrub("GET http://admin:s3cret@10.0.0.5/snap failed (s3cret)", ("s3cret",)) == (
        "GET http://10.0.0.5/snap failed (***)"
    )
    evidence = _soap.describe_error(RuntimeError("bad http://u:pw@host/x pw"), secrets=("pw",))
    assert "pw" not in json.dumps(evidence)


def test_overall_ignores_skipped_and_not_supported() -> None:
    def d(*verdicts: Verdict) -> Diagnosis:
        results = [CheckResult(Check.TCP, v, "", {}, 0) for v in verdicts]
        return Diagnosis(Target("h"), NOW, NOW, results)

    assert d(Verdict.OK, Verdict.SKIPPED, Verdict.NOT_SUPPORTED).overall is Verdict.OK
    assert d(Verdict.WARNING, Verdict.OK).overall is Verdict.WARNING
    assert d(Verdict.WARNING, Verdict.FAIL, Verdict.OK).overall is Verdict.FAIL
