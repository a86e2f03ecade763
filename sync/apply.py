"""Push: apply a batch of envelopes exactly once, in ``seq`` order, in one transaction.

The caller owns the transaction (``session``) and commits it after :func:`push` returns, so the
ledger rows, the entity writes and the change-log rows of the whole batch commit together. Each
envelope runs in a SAVEPOINT: a :class:`Rejected` command undoes only itself and is recorded
with its reason; anything else (a transient failure) propagates and the caller rolls back
everything — nothing of the batch is acknowledged, so a retry is safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sync.models import LedgerEntry, SyncClient
from sync.protocol import APPLIED, REJECTED, Envelope, PushResult, Rejected, Reply

# (session, envelope) -> result payload ({entity, id, version}); raises Rejected to refuse.
RunCommand = Callable[[Session, Envelope], dict[str, Any] | None]

SEQ_REUSED = "SYNC_SEQ_REUSED"


class ClientMismatchError(Exception):
    """The client id belongs to another person: the whole push is refused."""


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
    replies: list[Reply] = []
    expected: int | None = None
    stored: dict[int, tuple[str, dict[str, Any]]] = {}
    replay_seqs = [e.seq for e in envelopes if e.seq <= client.last_seq]
    if replay_seqs:
        # plain rows, not ORM objects: a replayed outbox can be thousands of entries
        rows = session.exec(
            select(LedgerEntry.seq, LedgerEntry.mutation_id, LedgerEntry.reply).where(
                LedgerEntry.client_id == client_id,
                col(LedgerEntry.seq).in_(replay_seqs),
            )
        ).all()
        stored = {seq: (mutation_id, dict(reply)) for seq, mutation_id, reply in rows}

    fresh: dict[int, Reply] = {}  # replies made in this batch (a batch may repeat a seq)
    for env in sorted(envelopes, key=lambda e: e.seq):
        if env.seq <= client.last_seq:
            earlier = fresh.get(env.seq)
            if earlier is not None:
                same = earlier.mutation_id == env.mutation_id
                replies.append(earlier if same else _mismatch(env))
            else:
                replies.append(_replay(env, stored.get(env.seq)))
            continue
        if env.seq > client.last_seq + 1:
            expected = client.last_seq + 1
            break
        reply = _apply(session, env, run)
        session.add(
            LedgerEntry(
                client_id=client_id,
                seq=env.seq,
                mutation_id=env.mutation_id,
                name=env.name,
                status=reply.status,
                reply=reply.to_json(),
                committed_at=now,
            )
        )
        client.last_seq = env.seq
        fresh[env.seq] = reply
        replies.append(reply)

    client.last_seen_at = now
    session.add(client)
    session.flush()
    return PushResult(client_id=client_id, last_seq=client.last_seq, replies=replies, expected_seq=expected)


def _replay(env: Envelope, row: tuple[str, dict[str, Any]] | None) -> Reply:
    if row is None:  # pruned ledger: the outcome is gone, but it was applied once
        return Reply(seq=env.seq, mutation_id=env.mutation_id, status=APPLIED)
    mutation_id, reply = row
    if mutation_id != env.mutation_id:
        return _mismatch(env)
    return Reply.from_json(reply)


def _mismatch(env: Envelope) -> Reply:
    return Reply(seq=env.seq, mutation_id=env.mutation_id, status=REJECTED, code=SEQ_REUSED)


def _apply(session: Session, env: Envelope, run: RunCommand) -> Reply:
    try:
        with session.begin_nested():
            result = run(session, env)
    except Rejected as rej:
        if rej.after is not None:
            with session.begin_nested():
                rej.after(session)
        return Reply(
            seq=env.seq,
            mutation_id=env.mutation_id,
            status=REJECTED,
            code=rej.code,
            field=rej.field,
            params=_jsonable(rej.params),
        )
    return Reply(seq=env.seq, mutation_id=env.mutation_id, status=APPLIED, result=result)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float | bool | type(None)) else str(v) for k, v in params.items()}
