"""WS-Discovery prober.

Unit: recorded ProbeMatches datagrams (ipycam's, captured across the veth pair below, and a
Hikvision-style one) and junk; the prober against a loopback responder.
Integration: ipycam (discovery on) in network namespace B, the prober in namespace A on a thread
that entered it with setns(2), a veth pair between them. Needs root and ``ip netns``.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from lxml import etree

from backend.integrations.onvif import discovery
from backend.integrations.onvif.discovery import Discovered, build_probe, parse_probe_matches, probe

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "onvif" / "discovery"
IPYCAM_RELATES_TO = "urn:uuid:dc7f7d0e-0165-4e09-a5bf-af2c47fda5ee"  # the Probe it answered
HIKVISION_RELATES_TO = "urn:uuid:6b2f0c9e-3d41-4e8a-9d0c-2f5b7a1e4c33"

T = TypeVar("T")


def datagram(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --------------------------------------------------------------------------- parsing


def test_ipycam_probe_match() -> None:
    (device,) = parse_probe_matches(
        datagram("ipycam_1.3.0_probe_match.xml"), "10.77.0.2", relates_to=IPYCAM_RELATES_TO
    )
    assert device.address == "10.77.0.2"
    assert device.xaddrs == ["http://10.77.0.2:8080/onvif/device_service"]
    assert device.endpoint == "urn:uuid:021021e5-e7cd-4d58-8f1b-5b47caecf4b5"
    assert device.types == ["dn:NetworkVideoTransmitter", "tds:Device"]
    # ipycam does not escape the space in its name scope: the pieces are joined back
    assert device.scopes == [
        "onvif://www.onvif.org/type/video_encoder",
        "onvif://www.onvif.org/Profile/Streaming",
        "onvif://www.onvif.org/name/Saha Test Cam",
    ]
    assert device.scope_values("name") == ["Saha Test Cam"]


def test_hikvision_probe_matches() -> None:
    (device,) = parse_probe_matches(
        datagram("hikvision_probe_matches.xml"), "192.168.1.64", relates_to=HIKVISION_RELATES_TO
    )
    assert device == Discovered(
        address="192.168.1.64",
        xaddrs=[
            "http://192.168.1.64/onvif/device_service",
            "http://[fe80::beba:c2ff:fe12:3456]/onvif/device_service",
        ],
        scopes=[
            "onvif://www.onvif.org/type/video_encoder",
            "onvif://www.onvif.org/Profile/Streaming",
            "onvif://www.onvif.org/MAC/bc:ba:c2:12:34:56",
            "onvif://www.onvif.org/Profile/G",
            "onvif://www.onvif.org/Profile/T",
            "onvif://www.onvif.org/hardware/DS-2CD2143G2-I",
            "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I",
            "onvif://www.onvif.org/location/city/hangzhou",
        ],
        endpoint="urn:uuid:4441534b-3243-3231-3433-bcbac2123456",
        types=["dn:NetworkVideoTransmitter", "tds:Device"],
    )
    assert device.scope_values("name") == ["HIKVISION DS-2CD2143G2-I"]
    assert device.scope_values("hardware") == ["DS-2CD2143G2-I"]
    assert device.scope_values("Profile") == ["Streaming", "G", "T"]


def test_answers_to_another_probe_are_ignored() -> None:
    assert parse_probe_matches(datagram("hikvision_probe_matches.xml"), relates_to=IPYCAM_RELATES_TO) == []
    # without a RelatesTo to check, the datagram is taken as it is
    assert len(parse_probe_matches(datagram("hikvision_probe_matches.xml"))) == 1


HELLO = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    b'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header>'
    b"<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action></s:Header><s:Body>"
    b"<d:Hello><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>"
    b"<d:XAddrs>http://10.0.0.9/onvif/device_service</d:XAddrs></d:Hello></s:Body></s:Envelope>"
)


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"\x00\x01\x02\xff",
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n",  # SSDP on the wrong port
        datagram("hikvision_probe_matches.xml")[:700],  # truncated
        b"<ProbeMatches><ProbeMatch><XAddrs>http://1.2.3.4/</XAddrs></ProbeMatch></ProbeMatches>",  # no SOAP
        build_probe("urn:uuid:x"),  # another client's Probe
        HELLO,  # an announcement is not an answer
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<d:ProbeMatches xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><d:ProbeMatch>'
        b"<d:XAddrs>&x;</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>",
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>"
        + b" " * 70_000
        + b"</s:Body>",
    ],
)
def test_malformed_datagrams_are_ignored(junk: bytes) -> None:
    assert parse_probe_matches(junk, "10.0.0.1") == []


def test_build_probe() -> None:
    root = etree.fromstring(build_probe("urn:uuid:abc", "dn:NetworkVideoTransmitter tds:Device"))
    ns = {
        "s": "http://www.w3.org/2003/05/soap-envelope",
        "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
        "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    }
    assert root.findtext("s:Header/a:MessageID", namespaces=ns) == "urn:uuid:abc"
    assert root.findtext("s:Header/a:Action", namespaces=ns).endswith("/discovery/Probe")
    assert root.findtext("s:Header/a:To", namespaces=ns) == "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
    types = root.find("s:Body/d:Probe/d:Types", namespaces=ns)
    assert types.text == "dn:NetworkVideoTransmitter tds:Device"
    assert types.nsmap["dn"] == "http://www.onvif.org/ver10/network/wsdl"
    # no Types: every target service answers
    assert root.find("s:Body/d:Probe", namespaces=ns) is not None
    empty = etree.fromstring(build_probe("urn:uuid:abc", ""))
    assert empty.find("s:Body/d:Probe/d:Types", namespaces=ns) is None
    for bad in ("foo:Bar", "dn:<x/>", "dn:Network&amp;"):
        with pytest.raises(ValueError, match="unsupported probe type"):
            build_probe("urn:uuid:abc", bad)


# --------------------------------------------------------------------------- prober on loopback


def _match_for(
    probe_datagram: bytes, relates_to: str | None = None, endpoint: str = "urn:uuid:cam-1"
) -> bytes:
    message_id = re.search(rb"MessageID>([^<]+)<", probe_datagram)
    assert message_id is not None
    text = datagram("hikvision_probe_matches.xml").replace(
        HIKVISION_RELATES_TO.encode(), relates_to.encode() if relates_to else message_id.group(1)
    )
    return text.replace(b"urn:uuid:4441534b-3243-3231-3433-bcbac2123456", endpoint.encode())


class Responder(asyncio.DatagramProtocol):
    """Answers every Probe with: junk, an answer to another probe, the real answer twice, and a
    second device."""

    def __init__(self) -> None:
        self.probes: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.probes.append(data)
        assert self.transport is not None
        self.transport.sendto(b"\x00garbage", addr)
        self.transport.sendto(
            _match_for(data, relates_to="urn:uuid:someone-else", endpoint="urn:uuid:x"), addr
        )
        self.transport.sendto(_match_for(data), addr)
        self.transport.sendto(_match_for(data), addr)
        self.transport.sendto(_match_for(data, endpoint="urn:uuid:cam-2"), addr)


async def test_probe_collects_deduplicates_and_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    transport, responder = await loop.create_datagram_endpoint(Responder, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    monkeypatch.setattr(discovery, "MULTICAST_ADDRESS", "127.0.0.1")
    monkeypatch.setattr(discovery, "MULTICAST_PORT", port)
    try:
        started = time.monotonic()
        found = await probe(interface_ip="127.0.0.1", timeout=1.0, retries=2)
        elapsed = time.monotonic() - started
    finally:
        transport.close()
    assert [d.endpoint for d in found] == ["urn:uuid:cam-1", "urn:uuid:cam-2"]
    assert {d.address for d in found} == {"127.0.0.1"}
    # three sends of the same message (SOAP-over-UDP repeats keep the MessageID)
    assert len(responder.probes) == 3
    assert len(set(responder.probes)) == 1
    assert 0.95 <= elapsed < 3.0


async def test_probe_argument_checks() -> None:
    with pytest.raises(ValueError, match="must be an IPv4 address"):
        await probe(interface_ip="not-an-ip", timeout=0.1)
    with pytest.raises(ValueError, match="timeout"):
        await probe(timeout=0)
    with pytest.raises(ValueError, match="unsupported probe type"):
        await probe(types="evil:Type", timeout=0.1)


# --------------------------------------------------------------------------- veth pair, two namespaces

CLONE_NEWNET = 0x40000000
CAMERA_SCRIPT = """
import sys
from ipycam import CameraConfig, IPCamera

camera = IPCamera(CameraConfig(local_ip="10.77.0.2", name="Saha Veth Cam", show_timestamp=False))
if not camera.start():
    sys.exit("ipycam did not start")
print("READY", flush=True)
sys.stdin.read()  # runs until the test closes stdin
camera.stop()
"""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=10)


def run_in_netns(namespace: str, make: Callable[[], Awaitable[T]], timeout: float = 15.0) -> T:
    """Run ``make()`` on its own event loop in a thread that joined ``namespace`` (setns(2)
    changes the calling thread only; the rest of the test process stays where it was)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/run/netns/{namespace}", os.O_RDONLY | os.O_CLOEXEC)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    errno = ctypes.get_errno()
                    raise OSError(errno, f"setns({namespace}): {os.strerror(errno)}")
            finally:
                os.close(fd)
            outcome["value"] = asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, name=f"netns-{namespace}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"nothing returned from namespace {namespace} within {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


@pytest.fixture
def veth_pair() -> Iterator[tuple[str, str]]:
    """Namespaces A (10.77.0.1/24) and B (10.77.0.2/24) joined by a veth pair; deleted after."""
    if not sys.platform.startswith("linux"):
        pytest.skip("network namespaces are Linux-only")
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    if shutil.which("ip") is None:
        pytest.skip("iproute2 'ip' is not installed")
    tag = os.getpid()
    ns_a, ns_b = f"saha-wsd-a-{tag}", f"saha-wsd-b-{tag}"
    veth_a, veth_b = f"swa{tag}"[:15], f"swb{tag}"[:15]
    created: list[str] = []
    try:
        try:
            for namespace in (ns_a, ns_b):
                _ip("netns", "add", namespace)
                created.append(namespace)
            _ip("link", "add", veth_a, "netns", ns_a, "type", "veth", "peer", "name", veth_b, "netns", ns_b)
            for namespace, device, address in (
                (ns_a, veth_a, "10.77.0.1/24"),
                (ns_b, veth_b, "10.77.0.2/24"),
            ):
                _ip("-n", namespace, "addr", "add", address, "dev", device)
                _ip("-n", namespace, "link", "set", "lo", "up")
                _ip("-n", namespace, "link", "set", device, "up")
                _ip("-n", namespace, "route", "add", "224.0.0.0/4", "dev", device)
        except subprocess.CalledProcessError as exc:
            pytest.skip(f"cannot build a veth pair in network namespaces: {' '.join(exc.cmd)}: {exc.stderr}")
        yield ns_a, ns_b
    finally:
        for namespace in created:  # the veth pair goes with its namespaces
            subprocess.run(["ip", "netns", "delete", namespace], check=False, capture_output=True, timeout=10)


@pytest.fixture
def ipycam_in_b(veth_pair: tuple[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    _, ns_b = veth_pair
    log_path = tmp_path / "ipycam.log"
    with log_path.open("w") as log:
        camera = subprocess.Popen(
            ["ip", "netns", "exec", ns_b, sys.executable, "-c", CAMERA_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=tmp_path,
        )
    try:
        assert camera.stdout is not None
        deadline = time.monotonic() + 15
        line = ""
        while time.monotonic() < deadline and camera.poll() is None:
            ready, _, _ = select.select([camera.stdout], [], [], 0.2)
            if ready:
                line = camera.stdout.readline()
                break
        if line.strip() != "READY":
            pytest.fail(f"ipycam did not start in {ns_b}:\n{log_path.read_text()}")
        yield camera
    finally:
        if camera.stdin is not None:
            camera.stdin.close()
        try:
            camera.wait(timeout=5)
        except subprocess.TimeoutExpired:
            camera.kill()
            camera.wait(timeout=5)
        if camera.stdout is not None:
            camera.stdout.close()


def test_ipycam_is_discovered_across_a_veth_pair(
    veth_pair: tuple[str, str], ipycam_in_b: subprocess.Popen[str]
) -> None:
    ns_a, _ = veth_pair
    started = time.monotonic()
    found = run_in_netns(ns_a, lambda: probe(interface_ip="10.77.0.1", timeout=1.5))
    elapsed = time.monotonic() - started

    assert len(found) == 1, found  # three Probes, three answers, one camera
    (camera,) = found
    assert camera.address == "10.77.0.2"
    assert camera.xaddrs == ["http://10.77.0.2:8080/onvif/device_service"]
    assert "dn:NetworkVideoTransmitter" in camera.types
    assert camera.endpoint is not None
    assert camera.endpoint.startswith("urn:uuid:")
    assert camera.scope_values("name") == ["Saha Veth Cam"]
    assert elapsed < 5


def test_probe_without_a_route_raises(veth_pair: tuple[str, str]) -> None:
    ns_a, _ = veth_pair
    _ip("-n", ns_a, "route", "del", "224.0.0.0/4")  # no multicast route, no default route
    with pytest.raises(OSError, match="unreachable"):
        run_in_netns(ns_a, lambda: probe(timeout=0.3))
