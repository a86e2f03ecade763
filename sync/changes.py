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

The write batch (:class:`WriteBatch`): the hot commands (work orders: create, notes, edits,
transitions) do not write through the ORM. They load rows through the session's batch (detached
copies, one query per row per run), change those copies, and add new rows to it; the batch writes
set-based — one ``INSERT`` per table, one ``UPDATE`` per set of changed columns, one change-log
``INSERT`` — when it is flushed. Change-log rows are cut per command (:meth:`WriteBatch.cut`) by
comparing each row with its state before the command, so the log is the same as one flush per
command would write. Like the ORM's autoflush, the batch is flushed before any ORM flush, any
statement that reads a table it holds writes for, and any commit, so nothing reads around it.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    bindparam,
    event,
    insert,
    inspect,
    select,
    text,
    true,
    update,
)
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, SQLModel

from sync.models import ChangeLog, SyncClient
from sync.protocol import DELETE, UPSERT

ADVISORY_LOCK_KEY = 7_202_611  # "sync change log"
_LOCKED = "sync_changelog_locked"
ACTOR_KEY = "sync_actor_id"
BATCH_KEY = "sync_write_batch"
WRITES_KEY = "sync_writes"  # statements that wrote in this session (a refused command wrote none)
_TRACKER: ChangeTracker | None = None
M = TypeVar("M")


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
        self.by_table: dict[Any, TrackedEntity] = {e.model.__table__: e for e in entities}  # type: ignore[attr-defined]
        self._installed = False

    def install(self) -> None:
        """Listen to every Session's flushes (idempotent)."""
        if self._installed:
            return
        event.listen(Session, "before_flush", self._before_flush)
        event.listen(Session, "do_orm_execute", self._before_execute)
        event.listen(Session, "before_commit", _flush_batch)
        event.listen(Session, "after_commit", _transaction_over)
        event.listen(Session, "after_rollback", _transaction_over)
        global _TRACKER
        _TRACKER = self
        self._installed = True

    def _before_execute(self, state: ORMExecuteState) -> None:
        session = state.session
        if not state.is_select:
            session.info[WRITES_KEY] = session.info.get(WRITES_KEY, 0) + 1
        batch: WriteBatch | None = session.info.get(BATCH_KEY)
        if batch is not None and batch.pending and not batch.busy:
            batch.flush_for(state.statement)
        locking = state.is_select and getattr(state.statement, "_for_update_arg", None) is not None
        if locking and any(m.class_ in self.by_model or m.class_ is SyncClient for m in state.all_mappers):
            lock_change_log(session)

    def batch(self, session: OrmSession) -> WriteBatch:
        """The session's write batch (made on first use; gone when the transaction ends)."""
        batch: WriteBatch | None = session.info.get(BATCH_KEY)
        if batch is None:
            batch = session.info[BATCH_KEY] = WriteBatch(self, session)
        return batch

    def _before_flush(self, session: Session, _ctx: Any, _instances: Any) -> None:
        _flush_batch(session)  # rows the ORM writes may refer to rows the batch holds
        session.info[WRITES_KEY] = session.info.get(WRITES_KEY, 0) + 1
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
        return change_row(
            tracked,
            obj.id,
            int(getattr(obj, "version", 0) or 0),
            op,
            fields,
            actor,
            revoke,
            getattr(obj, tracked.parent[1]) if op == DELETE and tracked.parent else None,
        )


def change_row(
    tracked: TrackedEntity,
    entity_id: Any,
    version: int,
    op: str,
    fields: list[str],
    actor: uuid.UUID | None,
    revoke: uuid.UUID | None,
    parent_id: Any = None,
) -> dict[str, Any]:
    """One change-log row (the values of a Core ``INSERT``)."""
    return {
        "entity": tracked.name,
        "entity_id": entity_id,
        "version": version,
        "op": op,
        "fields": fields,
        "actor_id": actor,
        "revoke_user_id": revoke,
        "parent_entity": tracked.parent[0] if op == DELETE and tracked.parent else None,
        "parent_id": parent_id,
        "at": _now(),
    }


Key = tuple[type[Any], Any]


class WriteBatch:
    """Rows a run of commands writes, sent to the database set-based (see the module's text).

    A command using it: :meth:`load` the rows it changes (detached copies, cached for the run),
    change them, :meth:`add` new objects or :meth:`insert` plain rows. Whoever runs the command
    then calls :meth:`cut` (the command's change-log rows, by comparison) or :meth:`flush`."""

    def __init__(self, tracker: ChangeTracker, session: OrmSession) -> None:
        self.tracker = tracker
        self.session = session
        self.busy = False  # set while the batch runs its own statements: they never flush it
        self._rows: dict[Key, Any] = {}  # every row the batch holds: loaded or added
        self._before: dict[Key, dict[str, Any]] = {}  # column values at the last cut
        self._verified: dict[Key, set[Hashable]] = {}  # scopes the row was read through
        self._locked: set[Key] = set()
        self._memo: dict[Hashable, Any] = {}
        self._absent: set[Key] = set()  # preloaded and not found
        self._hidden: set[tuple[Key, Hashable]] = set()  # preloaded and out of that scope
        self._play: dict[Key, Any] = {}  # rows handed out or added since the last cut
        self._new: dict[Key, Any] = {}  # added, not yet inserted
        self._raw: list[tuple[Table, dict[str, Any]]] = []  # plain rows, not yet inserted
        self._raw_cut = 0
        self._dirty: dict[Key, set[str]] = {}  # columns to UPDATE
        self._changes: list[dict[str, Any]] = []  # change-log rows
        self._tables: set[Table] = set()  # tables with writes pending
        self._settle: dict[Hashable, Callable[[], None]] = {}  # to do before the next write
        # set by a runner of many commands (the sync push): commands marked ``batched`` then
        # leave their writes here until the runner flushes; otherwise every command flushes
        self.deferred = False

    @property
    def pending(self) -> bool:
        return bool(self._tables or self._play)

    @property
    def _uncut(self) -> bool:
        """A command is under way: rows in play, or plain rows without their change-log rows."""
        return bool(self._play) or len(self._raw) != self._raw_cut

    # -- what a command does ------------------------------------------------------------------

    def load(
        self,
        model: type[M],
        key: Any,
        scope: Callable[[], ColumnElement[bool]] | None = None,
        *,
        scope_key: Hashable = None,
        for_update: bool = False,
    ) -> M | None:
        """The row ``key`` of ``model`` if ``scope()`` lets it be seen (None: unscoped), as the run
        has left it; None if missing or out of scope. ``scope_key`` names the scope, so a row
        already read through it is not read again. ``for_update``: the row is locked until the
        transaction ends (PostgreSQL)."""
        k: Key = (model, key)
        obj = self._rows.get(k)
        if obj is None and k in self._absent:
            return None
        if obj is not None and scope is not None and (k, scope_key) in self._hidden:
            return None
        relock = obj is not None and for_update and k not in self._locked and k not in self._new
        if relock and k not in self._dirty and k not in self._play:
            self._forget(k)  # read earlier without a lock: read again, locked
            obj = None
        self.busy = True
        try:
            if obj is None:
                stmt: Any = select(model).where(model.id == key)  # type: ignore[attr-defined]
                if scope is not None:
                    stmt = stmt.where(scope())
                if for_update:
                    stmt = stmt.with_for_update()
                obj = self.session.execute(stmt).scalars().first()
                if obj is None:
                    return None
                self.session.expunge(obj)  # a detached copy: the batch writes it
                self._hold(k, obj, {scope_key} if scope is not None else set(), locked=for_update)
            elif not self._still_visible(k, scope, scope_key, relock=relock):
                return None
        finally:
            self.busy = False
        self._play[k] = obj
        loaded: M = obj
        return loaded

    def _still_visible(
        self, k: Key, scope: Callable[[], ColumnElement[bool]] | None, scope_key: Hashable, *, relock: bool
    ) -> bool:
        """A row the batch holds, asked for through a scope it was not read through (or now
        with a lock): is it still there, in that scope? Locks it if asked."""
        if k in self._new or not (
            relock or (scope is not None and scope_key not in self._verified.get(k, ()))
        ):
            return True
        model, key = k
        check: Any = select(model.id).where(model.id == key)
        if scope is not None:
            check = check.where(scope())
        if relock:
            check = check.with_for_update()
            self._locked.add(k)
        if self.session.execute(check).first() is None:
            return False
        if scope is not None:
            self._verified.setdefault(k, set()).add(scope_key)
        return True

    def preload(
        self,
        model: type[Any],
        keys: Iterable[Any],
        scope: Callable[[], ColumnElement[bool]] | None = None,
        *,
        scope_key: Hashable = None,
        for_update: bool = False,
    ) -> None:
        """Read in one statement the rows ``keys`` that the run's commands will :meth:`load` (with
        the same ``scope``): each load is then answered from the batch, a missing row too."""
        wanted = [key for key in dict.fromkeys(keys) if (model, key) not in self._rows]
        if not wanted:
            return
        visible = (scope() if scope is not None else true()).label("_visible")
        table: Table = model.__table__
        # the columns, not the entity: rows built directly (``_build``) cost a third of loading
        # them through the ORM; the change-log lock is then taken here, before the row locks
        stmt: Any = select(*table.columns, visible).where(table.c.id.in_(wanted))
        if for_update:
            stmt = stmt.with_for_update()
        self.busy = True
        try:
            if for_update:
                lock_change_log(self.session)
            rows = self.session.connection().execute(stmt).mappings().all()
        finally:
            self.busy = False
        found = set()
        for row in rows:
            obj = _build(model, row)
            seen = row["_visible"]
            k: Key = (model, obj.id)
            found.add(obj.id)
            self._hold(k, obj, {scope_key} if scope is not None and seen else set(), locked=for_update)
            if scope is not None and not seen:
                self._hidden.add((k, scope_key))
        self._absent.update((model, key) for key in wanted if key not in found)

    def _hold(self, k: Key, obj: Any, verified: set[Hashable], *, locked: bool) -> None:
        """Hold a row just read (outside the session), its values kept for comparison."""
        self._rows[k] = obj
        self._before[k] = _values(obj)
        self._verified[k] = verified
        if locked:
            self._locked.add(k)

    def remember(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """``read()``, once per run: for reads the run's own writes cannot make untrue (a site the
        actor could see stays visible while the run only adds and edits work). None is not kept;
        a change of who sees what (:meth:`cut`) forgets everything."""
        if key in self._memo:
            return self._memo[key]
        value = read()
        if value is not None:
            self._memo[key] = value
        return value

    def settle(self, key: Hashable, fn: Callable[[], None]) -> None:
        """``fn()`` runs once at the next :meth:`flush`, before the batch writes (e.g. giving back
        the numbers of a reserved block the run did not use)."""
        self._settle[key] = fn

    def new(self, model: type[M], values: dict[str, Any]) -> M:
        """A new row of ``model`` built from ``values``, added as by :meth:`add`. The values must
        already be valid (a command's parsed input): no model validation runs, fields not given
        take the model's defaults. A tenth of the cost of the model's constructor."""
        made: M = _build(model, values)
        self.add(made)
        return made

    def add(self, obj: Any) -> None:
        """A new row (an ORM model instance, never added to the session)."""
        k: Key = (type(obj), obj.id)
        self._rows[k] = self._new[k] = self._play[k] = obj
        self._tables.add(obj.__table__)

    def insert(self, model: type[Any], values: dict[str, Any]) -> None:
        """A new plain row: every column must be given (there are no Python-side defaults)."""
        table: Table = model.__table__
        self._raw.append((table, values))
        self._tables.add(table)

    # -- what the runner does -----------------------------------------------------------------

    def clean(self) -> bool:
        """Nothing changed since the last cut (a refused command wrote nothing)."""
        if len(self._raw) != self._raw_cut:
            return False
        return all(k not in self._new or k in self._before for k in self._play) and not any(
            _values(obj) != self._before[k] for k, obj in self._play.items() if k in self._before
        )

    def cut(self) -> None:
        """Close the current command: its change-log rows, as one flush would have written them."""
        rescope = self._cut()
        self._play.clear()
        if rescope:  # who may see the rows changed: read them again, through their scope
            self.flush()
            self.forget()

    def _cut(self) -> bool:
        """The change-log rows of what changed since the last cut (the rows stay in play: a
        flush in the middle of a command, like the ORM's autoflush, splits its log rows). True
        if a row's visibility field changed (``TrackedEntity.revoke_field``)."""
        actor = self.session.info.get(ACTOR_KEY)
        rescope = False
        for k, obj in self._play.items():
            now = _values(obj)
            before = self._before.get(k)
            tracked = self.tracker.by_model.get(k[0])
            if before is None:  # added by this command
                fields = sorted(now)
                revoke = None
            else:
                fields = sorted(f for f, v in now.items() if v != before[f])
                if not fields:
                    continue
                if k not in self._new:
                    self._dirty.setdefault(k, set()).update(fields)
                    self._tables.add(obj.__table__)
                revoke = None
                if tracked is not None and tracked.revoke_field in fields:
                    revoke = before[tracked.revoke_field]
                    rescope = True
            self._before[k] = now
            if tracked is not None:
                version = int(now.get("version") or 0)
                self._changes.append(change_row(tracked, obj.id, version, UPSERT, fields, actor, revoke))
        for table, values in self._raw[self._raw_cut :]:
            tracked = self.tracker.by_table.get(table)
            if tracked is not None:
                version = int(values.get("version") or 0)
                self._changes.append(
                    change_row(tracked, values["id"], version, UPSERT, sorted(values), actor, None)
                )
        self._raw_cut = len(self._raw)
        if self._changes:
            self._tables.add(ChangeLog.__table__)  # type: ignore[attr-defined]
        return rescope

    def flush(self) -> None:
        """Write everything held, set-based, in the session's transaction."""
        if self._uncut:
            self._cut()
        while self._settle:
            self._settle.pop(next(iter(self._settle)))()
        if not self._tables:
            return
        session = self.session
        self.busy = True
        try:
            self._write(session)
        finally:
            self.busy = False

    def _write(self, session: OrmSession) -> None:
        lock_change_log(session)  # the first lock of a writing transaction (one lock order)
        conn = session.connection()
        inserts: dict[Table, list[dict[str, Any]]] = {}
        for obj in self._new.values():
            inserts.setdefault(obj.__table__, []).append(_values(obj))
        for table, values in self._raw:
            inserts.setdefault(table, []).append(values)
        for table in _in_dependency_order(inserts):  # parents before children
            _insert_many(conn, table, inserts[table])
        updates: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}
        for k, fields in self._dirty.items():
            obj = self._rows[k]
            names = tuple(sorted(fields))
            row = {f"v_{f}": getattr(obj, f) for f in names}
            row["k_id"] = obj.id
            updates.setdefault((obj.__table__, names), []).append(row)
        for (table, names), rows in updates.items():
            stmt = update(table).where(table.c.id == bindparam("k_id"))
            stmt = stmt.values({f: bindparam(f"v_{f}", type_=table.c[f].type) for f in names})
            _execute_many(conn, stmt, (table, "update", names), rows)
        if self._changes:
            _insert_many(conn, ChangeLog.__table__, self._changes)  # type: ignore[attr-defined]
        session.info[WRITES_KEY] = session.info.get(WRITES_KEY, 0) + 1
        self._clear_writes()

    def flush_for(self, statement: Any) -> None:
        """Flush if ``statement`` reads or writes a table the batch holds writes for."""
        if self._uncut:
            self.flush()  # mid-command: as the ORM's autoflush would
            return
        try:
            tables = find_tables(statement, include_crud=True, include_joins=True)
        except Exception:  # a statement it cannot walk: be safe
            self.flush()
            return
        if any(t in self._tables for t in tables):
            self.flush()

    def forget(self) -> None:
        """Drop the cached rows (after a flush): the next read goes to the database."""
        if self._tables or self._settle:
            raise RuntimeError("write batch: forget() with writes pending")
        self._rows.clear()
        self._before.clear()
        self._verified.clear()
        self._locked.clear()
        self._memo.clear()
        self._absent.clear()
        self._hidden.clear()
        self._play.clear()

    def discard(self) -> None:
        """Drop everything, written or not (its transaction or SAVEPOINT was rolled back)."""
        self._clear_writes()
        self.forget()

    def _clear_writes(self) -> None:
        self._settle.clear()
        self._new.clear()
        self._raw.clear()
        self._raw_cut = 0
        self._dirty.clear()
        self._changes.clear()
        self._tables.clear()

    def _forget(self, k: Key) -> None:
        for store in (self._rows, self._before, self._verified):
            store.pop(k, None)
        self._locked.discard(k)


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One ``INSERT`` executemany per set of given columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for names, group in groups.items():
        if any(c.default is not None and c.key not in names for c in table.columns):
            conn.execute(insert(table), group)  # Python-side defaults to fill in: the general path
            continue
        _execute_many(
            conn, insert(table).values({n: bindparam(n) for n in names}), (table, "insert", names), group
        )


_Compiled = tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]
_COMPILED: dict[tuple[str, Table, str, tuple[str, ...]], _Compiled] = {}


def _execute_many(
    conn: Connection, stmt: Any, key: tuple[Table, str, tuple[str, ...]], rows: list[dict[str, Any]]
) -> None:
    """``conn.execute(stmt, rows)``, set-based, without SQLAlchemy's per-row parameter processing.

    On SQLite the statement is compiled once per table and column set, and the rows go to the
    driver's ``executemany`` as tuples, each value through its column type's bind processor (a
    value shared by many rows — the run's timestamp — is converted once). That processing was a
    third of a 500-envelope push. Other databases keep the general path (asyncpg's typed
    executemany and SQLAlchemy's multi-row ``VALUES`` batching are already set-based).
    """
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(stmt, rows)
        return
    ck = (dialect.name, *key)
    compiled = _COMPILED.get(ck)
    if compiled is None:
        c = stmt.compile(dialect=dialect)
        names = tuple(c.positiontup or ())
        procs = tuple(c.binds[n].type._cached_bind_processor(dialect) for n in names)
        compiled = _COMPILED[ck] = (str(c), names, procs)
    sql, names, procs = compiled
    columns = []
    for name, proc in zip(names, procs, strict=True):
        values = [row[name] for row in rows]
        if proc is not None:
            memo: dict[int, Any] = {}
            out: list[Any] = []
            for v in values:
                if v is None:
                    out.append(None)
                    continue
                i = id(v)
                if i not in memo:
                    memo[i] = (v, proc(v))  # the value is kept alive with its id
                out.append(memo[i][1])
            values = out
        columns.append(values)
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


_FIELDS: dict[type[Any], list[tuple[str, Any]]] = {}


def _fields_of(model: type[Any]) -> list[tuple[str, Any]]:
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = list(model.model_fields.items())
    return fields


def _build(model: type[M], values: Mapping[Any, Any]) -> M:
    """An instance of ``model`` holding ``values`` (fields not given: the model's defaults),
    without the model's validation; never added to a session."""
    obj: Any = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    state = obj.__dict__
    for name, info in _fields_of(model):
        state[name] = values[name] if name in values else info.get_default(call_default_factory=True)
    built: M = obj
    return built


def _values(obj: Any) -> dict[str, Any]:
    return {
        c.key: copy.copy(v) if isinstance(v := getattr(obj, c.key), list | dict) else v
        for c in obj.__table__.columns
    }


def _in_dependency_order(tables: Any) -> list[Table]:
    order = _ORDER.get(len(SQLModel.metadata.tables))
    if order is None:  # sorting the metadata's tables was a tenth of a flush: once per schema
        _ORDER.clear()
        order = _ORDER[len(SQLModel.metadata.tables)] = {
            t: i for i, t in enumerate(SQLModel.metadata.sorted_tables)
        }
    return sorted(tables, key=order.__getitem__)


_ORDER: dict[int, dict[Table, int]] = {}


def batch_of(session: OrmSession) -> WriteBatch:
    """The session's write batch."""
    return (_TRACKER or _UNTRACKED).batch(session)


_UNTRACKED = ChangeTracker([])  # a process that tracks nothing (tests of the bare sync core)


def _flush_batch(session: OrmSession, *_: Any) -> None:
    batch: WriteBatch | None = session.info.get(BATCH_KEY)
    if batch is not None and batch.pending:
        batch.flush()


def _transaction_over(session: OrmSession) -> None:
    session.info.pop(_LOCKED, None)
    batch: WriteBatch | None = session.info.pop(BATCH_KEY, None)
    if batch is not None:
        batch.discard()


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
