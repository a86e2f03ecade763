"""Engines and sessions: a synchronous core, called from async code through worker threads.

Why synchronous: a domain command issues several small statements. Through the asyncio drivers
each statement costs a thread or network round trip plus greenlet switches (measured here:
~0.75 ms per trivial SQLite statement through SQLAlchemy+aiosqlite, ~0.09 ms with the sqlite3
driver). Running the whole unit of work — one command, or a whole sync batch — in one worker
thread with a plain ``Session`` makes one hop per unit instead of one per statement.

SQLite (the embedded default) has one writer at a time. Writes go through a single-connection
engine whose transactions start with ``BEGIN IMMEDIATE`` (writers queue in-process instead of
failing with SQLITE_BUSY halfway); reads go through a pooled engine with deferred transactions,
which WAL lets run beside the writer. Every SQLite connection runs with WAL,
``synchronous=FULL`` (an acknowledged commit survives power loss — sync invariant 3) and
foreign keys on. PostgreSQL (psycopg 3) uses one pooled engine for both.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool
from sqlmodel import Session

T = TypeVar("T")
RETRIES = 4
RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected
SessionFactory = sessionmaker[Session]


def normalize_url(url: str) -> str:
    """Accept async-driver URLs (as CI and docs give them) and use the sync drivers."""
    for prefix, replacement in (
        ("sqlite+aiosqlite://", "sqlite://"),
        ("sqlite+pysqlite://", "sqlite://"),
        ("postgresql+asyncpg://", "postgresql+psycopg://"),
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
    ):
        if url.startswith(prefix):
            return replacement + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # isolation_level=None stops the sqlite3 driver from managing transactions itself (which
    # breaks SAVEPOINTs); BEGIN is emitted by the "begin" listeners below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, writer: bool = True, null_pool: bool = False) -> Engine:
    url = normalize_url(url)
    is_sqlite = url.startswith("sqlite")
    # SQLite: check_same_thread off, connections move between worker threads
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}} if is_sqlite else {}
    if null_pool:
        kwargs["poolclass"] = NullPool
    elif is_sqlite:
        # one writer connection; readers pooled
        kwargs.update(pool_size=1 if writer else 8, max_overflow=0, pool_timeout=60)
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = sa_create_engine(url, **kwargs)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate if writer else _begin_deferred)
    return engine


class _Turns:
    """A FIFO lock: threads enter in the order they asked."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._next
            self._next += 1
            while ticket != self._serving:
                self._cond.wait()

    def __exit__(self, *_: object) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()


class Database:
    """The process's database handles.

    ``await db.write(fn)`` runs ``fn(session)`` in a worker thread inside one transaction that
    commits when ``fn`` returns and rolls back when it raises; ``await db.read(fn)`` does the
    same for reads. ``write_session()`` / ``read_session()`` are the same units for code that is
    already synchronous (CLI, demo loader, tests).

    Opening a database installs nothing process-wide: the change log is written only once the
    entry point has installed change tracking
    (``backend.domain.sync_adapter.install_change_tracking``).
    """

    def __init__(self, url: str, *, null_pool: bool = False) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(self.url, writer=True, null_pool=null_pool)
        if self.url.startswith("sqlite"):
            self.read_engine = create_engine(self.url, writer=False, null_pool=null_pool)
        else:
            self.read_engine = self.engine
        self.writer: SessionFactory = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._turn: contextlib.AbstractContextManager[Any] = (
            _Turns() if self.url.startswith("sqlite") and not null_pool else contextlib.nullcontext()
        )
        self.reader: SessionFactory = sessionmaker(self.read_engine, class_=Session, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One transaction: commits on normal exit, rolls back on any exception. On SQLite the
        writers take turns in arrival order (the pool's own queue lets a thread that has just
        written barge ahead of the ones waiting, so a busy writer could starve the others)."""
        with self._turn, self.writer() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A short read session; closing (not rolling back) keeps loaded objects usable."""
        with self.reader() as session:
            yield session

    def run_write(self, fn: Callable[[Session], T]) -> T:
        """``fn`` in one transaction; on PostgreSQL a deadlock or serialisation failure rolls
        back and runs ``fn`` again (a few times, with a short pause): it is the database's
        failure, not the request's, and nothing of the failed try was committed."""
        for attempt in range(RETRIES + 1):
            try:
                with self.write_session() as session:
                    return fn(session)
            except OperationalError as exc:
                if attempt == RETRIES or getattr(exc.orig, "sqlstate", None) not in RETRYABLE:
                    raise
                time.sleep(0.01 * (2**attempt) * (1 + random.random()))  # noqa: S311 - jitter
        raise AssertionError("unreachable")

    def run_read(self, fn: Callable[[Session], T]) -> T:
        with self.read_session() as session:
            return fn(session)

    async def write(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.run_write, fn)

    async def read(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.run_read, fn)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
