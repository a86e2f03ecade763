"""Field-level merge against a base version (invariant 5).

A device edits fields of an entity it last saw at ``base_version``. Fields nobody else changed
since then (including fields only this person changed, e.g. two offline edits in a row) are
applied. A field the server changed since then keeps the server value, and a
:class:`Conflict` records both values and both people, for a person to resolve. The outcome
depends only on the server's state (its change log) and the edit — never on clocks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from sync.models import ChangeLog, Conflict


@dataclass(frozen=True)
class MergeOutcome:
    applied: list[str]
    conflicts: list[Conflict]


def jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def changed_since(
    session: Session, entity: str, entity_id: uuid.UUID, base_version: int
) -> dict[str, uuid.UUID | None]:
    """Fields changed after ``base_version``, each with the last person who changed it."""
    rows = session.exec(
        select(ChangeLog)
        .where(
            ChangeLog.entity == entity,
            ChangeLog.entity_id == entity_id,
            col(ChangeLog.version) > base_version,
        )
        .order_by(col(ChangeLog.seq))
    ).all()
    out: dict[str, uuid.UUID | None] = {}
    for row in rows:
        for f in row.fields:
            out[f] = row.actor_id
    return out


def merge(
    session: Session,
    *,
    entity: str,
    obj: Any,
    edits: dict[str, Any],
    base_version: int | None,
    actor_id: uuid.UUID,
    mutation_id: str,
) -> MergeOutcome:
    """Apply ``edits`` to ``obj`` field by field; conflicting fields keep the server value."""
    current_version = int(obj.version)
    changed = (
        changed_since(session, entity, obj.id, base_version)
        if base_version is not None and base_version < current_version
        else {}
    )
    applied: list[str] = []
    conflicts: list[Conflict] = []
    for name, value in sorted(edits.items()):
        server_value = getattr(obj, name)
        if server_value == value:
            continue
        if name in changed and changed[name] != actor_id:  # one's own earlier edit is no conflict
            conflict = Conflict(
                entity=entity,
                entity_id=obj.id,
                field=name,
                server_value=jsonable(server_value),
                client_value=jsonable(value),
                server_actor_id=changed[name],
                client_actor_id=actor_id,
                mutation_id=mutation_id,
                base_version=int(base_version or 0),
                server_version=current_version,
            )
            session.add(conflict)
            conflicts.append(conflict)
            continue
        setattr(obj, name, value)
        applied.append(name)
    return MergeOutcome(applied=applied, conflicts=conflicts)
