"""Named counters for human-readable numbers, safe under concurrent writers."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel


class Counter(SQLModel, table=True):
    """A named sequence (e.g. work-order numbers per year: ``IE-2026-000123``)."""

    __tablename__ = "counters"

    name: str = Field(max_length=64, primary_key=True)
    value: int = 0


def ensure_counter(session: Session, name: str) -> bool:
    """Creates the counter ``name`` at 0 unless it exists (True either way)."""
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    session.exec(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    return True


def next_value(session: Session, name: str, *, ensured: bool = False) -> int:
    """The counter's next value (1, 2, …). ``ensured``: the caller made sure it exists."""
    if not ensured:
        ensure_counter(session, name)
    # on the connection: one statement, no ORM events (it touches no synced table)
    return int(session.connection().execute(_NEXT, {"n": name}).scalar_one())


_TABLE = Counter.__table__  # type: ignore[attr-defined]
# Core, built once: through the ORM's bulk-update path this statement cost ~0.9 ms a call
_NEXT = (
    update(_TABLE)
    .where(_TABLE.c.name == bindparam("n"))
    .values(value=_TABLE.c.value + 1)
    .returning(_TABLE.c.value)
)
