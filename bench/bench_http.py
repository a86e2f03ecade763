"""End-to-end sync benchmark over real HTTP, each figure with a baseline measured in the same run.

The real server (``python -m backend serve``) runs as a subprocess on loopback with SQLite and the
demo data in a temporary data folder; one ``httpx`` client keeps one keep-alive connection, as a
phone would. Measured:

1. sign in (argon2 + token);
2. push N ``workorder.create`` (a manager), N ``workorder.addNote`` and N ``workorder.update``
   edits with ``baseVersions`` (the assigned technician), in batches of 500 — records/s;
3. replay of the N notes (all duplicates) — seconds, and a pull afterwards shows nothing changed;
4. the technician's first pull of the working set (the orders, their events, sites, devices…)
   at the server's largest page — seconds, records, body bytes per record decoded and as
   transferred (``Accept-Encoding: gzip, br``; the ``Content-Encoding`` used is printed);
5. a no-op sync (push of 0 + pull with the latest cursor);
6. a 2 MB JPEG uploaded over tus and attached to an order.

Baselines: a ``GET /healthz`` and a signed-in ``{ __typename }`` GraphQL round trip (medians).

    .venv/bin/python bench/bench_http.py [N]
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "saha-demo"  # noqa: S105 - the documented demo password
MANAGER, TECHNICIAN = "mudur", "teknisyen"
BATCH = 500
DEFAULT_PULL_LIMIT = 2000  # backend/services/sync.py MAX_PULL when this was written; probed at run time

SIGN_IN = (
    "mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) {"
    " __typename ... on SessionSuccess { session { accessToken viewer { user { id } } } }"
    " ... on OperationError { code message } } }"
)
PUSH = (
    "mutation SyncPush($clientId: String!, $envelopes: [SyncEnvelopeInput!]!) {"
    " syncPush(clientId: $clientId, envelopes: $envelopes) { __typename"
    " ... on SyncPushResult { clientId lastSeq expectedSeq"
    " outcomes }"
    " ... on OperationError { code message field } } }"
)
PULL = (
    "query SyncPull($cursor: String, $limit: Int) { syncPull(cursor: $cursor, limit: $limit)"
    " { records nextCursor hasMore reset } }"
)


def _accept_encoding() -> str:
    """gzip, and br when this Python can decode it (httpx needs brotli or brotlicffi)."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        try:
            import brotlicffi  # noqa: F401
        except ImportError:
            return "gzip"
    return "gzip, br"


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def saha_server() -> Iterator[str]:
    """The real backend on a free loopback port, SQLite + demo data in a temp folder."""
    data_dir = Path(tempfile.mkdtemp(prefix="saha-bench-http-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SAHA_") and k != "TEST_DATABASE_URL"},
        "SAHA_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "SAHA_DEMO_DATA": "1",
        "SAHA_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    init = [_python(), "-m", "backend", "init"]
    subprocess.run(init, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603 - our own CLI
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        serve = [_python(), "-m", "backend", "serve"]
        proc = subprocess.Popen(serve, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603 - our own CLI
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"backend did not start:\n{log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@dataclass
class Wire:
    """Body bytes of the responses: as transferred and after decoding."""

    raw: int = 0
    decoded: int = 0
    encodings: set[str] = field(default_factory=set)


class Api:
    """GraphQL over one keep-alive connection."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.token = ""

    def gql(self, query: str, variables: dict[str, Any] | None = None, wire: Wire | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        r = self.client.post("/graphql", content=body, headers=headers)
        r.raise_for_status()
        doc = r.json()
        if wire is not None:
            wire.raw += r.num_bytes_downloaded
            wire.decoded += len(r.content)
            wire.encodings.add(r.headers.get("content-encoding", "identity"))
        if doc.get("errors"):
            raise RuntimeError(json.dumps(doc["errors"])[:1000])
        return doc["data"]

    def sign_in(self, username: str) -> str:
        self.token = ""
        out = self.gql(SIGN_IN, {"u": username, "p": PASSWORD})["signIn"]
        if out["__typename"] != "SessionSuccess":
            raise RuntimeError(f"sign-in of {username} failed: {out}")
        self.token = out["session"]["accessToken"]
        return str(out["session"]["viewer"]["user"]["id"])

    def push(self, client_id: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = self.gql(PUSH, {"clientId": client_id, "envelopes": envelopes})["syncPush"]
        if out["__typename"] != "SyncPushResult":
            raise RuntimeError(f"push refused: {out}")
        return out


class Outbox:
    """A device's outbox: gap-free seq, envelopes shaped as frontend/src/outbox/commands.ts does."""

    def __init__(self) -> None:
        self.client_id = str(uuid.uuid4())
        self.envelopes: list[dict[str, Any]] = []

    def add(self, name: str, args: dict[str, Any], base_versions: dict[str, int] | None = None) -> None:
        self.envelopes.append(
            {
                "seq": len(self.envelopes) + 1,
                "mutationId": str(uuid.uuid4()),
                "name": name,
                "args": args,
                "baseVersions": base_versions or {},
                "blobRefs": [],
            }
        )


def push_all(api: Api, client_id: str, envelopes: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """Pushes in batches of 500; every reply must be APPLIED. Returns (seconds, replies)."""
    replies: list[dict[str, Any]] = []
    started = time.perf_counter()
    for first in range(0, len(envelopes), BATCH):
        out = api.push(client_id, envelopes[first : first + BATCH])
        replies.extend(out["outcomes"])
    elapsed = time.perf_counter() - started
    bad = [r for r in replies if r["status"] != "APPLIED"]
    if bad or len(replies) != len(envelopes):
        raise RuntimeError(f"{len(bad)} of {len(envelopes)} rejected, first: {bad[:1]}")
    return elapsed, replies


def median_round_trip(fn: Any, n: int = 50) -> float:
    fn()  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def pull_limit(api: Api) -> int:
    """The server's largest page, read from its refusal of an oversized one."""
    try:
        api.gql(PULL, {"cursor": None, "limit": 10**9})
    except RuntimeError as exc:
        m = re.search(r"1\s*[–-]\s*(\d+)", str(exc))
        if m:
            return int(m.group(1))
    return int(os.environ.get("BENCH_PULL_LIMIT", DEFAULT_PULL_LIMIT))


def pull_all(api: Api, cursor: str | None, limit: int, wire: Wire) -> tuple[float, int, int, str]:
    """Pages until hasMore is false. Returns (seconds, records, pages, last cursor)."""
    records = pages = 0
    started = time.perf_counter()
    while True:
        page = api.gql(PULL, {"cursor": cursor, "limit": limit}, wire=wire)["syncPull"]
        records += len(page["records"])
        pages += 1
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            break
    assert cursor is not None
    return time.perf_counter() - started, records, pages, cursor


def photo_jpeg(target: int = 2_000_000) -> bytes:
    """A real JPEG of about ``target`` bytes (noise over a gradient, so it does not compress away)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(11)
    side = 1000
    for _ in range(6):
        y, x = np.mgrid[0:side, 0:side]
        base = np.stack([x * 255 // side, y * 255 // side, (x + y) * 127 // side], axis=-1)
        noise = rng.integers(-40, 40, size=(side, side, 3))
        img = Image.fromarray(np.clip(base + noise, 0, 255).astype("uint8"), "RGB")
        out = io.BytesIO()
        img.save(out, "JPEG", quality=90)
        data = out.getvalue()
        if abs(len(data) - target) < target * 0.05:
            return data
        side = int(side * (target / len(data)) ** 0.5)
    return data


def tus_upload(client: httpx.Client, token: str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()

    def b64(s: str) -> str:
        return base64.b64encode(s.encode()).decode()

    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    meta = f"sha256 {b64(sha)},filetype {b64('image/jpeg')},filename {b64('bench.jpg')}"
    r = client.post("/uploads/", headers={**auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta})
    if r.status_code != 201:
        raise RuntimeError(f"tus create: {r.status_code} {r.text}")
    r = client.patch(
        r.headers["location"],
        content=data,
        headers={**auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"},
    )
    if r.status_code != 204 or int(r.headers["upload-offset"]) != len(data):
        raise RuntimeError(f"tus patch: {r.status_code} {r.text}")
    return sha


def run(n: int = 10_000, quiet: bool = False) -> dict[str, Any]:
    """Runs every measurement against a fresh server; prints unless ``quiet``; returns the figures."""

    def say(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    res: dict[str, Any] = {"n": n}
    with (
        saha_server() as base,
        httpx.Client(base_url=base, timeout=300, headers={"Accept-Encoding": _accept_encoding()}) as client,
    ):
        manager, tech = Api(client), Api(client)

        t = time.perf_counter()
        manager.sign_in(MANAGER)
        res["sign_in_s"] = time.perf_counter() - t
        tech_id = tech.sign_in(TECHNICIAN)

        health_s = median_round_trip(lambda: client.get("/healthz").raise_for_status())
        gql_s = median_round_trip(lambda: tech.gql("{ __typename }"))
        res["health_s"], res["gql_s"] = health_s, gql_s
        say(
            f"baseline: GET /healthz {health_s * 1000:.2f} ms, signed-in GraphQL {{ __typename }} "
            f"{gql_s * 1000:.2f} ms (medians of 50, one keep-alive connection)"
        )
        say(
            f"sign in:  {res['sign_in_s'] * 1000:.0f} ms"
            f" = {res['sign_in_s'] / gql_s:.0f}x a GraphQL round trip"
        )

        site_id = manager.gql("{ sites(limit: 1) { items { id } } }")["sites"]["items"][0]["id"]

        def report(key: str, label: str, seconds: float, count: int) -> None:
            res[key] = seconds
            per_batch = seconds / -(-count // BATCH)
            say(
                f"{label:<9} {count:,} in batches of {BATCH}: {seconds:.2f} s"
                f" = {count / seconds:,.0f} records/s;"
                f" a batch = {per_batch / gql_s:,.0f}x a GraphQL round trip"
            )

        creates = Outbox()
        orders = [str(uuid.uuid4()) for _ in range(n)]
        for i, wo in enumerate(orders):
            creates.add(
                "workorder.create",
                {
                    "id": wo,
                    "type": "MAINTENANCE",
                    "title": f"Periyodik bakım {i}",
                    "description": "Kamera temizliği, kayıt kontrolü",
                    "siteId": site_id,
                    "assigneeId": tech_id,
                    "priority": "NORMAL",
                },
            )
        seconds, replies = push_all(manager, creates.client_id, creates.envelopes)
        report("create_s", "create:", seconds, n)
        versions = {r["result"]["id"]: r["result"]["version"] for r in replies}

        notes = Outbox()
        for i, wo in enumerate(orders):
            notes.add(
                "workorder.addNote",
                {"workOrderId": wo, "text": f"Kamera {i} temizlendi, açı kontrol edildi."},
            )
        seconds, replies = push_all(tech, notes.client_id, notes.envelopes)
        report("note_s", "addNote:", seconds, n)
        versions.update({r["result"]["id"]: r["result"]["version"] for r in replies})

        edits = Outbox()
        edits.client_id = notes.client_id  # the same phone's outbox: seq continues
        edits.envelopes = list(notes.envelopes)
        for i, wo in enumerate(orders):
            edits.add(
                "workorder.update",
                {"workOrderId": wo, "title": f"Periyodik bakım {i} (yerinde)", "priority": "HIGH"},
                base_versions={f"workOrder:{wo}": versions[wo]},
            )
        seconds, _ = push_all(tech, edits.client_id, edits.envelopes[n:])
        report("update_s", "update:", seconds, n)

        limit = res["pull_limit"] = pull_limit(tech)
        wire = Wire()
        pull_s, records, pages, cursor = pull_all(tech, None, limit, wire)
        res.update(pull_s=pull_s, pull_records=records, pull_raw=wire.raw, pull_decoded=wire.decoded)
        res["pull_encoding"] = ",".join(sorted(wire.encodings))
        say(
            f"pull:     first pull of {records:,} records in {pages} pages of <= {limit}: {pull_s:.2f} s ="
            f" {records / pull_s:,.0f} records/s; {wire.decoded / records:.0f} B/record decoded,"
            f" {wire.raw / records:.0f} B/record on the wire (Content-Encoding: {res['pull_encoding']};"
            f" asked {client.headers['accept-encoding']})"
        )

        replay_s, replies = push_all(tech, notes.client_id, notes.envelopes)
        res["replay_s"] = replay_s
        after = Wire()
        _, changed, _, cursor = pull_all(tech, cursor, limit, after)
        say(
            f"replay:   {n:,} duplicates: {replay_s:.2f} s; changes pulled afterwards: {changed}"
            f" (0 = nothing applied twice); ratio to the first push of notes {replay_s / res['note_s']:.2f}"
        )

        def noop() -> None:
            tech.push(notes.client_id, [])
            tech.gql(PULL, {"cursor": cursor, "limit": limit})

        noop_s = median_round_trip(noop, n=20)
        res["noop_s"] = noop_s
        say(
            f"no-op:    push of 0 + pull with the latest cursor: {noop_s * 1000:.1f} ms (median of 20)"
            f" = {noop_s / gql_s:.1f}x a GraphQL round trip"
        )

        photo = photo_jpeg()
        t = time.perf_counter()
        sha = tus_upload(client, tech.token, photo)
        upload_s = time.perf_counter() - t
        attach = {
            "seq": len(edits.envelopes) + 1,
            "mutationId": str(uuid.uuid4()),
            "name": "workorder.attach",
            "args": {
                "id": str(uuid.uuid4()),
                "workOrderId": orders[0],
                "blobSha256": sha,
                "contentType": "image/jpeg",
                "kind": "PHOTO",
            },
            "baseVersions": {},
            "blobRefs": [sha],
        }
        t = time.perf_counter()
        _, replies = push_all(tech, notes.client_id, [attach])
        attach_s = time.perf_counter() - t
        res.update(photo_bytes=len(photo), upload_s=upload_s, attach_s=attach_s)
        say(
            f"photo:    {len(photo) / 1e6:.2f} MB JPEG over tus (POST + one PATCH):"
            f" {upload_s * 1000:.0f} ms ="
            f" {len(photo) / upload_s / 1e6:.0f} MB/s; attach envelope {attach_s * 1000:.0f} ms"
        )
    return res


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    started = time.perf_counter()
    run(n)
    print(f"total:    {time.perf_counter() - started:.0f} s (server start, demo data and setup included)")


if __name__ == "__main__":
    main()
