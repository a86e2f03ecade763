"""The probe's durable queue: gap-free seq allocated with the insert, durable across reopen,
shrinks only on acknowledgement, snapshots stored by SHA-256."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest

from backend.probe.queue import ACKED, QUEUED, REJECTED, SENT, ProbeQueue

from .conftest import small_jpeg


def _args(n: int) -> dict[str, object]:
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "deviceId": "d", "source": "PROBE", "results": []}


def test_seq_is_gap_free_from_one_and_client_id_is_kept(tmp_path: Path) -> None:
    with ProbeQueue(tmp_path / "u") as q:
        client_id = q.client_id
        seqs = [q.enqueue("diagnostics.record", _args(i)).seq for i in range(5)]
        assert seqs == [1, 2, 3, 4, 5]
    with ProbeQueue(tmp_path / "u") as q:
        assert q.client_id == client_id  # made once per (state dir, user), kept
        assert q.enqueue("diagnostics.record", _args(9)).seq == 6
        assert [i.seq for i in q.pending()] == [1, 2, 3, 4, 5, 6]
    with ProbeQueue(tmp_path / "other-user") as q:
        assert q.client_id != client_id
        assert q.enqueue("diagnostics.record", _args(1)).seq == 1


def test_seq_allocation_is_atomic_across_connections(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with ProbeQueue(tmp_path / "u") as q:
                for i in range(20):
                    q.enqueue("diagnostics.record", _args(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    ProbeQueue(tmp_path / "u").close()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with ProbeQueue(tmp_path / "u") as q:
        assert [i.seq for i in q.items()] == list(range(1, 81))
        assert q.last_seq == 80


def test_envelope_is_stable_and_durable(tmp_path: Path) -> None:
    with ProbeQueue(tmp_path / "u") as q:
        item = q.enqueue("diagnostics.record", _args(1), label="DMB-K01", mutation_id="m-1")
        env = item.envelope()
    # what a crash leaves: the row was committed before enqueue() returned
    raw = sqlite3.connect(tmp_path / "u" / "queue.sqlite3")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("SELECT seq, mutation_id, state FROM outbox").fetchall() == [(1, "m-1", QUEUED)]
    raw.close()
    with ProbeQueue(tmp_path / "u") as q:
        again = q.get(1)
        assert again is not None
        assert (
            again.envelope()
            == env
            == {
                "seq": 1,
                "mutationId": "m-1",
                "name": "diagnostics.record",
                "args": _args(1),
            }
        )
        assert again.label == "DMB-K01"


def test_queue_shrinks_only_on_acknowledgement(tmp_path: Path) -> None:
    with ProbeQueue(tmp_path / "u") as q:
        for i in range(3):
            q.enqueue("diagnostics.record", _args(i))
        q.mark_sent([1, 2])
        assert [(i.seq, i.state) for i in q.pending()] == [(1, SENT), (2, SENT), (3, QUEUED)]
        assert q.count() == 3  # sent without a reply is still pending
        assert q.settle(1, {"seq": 1, "status": "APPLIED"}) == ACKED
        assert (
            q.settle(2, {"seq": 2, "status": "REJECTED", "code": "NOT_FOUND", "message": "yok"}) == REJECTED
        )
        assert [i.seq for i in q.pending()] == [3]
        assert q.count(ACKED) == 1
    with ProbeQueue(tmp_path / "u") as q:
        rejected = q.get(2)
        assert rejected is not None
        assert rejected.state == REJECTED
        assert rejected.reply == {"seq": 2, "status": "REJECTED", "code": "NOT_FOUND", "message": "yok"}
        assert [i.seq for i in q.items(from_seq=1)] == [1, 2, 3]  # kept: an expectedSeq can be answered


def test_snapshot_is_stored_by_sha256_and_forgotten_after_ack(tmp_path: Path) -> None:
    jpeg = small_jpeg()
    sha = hashlib.sha256(jpeg).hexdigest()
    with ProbeQueue(tmp_path / "u") as q:
        a = q.enqueue(
            "diagnostics.record",
            {**_args(1), "snapshotSha256": sha},
            snapshot=jpeg,
            snapshot_type="image/jpeg",
        )
        b = q.enqueue(
            "diagnostics.record",
            {**_args(2), "snapshotSha256": sha},
            snapshot=jpeg,
            snapshot_type="image/jpeg",
        )
        path = tmp_path / "u" / "snapshots" / sha
        assert a.snapshot_sha256 == sha
        assert a.snapshot_path == str(path)
        assert a.blob_refs == [sha]
        assert a.envelope()["blobRefs"] == [sha]
        assert path.read_bytes() == jpeg
        q.settle(a.seq, {"status": "APPLIED"})
        assert path.exists()  # b still needs it
        q.settle(b.seq, {"status": "APPLIED"})
        assert not path.exists()


def test_drop_snapshot_only_before_sending(tmp_path: Path) -> None:
    jpeg = small_jpeg()
    sha = hashlib.sha256(jpeg).hexdigest()
    with ProbeQueue(tmp_path / "u") as q:
        a = q.enqueue("diagnostics.record", {**_args(1), "snapshotSha256": sha}, snapshot=jpeg)
        b = q.enqueue("diagnostics.record", {**_args(2), "snapshotSha256": sha}, snapshot=jpeg)
        q.mark_sent([b.seq])
        assert q.drop_snapshot(a.seq)
        assert not q.drop_snapshot(b.seq)  # what was sent once is never altered
        a2, b2 = q.get(a.seq), q.get(b.seq)
        assert a2 is not None
        assert b2 is not None
        assert "snapshotSha256" not in a2.args
        assert a2.blob_refs == []
        assert a2.mutation_id == a.mutation_id
        assert b2.args["snapshotSha256"] == sha
        assert (tmp_path / "u" / "snapshots" / sha).exists()


def test_upload_state_is_remembered(tmp_path: Path) -> None:
    with ProbeQueue(tmp_path / "u") as q:
        assert q.upload_state("a" * 64) == (None, False)
        q.save_upload("a" * 64, "http://x/uploads/1")
    with ProbeQueue(tmp_path / "u") as q:
        assert q.upload_state("a" * 64) == ("http://x/uploads/1", False)
        q.save_upload("a" * 64, "http://x/uploads/1", done=True)
        assert q.upload_state("a" * 64) == ("http://x/uploads/1", True)


def test_failed_transaction_allocates_nothing(tmp_path: Path) -> None:
    with ProbeQueue(tmp_path / "u") as q:
        q.enqueue("diagnostics.record", _args(1), mutation_id="same")
        with pytest.raises(sqlite3.IntegrityError):
            q.enqueue("diagnostics.record", _args(2), mutation_id="same")
        assert q.enqueue("diagnostics.record", _args(3)).seq == 2  # no gap
