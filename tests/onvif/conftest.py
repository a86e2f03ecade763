"""The ONVIF peer harness: real ipycam cameras in a private network namespace.

When the machine allows it (root, ``ip`` from iproute2), a named network namespace
``saha-onvif-<random>`` is created with only ``lo`` up. The ipycam peers are started inside it
(``ip netns exec NS python _ipycam_peer.py ...``), so their WS-Discovery Hello and every port they
open stay there. The client side — ``diagnose`` — runs in a dedicated thread that moved itself
into the namespace with ``setns(fd, CLONE_NEWNET)`` (only that thread moves; the test process
stays where it is) and runs its own asyncio loop; tests hand coroutines to it with ``sandbox.run``.
Threads started from that loop (``asyncio.to_thread``) inherit the namespace.

Otherwise (not root, no ``ip``, or ``SAHA_ONVIF_NETNS=0``) the peers listen on 127.0.0.1 only,
on free ports, with discovery switched off; the header and the summary of the test run say which.

A second peer runs under ``faketime`` with its clock 90 s ahead (ipycam refuses WS-Security
timestamps more than 300 s off, so a larger shift would make it refuse our credentials before
``adjust_time`` can compensate). ffmpeg is not needed: ONVIF, snapshots and PTZ work without it;
only ipycam's RTSP server would use it, and the diagnostics only ask for the stream URI.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from backend.integrations.onvif.diagnose import Limits, Target

T = TypeVar("T")
PEER_SCRIPT = Path(__file__).with_name("_ipycam_peer.py")
CLONE_NEWNET = 0x40000000
NETNS_ENV = "SAHA_ONVIF_NETNS"
CLOCK_SHIFT_S = 90
PEER_USER = "saha-test"
PEER_PASSWORD = "Kamera-Parola-7!"
_MODE: dict[str, str] = {}
# The peers listen on 127.0.0.1; the client refuses loopback unless told otherwise (tests, development).
LAB = Limits(allow_loopback=True)


@dataclass(frozen=True)
class Peer:
    host: str
    port: int
    username: str
    password: str
    manufacturer: str = "PythonCam"
    model: str = "VirtualCam-1"
    serial: str = "PY-000001"
    firmware: str = "1.3.0"  # ipycam reports its own version unless told otherwise
    width: int = 1280
    height: int = 720
    fps: int = 10
    clock_shift_s: int = 0

    def target(self, **overrides: Any) -> Target:
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
        }
        values.update(overrides)
        return Target(**values)


def _enter_netns(path: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


class ClientLoop:
    """An asyncio loop on its own thread, optionally inside a network namespace."""

    def __init__(self, netns_path: str | None) -> None:
        self._netns_path = netns_path
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._main, name="onvif-client", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error

    def _main(self) -> None:
        try:
            if self._netns_path:
                _enter_netns(self._netns_path)
            loop = asyncio.new_event_loop()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self.loop = loop
        asyncio.set_event_loop(loop)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@dataclass
class Sandbox:
    """Where the peers and the client live: a private netns, or the host's loopback."""

    mode: str
    reason: str
    netns: str | None
    client: ClientLoop
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    logs: Path | None = None

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return self.client.run(coro, timeout)

    def free_port(self) -> int:
        async def pick() -> int:  # runs on the client thread, i.e. in the sandbox's network
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return int(s.getsockname()[1])

        return self.run(pick())

    def start_peer(
        self, *, clock_shift_s: int = 0, username: str = PEER_USER, password: str = PEER_PASSWORD
    ) -> Peer:
        peer = Peer("127.0.0.1", self.free_port(), username, password, clock_shift_s=clock_shift_s)
        command = [
            sys.executable,
            str(PEER_SCRIPT),
            "--bind",
            peer.host,
            "--port",
            str(peer.port),
            "--rtsp-port",
            str(self.free_port()),
            "--username",
            username,
            "--password",
            password,
            "--width",
            str(peer.width),
            "--height",
            str(peer.height),
            "--fps",
            str(peer.fps),
        ]
        if self.netns is None:
            command.append("--no-discovery")
        if clock_shift_s:
            faketime = shutil.which("faketime")
            if faketime is None:
                pytest.fail("faketime is missing: apt-get install faketime (make chromium installs it)")
            command = [faketime, "-f", f"{clock_shift_s:+d}s", *command]
        if self.netns is not None:
            command = ["ip", "netns", "exec", self.netns, *command]
        assert self.logs is not None
        log = (self.logs / f"peer-{peer.port}.log").open("w")
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENCV_LOG_LEVEL": "ERROR"}
        with log:  # the child keeps its own descriptor
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, env=env, start_new_session=True
            )
        self.processes.append(process)
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    break
                if selector.select(timeout=0.2) and process.stdout.readline().startswith("READY"):
                    return peer
        detail = (self.logs / f"peer-{peer.port}.log").read_text()[-2000:]
        pytest.fail(f"ipycam peer did not start ({' '.join(command)}):\n{detail}")

    def close(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
            if process.stdout is not None:
                process.stdout.close()
        self.client.close()
        if self.netns is not None:
            subprocess.run(["ip", "netns", "del", self.netns], check=False, capture_output=True)


def _create_netns() -> tuple[str | None, str]:
    """(name, "") when a private namespace was created, else (None, why not)."""
    if os.environ.get(NETNS_ENV) == "0":
        return None, f"{NETNS_ENV}=0"
    if not sys.platform.startswith("linux"):
        return None, "not Linux"
    if os.geteuid() != 0:
        return None, "not root"
    if shutil.which("ip") is None:
        return None, "no ip(8) (iproute2)"
    name = f"saha-onvif-{secrets.token_hex(4)}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        return None, f"ip netns add failed: {made.stderr.strip()}"
    up = subprocess.run(
        ["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], capture_output=True, text=True
    )
    if up.returncode != 0:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
        return None, f"lo up failed: {up.stderr.strip()}"
    return name, ""


def pytest_report_header(config: pytest.Config) -> str:
    wanted = os.environ.get(NETNS_ENV) != "0" and os.geteuid() == 0 and shutil.which("ip") is not None
    return "onvif peers: " + ("private network namespace" if wanted else "loopback, discovery off (no netns)")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _MODE:
        terminalreporter.write_line(f"onvif peers ran in: {_MODE['mode']} {_MODE.get('reason', '')}".rstrip())


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    name, reason = _create_netns()
    try:
        client = ClientLoop(f"/var/run/netns/{name}" if name else None)
    except OSError as exc:
        if name:
            subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
        name, reason, client = None, f"setns failed: {exc}", ClientLoop(None)
    mode = "netns" if name else "loopback"
    box = Sandbox(mode, reason, name, client, logs=tmp_path_factory.mktemp("ipycam"))
    _MODE.update(mode=f"{mode} ({name})" if name else mode, reason=f"— {reason}" if reason else "")
    if name is None:
        import warnings

        warnings.warn(f"ONVIF peers on loopback without a private netns: {reason}", stacklevel=1)
    try:
        yield box
    finally:
        box.close()


@pytest.fixture(scope="session")
def peer(sandbox: Sandbox) -> Peer:
    """A healthy ipycam camera with credentials, its clock in step with ours."""
    return sandbox.start_peer()


@pytest.fixture(scope="session")
def skewed_peer(sandbox: Sandbox) -> Peer:
    """The same camera, its clock CLOCK_SHIFT_S ahead (faketime)."""
    return sandbox.start_peer(clock_shift_s=CLOCK_SHIFT_S)


@pytest.fixture(scope="session")
def far_clock_peer(sandbox: Sandbox) -> Peer:
    """A camera 10 minutes ahead: beyond ipycam's 300 s WS-Security window, time hidden behind auth."""
    return sandbox.start_peer(clock_shift_s=600)


@pytest.fixture(scope="session")
def open_peer(sandbox: Sandbox) -> Peer:
    """An ipycam camera without any password (its factory state)."""
    return sandbox.start_peer(username="", password="")
