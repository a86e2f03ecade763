"""The probe's test helpers: the real Saha server as a subprocess (the probe speaks HTTP to it,
as on a laptop), GraphQL as a person, and a canned diagnosis in the shape of
``backend.integrations.onvif.diagnose.Diagnosis``."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
TECHNICIAN = ("teknisyen", "saha-demo")
ADMIN = ("admin", "saha-demo")
SITE = "KNK-HB-01"  # in the demo technician's region (Merkez)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m backend serve`` on a free port, over a demo database in its own data dir."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SAHA_DATA_DIR": str(data),
            "PORT": str(self.port),
            "SAHA_LOG_LEVEL": "WARNING",
        }
        self.env.pop("SAHA_DATABASE_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self._tokens: dict[str, str] = {}

    def init(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "backend", "init"], cwd=REPO, env=self.env, check=True, capture_output=True
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend", "serve"],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def token(self, who: tuple[str, str] = TECHNICIAN) -> str:
        if who[0] not in self._tokens:
            body = self.gql(
                "mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) "
                "{ ... on SessionSuccess { session { accessToken } } } }",
                {"u": who[0], "p": who[1]},
                token=None,
            )
            self._tokens[who[0]] = body["signIn"]["session"]["accessToken"]
        return self._tokens[who[0]]

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | tuple[str, str] | None = TECHNICIAN,
    ) -> Any:
        if isinstance(token, tuple):
            token = self.token(token)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        r = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=15,
        )
        r.raise_for_status()
        body = r.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def blob(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", headers={"authorization": f"Bearer {self.token()}"}, timeout=10)

    def diagnoses(self, device_id: str) -> list[dict[str, Any]]:
        data = self.gql(
            "query($d: ID!) { deviceDiagnoses(deviceId: $d) { id source overall snapshotUrl startedAt "
            "deviceInfo results { check verdict message durationMs evidence } } }",
            {"d": device_id},
        )
        return list(data["deviceDiagnoses"])

    def site_devices(self, code: str = SITE) -> list[dict[str, Any]]:
        data = self.gql(
            "query($s: String) { sites(search: $s) { items { id code ipBlocks { id cidr } "
            "devices { id assetTag kind status ipAddress onvifPort } } } }",
            {"s": code},
        )
        site = next(s for s in data["sites"]["items"] if s["code"] == code)
        return [{**d, "siteId": site["id"]} for d in site["devices"]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("saha-server"))
    srv.init()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def live_server(server: Server) -> Iterator[Server]:
    """The module's server, running again after a test that stopped it."""
    if not server.running:
        server.start()
    yield server
    if not server.running:
        server.start()


def small_jpeg(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(buf, "JPEG")
    return buf.getvalue()


def canned_diagnosis(
    host: str,
    port: int = 80,
    *,
    snapshot: bytes | None = None,
    fail: bool = False,
    started_at: datetime | None = None,
) -> Any:
    """A Diagnosis as ``diagnose()`` returns it (the real dataclasses, canned values)."""
    from backend.integrations.onvif.diagnose import Check, CheckResult, Diagnosis, Target, Verdict

    started = started_at or datetime.now(UTC) - timedelta(seconds=5)
    results = [
        CheckResult(Check.TCP, Verdict.OK, "Bağlantı kuruldu.", {"ms": 3}, 3),
        CheckResult(Check.ONVIF, Verdict.OK, "ONVIF yanıt veriyor.", {}, 12),
        CheckResult(Check.AUTH, Verdict.OK, "Kimlik doğrulandı.", {}, 20),
        CheckResult(Check.CLOCK, Verdict.WARNING, "Saat 12 sn ileri.", {"drift_s": 12.0}, 5),
        CheckResult(
            Check.SNAPSHOT,
            Verdict.FAIL if fail else Verdict.OK,
            "Görüntü alınamadı." if fail else "Görüntü alındı.",
            {"bytes": len(snapshot or b"")},
            40,
        ),
    ]
    return Diagnosis(
        target=Target(host=host, port=port, username="admin", password="secret-not-for-disk"),
        started_at=started,
        finished_at=started + timedelta(seconds=2),
        results=results,
        device={"make": "Hikvision", "model": "DS-2CD2143G2-I", "serial": "HK-PROBE-1", "firmware": "V5.7.3"},
        snapshot=snapshot,
        snapshot_type="image/jpeg" if snapshot else None,
    )


@dataclass
class FakeDiagnose:
    """Stands in for ``backend.integrations.onvif.diagnose.diagnose``; records whom it was asked
    about and answers with a canned diagnosis."""

    snapshot: bytes | None = None
    fail: bool = False
    calls: list[Any] | None = None

    async def __call__(self, target: Any, **kw: Any) -> Any:
        if self.calls is None:
            self.calls = []
        self.calls.append((target, kw))
        return canned_diagnosis(target.host, target.port, snapshot=self.snapshot, fail=self.fail)

    @property
    def hosts(self) -> list[str]:
        return [t.host for t, _ in self.calls or []]
