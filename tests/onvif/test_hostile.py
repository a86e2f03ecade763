"""diagnose() against a hostile ONVIF device (hostile.py): redirects, endless and huge answers,
broken and entity-laden XML, slow answers, failing service discovery, malformed identity, and the
addresses the client must never connect to."""

from __future__ import annotations

import gc
import json
import socket
import ssl
import time
import tracemalloc
from typing import Any

import pytest

from backend.integrations.onvif import _failures
from backend.integrations.onvif.diagnose import (
    Check,
    CheckResult,
    Diagnosis,
    Limits,
    Target,
    Verdict,
    diagnose,
)
from backend.integrations.onvif.record import build_record_args

from .hostile import Canary, HostileDevice

ATTACKED = "GetDeviceInformation"  # the authenticated call that proves the credentials


async def against(device: HostileDevice, **limits: Any) -> tuple[Diagnosis, float]:
    port = await device.start()
    try:
        started = time.perf_counter()
        d = await diagnose(Target("127.0.0.1", port, "u", "p"), limits=Limits(allow_loopback=True, **limits))
        return d, time.perf_counter() - started
    finally:
        await device.stop()


def result(d: Diagnosis, check: Check) -> CheckResult:
    found = d.result(check)
    assert found is not None
    return found


def failures(d: Diagnosis) -> dict[str, str]:
    return {r.check.value: r.evidence["failure"] for r in d.results if "failure" in r.evidence}


def assert_plain(d: Diagnosis) -> None:
    """No Python internals or raw device bytes in what a person reads."""
    for r in d.results:
        for text in (r.message_tr, str(r.evidence.get("message_en", ""))):
            for internal in ("Error", "Traceback", "b'", "Content:", "<s:"):
                assert internal not in text, text


async def test_the_honest_hostile_device_is_ok_so_every_verdict_below_is_the_attacks() -> None:
    d, _ = await against(HostileDevice())
    assert d.overall is Verdict.OK
    assert d.device["make"] == "Hostile"
    assert result(d, Check.PROFILES).verdict is Verdict.OK


# ---- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["GetSystemDateAndTime", "GetServices", ATTACKED, "GetProfiles"])
async def test_a_redirect_is_refused_and_never_followed(operation: str) -> None:
    canary = Canary()
    elsewhere = await canary.start()
    try:
        d, _ = await against(HostileDevice(attacks={operation: "redirect"}, redirect_to=elsewhere))
    finally:
        await canary.stop()
    assert canary.hits == 0  # the (authenticated) envelope never went to the other listener
    assert "redirect_refused" in failures(d).values() or (
        # GetServices redirected: the client falls back to GetCapabilities and carries on
        operation == "GetServices"
        and result(d, Check.AUTH).evidence["services_error"]["failure"] == "redirect_refused"
    )
    assert_plain(d)


async def test_a_redirected_probe_says_redirect_refused() -> None:
    canary = Canary()
    elsewhere = await canary.start()
    try:
        d, _ = await against(
            HostileDevice(attacks={"GetSystemDateAndTime": "redirect"}, redirect_to=elsewhere)
        )
    finally:
        await canary.stop()
    onvif = result(d, Check.ONVIF)
    assert onvif.verdict is Verdict.FAIL
    assert onvif.evidence["failure"] == "redirect_refused"
    assert "yönlendirme izlenmedi" in onvif.message_tr
    assert canary.hits == 0


# ---- size ---------------------------------------------------------------------------------------


async def test_an_endless_answer_is_cut_at_the_cap() -> None:
    device = HostileDevice(attacks={ATTACKED: "endless"})
    d, _ = await against(device, max_response_bytes=256 * 1024)
    auth = result(d, Check.AUTH)
    assert auth.verdict is Verdict.FAIL
    assert auth.evidence["failure"] == "answer_too_large"
    assert "sınırını aştı" in auth.message_tr
    assert "parola kabul edilmedi" not in auth.message_tr
    assert d.device == {}


async def test_an_endless_probe_answer_is_cut_at_the_cap() -> None:
    d, _ = await against(
        HostileDevice(attacks={"GetSystemDateAndTime": "endless"}), max_response_bytes=64 * 1024
    )
    assert result(d, Check.ONVIF).evidence["failure"] == "answer_too_large"


async def test_a_huge_answer_keeps_memory_bounded() -> None:
    await against(HostileDevice())  # parse the WSDLs before measuring
    huge = 256 * 1024 * 1024
    device = HostileDevice(attacks={ATTACKED: "huge"}, huge_bytes=huge)
    gc.collect()
    tracemalloc.start()
    try:
        d, _ = await against(device, max_response_bytes=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result(d, Check.AUTH).evidence["failure"] == "answer_too_large"
    assert peak < 48 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for a {huge / 2**20:.0f} MiB answer"
    assert device.sent_bytes < huge // 4  # the client stopped reading; the device did not get it all out


# ---- XML ------------------------------------------------------------------------------------------


async def test_a_truncated_device_information_is_bad_xml_and_never_reaches_the_inventory() -> None:
    d, _ = await against(HostileDevice(attacks={ATTACKED: "truncated"}))
    auth = result(d, Check.AUTH)
    assert (auth.verdict, auth.evidence["failure"]) == (Verdict.FAIL, "bad_xml")
    assert "bozuk ya da yarım kalmış" in auth.message_tr
    assert d.device == {}
    assert result(d, Check.DEVICE_INFO).verdict is Verdict.SKIPPED
    assert d.overall is Verdict.FAIL
    assert_plain(d)


@pytest.mark.parametrize("operation", [ATTACKED, "GetSystemDateAndTime"])
async def test_entity_declarations_are_refused_unexpanded(operation: str) -> None:
    d, _ = await against(HostileDevice(attacks={operation: "entities"}))
    refused = [r for r in d.results if r.evidence.get("failure") == "bad_xml"]
    assert refused, failures(d)
    assert refused[0].evidence["reason"] == "dtd"
    assert "DTD" in refused[0].message_tr
    assert "lollol" not in json.dumps(d.to_json())
    assert d.device == {}
    assert d.overall is Verdict.FAIL


# ---- time ---------------------------------------------------------------------------------------


async def test_a_slow_device_ends_at_the_deadline_and_says_which_checks_were_not_reached() -> None:
    # every answer takes 0.6 s: each call alone is within its 1 s limit, the whole is not
    device = HostileDevice(attacks={"*": "delay"}, delay=0.6)
    d, elapsed = await against(device, call_timeout=1.0, deadline=2.0)
    honest_calls = 9  # what the honest device is asked (see the test above)
    assert elapsed < honest_calls * 0.6
    cut = [r for r in d.results if r.evidence.get("failure") == "deadline"]
    assert len(cut) == 1
    assert cut[0].verdict is Verdict.FAIL
    assert "toplam süre" in cut[0].message_tr
    not_reached = [r for r in d.results if r.evidence.get("blocked_by") == "deadline"]
    assert not_reached
    assert all(r.verdict is Verdict.SKIPPED and "not reached: deadline" in r.message_tr for r in not_reached)
    assert d.overall is Verdict.FAIL


async def test_one_slow_call_is_a_timeout_not_a_wrong_password() -> None:
    d, _ = await against(HostileDevice(attacks={ATTACKED: "delay"}, delay=3.0), call_timeout=0.5)
    auth = result(d, Check.AUTH)
    assert auth.evidence["failure"] == "timeout"
    assert "parola" not in auth.message_tr.split(".")[-2]  # the reason given is the timeout


# ---- service discovery ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["empty", "drop"])
async def test_a_failed_get_services_falls_back_to_get_capabilities(mode: str) -> None:
    device = HostileDevice(attacks={"GetServices": mode})
    d, _ = await against(device)
    auth = result(d, Check.AUTH)
    assert auth.evidence["services_source"] == "capabilities"
    assert (
        auth.evidence["services_error"]["failure"]
        == {"empty": "empty_answer", "drop": "connection_lost"}[mode]
    )
    assert "GetCapabilities" in device.seen
    assert result(d, Check.PROFILES).verdict is Verdict.OK
    assert result(d, Check.STREAM_URI).verdict is Verdict.OK


@pytest.mark.parametrize("mode", ["empty", "drop"])
async def test_get_services_and_get_capabilities_both_failing_is_a_fail_never_ok(mode: str) -> None:
    d, _ = await against(HostileDevice(attacks={"GetServices": mode, "GetCapabilities": mode}))
    profiles = result(d, Check.PROFILES)
    assert profiles.verdict is Verdict.FAIL
    assert "hizmet listesi alınamadı" in profiles.message_tr
    assert result(d, Check.STREAM_URI).verdict is Verdict.SKIPPED
    assert result(d, Check.PTZ).verdict is Verdict.SKIPPED
    assert d.overall is Verdict.FAIL


# ---- identity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identity",
    [
        {"Manufacturer": "Hostile", "Model": "M" * 5000, "FirmwareVersion": "1", "SerialNumber": "1"},
        {"Manufacturer": "Evil\u009b31m", "Model": "HX-1", "FirmwareVersion": "1", "SerialNumber": "1"},
        {
            "Manufacturer": "Hostile",
            "Model": "Tab\there",
            "FirmwareVersion": "1",
            "SerialNumber": "\u202egnp",
        },
        {"Manufacturer": "Hostile", "SerialNumber": "1"},  # Model and FirmwareVersion missing
    ],
    ids=["oversized", "c1-control", "tab-and-bidi", "missing"],
)
async def test_malformed_identity_is_a_failed_check_and_is_not_written(identity: dict[str, str]) -> None:
    d, _ = await against(HostileDevice(identity=identity))
    info = result(d, Check.DEVICE_INFO)
    assert info.verdict is Verdict.FAIL
    assert info.evidence["failure"] == "bad_identity"
    assert "envantere yazılmadı" in info.message_tr
    assert d.device == {}
    args = build_record_args(d.to_json(), diagnosis_id="d", device_id="x", snapshot_sha256=None)
    assert args["device"] == {}
    assert d.overall is Verdict.FAIL


def test_record_args_drop_malformed_identity_whoever_made_the_report() -> None:
    report = {
        "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:00:01+00:00",
        "results": [],
        "device": {"make": "Axis", "model": "x" * 500, "serial": "S\x1b[2J", "firmware": "5.1", "other": "y"},
    }
    args = build_record_args(report, diagnosis_id="d", device_id="x", snapshot_sha256=None)
    assert args["device"] == {"make": "Axis", "firmware": "5.1"}


# ---- what the authentication step reports --------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kind", "words"),
    [
        ("refuse", "credentials_refused", "Kullanıcı adı/parola kabul edilmedi"),
        ("drop", "connection_lost", "bağlantıyı yanıt vermeden kapattı"),
        ("truncated", "bad_xml", "geçerli bir XML/SOAP belgesi değil"),
        ("endless", "answer_too_large", "sınırını aştı"),
        ("redirect", "redirect_refused", "yönlendirme izlenmedi"),
        ("empty", "empty_answer", "boş yanıt"),
    ],
)
async def test_each_authentication_failure_says_what_really_happened(
    mode: str, kind: str, words: str
) -> None:
    d, _ = await against(HostileDevice(attacks={ATTACKED: mode}), max_response_bytes=128 * 1024)
    auth = result(d, Check.AUTH)
    assert auth.verdict is Verdict.FAIL
    assert auth.evidence["failure"] == kind
    assert words in auth.message_tr
    assert auth.evidence["message_en"]
    if kind != "credentials_refused":
        assert "parola kabul edilmedi" not in auth.message_tr
        assert "parola sorunu değil" in auth.message_tr
        assert "Kimlik doğrulama adımı tamamlanamadığı" in result(d, Check.NETWORK).message_tr
    assert_plain(d)


# ---- where the client may connect ---------------------------------------------------------------


async def test_loopback_is_refused_unless_allowed_and_nothing_is_contacted() -> None:
    device = HostileDevice()
    port = await device.start()
    try:
        d = await diagnose(Target("127.0.0.1", port, "u", "p"))  # default limits: no loopback
    finally:
        await device.stop()
    tcp = result(d, Check.TCP)
    assert (tcp.verdict, tcp.evidence["failure"], tcp.evidence["range"]) == (
        Verdict.FAIL,
        "address_refused",
        "loopback",
    )
    assert "127.0.0.1" in tcp.message_tr
    assert device.seen == []
    assert all(r.verdict is Verdict.SKIPPED for r in d.results[1:])


@pytest.mark.parametrize(
    ("host", "allow_loopback", "range_name"),
    [
        ("169.254.169.254", True, "link-local"),  # the cloud metadata service
        ("224.0.0.1", True, "multicast"),
        ("0.0.0.0", True, "unspecified"),  # noqa: S104 - the address under test
        ("::ffff:127.0.0.1", False, "loopback"),
        ("localhost", False, "loopback"),  # a name is resolved and every address checked
    ],
)
async def test_refused_ranges_are_never_connected_to(
    host: str, allow_loopback: bool, range_name: str
) -> None:
    d = await diagnose(Target(host, 80, "u", "p"), limits=Limits(allow_loopback=allow_loopback))
    tcp = result(d, Check.TCP)
    assert tcp.evidence["failure"] == "address_refused"
    assert tcp.evidence["range"] == range_name
    assert result(d, Check.ONVIF).message_tr == "Adres reddedildiği için denenmedi."


# ---- the classifier ------------------------------------------------------------------------------


def test_the_classifier_names_each_kind_without_internals() -> None:
    from zeep.exceptions import TransportError

    cases: list[tuple[BaseException, str]] = [
        (ssl.SSLCertVerificationError("certificate verify failed"), "tls"),
        (ConnectionRefusedError(111, "Connection refused"), "connection_refused"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (TimeoutError(), "timeout"),
        (
            TransportError(
                "Server returned response (200) with invalid XML: x.\nContent: b'\\x00\\x01'", 200
            ),
            "bad_xml",
        ),
        (TransportError("Server returned HTTP status 500 (no content available)", 500), "http_error"),
        (KeyError("Model"), "unexpected"),
    ]
    for exc, kind in cases:
        failure = _failures.classify(exc, what="GetDeviceInformation")
        assert failure.kind.value == kind, (exc, failure)
        for text in (failure.message_tr, failure.message_en):
            for internal in (type(exc).__name__, "\\x00", "Content"):
                assert internal not in text, text
            assert text.startswith("GetDeviceInformation: ")


def test_device_text_is_made_printable() -> None:
    assert _failures.printable("a\x1b[31mb\u202ec\td\n" + "x" * 500, 20) == "a [31mbc d xxxxxxxx…"
