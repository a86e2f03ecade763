"""The committed schema.graphql matches the code; migrations produce exactly the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text

from backend.db.engine import Database
from backend.db.migrate import downgrade, upgrade
from backend.domain.models import metadata
from backend.domain.signing.models import SignatureMethod
from backend.domain.surveys.models import MinutesSignature
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


# ---- 260d4262b1c0: signatures with passkeys and peppered PINs ------------------------------------

BEFORE_SIGNING_REDESIGN = "935d948e8425"
RETIRED_USER_COLUMNS = {"signing_salt", "signing_iterations", "signing_key"}


def _columns(url: str, table: str) -> set[str]:
    return set(_inspect(url, lambda c: {col["name"] for col in inspect(c).get_columns(table)}))


def _insert_retired_signatures(url: str) -> dict[str, uuid.UUID]:
    """A database of the retired scheme: three people with PIN keys, sealed minutes whose three
    signatures carry their proofs (rows written as that revision's schema had them)."""
    ids = {name: uuid.uuid4() for name in ("tech", "security", "head", "site", "wo", "survey", "minutes")}
    ids |= {f"sig_{role}": uuid.uuid4() for role in ("technician", "security", "unit_head")}
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    db = Database(url, null_pool=True)
    meta = MetaData()
    try:
        with db.engine.begin() as conn:
            meta.reflect(conn)
            sqlite = conn.dialect.name == "sqlite"

            def ident(name: str) -> Any:
                return ids[name].hex if sqlite else ids[name]

            people = [("tech", "technician"), ("security", "security"), ("head", "unit_head")]
            conn.execute(
                meta.tables["users"].insert(),
                [
                    {
                        "id": ident(name),
                        "username": f"old-{name}",
                        "full_name": f"Eski {name}",
                        "role": role,
                        "phone": "",
                        "is_active": True,
                        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                        "created_at": now,
                        "signing_salt": "c2FsdHNhbHRzYWx0",
                        "signing_iterations": 600_000,
                        "signing_key": "ab" * 32,
                    }
                    for name, role in people
                ],
            )
            conn.execute(
                meta.tables["sites"].insert(),
                {
                    "id": ident("site"),
                    "code": "OLD-1",
                    "name": "Eski Hizmet Binası",
                    "kind": "service_building",
                    "district": "Konak",
                    "address": "",
                    "recording_location": "own_cabinet",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            conn.execute(
                meta.tables["work_orders"].insert(),
                {
                    "id": ident("wo"),
                    "number": "IE-2026-000001",
                    "type": "survey",
                    "status": "in_progress",
                    "title": "Ortak keşif",
                    "description": "",
                    "priority": "normal",
                    "site_id": ident("site"),
                    "assignee_id": ident("tech"),
                    "created_by_id": ident("tech"),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            conn.execute(
                meta.tables["surveys"].insert(),
                {
                    "id": ident("survey"),
                    "work_order_id": ident("wo"),
                    "site_id": ident("site"),
                    "status": "sealed",
                    "reason": "Vezne",
                    "requesting_unit": "Mali Hizmetler",
                    "unit_head_id": ident("head"),
                    "technician_id": ident("tech"),
                    "security_id": ident("security"),
                    "recording_note": "",
                    "infrastructure_needs": "",
                    "cabling_needs": "",
                    "signs_note": "",
                    "conclusion_note": "",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            conn.execute(
                meta.tables["minutes"].insert(),
                {
                    "id": ident("minutes"),
                    "survey_id": ident("survey"),
                    "revision": 1,
                    "template_version": "saha.survey-minutes/1",
                    "content": "{}",
                    "content_hash": "cd" * 32,
                    "verification_code": "ABCD-EFGH-JKLM",
                    "status": "sealed",
                    "created_by_id": ident("tech"),
                    "created_at": now,
                    "sealed_at": now,
                    "version": 1,
                },
            )
            conn.execute(
                meta.tables["minutes_signatures"].insert(),
                [
                    {
                        "id": ident(f"sig_{role}"),
                        "minutes_id": ident("minutes"),
                        "role": role,
                        "signer_id": ident(person),
                        "image_sha256": "ef" * 32,
                        "content_hash": "cd" * 32,
                        "signed_at": "2026-11-22T10:00:00.000Z",
                        "proof": f"{i:02x}" * 32,
                        "recorded_at": now,
                        "captured_by_id": ident("tech"),
                        "version": 1,
                    }
                    for i, ((person, _), role) in enumerate(
                        zip(people, ("technician", "security", "unit_head"), strict=True)
                    )
                ],
            )
    finally:
        db.dispose()
    return ids


def _rows(url: str, sql: str) -> list[Any]:
    return list(_inspect(url, lambda c: c.execute(text(sql)).all()))


def test_retired_signatures_migrate_to_pin_v1_without_their_proofs_and_back(
    db: Database, tmp_path: Path
) -> None:
    # given a database at the revision before the redesign, holding the retired scheme's secrets
    # (SQLite: the revision rebuilds `users`, which work orders, surveys and signatures reference)
    if db.dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        upgrade(url, BEFORE_SIGNING_REDESIGN)
    else:  # the shared PostgreSQL database (emptied by the fixture), put back to head below
        url = db.url
        downgrade(url, BEFORE_SIGNING_REDESIGN)
    try:
        assert {"proof"} <= _columns(url, "minutes_signatures")
        assert _columns(url, "users") >= RETIRED_USER_COLUMNS
        ids = _insert_retired_signatures(url)

        # when migrated to head
        upgrade(url)

        # then the signatures stay, marked pin_v1, and nothing of the retired scheme is left
        signatures = _rows(url, "SELECT id, method, signed_at FROM minutes_signatures")
        assert len(signatures) == 3
        assert {row.method for row in signatures} == {"pin_v1"}
        assert "proof" not in _columns(url, "minutes_signatures")
        assert not RETIRED_USER_COLUMNS & _columns(url, "users")
        assert {"signing_pin_set_at"} <= _columns(url, "users")
        assert [row.signing_pin_set_at for row in _rows(url, "SELECT signing_pin_set_at FROM users")] == [
            None
        ] * 3
        assert _rows(url, "SELECT status FROM minutes")[0].status == "sealed"
        for table in ("passkeys", "signing_pins", "signature_evidence", "signing_failures"):
            assert _rows(url, f"SELECT COUNT(*) AS n FROM {table}")[0].n == 0  # noqa: S608
        # and what the app reads of them is what it reads of any signature
        if db.dialect == "sqlite":
            assert _rows(url, "PRAGMA foreign_key_check") == []
        with Database(url, null_pool=True).read_session() as session:
            sig = session.get(MinutesSignature, ids["sig_security"])
            assert sig is not None
            assert sig.method is SignatureMethod.PIN_V1
            assert sig.signer_id == ids["security"]

        # when migrated back
        downgrade(url, BEFORE_SIGNING_REDESIGN)

        # then the old columns are back (empty: the secrets are gone for good), the rows kept
        assert {"proof"} <= _columns(url, "minutes_signatures")
        assert "method" not in _columns(url, "minutes_signatures")
        assert _columns(url, "users") >= RETIRED_USER_COLUMNS
        assert {row.proof for row in _rows(url, "SELECT proof FROM minutes_signatures")} == {""}
        assert {
            (row.signing_salt, row.signing_key)
            for row in _rows(url, "SELECT signing_salt, signing_key FROM users")
        } == {(None, None)}
        assert len(_rows(url, "SELECT id FROM minutes_signatures")) == 3
    finally:
        upgrade(url)  # PostgreSQL: later tests share this database
    assert _inspect(url, _diff) == []
