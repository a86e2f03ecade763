"""Simulated ONVIF cameras for benchmarks: one real ipycam recorded once, replayed as many devices.

Two halves.

In the benchmark process:

* :func:`start_ipycam` starts a real ipycam 1.3.0 peer with ``tests/onvif/_ipycam_peer.py``, as
  the tests do, and fails loudly if it does not come up;
* :class:`RecordingProxy` sits in front of it while the caller runs real diagnoses through the
  proxy, and records what the camera answered: per SOAP operation the status, body and headers
  (its own address in the body replaced by placeholders), its answer to a refused WS-Security
  token, to an operation it does not implement, and the snapshot (the Basic challenge, then the
  JPEG). :meth:`RecordingProxy.recording` returns it as JSON-able data;
* :class:`Simulator` starts the replay server as a subprocess (its CPU is its own), resets its
  latency generators and reads its counters.

``python bench/onvif_sim.py RECORDING.json DEVICES.json`` is the replay server: one asyncio
aiohttp process listening on every online device's own loopback address (all of 127/8 is local
on Linux), answering each request from the recording — with the device's address in the service
and stream URLs, its serial number and firmware, its clock (shifted for some devices) in
``GetSystemDateAndTime`` and the HTTP ``Date`` header — after a per-request latency from a seeded
generator per device (reset between runs, so every run meets the same latencies). Credentials are
checked as ipycam checks them (WS-Security UsernameToken digest within 300 s of the device clock;
Basic for the snapshot), so a device configured with another password answers exactly what ipycam
answers to a wrong password. The connection is closed after each answer when ipycam did that.
Offline devices: ``silent`` listens with a full accept queue, so SYNs are dropped and the client
times out (a switched-off camera); ``closed`` has nothing listening (connection refused).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import email.utils
import hashlib
import hmac
import json
import os
import random
import re
import resource
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
PEER_SCRIPT = ROOT / "tests" / "onvif" / "_ipycam_peer.py"
CLONE_NEWNET = 0x40000000
ADDR, HOST = "{{ADDR}}", "{{HOST}}"
WSU_MAX_SKEW_S = 300  # ipycam.onvif.WSU_MAX_SKEW_SECONDS
_KEEP_HEADERS = ("Content-Type", "WWW-Authenticate", "Server", "Cache-Control", "Pragma", "Expires")
_SOAP_OP = re.compile(r"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?(\w+)", re.S)
_CLOCK_FIELDS = ("Year", "Month", "Day", "Hour", "Minute", "Second")
_CLOCK_RE = {name: re.compile(rf"(<(?:[\w.-]+:)?{name}>)[^<]*(</)") for name in _CLOCK_FIELDS}
_UTC_BLOCK = re.compile(r"<(?:[\w.-]+:)?UTCDateTime>.*?</(?:[\w.-]+:)?UTCDateTime>", re.S)


def soap_operation(text: str) -> str:
    """The first element inside the SOAP Body: the operation asked for ("" if none)."""
    found = _SOAP_OP.search(text)
    return found.group(1) if found else ""


def set_element(text: str, name: str, value: str) -> str:
    return re.sub(rf"(<(?:[\w.-]+:)?{name}>)[^<]*(</)", rf"\g<1>{value}\g<2>", text)


def set_clock(text: str, when: datetime) -> str:
    """Put ``when`` into the UTCDateTime of a GetSystemDateAndTime answer."""
    values = (when.year, when.month, when.day, when.hour, when.minute, when.second)

    def fill(block: re.Match[str]) -> str:
        out = block.group(0)
        for name, value in zip(_CLOCK_FIELDS, values, strict=True):
            out = _CLOCK_RE[name].sub(rf"\g<1>{value}\g<2>", out)
        return out

    return _UTC_BLOCK.sub(fill, text)


# ---- WS-Security, as ipycam 1.3.0 checks it -----------------------------------------------------------


def _ws(text: str, tag: str) -> str | None:
    found = re.search(rf"<(?:\w+:)?{tag}\b[^>]*>([^<]*)</(?:\w+:)?{tag}>", text)
    return found.group(1) if found else None


def password_digest(nonce_b64: str, created: str, password: str) -> str:
    nonce = base64.b64decode(nonce_b64)
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()  # noqa: S324 - WS-Security digest is SHA-1


def verify_token(text: str, username: str, password: str, device_now: float) -> bool:
    """ipycam's ``verify_ws_username_token``, with the freshness window on the device's clock."""
    if not (username or password):
        return True
    user, given = _ws(text, "Username"), _ws(text, "Password")
    if user is None or given is None:
        return False
    kind = re.search(r'<(?:\w+:)?Password\b[^>]*\bType="([^"]*)"', text)
    if kind and "PasswordText" in kind.group(1):
        return hmac.compare_digest(user, username) and hmac.compare_digest(given, password)
    nonce, created = _ws(text, "Nonce"), _ws(text, "Created")
    if nonce is None or created is None:
        return False
    try:
        stamp = datetime.fromisoformat(created.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        if abs(device_now - stamp.timestamp()) > WSU_MAX_SKEW_S:
            return False
    except ValueError:
        pass  # ipycam skips the freshness check for an unparsable timestamp
    try:
        expected = password_digest(nonce, created, password)
    except ValueError:
        return False
    return hmac.compare_digest(user, username) and hmac.compare_digest(expected, given)


def username_token(username: str, password: str) -> str:
    """A WS-Security header with a PasswordDigest token (for the unknown-operation probe)."""
    nonce = secrets.token_bytes(16)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    digest = password_digest(base64.b64encode(nonce).decode(), created, password)
    wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    profile = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    return (
        f'<wsse:Security xmlns:wsse="{wsse}" xmlns:wsu="{wsu}"><wsse:UsernameToken>'
        f"<wsse:Username>{username}</wsse:Username>"
        f'<wsse:Password Type="{profile}#PasswordDigest">{digest}</wsse:Password>'
        f'<wsse:Nonce EncodingType="{wsse[:-36]}soap-message-security-1.0#Base64Binary">'
        f"{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )


# ---- network namespace and the real peer ------------------------------------------------------------


def create_netns() -> tuple[str | None, str]:
    """(name, "") for a new private network namespace with lo up, else (None, why not)."""
    if os.environ.get("SAHA_ONVIF_NETNS") == "0":
        return None, "SAHA_ONVIF_NETNS=0"
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return None, "not root on Linux"
    name = f"saha-bench-{secrets.token_hex(4)}"
    made = subprocess.run(  # noqa: S603 - fixed command, generated name
        ["ip", "netns", "add", name],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        return None, f"ip netns add failed: {made.stderr.strip()}"
    up = subprocess.run(  # noqa: S603 - fixed command, generated name
        ["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if up.returncode != 0:
        delete_netns(name)
        return None, f"lo up failed: {up.stderr.strip()}"
    return name, ""


def enter_netns(name: str) -> None:
    """Move the calling thread into the namespace; threads and processes it starts later follow."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({name}): {os.strerror(err)}")
    finally:
        os.close(fd)


def delete_netns(name: str) -> None:
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)  # noqa: S603, S607


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM the process group, SIGKILL it after 5 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    if process.stdout is not None:
        process.stdout.close()


def _wait_ready(process: subprocess.Popen[str], seconds: float, log: Path, what: str) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and process.poll() is None:
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.startswith("READY"):
                    return line.strip()
    stop_process(process)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start (exit code {process.returncode}):\n{tail}")


def start_ipycam(
    processes: list[subprocess.Popen[Any]],
    *,
    host: str,
    port: int,
    username: str,
    password: str,
    discovery: bool,
    log: Path,
) -> None:
    """A real ipycam camera, as ``tests/onvif/conftest.py`` starts it; raises if it does not come up."""
    command = [
        sys.executable,
        str(PEER_SCRIPT),
        "--bind",
        host,
        "--port",
        str(port),
        "--rtsp-port",
        str(free_port(host)),
        "--username",
        username,
        "--password",
        password,
    ]
    if not discovery:
        command.append("--no-discovery")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENCV_LOG_LEVEL": "ERROR"}
    with log.open("w") as err:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            command, stdout=subprocess.PIPE, stderr=err, text=True, env=env, start_new_session=True
        )
    processes.append(process)
    _wait_ready(process, 30, log, f"ipycam peer ({' '.join(command)})")


# ---- recording ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    close: bool  # the device closed the connection after it (ipycam speaks HTTP/1.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": self.headers,
            "body_b64": base64.b64encode(self.body).decode(),
            "close": self.close,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        return cls(data["status"], dict(data["headers"]), base64.b64decode(data["body_b64"]), data["close"])


class RecordingProxy:
    """Forwards to the real camera and records each answer once (the first one per kind)."""

    def __init__(self, upstream: tuple[str, int], listen: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listen = listen
        self.soap: dict[str, Answer] = {}
        self.refused: Answer | None = None
        self.refused_ops: set[str] = set()
        self.snapshot_path: str | None = None
        self.snapshot_challenge: Answer | None = None
        self.snapshot: Answer | None = None
        self.variants: dict[str, int] = {}  # operations whose answers differed between requests
        self.requests = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        app = web.Application(client_max_size=16 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, *self.listen).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _template(self, body: bytes) -> bytes:
        host, port = self.upstream
        return body.replace(f"{host}:{port}".encode(), ADDR.encode()).replace(
            f"//{host}:".encode(), f"//{HOST}:".encode()
        )

    def _fill(self, body: bytes) -> bytes:
        host, port = self.listen
        return body.replace(ADDR.encode(), f"{host}:{port}".encode()).replace(HOST.encode(), host.encode())

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        self.requests += 1
        data = await request.read()
        headers = {
            k: v for k, v in request.headers.items() if k in ("Content-Type", "Authorization", "SOAPAction")
        }
        url = f"http://{self.upstream[0]}:{self.upstream[1]}{request.path_qs}"
        async with self._session.request(
            request.method, url, data=data or None, headers=headers, allow_redirects=False
        ) as response:
            body = await response.read()
            answer = Answer(
                response.status,
                {k: v for k, v in response.headers.items() if k in _KEEP_HEADERS},
                self._template(body),
                response.version < aiohttp.HttpVersion11 or response.headers.get("Connection") == "close",
            )
        self.record(request.method, request.path, soap_operation(data.decode("utf-8", "replace")), answer)
        out = web.Response(status=answer.status, body=self._fill(answer.body))
        for key, value in answer.headers.items():
            out.headers[key] = value
        return out

    def record(self, method: str, path: str, op: str, answer: Answer) -> None:
        if method == "POST" and path.startswith("/onvif/"):
            if answer.status == 401:
                self.refused_ops.add(op)
                if self.refused is None:
                    self.refused = answer
                elif self.refused.body != answer.body:  # replayed as one answer for every operation
                    self.variants["refused"] = self.variants.get("refused", 1) + 1
            elif op not in self.soap:
                self.soap[op] = answer
            elif op != "GetSystemDateAndTime" and self.soap[op].body != answer.body:
                self.variants[op] = self.variants.get(op, 1) + 1
        elif method == "GET" and answer.headers.get("Content-Type", "").startswith("image/"):
            self.snapshot_path, self.snapshot = path, self.snapshot or answer
        elif method == "GET" and answer.status == 401 and self.snapshot_challenge is None:
            self.snapshot_challenge = answer

    async def probe_unknown_operation(self, username: str, password: str) -> None:
        """Ask the real camera for an operation it does not implement, with valid credentials."""
        assert self._session is not None
        envelope = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
            f"<s:Header>{username_token(username, password)}</s:Header>"
            '<s:Body><tds:SahaBenchNoSuchOperation xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>'
            "</s:Body></s:Envelope>"
        )
        url = f"http://{self.upstream[0]}:{self.upstream[1]}/onvif/device_service"
        headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        async with self._session.post(url, data=envelope.encode(), headers=headers) as response:
            body = await response.read()
            answer = Answer(
                response.status,
                {k: v for k, v in response.headers.items() if k in _KEEP_HEADERS},
                self._template(body),
                response.version < aiohttp.HttpVersion11,
            )
        if answer.status == 401:
            raise RuntimeError("the real camera refused the credentials of the unknown-operation probe")
        self.soap["*"] = answer

    def recording(self) -> dict[str, Any]:
        missing = [
            what
            for what, present in (
                ("a refused-credential answer", self.refused),
                ("the snapshot challenge", self.snapshot_challenge),
                ("the snapshot", self.snapshot),
                ("an unknown-operation answer", self.soap.get("*")),
                ("GetSystemDateAndTime", self.soap.get("GetSystemDateAndTime")),
                ("GetDeviceInformation", self.soap.get("GetDeviceInformation")),
                ("GetProfiles", self.soap.get("GetProfiles")),
            )
            if present is None
        ]
        if missing:
            raise RuntimeError(f"the recording lacks {', '.join(missing)}; got {sorted(self.soap)}")
        assert self.refused is not None
        assert self.snapshot is not None
        assert self.snapshot_challenge is not None
        return {
            "soap": {op: a.to_json() for op, a in self.soap.items()},
            "refused": self.refused.to_json(),
            "refused_ops": sorted(self.refused_ops),
            "snapshot_path": self.snapshot_path,
            "snapshot_challenge": self.snapshot_challenge.to_json(),
            "snapshot": self.snapshot.to_json(),
            "variants": self.variants,
        }


# ---- devices and the replay server ------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    index: int
    host: str
    port: int
    kind: str  # healthy | wrong_password | silent | closed | clock | old_firmware
    username: str
    password: str  # what the device is configured with
    serial: str
    firmware: str
    clock_shift_s: float = 0.0
    base_latency_ms: float = 40.0

    @property
    def online(self) -> bool:
        return self.kind not in ("silent", "closed")


@dataclass(frozen=True)
class Latency:
    """Per request: the device's base (drawn once per device) plus jitter; snapshots add transfer."""

    seed: int = 20261122
    base_ms: tuple[float, float] = (30.0, 60.0)
    jitter_ms: float = 20.0
    bandwidth_bytes_s: float = 2.5e6  # 20 Mbit/s: a snapshot's transfer time

    def base(self, index: int) -> float:
        return random.Random(f"{self.seed}/{index}/base").uniform(*self.base_ms)

    def describe(self) -> str:
        lo, hi = self.base_ms[0], self.base_ms[1] + self.jitter_ms
        return (
            f"{lo:.0f}–{hi:.0f} ms per request (per device {self.base_ms[0]:.0f}–{self.base_ms[1]:.0f} ms "
            f"+ 0–{self.jitter_ms:.0f} ms jitter, seed {self.seed}), snapshots + size at "
            f"{self.bandwidth_bytes_s * 8 / 1e6:.0f} Mbit/s"
        )


class _Replay:
    def __init__(self, recording: dict[str, Any], devices: list[Device], latency: Latency) -> None:
        self.latency = latency
        self.devices = {d.host: d for d in devices if d.online}
        self.soap = {op: Answer.from_json(a) for op, a in recording["soap"].items()}
        self.refused = Answer.from_json(recording["refused"])
        self.snapshot_path: str = recording["snapshot_path"]
        self.snapshot = Answer.from_json(recording["snapshot"])
        self.challenge = Answer.from_json(recording["snapshot_challenge"])
        self.bodies: dict[str, dict[str, bytes]] = {}
        for d in self.devices.values():
            self.bodies[d.host] = {op: self._personal(a.body, d, op) for op, a in self.soap.items()}
        self.rngs: dict[str, random.Random] = {}
        self.requests: dict[str, int] = {}
        self.ops: dict[str, int] = {}
        self.in_flight = self.max_in_flight = 0
        self.reset()

    @staticmethod
    def _personal(body: bytes, d: Device, op: str) -> bytes:
        text = body.decode("utf-8").replace(ADDR, f"{d.host}:{d.port}").replace(HOST, d.host)
        if op == "GetDeviceInformation":
            text = set_element(set_element(text, "SerialNumber", d.serial), "FirmwareVersion", d.firmware)
        return text.encode("utf-8")

    def reset(self) -> None:
        self.rngs = {h: random.Random(f"{self.latency.seed}/{d.index}") for h, d in self.devices.items()}
        self.requests = dict.fromkeys(self.devices, 0)
        self.ops = {}
        self.max_in_flight = 0

    def delay(self, d: Device, size: int = 0) -> float:
        jitter = self.rngs[d.host].uniform(0, self.latency.jitter_ms)
        return (d.base_latency_ms + jitter) / 1000 + size / self.latency.bandwidth_bytes_s

    async def handle(self, request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        device = self.devices.get(sockname[0]) if sockname else None
        if device is None:
            return await self.control(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, device)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, d: Device) -> web.StreamResponse:
        self.requests[d.host] += 1
        data = await request.read()
        op, body = "", b""
        if request.method == "POST" and request.path.startswith("/onvif/"):
            text = data.decode("utf-8", "replace")
            op = soap_operation(text)
            if verify_token(text, d.username, d.password, time.time() + d.clock_shift_s):
                answer = self.soap.get(op) or self.soap["*"]
                body = self.bodies[d.host].get(op) or self.bodies[d.host]["*"]
            else:
                answer, body, op = self.refused, self.refused.body, f"{op} (refused)"
        elif request.method == "GET" and request.path == self.snapshot_path:
            expected = "Basic " + base64.b64encode(f"{d.username}:{d.password}".encode()).decode()
            given = request.headers.get("Authorization", "")
            answer = self.snapshot if hmac.compare_digest(given, expected) else self.challenge
            body, op = answer.body, "snapshot" if answer is self.snapshot else "snapshot (challenge)"
        else:
            answer, body, op = Answer(404, {"Content-Type": "text/plain"}, b"Not Found", True), b"", "404"
        self.ops[op] = self.ops.get(op, 0) + 1
        wait = self.delay(d, len(body))
        await asyncio.sleep(wait / 2)  # request on the way, the device working
        now = time.time() + d.clock_shift_s
        if op == "GetSystemDateAndTime":
            body = set_clock(body.decode("utf-8"), datetime.fromtimestamp(now, UTC)).encode("utf-8")
        await asyncio.sleep(wait / 2)  # the answer on the way back
        out = web.Response(status=answer.status, body=body or answer.body)
        for key, value in answer.headers.items():
            out.headers[key] = value
        out.headers["Date"] = email.utils.formatdate(now, usegmt=True)
        if answer.close:
            out.force_close()
        return out

    async def control(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/_control/reset" and request.method == "POST":
            self.reset()
            return web.json_response({"ok": True})
        if request.path == "/_control/stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return web.json_response(
                {
                    "cpu_s": usage.ru_utime + usage.ru_stime,
                    "requests": sum(self.requests.values()),
                    "per_device": self.requests,
                    "ops": self.ops,
                    "max_in_flight": self.max_in_flight,
                }
            )
        return web.Response(status=404)


async def _serve(recording: dict[str, Any], spec: dict[str, Any], control: str) -> None:
    devices = [Device(**d) for d in spec["devices"]]
    replay = _Replay(
        recording,
        devices,
        Latency(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec["latency"].items()}),
    )
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", replay.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    port = devices[0].port
    await web.TCPSite(runner, control, port, backlog=1024).start()
    fillers: list[socket.socket] = []
    for d in devices:
        if d.kind == "silent":
            listener = socket.socket()
            listener.bind((d.host, d.port))
            listener.listen(0)
            filler = socket.create_connection((d.host, d.port), timeout=2)  # fills the accept queue
            fillers += [listener, filler]
        elif d.online:
            await web.TCPSite(runner, d.host, d.port, backlog=1024).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    for s in fillers:
        s.close()
    await runner.cleanup()


class Simulator:
    """The replay server as a subprocess of the benchmark."""

    def __init__(
        self,
        processes: list[subprocess.Popen[Any]],
        recording: dict[str, Any],
        devices: list[Device],
        latency: Latency,
        workdir: Path,
        control: str = "127.0.0.10",
    ) -> None:
        self.control_url = f"http://{control}:{devices[0].port}/_control"
        rec, dev, log = workdir / "recording.json", workdir / "devices.json", workdir / "sim.log"
        rec.write_text(json.dumps(recording))
        dev.write_text(json.dumps({"devices": [asdict(d) for d in devices], "latency": asdict(latency)}))
        command = [sys.executable, str(Path(__file__).resolve()), str(rec), str(dev), "--control", control]
        with log.open("w") as err:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                command, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True
            )
        processes.append(self.process)
        _wait_ready(self.process, 30, log, "the device simulator")

    async def reset(self) -> None:
        async with aiohttp.ClientSession() as s, s.post(f"{self.control_url}/reset") as r:
            r.raise_for_status()

    async def stats(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as s, s.get(f"{self.control_url}/stats") as r:
            r.raise_for_status()
            data: dict[str, Any] = await r.json()
            return data


def main() -> None:
    parser = argparse.ArgumentParser(description="replay server for simulated ONVIF cameras")
    parser.add_argument("recording", type=Path)
    parser.add_argument("devices", type=Path)
    parser.add_argument("--control", default="127.0.0.10")
    args = parser.parse_args()
    recording, spec = json.loads(args.recording.read_text()), json.loads(args.devices.read_text())
    asyncio.run(_serve(recording, spec, args.control))


if __name__ == "__main__":
    main()
