"""Named counters for human-readable numbers, safe under concurrent writers."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col


class Counter(SQLModel, table=True):
    """A named sequence (e.g. work-order numbers per year: ``IE-2026-000123``)."""

    __tablename__ = "counters"

    name: str = Field(max_length=64, primary_key=True)
    value: int = 0


def next_value(session: Session, name: str) -> int:
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    session.exec(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    result = session.exec(
        update(Counter)
        .where(col(Counter.name) == name)
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    )
    return int(result.scalar_one())
