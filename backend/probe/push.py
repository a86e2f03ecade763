"""Pushing the queue: snapshots by tus (resumable), then ``syncPush`` in seq order; the server's
replies settle the queued items."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from backend.probe.queue import QUEUED, Item, ProbeQueue
from backend.probe.report import sniff_image

BATCH_ENVELOPES = 100
BATCH_BYTES = 600_000  # the server accepts GraphQL bodies up to 1 MB by default
PERMANENT_UPLOAD_CODES = {
    "BLOB_TYPE_NOT_ALLOWED",
    "BLOB_TOO_LARGE",
    "BLOB_CHECKSUM_MISMATCH",
    "LIMIT_EXCEEDED",
    "VALIDATION_FAILED",
}


@dataclass
class PushReport:
    acked: int = 0
    rejected: list[tuple[Item, dict[str, Any]]] = field(default_factory=list)
    error: str | None = None
    auth_failed: bool = False


def _batches(items: list[Item]) -> list[Item]:
    """The first batch: up to BATCH_ENVELOPES envelopes and about BATCH_BYTES of JSON."""
    batch: list[Item] = []
    size = 0
    for item in items:
        n = len(json.dumps(item.envelope(), ensure_ascii=False).encode())
        if batch and (len(batch) >= BATCH_ENVELOPES or size + n > BATCH_BYTES):
            break
        batch.append(item)
        size += n
    return batch


def upload_snapshots(queue: ProbeQueue, client: Any, out: IO[str]) -> None:
    """Upload the snapshots pending items name (tus, resumable). A snapshot the server refuses
    for good is dropped from items not yet sent, so that the results still arrive."""
    from backend.probe.client import RefusedError

    seen: set[str] = set()
    for item in queue.pending():
        sha = item.snapshot_sha256
        if not sha or sha in seen:
            continue
        seen.add(sha)
        url, done = queue.upload_state(sha)
        if done:
            continue
        path = queue.snapshots / sha
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        refusal: str | None = None
        if not data:
            refusal = "görüntü dosyası yerelde bulunamadı"
        else:
            try:
                client.upload(
                    data,
                    sha256=sha,
                    content_type=item.snapshot_type or sniff_image(data) or "image/jpeg",
                    filename=f"probe-{item.label or 'device'}-{sha[:12]}.{_ext(item.snapshot_type)}",
                    resume_url=url,
                    on_created=functools.partial(_remember_upload, queue, sha),
                )
            except RefusedError as exc:
                if exc.code not in PERMANENT_UPLOAD_CODES:
                    if exc.code == "UPLOAD_NOT_FOUND":
                        queue.save_upload(sha, None)  # start afresh next time
                    raise
                refusal = str(exc)
            else:
                queue.save_upload(sha, url, done=True)
                continue
        for other in queue.pending():
            if other.snapshot_sha256 == sha and queue.drop_snapshot(other.seq):
                print(f"  {other.label}: anlık görüntü gönderilmeyecek ({refusal})", file=out)


def _remember_upload(queue: ProbeQueue, sha: str, url: str) -> None:
    queue.save_upload(sha, url)


def _ext(content_type: str | None) -> str:
    return {"image/png": "png", "image/webp": "webp"}.get(content_type or "", "jpg")


def push(queue: ProbeQueue, client: Any, out: IO[str]) -> PushReport:
    """Upload snapshots, then push every pending envelope in seq order; replies settle items.

    Raises the client's OfflineError/AuthError/RefusedError when the server cannot take them:
    what was not settled stays queued.
    """
    from backend.probe.client import ProbeError

    report = PushReport()
    upload_snapshots(queue, client, out)
    cursor: int | None = None  # set after an expectedSeq: push everything from there on
    resumes = 0
    while True:
        candidates = queue.pending() if cursor is None else queue.items(from_seq=cursor)
        if not candidates:
            break
        batch = _batches(candidates)
        queue.mark_sent([i.seq for i in batch if i.state == QUEUED])
        result = client.sync_push(queue.client_id, [i.envelope() for i in batch])
        mine = {i.seq: i for i in batch}
        settled = 0
        for reply in result.get("replies") or []:
            item = mine.get(int(reply["seq"]))
            if item is None or reply.get("mutationId") not in (None, item.mutation_id):
                continue
            state = queue.settle(item.seq, reply)
            settled += 1
            if state == "acked":
                report.acked += 1
            else:
                report.rejected.append((item, reply))
                code = f" [{reply['code']}]" if reply.get("code") else ""
                print(f"REDDEDİLDİ {item.label or item.seq}: {reply.get('message') or ''}{code}", file=out)
        expected = result.get("expectedSeq")
        if expected is not None:
            expected = int(expected)
            resumes += 1
            if resumes > 3 or queue.get(expected) is None:
                raise ProbeError(
                    f"sunucu {expected} numaralı sonucu bekliyor; bu kuyrukta yok (istemci {queue.client_id})"
                )
            cursor = expected
            continue
        if cursor is not None:
            cursor = batch[-1].seq + 1
            if cursor > queue.last_seq:
                cursor = None
            continue
        if settled == 0:
            raise ProbeError("sunucu gönderilen sonuçlara yanıt vermedi")
    return report


@contextlib.contextmanager
def push_lock(directory: Path) -> Iterator[bool]:
    """One push per user directory at a time (another one would only replay, but its uploads
    would collide). Yields False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: replays are harmless, go on
        yield True
        return
    with (directory / "push.lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
