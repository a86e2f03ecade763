"""Push: apply a batch of envelopes exactly once, in ``seq`` order, in one transaction.

The caller owns the transaction (``session``) and commits it after :func:`push` returns, so the
ledger rows, the entity writes and the change-log rows of the whole batch commit together. Each
envelope runs in a SAVEPOINT: a :class:`Rejected` command undoes only itself and is recorded
with its reason.

No envelope can stall an outbox. Whatever an envelope's *content* causes is a permanent,
recorded refusal of that envelope alone: a malformed envelope (:func:`envelope_problem`) is
refused before it runs, and an unexpected error inside a command (a bug, a value the database
will not store) is refused as ``SYNC_COMMAND_FAILED`` and logged. Only a transient failure — the
database unreachable, a lock timeout, a deadlock or serialisation failure
(:func:`is_transient`) — propagates: the caller rolls back everything, nothing of the batch is
acknowledged, and a retry is safe.

Cost per envelope: the command's own statements and one Core ``INSERT`` of its change-log rows.
The batch runs in one SAVEPOINT and only a refused envelope gets its own (:func:`_apply_all`);
the ledger and the client's ``last_seq`` are written once per batch (Core); the session's
identity map is emptied after each envelope, so a flush never walks more than one command's
objects.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from sync.changes import WRITES_KEY, WriteBatch, batch_of
from sync.models import LedgerEntry, SyncClient
from sync.protocol import APPLIED, REJECTED, Envelope, PushResult, Rejected, Reply

log = logging.getLogger("saha.sync")

# (session, envelope) -> result payload ({entity, id, version}); raises Rejected to refuse.
# It may also have ``prepare(session, envelopes)``: called once before a run of envelopes, to
# read ahead, in a few statements, the rows they will load (it must not write).
RunCommand = Callable[[Session, Envelope], dict[str, Any] | None]

SEQ_REUSED = "SYNC_SEQ_REUSED"
VALIDATION_FAILED = "VALIDATION_FAILED"
COMMAND_FAILED = "SYNC_COMMAND_FAILED"

MAX_ID = 64  # mutation ids, command names, client ids, base-version keys
MAX_SEQ = 2**31 - 1
MAX_VERSION = 2**31 - 1
MAX_DEPTH = 32  # nesting of an envelope's args
MAX_REFS = 64
MAX_BASE_KEY = 128  # "<entity>:<uuid>"


class ClientMismatchError(Exception):
    """The client id belongs to another person: the whole push is refused."""


def is_transient(exc: BaseException) -> bool:
    """A failure of the database, not of the envelope: the batch may succeed when retried."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.TimeoutError
        | sa_exc.DisconnectionError
        | ConnectionError  # a store or service the command needs is unreachable
        | TimeoutError,
    )


def envelope_problem(env: Envelope) -> tuple[str, str] | None:
    """``(field, detail)`` when the envelope is malformed, else None. Checked before it runs."""
    if not isinstance(env.mutation_id, str) or not 1 <= len(env.mutation_id) <= MAX_ID:
        return "mutationId", f"mutationId: 1–{MAX_ID} characters"
    if not isinstance(env.name, str) or not 1 <= len(env.name) <= MAX_ID:
        return "name", f"name: 1–{MAX_ID} characters"
    if not isinstance(env.args, dict):
        return "args", "args: an object"
    bases = env.base_versions
    if not isinstance(bases, dict):
        return "baseVersions", "baseVersions: an object of entity id → version"
    for key, value in bases.items():
        ok = isinstance(key, str) and 1 <= len(key) <= MAX_BASE_KEY
        if not ok or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_VERSION:
            return "baseVersions", "baseVersions: entity id → whole version number"
    refs = env.blob_refs
    if len(refs) > MAX_REFS or not all(isinstance(r, str) and 1 <= len(r) <= MAX_ID for r in refs):
        return "blobRefs", f"blobRefs: at most {MAX_REFS} content hashes"
    return _text_problem(env.args)


def _text_problem(value: Any) -> tuple[str, str] | None:
    """Nesting deeper than MAX_DEPTH, or text a database cannot store (NUL, lone surrogates)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "args", f"args: nested deeper than {MAX_DEPTH}"
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str) or not _storable(key):
                    return "args", "args: keys must be text"
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and not _storable(item):
            return "args", "args: text contains a NUL character or an unpaired surrogate"
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _client(session: Session, client_id: str, user_id: uuid.UUID, now: datetime) -> SyncClient:
    client = session.get(SyncClient, client_id, with_for_update=True)
    if client is None:
        client = SyncClient(
            client_id=client_id, user_id=user_id, last_seq=0, created_at=now, last_seen_at=now
        )
        session.add(client)
        session.flush()
    elif client.user_id != user_id:
        raise ClientMismatchError(client_id)
    return client


def push(
    session: Session,
    *,
    client_id: str,
    user_id: uuid.UUID,
    envelopes: Sequence[Envelope],
    run: RunCommand,
    now: datetime,
) -> PushResult:
    client = _client(session, client_id, user_id, now)
    start_seq = client.last_seq
    session.expunge(client)
    stored = _stored(session, client_id, [e.seq for e in envelopes if 1 <= e.seq <= start_seq])
    plan = _plan(envelopes, start_seq)
    fresh = _apply_all(session, [env for env, kind in plan.steps if kind == "run"], run)
    replies: list[Reply] = []
    ledger: list[dict[str, Any]] = []
    for env, kind in plan.steps:
        reply = _answer(env, kind, plan, fresh, stored)
        if kind in ("run", "refuse"):
            ledger.append(_ledger_row(client_id, env, reply, now))
        replies.append(reply)

    if ledger:
        session.execute(insert(LedgerEntry.__table__), ledger)  # type: ignore[attr-defined]
    session.execute(
        update(SyncClient.__table__)  # type: ignore[attr-defined]
        .where(SyncClient.__table__.c.client_id == client_id)  # type: ignore[attr-defined]
        .values(last_seq=plan.last_seq, last_seen_at=now)
    )
    return PushResult(
        client_id=client_id, last_seq=plan.last_seq, replies=replies, expected_seq=plan.expected
    )


@dataclass
class _Plan:
    """What a push does with each envelope, decided before anything runs."""

    # (envelope, "invalid" | "replay" | "repeat" | "refuse" | "run"), in seq order
    steps: list[tuple[Envelope, str]]
    first: dict[int, Envelope]  # the envelope that took each new seq (a batch may repeat a seq)
    last_seq: int
    expected: int | None  # a gap: the seq the server expects next


def _plan(envelopes: Sequence[Envelope], last_seq: int) -> _Plan:
    """Which envelopes are answered from the ledger, refused as malformed, repeats of an earlier
    one in the batch, or run; a gap stops the plan there."""
    plan = _Plan(steps=[], first={}, last_seq=last_seq, expected=None)
    for env in sorted(envelopes, key=lambda e: e.seq):
        if not 1 <= env.seq <= MAX_SEQ:
            plan.steps.append((env, "invalid"))  # never stored (there is no such place in the queue)
        elif env.seq in plan.first:
            plan.steps.append((env, "repeat"))
        elif env.seq <= plan.last_seq:
            plan.steps.append((env, "replay"))
        elif env.seq > plan.last_seq + 1:
            plan.expected = plan.last_seq + 1
            break
        else:
            plan.first[env.seq] = env
            plan.last_seq = env.seq
            plan.steps.append((env, "refuse" if envelope_problem(env) else "run"))
    return plan


def _answer(
    env: Envelope, kind: str, plan: _Plan, fresh: dict[int, Reply], stored: dict[int, _Stored]
) -> Reply:
    """The reply to one planned envelope (``fresh``: the replies of those that ran)."""
    if kind == "invalid":
        return _refused(env, VALIDATION_FAILED, "seq", f"seq: 1–{MAX_SEQ}")
    if kind == "replay":
        return _replay(env, stored.get(env.seq))
    if kind == "repeat":
        earlier = fresh.get(env.seq)
        if earlier is None:  # a repeat of a replayed seq
            return _replay(env, stored.get(env.seq))
        return earlier if _same(plan.first[env.seq], env) else _mismatch(env)
    if kind == "refuse":
        problem = envelope_problem(env)
        assert problem is not None
        fresh[env.seq] = _refused(env, VALIDATION_FAILED, *problem)
    return fresh[env.seq]


def body_hash(env: Envelope) -> str:
    """SHA-256 of what an envelope asks for — name, args, baseVersions, blobRefs — as canonical
    JSON (sorted keys, no spaces, ASCII). A replay of its seq must ask for the same."""
    body = {"name": env.name, "args": env.args, "baseVersions": env.base_versions, "blobRefs": env.blob_refs}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _same(earlier: Envelope, env: Envelope) -> bool:
    return earlier.mutation_id == env.mutation_id and body_hash(earlier) == body_hash(env)


@dataclass(frozen=True)
class _Stored:
    """A ledger row, as a replay needs it."""

    reply: dict[str, Any]
    body_hash: str | None  # None: written before bodies were hashed


def _stored(session: Session, client_id: str, seqs: list[int]) -> dict[int, _Stored]:
    """The ledger rows of ``seqs`` (replays) by seq."""
    if not seqs:
        return {}
    # plain rows, not ORM objects: a replayed outbox can be thousands of entries
    rows = session.exec(
        select(LedgerEntry.seq, LedgerEntry.reply, LedgerEntry.body_hash).where(
            LedgerEntry.client_id == client_id,
            col(LedgerEntry.seq).in_(seqs),
        )
    ).all()
    return {seq: _Stored(dict(reply), body) for seq, reply, body in rows}


def _ledger_row(client_id: str, env: Envelope, reply: Reply, now: datetime) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "seq": env.seq,
        # an over-long id was refused above; what is stored is only for the record
        "mutation_id": str(env.mutation_id)[:MAX_ID],
        "name": str(env.name)[:MAX_ID],
        "status": reply.status,
        "reply": reply.to_json(),
        "body_hash": body_hash(env),
        "committed_at": now,
    }


def _replay(env: Envelope, row: _Stored | None) -> Reply:
    if row is None:  # pruned ledger: the outcome is gone, but it was applied once
        return Reply(seq=env.seq, mutation_id=env.mutation_id, status=APPLIED)
    # the stored reply holds the whole id (the column only its first MAX_ID characters)
    if row.reply.get("mutation_id") != env.mutation_id:
        return _mismatch(env)
    if row.body_hash is not None and row.body_hash != body_hash(env):
        return _mismatch(env)
    return Reply.from_json(row.reply)


def _mismatch(env: Envelope) -> Reply:
    return Reply(seq=env.seq, mutation_id=env.mutation_id, status=REJECTED, code=SEQ_REUSED)


def _refused(env: Envelope, code: str, field: str, detail: str) -> Reply:
    return Reply(
        seq=env.seq,
        mutation_id=env.mutation_id,
        status=REJECTED,
        code=code,
        field=field,
        params={"detail": detail},
    )


def _apply_all(session: Session, envelopes: Sequence[Envelope], run: RunCommand) -> dict[int, Reply]:
    """Run ``envelopes`` in order; a reply per seq.

    Fast path: the whole run in one SAVEPOINT, none per envelope (a SAVEPOINT per command was a
    third of a push's time). Commands check their rules before they write, so a refusal is rare;
    when one comes, the run's SAVEPOINT is rolled back, the envelopes before it run again, and the
    refused one runs alone in its own SAVEPOINT (:func:`_apply`), which records exactly what a
    one-by-one push would. The outcome is always that of applying the envelopes one by one."""
    out: dict[int, Reply] = {}
    pos = 0
    while pos < len(envelopes):
        done = _run_together(session, envelopes[pos:], run, out)
        if pos + done == len(envelopes):
            break
        if done and _run_together(session, envelopes[pos : pos + done], run, out) != done:
            for env in envelopes[pos : pos + done]:  # not reproducible together: one by one
                out[env.seq] = _apply(session, env, run)
        out[envelopes[pos + done].seq] = _apply(session, envelopes[pos + done], run)
        pos += done + 1
    return out


def _run_together(
    session: Session, envelopes: Sequence[Envelope], run: RunCommand, out: dict[int, Reply]
) -> int:
    """All of ``envelopes`` in one SAVEPOINT and one write batch (``sync.changes.WriteBatch``):
    their number if every one was applied or refused before writing anything (kept, replies in
    ``out``), else the number done before the first one that was not (all rolled back)."""
    replies: list[Reply] = []
    batch = batch_of(session)
    try:
        with session.begin_nested():
            batch.deferred = True
            try:
                prepare = getattr(run, "prepare", None)  # optional: read ahead what the run loads
                if prepare is not None:
                    prepare(session, envelopes)
                for env in envelopes:
                    writes = session.info.get(WRITES_KEY, 0)
                    try:
                        result = run(session, env)
                    except Rejected as rej:
                        if rej.after is not None or not _wrote_nothing(session, batch, writes):
                            raise
                        batch.cut()  # a refusal before any write: nothing to undo
                        replies.append(_rejected(env, rej))
                    else:
                        replies.append(
                            Reply(seq=env.seq, mutation_id=env.mutation_id, status=APPLIED, result=result)
                        )
                    session.expunge_all()  # flushed: the identity map stays one command small
                batch.flush()
            finally:
                batch.deferred = False
    except Exception as exc:
        batch.discard()
        session.expunge_all()
        if is_transient(exc):
            raise
        # failed at the SAVEPOINT's release, after the last command: blame the last one
        return min(len(replies), len(envelopes) - 1)
    out.update((r.seq, r) for r in replies)
    return len(replies)


def _wrote_nothing(session: Session, batch: WriteBatch, writes: int) -> bool:
    if session.info.get(WRITES_KEY, 0) != writes or session.new or session.dirty or session.deleted:
        return False
    return batch.clean()


def _rejected(env: Envelope, rej: Rejected) -> Reply:
    return Reply(
        seq=env.seq,
        mutation_id=env.mutation_id,
        status=REJECTED,
        code=rej.code,
        field=rej.field,
        params=_jsonable(rej.params),
    )


def _apply(session: Session, env: Envelope, run: RunCommand) -> Reply:
    try:
        with session.begin_nested():
            result = run(session, env)
    except Rejected as rej:
        batch_of(session).discard()
        if rej.after is not None:
            with session.begin_nested():
                rej.after(session)
        return _rejected(env, rej)
    except Exception as exc:
        batch_of(session).discard()
        if is_transient(exc):
            raise
        # a bug, or content the database refused: this envelope is set aside, never retried
        log.exception("sync: %s (seq %s, mutation %s) failed", env.name, env.seq, env.mutation_id)
        return Reply(
            seq=env.seq,
            mutation_id=env.mutation_id,
            status=REJECTED,
            code=COMMAND_FAILED,
            params={"mutationId": str(env.mutation_id)[:MAX_ID]},
        )
    finally:
        session.expunge_all()  # the next SAVEPOINT snapshots one command's objects, not the batch's
    return Reply(seq=env.seq, mutation_id=env.mutation_id, status=APPLIED, result=result)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float | bool | type(None)) else str(v) for k, v in params.items()}
