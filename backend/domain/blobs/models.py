"""Uploads (in progress, resumable) and blobs (complete, verified, content-addressed)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, utcnow


class Upload(SQLModel, table=True):
    """A resumable (tus) upload. ``offset`` is the last byte position confirmed durable."""

    __tablename__ = "uploads"

    id: str = Field(max_length=64, primary_key=True)
    sha256: str = Field(max_length=64, index=True)  # what the client says the content hashes to
    size: int
    offset: int = 0
    content_type: str = Field(max_length=100)
    filename: str = Field(default="", max_length=255)
    created_by_id: uuid.UUID = Field(foreign_key="users.id", index=True)  # quotas, access
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # a shared object store: the request writing the upload (several replicas), until when
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Blob(SQLModel, table=True):
    """Verified content: it exists only once its SHA-256 matched."""

    __tablename__ = "blobs"
    # a person's recent blobs (quotas)
    __table_args__ = (sa.Index("ix_blobs_created_by_id_created_at", "created_by_id", "created_at"),)

    sha256: str = Field(max_length=64, primary_key=True)
    size: int
    content_type: str = Field(max_length=100)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
