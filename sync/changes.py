"""The change log: every committed change to a synced entity, recorded automatically.

:class:`ChangeTracker` listens to every ORM flush; for each new, modified or deleted instance of a
tracked model it appends a :class:`ChangeLog` row (entity, id, version, the fields that changed,
who lost sight of it). No command can forget to log a change.

Complete cursors (invariant 4): ``ChangeLog.seq`` must be handed out in commit order, or a pull
could pass a seq whose transaction commits later. SQLite has one writer at a time, so it is. On
PostgreSQL the first change-log append of a transaction takes a transaction-scoped advisory lock,
held until commit: change-log appends are serialised, so seq order is commit order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, text
from sqlmodel import Session, SQLModel

from sync.models import ChangeLog
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
        event.listen(Session, "after_commit", _clear_lock_flag)
        event.listen(Session, "after_rollback", _clear_lock_flag)
        self._installed = True

    def _before_flush(self, session: Session, _ctx: Any, _instances: Any) -> None:
        rows: list[ChangeLog] = []
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
        bind = session.get_bind()
        if bind.dialect.name == "postgresql" and not session.info.get(_LOCKED):
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            session.info[_LOCKED] = True
        session.add_all(rows)

    @staticmethod
    def _row(
        tracked: TrackedEntity,
        obj: Any,
        op: str,
        fields: list[str],
        actor: uuid.UUID | None,
        revoke: uuid.UUID | None,
    ) -> ChangeLog:
        return ChangeLog(
            entity=tracked.name,
            entity_id=obj.id,
            version=int(getattr(obj, "version", 0) or 0),
            op=op,
            fields=fields,
            actor_id=actor,
            revoke_user_id=revoke,
            parent_entity=tracked.parent[0] if op == DELETE and tracked.parent else None,
            parent_id=getattr(obj, tracked.parent[1]) if op == DELETE and tracked.parent else None,
        )


def _all_fields(obj: Any) -> list[str]:
    return sorted(a.key for a in inspect(obj).mapper.column_attrs)


def _clear_lock_flag(session: Session) -> None:
    session.info.pop(_LOCKED, None)
