"""Every write to a tracked table appears in the change log: a database-level audit for tests.

The change log (``sync.changes``) is the only way phones learn of a change. A write that skips
it (a raw ``UPDATE``, a driver-level statement, a cascading delete) leaves phones with a stale
row for ever. This audit catches such a write wherever it comes from, without trusting any
Python code path: triggers on every tracked table record each row written (entity, id, version
after the write, upsert/delete) and a trigger on the change log records each row appended; when
a transaction commits, every written row must be matched by a change-log row of the same
transaction with the same entity, id, version and operation.

Both halves live in per-connection temporary tables, so they see exactly one transaction's
work, vanish with a rollback (or a rolled-back SAVEPOINT) like the writes they record, and leave
the schema alone. On SQLite the triggers are temporary too (made for each connection); on
PostgreSQL they are ordinary triggers (made for each test) whose function writes only when the
connection has the audit's temporary tables: connections of other engines are not audited.

The ``db`` fixture (``tests/conftest.py``) audits its engines for every test that uses it and
fails the test at teardown if a transaction committed an unlogged write; a test that writes
outside Saha on purpose says so with ``@pytest.mark.unlogged_writes``. So every write path the
suite exercises is audited, on SQLite and PostgreSQL: among them the demo loader (every workflow
up to sealed minutes and their PDF, tests/integration/test_demo_and_db.py), every command ×
every role (tests/sync/test_command_matrix.py), the services and the HTTP endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from backend.db.engine import Database
from backend.domain.sync_adapter import ENTITIES
from sync.models import ChangeLog
from sync.protocol import DELETE, UPSERT

CHANGES = ChangeLog.__table__.name  # type: ignore[attr-defined]
TRACKED = {e.model.__table__.name: e.name for e in ENTITIES}  # type: ignore[attr-defined]


def _has_version(table: str) -> bool:
    model = next(e.model for e in ENTITIES if e.model.__table__.name == table)  # type: ignore[attr-defined]
    return "version" in model.__table__.c  # type: ignore[attr-defined]


_TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS audit_written (entity TEXT, entity_id TEXT, version INTEGER, op TEXT)",
    "CREATE TEMP TABLE IF NOT EXISTS audit_logged (entity TEXT, entity_id TEXT, version INTEGER, op TEXT)",
)

# A written row without a change-log row of the same transaction, entity, id, version and op.
_UNLOGGED = (
    "SELECT w.entity, w.entity_id, w.version, w.op FROM audit_written w WHERE NOT EXISTS ("
    "SELECT 1 FROM audit_logged c WHERE c.entity = w.entity AND c.entity_id = w.entity_id "
    "AND c.version = w.version AND c.op = w.op)"
)


def _trigger(name: str, op: str, table: str) -> str:
    return f"CREATE TEMP TRIGGER IF NOT EXISTS audit_{name} AFTER {op} ON main.{table}"


def _sqlite_triggers() -> list[str]:
    out = []
    for table, entity in TRACKED.items():  # names of the models, not input
        for op, row, kind in (
            ("INSERT", "NEW", UPSERT),
            ("UPDATE", "NEW", UPSERT),
            ("DELETE", "OLD", DELETE),
        ):
            version = f"COALESCE({row}.version, 0)" if _has_version(table) else "0"
            record = f"INSERT INTO audit_written VALUES ('{entity}', {row}.id, {version}, '{kind}')"  # noqa: S608
            out.append(f"{_trigger(f'{table}_{op.lower()}', op, table)} BEGIN {record}; END")
    record = "INSERT INTO audit_logged VALUES (NEW.entity, NEW.entity_id, NEW.version, NEW.op)"
    out.append(f"{_trigger(CHANGES, 'INSERT', CHANGES)} BEGIN {record}; END")
    return out


_PG_FUNCTIONS = (
    """
CREATE OR REPLACE FUNCTION audit_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
  IF to_regclass('pg_temp.audit_written') IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
  INSERT INTO pg_temp.audit_written VALUES (
    TG_ARGV[0], r->>'id', COALESCE((r->>'version')::int, 0),
    CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END);  -- sync.protocol's DELETE, UPSERT
  RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION audit_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('pg_temp.audit_logged') IS NULL THEN RETURN NULL; END IF;
  INSERT INTO pg_temp.audit_logged VALUES (NEW.entity, NEW.entity_id::text, NEW.version, NEW.op);
  RETURN NULL;
END $$
""",
)


def _pg_triggers() -> list[str]:
    out = [
        f"CREATE OR REPLACE TRIGGER audit_written AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_written('{entity}')"
        for table, entity in TRACKED.items()
    ]
    out.append(
        f"CREATE OR REPLACE TRIGGER audit_logged AFTER INSERT ON {CHANGES} "
        "FOR EACH ROW EXECUTE FUNCTION audit_logged()"
    )
    return out


@dataclass
class ChangeAudit:
    """Installed on a :class:`Database`'s engines; ``failures`` lists each unlogged write."""

    failures: list[str] = field(default_factory=list)
    commits: int = 0  # transactions checked (a test of the audit can see it ran)

    @classmethod
    def install(cls, db: Database) -> ChangeAudit:
        audit = cls()
        if db.dialect == "postgresql":
            with db.engine.begin() as conn:
                for stmt in [*_PG_FUNCTIONS, *_pg_triggers()]:
                    conn.exec_driver_sql(stmt)
        engines = {id(e): e for e in (db.engine, db.read_engine)}
        for engine in engines.values():
            audit._watch(engine, db.dialect)
        return audit

    def _watch(self, engine: Engine, dialect: str) -> None:
        setup = list(_TEMP_TABLES) + (_sqlite_triggers() if dialect == "sqlite" else [])

        def connected(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for stmt in setup:
                cursor.execute(stmt)
            cursor.close()
            if dialect == "postgresql":
                dbapi_connection.commit()  # psycopg opened a transaction for the statements

        def committing(conn: Any) -> None:
            self.check(conn.connection.dbapi_connection)

        event.listen(engine, "connect", connected)
        event.listen(engine, "commit", committing)
        engine.pool.dispose()  # connections made before (none, usually) get the audit too

    def check(self, dbapi_connection: Any) -> None:
        """Called as a transaction commits (before the database commits it)."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(_UNLOGGED)
            for entity, entity_id, version, op in cursor.fetchall():
                self.failures.append(
                    f"{op} of {entity} {entity_id} (version {version}) committed without a "
                    "change-log row: phones never hear of it (write through the ORM or the "
                    "session's WriteBatch, sync.changes)"
                )
            cursor.execute("DELETE FROM audit_written")
            cursor.execute("DELETE FROM audit_logged")
        finally:
            cursor.close()
        self.commits += 1
