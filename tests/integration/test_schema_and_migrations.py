"""The committed schema.graphql matches the code; migrations produce exactly the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backend.db.engine import Database
from backend.db.migrate import downgrade, upgrade
from backend.db.models import metadata
from backend.graphql.schema import SCHEMA_FILE, schema_sdl


def test_schema_graphql_is_up_to_date() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")

    assert committed == schema_sdl(), "schema.graphql drifted: run `make schema` and commit it"


def _diff(connection: Any) -> list[Any]:
    ctx = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(ctx, metadata))


def test_migrations_match_models(db: Database) -> None:
    # given a database migrated to head (the fixture), when compared with the models
    with db.engine.connect() as conn:
        diff = _diff(conn)
        tables = set(inspect(conn).get_table_names())

    # then there is nothing to add, drop or alter
    assert diff == []
    assert {t.name for t in metadata.sorted_tables} <= tables


def test_downgrade_then_upgrade_round_trips(db_url: str) -> None:
    # given a migrated database (the shared PostgreSQL one is restored to head afterwards)

    # when every migration is undone, then redone
    downgrade(db_url, "base")
    empty = _inspect(db_url, lambda c: set(inspect(c).get_table_names()))
    upgrade(db_url)
    diff = _inspect(db_url, _diff)

    # then nothing is left in between, and the result matches the models again
    assert empty <= {"alembic_version"}
    assert diff == []


def _inspect(url: str, fn: Any) -> Any:
    db = Database(url, null_pool=True)
    try:
        with db.engine.connect() as conn:
            return fn(conn)
    finally:
        db.dispose()
