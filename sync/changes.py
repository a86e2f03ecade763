"""The change log: every committed change to a synced entity, recorded automatically.

:class:`ChangeTracker` listens to every ORM flush; for each new, modified or deleted instance of a
tracked model it appends a :class:`ChangeLog` row (entity, id, version, the fields that changed,
who lost sight of it). No command can forget to log a change.

Complete cursors (invariant 4): ``ChangeLog.seq`` must be handed out in commit order, or a pull
could pass a seq whose transaction commits later. SQLite has one writer at a time, so it is. On
PostgreSQL the first change-log append of a transaction takes a transaction-scoped advisory lock,
held until commit: change-log appends are serialised, so seq order is commit order.

One lock order (no deadlocks): that advisory lock is always the *first* lock a writing
transaction takes. A flush takes it before its own INSERT/UPDATE statements; a locking read
(``SELECT … FOR UPDATE``, ``session.get(…, with_for_update=True)``) of a synced row or of a sync
client takes it before the row lock (``do_orm_execute`` below). Without that, a push holding a work
order's row lock would wait for the advisory lock held by a push that waits for the same row.

Change-log rows are written with one Core ``INSERT`` per flush (no ORM objects: a batch of 500
envelopes appends a thousand rows), inside the flush's transaction or SAVEPOINT, so a rolled-back
command takes its log rows with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, text
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from sync.models import ChangeLog, SyncClient
from sync.protocol import DELETE, UPSERT

ADVISORY_LOCK_KEY = 7_202_611  # "sync change log"
_LOCKED = "sync_changelog_locked"
ACTOR_KEY = "sync_actor_id"


@dataclass(frozen=True)
class TrackedEntity:
    name: str
    model: type[SQLModel]
    # when this attribute (a user id) changes, the old value loses sight of the entity
    revoke_field: str | None = None
    # (entity, attribute) of the row whose visibility decides who hears of a deletion: the row
    # is gone, so its own scope cannot be evaluated. An entity without one cannot be deleted.
    parent: tuple[str, str] | None = None


class ChangeTracker:
    def __init__(self, entities: Sequence[TrackedEntity]) -> None:
        self.by_model: dict[type[Any], TrackedEntity] = {e.model: e for e in entities}
        self.by_name: dict[str, TrackedEntity] = {e.name: e for e in entities}
        self._installed = False

    def install(self) -> None:
        """Listen to every Session's flushes (idempotent)."""
        if self._installed:
            return
        event.listen(Session, "before_flush", self._before_flush)
        event.listen(Session, "do_orm_execute", self._before_locking_read)
        event.listen(Session, "after_commit", _clear_lock_flag)
        event.listen(Session, "after_rollback", _clear_lock_flag)
        self._installed = True

    def _before_locking_read(self, state: ORMExecuteState) -> None:
        if not state.is_select or getattr(state.statement, "_for_update_arg", None) is None:
            return
        if any(m.class_ in self.by_model or m.class_ is SyncClient for m in state.all_mappers):
            lock_change_log(state.session)

    def _before_flush(self, session: Session, _ctx: Any, _instances: Any) -> None:
        rows: list[dict[str, Any]] = []
        actor = session.info.get(ACTOR_KEY)
        for obj in list(session.new):
            tracked = self.by_model.get(type(obj))
            if tracked is not None:
                rows.append(self._row(tracked, obj, UPSERT, _all_fields(obj), actor, None))
        for obj in list(session.dirty):
            tracked = self.by_model.get(type(obj))
            if tracked is None:
                continue
            state = inspect(obj)
            # only attributes that were assigned since load can have changed
            fields = sorted(k for k in state.committed_state if state.attrs[k].history.has_changes())
            if not fields:
                continue
            revoke = None
            if tracked.revoke_field and tracked.revoke_field in fields:
                old = state.attrs[tracked.revoke_field].history.deleted
                revoke = old[0] if old and old[0] is not None else None
            rows.append(self._row(tracked, obj, UPSERT, fields, actor, revoke))
        for obj in list(session.deleted):
            tracked = self.by_model.get(type(obj))
            if tracked is not None:
                if tracked.parent is None:
                    raise RuntimeError(f"{tracked.name} rows cannot be deleted: no parent scopes it")
                rows.append(self._row(tracked, obj, DELETE, [], actor, None))
        if not rows:
            return
        lock_change_log(session)
        session.execute(insert(ChangeLog.__table__), rows)  # type: ignore[attr-defined]

    @staticmethod
    def _row(
        tracked: TrackedEntity,
        obj: Any,
        op: str,
        fields: list[str],
        actor: uuid.UUID | None,
        revoke: uuid.UUID | None,
    ) -> dict[str, Any]:
        return {
            "entity": tracked.name,
            "entity_id": obj.id,
            "version": int(getattr(obj, "version", 0) or 0),
            "op": op,
            "fields": fields,
            "actor_id": actor,
            "revoke_user_id": revoke,
            "parent_entity": tracked.parent[0] if op == DELETE and tracked.parent else None,
            "parent_id": getattr(obj, tracked.parent[1]) if op == DELETE and tracked.parent else None,
            "at": _now(),
        }


def lock_change_log(session: OrmSession) -> None:
    """Takes the change-log lock for this transaction (PostgreSQL; SQLite has one writer)."""
    if session.info.get(_LOCKED):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    session.info[_LOCKED] = True


def _now() -> datetime:
    return datetime.now(UTC)


def _all_fields(obj: Any) -> list[str]:
    return sorted(a.key for a in inspect(obj).mapper.column_attrs)


def _clear_lock_flag(session: Session) -> None:
    session.info.pop(_LOCKED, None)
