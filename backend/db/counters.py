"""Gap-tolerant named counters for human-readable numbers, safe under concurrent writers."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession


class Counter(SQLModel, table=True):
    """A named sequence (e.g. work-order numbers per year: ``IE-2026-000123``)."""

    __tablename__ = "counters"

    name: str = Field(max_length=64, primary_key=True)
    value: int = 0


async def next_value(session: AsyncSession, name: str) -> int:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    result = await session.exec(
        update(Counter)
        .where(col(Counter.name) == name)
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    )
    return int(result.scalar_one())
