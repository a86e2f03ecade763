"""Engines and sessions.

SQLite (the embedded default) has one writer at a time. We give it two engines over the same
file: writes go through a single-connection engine whose transactions start with
``BEGIN IMMEDIATE`` (they queue in-process instead of failing with SQLITE_BUSY halfway), reads
go through a pooled engine with deferred transactions (WAL lets them run beside the writer).
PostgreSQL uses one pooled engine for both.

Every SQLite connection runs with WAL, ``synchronous=FULL`` (an acknowledged commit survives
power loss — sync invariant 3) and foreign keys on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

SessionFactory = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # isolation_level=None stops the sqlite3 driver from managing transactions itself (which
    # breaks SAVEPOINTs); BEGIN is emitted by the "begin" listeners below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(
    url: str, *, null_pool: bool = False, writer: bool = True, echo: bool = False
) -> AsyncEngine:
    kwargs: dict[str, Any] = {"echo": echo}
    is_sqlite = url.startswith("sqlite")
    if null_pool:
        kwargs["poolclass"] = NullPool
    elif is_sqlite and writer:
        kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
    elif not is_sqlite:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate if writer else _begin_deferred)
    return engine


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session whose work commits on normal exit and rolls back on any exception."""
    async with factory() as session, session.begin():
        yield session


class Database:
    """The process's database handles: ``writer`` for commands, ``reader`` for queries."""

    def __init__(self, url: str, *, null_pool: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, null_pool=null_pool, writer=True)
        if url.startswith("sqlite"):
            self.read_engine = create_engine(url, null_pool=null_pool, writer=False)
        else:
            self.read_engine = self.engine
        self.writer: SessionFactory = create_session_factory(self.engine)
        self.reader: SessionFactory = create_session_factory(self.read_engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write(self) -> Any:
        """``async with db.write() as session``: one committed transaction."""
        return transaction(self.writer)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short read-only session; its transaction ends when the block does.

        Closing (not rolling back) keeps the loaded objects usable after the block."""
        async with self.reader() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
