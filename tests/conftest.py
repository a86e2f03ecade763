"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the app, a GraphQL client and factories.

SQLite: the schema is migrated once into a template file that each test copies.
PostgreSQL: the schema is migrated once per run; each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from backend.app import create_app
from backend.config import Settings
from backend.db.engine import Database
from backend.db.migrate import upgrade
from backend.domain.models import metadata
from backend.domain.sync_adapter import install_change_tracking
from tests.change_audit import ChangeAudit
from tests.signing_support import pepper_setting, write_key_file

pytest_plugins = [
    "tests.s3_support",  # moto_s3, s3_bucket: an S3 API server on loopback
    "tests.postgres_expected",  # with TEST_DATABASE_URL set, a skipped PostgreSQL variant fails
    "pytester",  # runs a small suite under that rule (tests/unit/test_postgres_expected.py)
]

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
AUDIT = pytest.StashKey[ChangeAudit]()
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session", autouse=True)
def change_tracking() -> None:
    """What every entry point does at start-up (``create_app``, the CLI): writes of this process
    land in the change log, also those of tests that open a database without the app."""
    install_change_tracking()


def _reset_postgres(url: str) -> None:
    db = Database(url, null_pool=True)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "saha.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL variant skipped")
    _reset_postgres(PG_URL)
    upgrade(PG_URL)
    return PG_URL


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "saha.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    return str(request.getfixturevalue("postgres_migrated"))


@pytest.fixture
def db(db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    database = Database(db_url)
    if database.dialect == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    # every write to a tracked table must reach the change log (tests/change_audit.py)
    audit = request.node.stash[AUDIT] = ChangeAudit.install(database)
    yield database
    database.dispose()
    if audit.failures and request.node.get_closest_marker("unlogged_writes") is None:
        pytest.fail("\n".join(audit.failures), pytrace=False)


@pytest.fixture
def change_audit(db: Database, request: pytest.FixtureRequest) -> ChangeAudit:
    """The ``db`` fixture's audit of the change log (a test of the audit itself reads it)."""
    return request.node.stash[AUDIT]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Saha</title>", encoding="utf-8")
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        frontend_dist=dist,
        demo_data=False,
        scheduler_enabled=False,
        # the keys factories sign with (tests.signing_support), so both paths agree
        signing_pin_key_path=write_key_file(tmp_path / "keys"),
        signing_pepper=pepper_setting(),
    )


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings, db)
    async with AsyncTestClient(app=app) as c:
        yield c


@dataclass
class GQL:
    """Posts GraphQL documents; ``token`` signs the request in."""

    client: AsyncTestClient[Any]

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        lang: str = "tr",
    ) -> dict[str, Any]:
        headers = {"accept-language": lang}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        body = await self(query, variables, **kw)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def gql(client: AsyncTestClient[Any]) -> GQL:
    return GQL(client)
