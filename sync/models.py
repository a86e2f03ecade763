"""Tables the sync core owns: clients and their ledgers, the change log, conflicts, meta."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from sync.types import UTCDateTime


def _now() -> datetime:
    return datetime.now(UTC)


class SyncClient(SQLModel, table=True):
    """One installation of the PWA (or the probe) for one person: its gap-free ``seq``."""

    __tablename__ = "sync_clients"

    client_id: str = Field(max_length=64, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    last_seq: int = 0
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime)


class LedgerEntry(SQLModel, table=True):
    """The stored outcome of one ``(client_id, seq)``: replays get exactly this back."""

    __tablename__ = "sync_ledger"

    client_id: str = Field(max_length=64, primary_key=True, foreign_key="sync_clients.client_id")
    seq: int = Field(primary_key=True)
    mutation_id: str = Field(max_length=64)
    name: str = Field(max_length=64)
    status: str = Field(max_length=16)  # applied | rejected
    # SHA-256 of the envelope's body (``apply.body_hash``): a replay must carry the same body.
    # None on rows written before it was kept: such replays are matched by mutation id alone.
    body_hash: str | None = Field(default=None, max_length=64)
    reply: dict[str, Any] = Field(sa_type=JSON)
    committed_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime)


class ChangeLog(SQLModel, table=True):
    """Every committed change to a synced entity, in commit order (``seq``).

    A seq is never handed out twice: on SQLite the table is ``AUTOINCREMENT`` (a plain rowid
    would start again at 1 once pruning empties the log, below every device's cursor)."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        sa.Index("ix_sync_changes_entity", "entity", "entity_id"),
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(
        default=None, sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    entity: str = Field(max_length=32)
    entity_id: uuid.UUID
    version: int = 0
    op: str = Field(max_length=8)  # upsert | delete
    fields: list[str] = Field(default_factory=list, sa_type=JSON)
    actor_id: uuid.UUID | None = None
    revoke_user_id: uuid.UUID | None = None  # who lost sight of it with this change
    # deletions: the row whose visibility decides who is told (the deleted row cannot be scoped)
    parent_entity: str | None = Field(default=None, max_length=32)
    parent_id: uuid.UUID | None = None
    at: datetime = Field(default_factory=_now, sa_type=UTCDateTime)


class Conflict(SQLModel, table=True):
    """The same field changed on the server and, from an older base, on a device.

    The server value was kept; a person decides (``conflict.resolve``)."""

    __tablename__ = "sync_conflicts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entity: str = Field(max_length=32)
    entity_id: uuid.UUID = Field(index=True)
    field: str = Field(max_length=64)
    server_value: Any = Field(default=None, sa_type=JSON)
    client_value: Any = Field(default=None, sa_type=JSON)
    server_actor_id: uuid.UUID | None = None
    client_actor_id: uuid.UUID
    mutation_id: str = Field(max_length=64)
    base_version: int
    server_version: int
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by_id: uuid.UUID | None = None
    resolution: str | None = Field(default=None, max_length=16)  # kept_server | took_client
    version: int = 1


class SyncMeta(SQLModel, table=True):
    __tablename__ = "sync_meta"

    key: str = Field(max_length=64, primary_key=True)
    value: str = Field(max_length=255)
