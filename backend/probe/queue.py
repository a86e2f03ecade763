"""The probe's durable outbox: one SQLite file per (state directory, user).

Every diagnosis becomes one sync envelope (``diagnostics.record``) with a gap-free ``seq``
allocated in the same transaction as its row, so a crash can neither lose a result nor leave a
hole in the sequence. Snapshot bytes live next to the database as files named by their SHA-256
(written and fsynced before the row that names them commits). The sync ``clientId`` is made once,
with the database, and kept.

Item states: ``queued`` (not yet pushed) → ``sent`` (pushed, no reply received yet: pushed again,
a replay is harmless) → ``acked`` (APPLIED) or ``rejected`` (REJECTED: the server refused it for
good; the row keeps the reason). Only ``queued`` and ``sent`` items are pending; rows are never
deleted, so an ``expectedSeq`` below what was acknowledged can still be answered.

SQLite runs in WAL mode with ``synchronous=FULL`` (what the server does too): a committed row
survives a power cut.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

QUEUED, SENT, ACKED, REJECTED = "queued", "sent", "acked", "rejected"
PENDING = (QUEUED, SENT)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY,
    mutation_id     TEXT NOT NULL UNIQUE,
    envelope        TEXT NOT NULL,           -- {mutationId, name, args, blobRefs} (seq is the key)
    label           TEXT NOT NULL DEFAULT '', -- what to call it when printing (asset tag)
    snapshot_sha256 TEXT,
    snapshot_path   TEXT,
    snapshot_type   TEXT,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked', 'rejected')),
    reply           TEXT,                    -- the server's SyncReply, once received
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state, seq);
CREATE TABLE IF NOT EXISTS uploads (
    sha256 TEXT PRIMARY KEY,
    url    TEXT,                             -- the tus upload's Location, to resume with HEAD
    done   INTEGER NOT NULL DEFAULT 0
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be opened
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it is either the old or the complete new content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class Item:
    seq: int
    mutation_id: str
    name: str
    args: dict[str, Any]
    blob_refs: list[str]
    label: str
    snapshot_sha256: str | None
    snapshot_path: str | None
    snapshot_type: str | None
    state: str
    reply: dict[str, Any] | None

    def envelope(self) -> dict[str, Any]:
        """The ``SyncEnvelopeInput`` as pushed (always the same for the same item)."""
        out: dict[str, Any] = {
            "seq": self.seq,
            "mutationId": self.mutation_id,
            "name": self.name,
            "args": self.args,
        }
        if self.blob_refs:
            out["blobRefs"] = self.blob_refs
        return out


class ProbeQueue:
    """The outbox of one user in one state directory (``directory/queue.sqlite3``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.snapshots = directory / "snapshots"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.snapshots.mkdir(exist_ok=True, mode=0o700)
        self.path = directory / "queue.sqlite3"
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(_SCHEMA)  # idempotent; executescript runs outside a transaction
        with self._transaction() as c:
            if c.execute("SELECT 1 FROM meta WHERE key = 'client_id'").fetchone() is None:
                c.execute("INSERT INTO meta (key, value) VALUES ('client_id', ?)", (str(uuid.uuid4()),))
                c.execute("INSERT INTO meta (key, value) VALUES ('next_seq', '1')")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ProbeQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: one writer at a time, also across processes."""
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            yield c
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    # ---- meta --------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as c:
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def client_id(self) -> str:
        value = self.get_meta("client_id")
        assert value is not None
        return value

    # ---- enqueue -----------------------------------------------------------------------------

    def store_snapshot(self, data: bytes) -> tuple[str, Path]:
        """Write snapshot bytes as ``snapshots/<sha256>`` (durably); returns (sha256, path)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.snapshots / sha
        if not (path.exists() and path.stat().st_size == len(data)):
            atomic_write(path, data)
        return sha, path

    def enqueue(
        self,
        name: str,
        args: dict[str, Any],
        *,
        label: str = "",
        snapshot: bytes | None = None,
        snapshot_type: str | None = None,
        mutation_id: str | None = None,
    ) -> Item:
        """Append one envelope; its seq is the next one, allocated in the insert's transaction.

        ``args`` must already name the snapshot (``snapshotSha256``) when there is one; the
        snapshot file is written before the row commits, so a committed row always finds it.
        """
        sha: str | None = None
        path: Path | None = None
        if snapshot is not None:
            sha, path = self.store_snapshot(snapshot)
        blob_refs = [sha] if sha else []
        mutation_id = mutation_id or str(uuid.uuid4())
        envelope = json.dumps(
            {"mutationId": mutation_id, "name": name, "args": args, "blobRefs": blob_refs},
            ensure_ascii=False,
            sort_keys=True,
        )
        now = _now()
        with self._transaction() as c:
            seq = int(c.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()["value"])
            c.execute(
                "INSERT INTO outbox (seq, mutation_id, envelope, label, snapshot_sha256, snapshot_path,"
                " snapshot_type, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, mutation_id, envelope, label, sha, str(path) if path else None, snapshot_type,
                 QUEUED, now, now),
            )  # fmt: skip
            c.execute("UPDATE meta SET value = ? WHERE key = 'next_seq'", (str(seq + 1),))
        item = self.get(seq)
        assert item is not None
        return item

    # ---- reading -----------------------------------------------------------------------------

    @staticmethod
    def _item(row: sqlite3.Row) -> Item:
        env = json.loads(row["envelope"])
        return Item(
            seq=int(row["seq"]),
            mutation_id=str(row["mutation_id"]),
            name=str(env["name"]),
            args=dict(env["args"]),
            blob_refs=list(env.get("blobRefs") or []),
            label=str(row["label"]),
            snapshot_sha256=row["snapshot_sha256"],
            snapshot_path=row["snapshot_path"],
            snapshot_type=row["snapshot_type"],
            state=str(row["state"]),
            reply=json.loads(row["reply"]) if row["reply"] else None,
        )

    def get(self, seq: int) -> Item | None:
        row = self._conn.execute("SELECT * FROM outbox WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else self._item(row)

    def items(self, *, states: tuple[str, ...] | None = None, from_seq: int = 1) -> list[Item]:
        """Items in seq order, optionally only in ``states`` and from ``from_seq`` on."""
        sql, params = "SELECT * FROM outbox WHERE seq >= ?", [from_seq]
        if states is not None:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            params.extend(states)  # type: ignore[arg-type]
        rows = self._conn.execute(sql + " ORDER BY seq", params).fetchall()
        return [self._item(r) for r in rows]

    def pending(self) -> list[Item]:
        return self.items(states=PENDING)

    def count(self, *states: str) -> int:
        wanted = states or PENDING
        row = self._conn.execute(
            f"SELECT count(*) AS n FROM outbox WHERE state IN ({', '.join('?' * len(wanted))})",  # noqa: S608 - placeholders only
            wanted,
        ).fetchone()
        return int(row["n"])

    @property
    def last_seq(self) -> int:
        return int(self.get_meta("next_seq") or "1") - 1

    # ---- state changes -----------------------------------------------------------------------

    def mark_sent(self, seqs: list[int]) -> None:
        with self._transaction() as c:
            c.executemany(
                "UPDATE outbox SET state = ?, updated_at = ? WHERE seq = ? AND state = ?",
                [(SENT, _now(), s, QUEUED) for s in seqs],
            )

    def settle(self, seq: int, reply: dict[str, Any]) -> str:
        """Record the server's final reply: APPLIED → acked, REJECTED → rejected."""
        state = ACKED if reply.get("status") == "APPLIED" else REJECTED
        with self._transaction() as c:
            c.execute(
                "UPDATE outbox SET state = ?, reply = ?, updated_at = ? WHERE seq = ?",
                (state, json.dumps(reply, ensure_ascii=False), _now(), seq),
            )
        self._forget_snapshot_if_unused(seq)
        return state

    def drop_snapshot(self, seq: int) -> bool:
        """Push a not-yet-sent item without its snapshot (the server refused the image for good).
        Only a ``queued`` item is changed: what was sent once is never altered."""
        item = self.get(seq)
        if item is None or item.state != QUEUED or item.snapshot_sha256 is None:
            return False
        args = {k: v for k, v in item.args.items() if k != "snapshotSha256"}
        refs = [r for r in item.blob_refs if r != item.snapshot_sha256]
        envelope = json.dumps(
            {"mutationId": item.mutation_id, "name": item.name, "args": args, "blobRefs": refs},
            ensure_ascii=False,
            sort_keys=True,
        )
        with self._transaction() as c:
            changed = c.execute(
                "UPDATE outbox SET envelope = ?, snapshot_sha256 = NULL, snapshot_path = NULL,"
                " updated_at = ? WHERE seq = ? AND state = ?",
                (envelope, _now(), seq, QUEUED),
            ).rowcount
        self._forget_snapshot_if_unused(seq, sha=item.snapshot_sha256)
        return bool(changed)

    def _forget_snapshot_if_unused(self, seq: int, sha: str | None = None) -> None:
        """Delete a snapshot file once no pending item needs it (the server has the blob)."""
        if sha is None:
            item = self.get(seq)
            sha = item.snapshot_sha256 if item else None
        if not sha:
            return
        still = self._conn.execute(
            "SELECT 1 FROM outbox WHERE snapshot_sha256 = ? AND state IN (?, ?) LIMIT 1", (sha, *PENDING)
        ).fetchone()
        if still is None:
            (self.snapshots / sha).unlink(missing_ok=True)

    # ---- uploads -----------------------------------------------------------------------------

    def upload_state(self, sha256: str) -> tuple[str | None, bool]:
        row = self._conn.execute("SELECT url, done FROM uploads WHERE sha256 = ?", (sha256,)).fetchone()
        return (None, False) if row is None else (row["url"], bool(row["done"]))

    def save_upload(self, sha256: str, url: str | None, done: bool = False) -> None:
        with self._transaction() as c:
            c.execute(
                "INSERT INTO uploads (sha256, url, done) VALUES (?, ?, ?) "
                "ON CONFLICT (sha256) DO UPDATE SET url = excluded.url, done = excluded.done",
                (sha256, url, int(done)),
            )
