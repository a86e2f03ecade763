"""Pull: a person's view of the data, as a snapshot and then as changes since a cursor.

Cursors are opaque strings the server hands out; never client clocks:

- ``s.<epoch>.<hw>.<mark>.<i>.<last_id>``: snapshot in progress — entity type ``i`` of the
  snapshot order, after ``last_id``; ``hw`` is the change-log high-water mark taken when the
  snapshot began. When the snapshot is done the cursor becomes ``c.<epoch>.<hw>.<mark>``, so every
  change committed after the snapshot began is delivered afterwards (at least once; upserts are
  idempotent).
- ``c.<epoch>.<seq>.<mark>``: every change with a greater seq is still to come.

A cursor must be *placed* in this database's log before it is trusted (invariant 4): ``epoch``
is this database's identity (created by its migration, renewed by :func:`new_epoch`); ``mark``
fingerprints the change-log row at ``seq``. A cursor answers ``reset`` — the client drops its
entities (not its outbox) and receives a fresh snapshot — when it does not parse, comes from
another database or epoch, lies in the pruned part of the log, is ahead of the log, or names a
row that is not the one there now (a database restored from a backup hands the same seqs out
again to different changes).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func
from sqlmodel import Session, col, select

from sync.models import ChangeLog, SyncMeta
from sync.protocol import DELETE, UPSERT, Change, PullPage

PRUNED_THROUGH = "changes_pruned_through"
EPOCH = "database_epoch"
# the epoch of a database whose migration did not create one (tables made without Alembic)
NO_EPOCH = "0"


class Source(Protocol):
    """What the backend tells the sync core about its entities, for one person."""

    user_id: uuid.UUID
    order: Sequence[str]  # snapshot order (referenced entities first)

    def snapshot_ids(
        self, session: Session, entity: str, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """Ids of ``entity`` this person may see, ascending, after ``after``."""
        ...

    def load(
        self, session: Session, entity: str, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[int, dict[str, Any]]]:
        """Current ``(version, data)`` of those ids this person may see (others left out)."""
        ...

    def companions(self, session: Session, entity: str, data: dict[str, Any]) -> list[tuple[str, uuid.UUID]]:
        """Rows to send along with this one: ones the person may see only because of it (the
        people on a survey they were just made party to), whose own rows did not change."""
        ...


def high_water(session: Session) -> int:
    """The newest change seq (never below the pruned part, even when the log is empty)."""
    value = session.exec(select(func.max(ChangeLog.seq))).one()
    return max(int(value or 0), pruned_through(session))


def pruned_through(session: Session) -> int:
    row = session.get(SyncMeta, PRUNED_THROUGH)
    return int(row.value) if row else 0


def database_epoch(session: Session) -> str:
    """This database's identity in cursors: cursors of any other epoch are reset."""
    row = session.get(SyncMeta, EPOCH)
    return row.value if row else NO_EPOCH


def new_epoch(session: Session) -> str:
    """Start a new epoch: every device's next pull resets and rebuilds from a snapshot.

    For a database restored from a backup or cloned, or data repaired outside the commands
    (writes the change log did not see). Outboxes are unaffected."""
    value = secrets.token_hex(8)
    row = session.get(SyncMeta, EPOCH) or SyncMeta(key=EPOCH, value=value)
    row.value = value
    session.add(row)
    return value


def _mark(row: ChangeLog | None) -> str:
    """A short fingerprint of one change-log row: the same seq in a restored or another
    database is (with overwhelming likelihood) a different row."""
    if row is None:
        return ""
    ident = f"{row.seq}|{row.entity}|{row.entity_id}|{row.version}|{row.op}|{row.at.isoformat()}"
    return hashlib.sha256(ident.encode()).hexdigest()[:12]


def _position(session: Session, seq: int) -> str:
    """``<epoch>.<seq>.<mark>``: a place in this database's log."""
    return f"{database_epoch(session)}.{seq}.{_mark(session.get(ChangeLog, seq) if seq else None)}"


def _placed(session: Session, epoch: str, seq: int, mark: str) -> bool:
    """Whether ``seq`` (fingerprinted ``mark``) is a place in this database's current log."""
    pruned = pruned_through(session)
    if epoch != database_epoch(session) or seq < pruned:
        return False
    if seq == 0:
        return True
    row = session.get(ChangeLog, seq)
    if row is None:
        # pruned since (the log is complete after it); otherwise never in this log, or ahead of it
        return seq == pruned
    return _mark(row) == mark


def prune(session: Session, through_seq: int) -> int:
    """Forget change-log rows up to ``through_seq``; cursors before it will be reset."""
    rows = session.exec(select(ChangeLog).where(col(ChangeLog.seq) <= through_seq)).all()
    for row in rows:
        session.delete(row)
    meta = session.get(SyncMeta, PRUNED_THROUGH) or SyncMeta(key=PRUNED_THROUGH, value="0")
    meta.value = str(max(int(meta.value), through_seq))
    session.add(meta)
    return len(rows)


def _size(change: Change) -> int:
    """A cheap estimate of a change's JSON size (for paging by bytes): text is counted, every
    other value as a short one (numbers, flags, ids and timestamps are at most ~40 characters;
    nested lists and objects — events' field changes, a site's IP blocks — are measured)."""
    data = change.data
    if not data:
        return 80
    size = 80 + 40 * len(data)
    for value in data.values():
        if value.__class__ is str:
            size += len(value)
        elif value.__class__ is list or value.__class__ is dict:
            size += len(str(value))
    return size


def pull(
    session: Session, source: Source, cursor: str | None, *, limit: int = 500, max_bytes: int = 2_000_000
) -> PullPage:
    if not cursor:
        return _snapshot(session, source, high_water(session), 0, None, limit, max_bytes, reset=False)
    try:
        kind, *parts = cursor.split(".")
        if kind == "s" and len(parts) == 5:
            epoch, hw, mark, index = parts[0], int(parts[1]), parts[2], int(parts[3])
            after = uuid.UUID(parts[4]) if parts[4] else None
            if not 0 <= index <= len(source.order) or not _placed(session, epoch, hw, mark):
                raise ValueError("snapshot cursor not placed in this log")
            return _snapshot(session, source, hw, index, after, limit, max_bytes, reset=False)
        if kind == "c" and len(parts) == 3:
            epoch, seq, mark = parts[0], int(parts[1]), parts[2]
            if not _placed(session, epoch, seq, mark):
                raise ValueError("cursor not placed in this log")
            return _changes(session, source, seq, limit, max_bytes, mark)
        raise ValueError(kind)
    except ValueError:
        return _snapshot(session, source, high_water(session), 0, None, limit, max_bytes, reset=True)


def _snapshot(
    session: Session,
    source: Source,
    hw: int,
    index: int,
    after: uuid.UUID | None,
    limit: int,
    max_bytes: int,
    *,
    reset: bool,
) -> PullPage:
    changes: list[Change] = []
    size = 0
    at = _position(session, hw)
    while index < len(source.order):
        entity = source.order[index]
        room = limit - len(changes)
        ids = source.snapshot_ids(session, entity, after, room)
        loaded = source.load(session, entity, ids)
        for key in ids:
            if key not in loaded:
                continue
            version, data = loaded[key]
            change = Change(entity=entity, id=key, version=version, op=UPSERT, data=data)
            changes.append(change)
            size += _size(change)
            after = key
            if len(changes) >= limit or size >= max_bytes:
                return PullPage(changes, f"s.{at}.{index}.{after}", has_more=True, reset=reset)
        if len(ids) < room:
            index, after = index + 1, None
        else:
            return PullPage(changes, f"s.{at}.{index}.{after or ''}", has_more=True, reset=reset)
    return PullPage(changes, f"c.{at}", has_more=True, reset=reset)


def _changes(session: Session, source: Source, seq: int, limit: int, max_bytes: int, mark: str) -> PullPage:
    rows = session.exec(
        select(ChangeLog).where(col(ChangeLog.seq) > seq).order_by(col(ChangeLog.seq)).limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    by_entity: dict[str, set[uuid.UUID]] = {}
    for row in rows:
        by_entity.setdefault(row.entity, set()).add(row.entity_id)
    current = {entity: source.load(session, entity, sorted(ids)) for entity, ids in by_entity.items()}
    # a deletion is told to those who see its parent (and to whoever lost sight of it anyway)
    parents: dict[str, set[uuid.UUID]] = {}
    for row in rows:
        if row.op == DELETE and row.parent_entity and row.parent_id:
            parents.setdefault(row.parent_entity, set()).add(row.parent_id)
    seen_parents = {entity: set(source.load(session, entity, sorted(ids))) for entity, ids in parents.items()}

    changes: list[Change] = []
    emitted: set[tuple[str, uuid.UUID]] = set()
    size = 0
    epoch = database_epoch(session)
    last, last_row = seq, None
    for row in rows:
        key = (row.entity, row.entity_id)
        visible = current[row.entity].get(row.entity_id)
        change: Change | None = None
        told = row.op == DELETE and row.parent_id in seen_parents.get(row.parent_entity or "", ())
        if told or (visible is None and row.revoke_user_id == source.user_id):
            change = Change(entity=row.entity, id=row.entity_id, version=row.version, op=DELETE, data=None)
            emitted.discard(key)
        elif visible is not None and key not in emitted:
            version, data = visible
            change = Change(entity=row.entity, id=row.entity_id, version=version, op=UPSERT, data=data)
            emitted.add(key)
        last, last_row = int(row.seq or last), row
        if change is not None:
            changes.append(change)
            size += _size(change)
            if size >= max_bytes:
                return PullPage(
                    changes + _companions(session, source, changes, emitted),
                    _after(epoch, last, last_row, mark),
                    True,
                )
    return PullPage(
        changes + _companions(session, source, changes, emitted),
        _after(epoch, last, last_row, mark),
        has_more,
    )


def _after(epoch: str, seq: int, row: ChangeLog | None, mark: str) -> str:
    """The cursor after a page of changes: at its last row, or where it started (none read)."""
    return f"c.{epoch}.{seq}.{_mark(row) if row is not None else mark}"


def _companions(
    session: Session, source: Source, changes: list[Change], emitted: set[tuple[str, uuid.UUID]]
) -> list[Change]:
    wanted: dict[str, set[uuid.UUID]] = {}
    for change in changes:
        if change.op == UPSERT and change.data is not None:
            for entity, key in source.companions(session, change.entity, change.data):
                if (entity, key) not in emitted:
                    wanted.setdefault(entity, set()).add(key)
    out: list[Change] = []
    for entity, keys in wanted.items():
        for key, (version, data) in source.load(session, entity, sorted(keys)).items():
            out.append(Change(entity=entity, id=key, version=version, op=UPSERT, data=data))
    return out


def prune_older_than(session: Session, cutoff: datetime) -> int:
    """Forget changes committed before ``cutoff`` (a retention policy); returns how many."""
    through = session.exec(select(func.max(ChangeLog.seq)).where(col(ChangeLog.at) < cutoff)).one()
    return prune(session, int(through)) if through else 0
