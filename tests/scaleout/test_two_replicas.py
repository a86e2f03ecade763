"""Two real server processes (``python -m backend serve``) on one PostgreSQL database and one S3
bucket (moto's server on loopback), as behind a load balancer: an upload started on one replica
resumes on the other, one phone's sync pushes alternate between them and every envelope is
applied once, and the scheduled jobs run once per period across both.

Needs PostgreSQL (TEST_DATABASE_URL); skipped without it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from backend.db.engine import Database
from backend.domain.blobs.models import Blob, Upload
from backend.domain.diagnostics.models import ScheduledRun
from backend.domain.models import metadata
from backend.domain.people.models import Role
from backend.domain.workorders.models import WorkOrderEvent, WorkOrderEventKind
from tests.factories import PASSWORD, make_region, make_site, make_user, make_work_order
from tests.s3_support import S3Bucket
from tests.signing_support import pepper_setting, write_key_file

REPO = Path(__file__).resolve().parents[2]
TUS = {"tus-resumable": "1.0.0"}
SIGN_IN = """mutation($u: String!, $p: String!) { r: signIn(username: $u, password: $p) {
  __typename ... on SessionSuccess { session { accessToken } } ... on OperationError { code } } }"""
PUSH = """mutation($c: String!, $e: [SyncEnvelopeInput!]!) { r: syncPush(clientId: $c, envelopes: $e) {
  __typename
  ... on SyncPushResult { lastSeq expectedSeq replies { seq mutationId status code } }
  ... on OperationError { code message } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    name: str
    base: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    a: Replica
    b: Replica
    db: Database
    bucket: S3Bucket
    world: dict[str, Any]


def _start(name: str, env: dict[str, str], data_dir: Path) -> tuple[subprocess.Popen[bytes], Replica]:
    port = _free_port()
    env = {**env, "SAHA_DATA_DIR": str(data_dir), "PORT": str(port)}
    data_dir.mkdir(parents=True)
    log = data_dir.parent / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend", "serve"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, Replica(name, f"http://127.0.0.1:{port}", log)


def _wait(proc: subprocess.Popen[bytes], replica: Replica) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{replica.base}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"replica {replica.name} did not start: {replica.log_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def cluster(postgres_migrated: str, s3_bucket: S3Bucket, tmp_path: Path) -> Iterator[Cluster]:
    db = Database(postgres_migrated, null_pool=True)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    admin = make_user(db, Role.ADMIN)
    manager = make_user(db, Role.MANAGER)
    region = make_region(db)
    tech = make_user(db, Role.TECHNICIAN, region=region)
    site = make_site(db, admin, region=region, cidr="10.9.1.0/24")
    order = make_work_order(db, manager, site, assignee=tech)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Saha</title>", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHA_") and k != "TEST_DATABASE_URL"} | {
        "SAHA_DATABASE_URL": postgres_migrated,
        "SAHA_SECRET_KEY": "two-replicas-share-this-access-token-key-0123456789",
        "SAHA_SIGNING_PIN_KEY_PATH": str(write_key_file(tmp_path / "keys")),
        "SAHA_SIGNING_PEPPER": pepper_setting(),
        "SAHA_FRONTEND_DIST": str(dist),
        "SAHA_DEMO_DATA": "0",
        "SAHA_LOG_LEVEL": "INFO",
        # every scheduled job is due from midnight: both replicas tick as they start
        "SAHA_NIGHTLY_SWEEP_HOUR": "0",
        "SAHA_WEEKLY_CHECK_HOUR": "0",
        "SAHA_CLEANING_ROUND_HOUR": "0",
        "SAHA_BLOB_SWEEP_HOUR": "0",
        **s3_bucket.env(),
    }
    procs = []
    try:
        pa, a = _start("a", env, tmp_path / "a" / "data")
        procs.append(pa)
        pb, b = _start("b", env, tmp_path / "b" / "data")
        procs.append(pb)
        _wait(pa, a)
        _wait(pb, b)
        yield Cluster(a, b, db, s3_bucket, {"tech": tech, "order": order})
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        db.dispose()


def sign_in(replica: Replica, username: str) -> str:
    body = graphql(replica, SIGN_IN, {"u": username, "p": PASSWORD})
    token: str = body["data"]["r"]["session"]["accessToken"]
    return token


def graphql(replica: Replica, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{replica.base}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def tus(replica: Replica, method: str, path: str, token: str, **kw: Any) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}", **TUS, **kw.pop("headers", {})}
    return httpx.request(method, f"{replica.base}{path}", headers=headers, timeout=30, **kw)


def test_an_upload_started_on_one_replica_resumes_on_the_other(cluster: Cluster) -> None:
    # given: a 12 MiB photo (two parts of ≥ 5 MiB and a tail), sent in 3 MiB chunks
    tech = cluster.world["tech"]
    token = sign_in(cluster.a, tech.username)
    photo = b"\xff\xd8\xff\xe0" + random.Random(11).randbytes(12 * 1024 * 1024)
    digest = hashlib.sha256(photo).hexdigest()
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {"sha256": digest, "filename": "foto.jpg", "filetype": "image/jpeg"}.items()
    )
    chunk = 3 * 1024 * 1024
    created = tus(
        cluster.a,
        "POST",
        "/uploads/",
        token,
        headers={"upload-length": str(len(photo)), "upload-metadata": meta},
    )
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    # when: two chunks on A, then the phone's connection moves to B: HEAD there, resume there;
    # one chunk goes to A again in the middle
    path = [cluster.a, cluster.a, cluster.b, cluster.a, cluster.b]
    offset = 0
    for i, replica in enumerate(path):
        if i and replica is not path[i - 1]:
            head = tus(replica, "HEAD", location, token)
            assert head.status_code == 200
            assert int(head.headers["upload-offset"]) == offset
        sent = tus(
            replica,
            "PATCH",
            location,
            token,
            content=photo[offset : offset + chunk],
            headers={"content-type": "application/offset+octet-stream", "upload-offset": str(offset)},
        )
        assert sent.status_code == 204, (replica.name, sent.text)
        offset = int(sent.headers["upload-offset"])
    # then: complete, verified, the same bytes from either replica; nothing left half-done
    assert offset == len(photo)
    from_a = httpx.get(f"{cluster.a.base}/blobs/{digest}", headers={"authorization": f"Bearer {token}"})
    from_b = httpx.get(f"{cluster.b.base}/blobs/{digest}", headers={"authorization": f"Bearer {token}"})
    assert hashlib.sha256(from_a.content).hexdigest() == digest
    assert from_b.content == from_a.content
    assert cluster.bucket.objects("uploads/") == []
    assert cluster.bucket.multipart_uploads() == []
    with cluster.db.read_session() as session:
        blob = session.get(Blob, digest)
        upload = session.get(Upload, location.rsplit("/", 1)[1])
    assert blob is not None
    assert upload is not None
    assert upload.completed_at is not None
    assert upload.lease_owner is None


def test_one_phones_pushes_alternate_between_replicas_and_apply_once(cluster: Cluster) -> None:
    # given: a technician's phone with 12 notes queued, pushed in batches of 3
    tech, order = cluster.world["tech"], cluster.world["order"]
    tokens = {r.name: sign_in(r, tech.username) for r in (cluster.a, cluster.b)}
    envelopes = [
        {
            "seq": seq,
            "mutationId": f"note-{seq}",
            "name": "workorder.addNote",
            "args": {"workOrderId": str(order.id), "text": f"not {seq}"},
        }
        for seq in range(1, 13)
    ]
    replies: dict[int, str] = {}
    # when: batches alternate A, B, A, B; every batch is retried on the other replica (a reply
    # lost behind the load balancer), and the whole outbox is replayed once more at the end
    replicas = [cluster.a, cluster.b]
    for i in range(0, 12, 3):
        batch = envelopes[i : i + 3]
        first, other = replicas[(i // 3) % 2], replicas[(i // 3 + 1) % 2]
        for replica in (first, other):
            body = graphql(replica, PUSH, {"c": "phone-1", "e": batch}, tokens[replica.name])
            assert "errors" not in body, body
            result = body["data"]["r"]
            assert result["__typename"] == "SyncPushResult", result
            for reply in result["replies"]:
                assert reply["status"] == "APPLIED", reply
                replies.setdefault(reply["seq"], reply["mutationId"])
    replay = graphql(cluster.b, PUSH, {"c": "phone-1", "e": envelopes}, tokens["b"])["data"]["r"]
    # then: twelve notes, each once
    assert sorted(replies) == list(range(1, 13))
    assert replay["lastSeq"] == 12
    with cluster.db.read_session() as session:
        notes = session.exec(
            select(WorkOrderEvent.text).where(
                col(WorkOrderEvent.work_order_id) == order.id,
                col(WorkOrderEvent.kind) == WorkOrderEventKind.NOTE,
            )
        ).all()
    assert sorted(notes, key=lambda t: int(str(t).split()[1])) == [f"not {seq}" for seq in range(1, 13)]


def test_scheduled_jobs_run_once_across_both_replicas(cluster: Cluster) -> None:
    # given: both replicas started with every job due (hour 0); each ticks as it starts
    deadline = time.monotonic() + 20
    while True:
        with cluster.db.read_session() as session:
            runs = session.exec(select(ScheduledRun)).all()
        if (len(runs) == 4 and all(r.finished_at is not None for r in runs)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    # then: one run per job and period, claimed by one replica or the other, never both
    assert sorted(r.job for r in runs) == [
        "daily-blob-sweep",
        "monthly-cleaning-rounds",
        "nightly-camera-sweep",
        "weekly-recording-check",
    ]
    assert all(r.finished_at is not None for r in runs)
    logs = cluster.a.log_text() + cluster.b.log_text()
    for job in (
        "daily-blob-sweep",
        "monthly-cleaning-rounds",
        "nightly-camera-sweep",
        "weekly-recording-check",
    ):
        assert logs.count(f"running {job} for ") == 1, logs[-3000:]
    with cluster.db.read_session() as session:
        count = session.exec(select(func.count()).select_from(ScheduledRun)).one()
    assert count == 4


PULL = """query($c: String, $l: Int!) { syncPull(cursor: $c, limit: $l) {
  nextCursor hasMore reset changes { entity id version } } }"""
PHONES = 50
TECHNICIANS = 5
SHARED_ORDERS = 10
ROUNDS = 4
PER_BATCH = 10


def test_fifty_phones_push_and_pull_on_both_replicas_without_an_error(cluster: Cluster) -> None:
    """50 phones (5 technicians, 10 each) push notes to the same 10 work orders through both
    replicas at once, each batch touching them in its own order, and pull after every push: no
    request fails, every envelope applies exactly once, and every phone's pulls end with every
    note. The p95 batch latency is printed (measured, not asserted)."""

    manager = make_user(cluster.db, Role.MANAGER)
    region = make_region(cluster.db)
    admin = make_user(cluster.db, Role.ADMIN)
    site = make_site(cluster.db, admin, region=region, cidr="10.9.2.0/24")
    techs = [make_user(cluster.db, Role.TECHNICIAN, region=region) for _ in range(TECHNICIANS)]
    orders = [make_work_order(cluster.db, manager, site, assignee=techs[0]) for _ in range(SHARED_ORDERS)]
    # the first technician's ten phones share ten orders; the others' phones share two each
    own = {
        t.id: [make_work_order(cluster.db, manager, site, assignee=t) for _ in range(2)] for t in techs[1:]
    }
    tokens = {(t.id, r.name): sign_in(r, t.username) for t in techs for r in (cluster.a, cluster.b)}
    replicas = [cluster.a, cluster.b]
    errors: list[str] = []
    latencies: list[float] = []
    pulled: dict[int, set[str]] = {}
    start = threading.Barrier(PHONES)

    def phone(p: int) -> None:
        tech = techs[p % TECHNICIANS]
        targets = orders if tech.id == techs[0].id else own[tech.id]
        client_id = f"phone-{p}"
        cursor: str | None = None
        seen: set[str] = set()
        with httpx.Client(timeout=120) as http:

            def call(replica: Replica, query: str, variables: dict[str, Any]) -> Any:
                response = http.post(
                    f"{replica.base}/graphql",
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {tokens[(tech.id, replica.name)]}"},
                )
                if response.status_code != 200 or "errors" in response.json():
                    raise AssertionError(f"{response.status_code} {response.text[:500]}")
                return response.json()["data"]

            try:
                start.wait()
                for r in range(ROUNDS):
                    replica = replicas[(p + r) % 2]
                    batch = [
                        {
                            "seq": r * PER_BATCH + k + 1,
                            "mutationId": f"{client_id}-{r}-{k}",
                            "name": "workorder.addNote",
                            "args": {
                                "workOrderId": str(
                                    targets[(p * 7 + r * 3 + k * (1 + p % 3)) % len(targets)].id
                                ),
                                "text": f"{p}.{r}.{k}",
                            },
                        }
                        for k in range(PER_BATCH)
                    ]
                    began = time.perf_counter()
                    result = call(replica, PUSH, {"c": client_id, "e": batch})["r"]
                    latencies.append(time.perf_counter() - began)
                    statuses = [reply["status"] for reply in result.get("replies", [])]
                    if statuses != ["APPLIED"] * PER_BATCH:
                        raise AssertionError(f"push: {result}")
                    while True:  # pull from the other replica
                        page = call(replicas[(p + r + 1) % 2], PULL, {"c": cursor, "l": 500})["syncPull"]
                        seen.update(f"{c['entity']}:{c['id']}" for c in page["changes"])
                        cursor = page["nextCursor"]
                        if not page["hasMore"]:
                            break
                pulled[p] = seen
            except BaseException as exc:  # reported below, with the phone
                errors.append(f"phone {p}: {exc}")

    threads = [threading.Thread(target=phone, args=(p,)) for p in range(PHONES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == [], errors[:5]
    with cluster.db.read_session() as session:
        notes = session.exec(
            select(WorkOrderEvent.id, WorkOrderEvent.actor_id, WorkOrderEvent.text).where(
                col(WorkOrderEvent.kind) == WorkOrderEventKind.NOTE
            )
        ).all()
    texts = sorted(str(t) for _, _, t in notes)
    assert texts == sorted(
        f"{p}.{r}.{k}" for p in range(PHONES) for r in range(ROUNDS) for k in range(PER_BATCH)
    )
    # a phone's last pull (after its last push) holds at least every note of its technician
    for p in range(PHONES):
        tech = techs[p % TECHNICIANS]
        mine = {
            f"workOrderEvent:{i}"
            for i, actor, t in notes
            if actor == tech.id and int(str(t).split(".")[0]) == p
        }
        assert mine <= pulled[p], p
    latencies.sort()
    print(
        f"\n{PHONES} phones on 2 replicas: {len(latencies)} pushes of {PER_BATCH}, "
        f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
    )
