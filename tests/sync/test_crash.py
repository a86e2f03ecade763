"""Crash test (invariant 3): the server process is killed (SIGKILL) at random moments during a
long push, restarted, and the client retries — every acknowledged mutation is present exactly
once, and in the end every mutation is.

Runs the real server (uvicorn, SQLite in WAL with synchronous=FULL) as a subprocess.
"""

from __future__ import annotations

import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
N = 240
BATCH = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data: Path) -> None:
        self.port = _free_port()
        self.env = {
            **os.environ,
            "SAHA_DATA_DIR": str(data),
            "PORT": str(self.port),
            "SAHA_LOG_LEVEL": "WARNING",
        }
        self.env.pop("SAHA_DATABASE_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

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

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # SIGKILL: no cleanup, no flush
            self.proc.wait()


def _gql(url: str, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    r = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10
    )
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
def server(tmp_path: Path) -> Any:
    env = {**os.environ, "SAHA_DATA_DIR": str(tmp_path), "SAHA_LOG_LEVEL": "WARNING"}
    env.pop("SAHA_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "backend", "init"], cwd=REPO, env=env, check=True, capture_output=True
    )
    srv = Server(tmp_path)
    srv.start()
    yield srv
    srv.kill()


def test_acknowledged_mutations_survive_kills_exactly_once(server: Server, tmp_path: Path) -> None:
    # given a signed-in technician with work in progress and N queued notes
    signed = _gql(
        server.url,
        'mutation { signIn(username: "teknisyen", password: "saha-demo") '
        "{ ... on SessionSuccess { session { accessToken } } } }",
        {},
    )
    token = signed["data"]["signIn"]["session"]["accessToken"]
    orders = _gql(server.url, "{ myWorkOrders { id status } }", {}, token)["data"]["myWorkOrders"]
    wo = next(o["id"] for o in orders if o["status"] == "IN_PROGRESS")
    queue = [
        {
            "seq": i,
            "mutationId": f"crash-{i}",
            "name": "workorder.addNote",
            "args": {"workOrderId": wo, "text": f"crash-note-{i}"},
        }
        for i in range(1, N + 1)
    ]
    push = (
        'mutation($e: [SyncEnvelopeInput!]!) { syncPush(clientId: "crash-phone", envelopes: $e) '
        "{ ... on SyncPushResult { lastSeq expectedSeq replies { seq status } } } }"
    )

    # when the server is killed at random moments while the client pushes and retries
    rng = random.Random(7)
    stop = threading.Event()
    kills = 0

    def killer() -> None:
        nonlocal kills
        while not stop.is_set() and kills < 6:
            time.sleep(rng.uniform(0.3, 1.2))
            if stop.is_set():
                return
            server.kill()
            kills += 1
            server.start()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    acknowledged: set[int] = set()
    next_seq, deadline = 1, time.monotonic() + 240
    # (after the last seq, keep replaying the last batch until the server was killed a few times)
    while (next_seq <= N or kills < 3) and time.monotonic() < deadline:
        start = min(next_seq, N - BATCH + 1)
        batch = queue[start - 1 : start - 1 + BATCH]
        try:
            body = _gql(server.url, push, {"e": batch}, token)
        except (httpx.HTTPError, OSError):
            time.sleep(0.2)  # server down: retry the same envelopes
            continue
        result = body["data"]["syncPush"]
        for reply in result["replies"]:
            assert reply["status"] == "APPLIED"
            acknowledged.add(reply["seq"])
        next_seq = result["expectedSeq"] or result["lastSeq"] + 1
    stop.set()
    thread.join(timeout=60)

    # then every mutation is there exactly once (acknowledged ones included, by construction)
    assert kills >= 3, "the server should have been killed several times during the push"
    assert acknowledged == set(range(1, N + 1))
    con = sqlite3.connect(tmp_path / "saha.db")
    rows = con.execute(
        "SELECT text, count(*) FROM work_order_events WHERE text LIKE 'crash-note-%' GROUP BY text"
    ).fetchall()
    last_seq = con.execute("SELECT last_seq FROM sync_clients WHERE client_id = 'crash-phone'").fetchone()[0]
    con.close()
    assert len(rows) == N
    assert all(count == 1 for _text, count in rows)
    assert last_seq == N
