"""Users, roles and sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.choices import Choice


class Role(Choice):
    """What a person does in the unit; permissions follow from it."""

    TECHNICIAN = "technician"  # Teknisyen
    SECURITY = "security"  # Koruma Güvenlik personeli
    UNIT_HEAD = "unit_head"  # Talep eden birimin amiri
    MANAGER = "manager"  # Şef / Müdür
    ZABITA = "zabita"  # Zabıta
    ADMIN = "admin"  # Sistem yöneticisi


class Region(SQLModel, table=True):
    """A maintenance region (a group of districts) that technicians are assigned to."""

    __tablename__ = "regions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=80, unique=True)


class UserBase(SQLModel):
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=120)
    role: Role = Field(sa_type=enum_type(Role))
    region_id: uuid.UUID | None = Field(default=None, foreign_key="regions.id", index=True)
    phone: str = Field(default="", max_length=32)
    is_active: bool = True


class User(UserBase, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    password_hash: str = Field(max_length=255)
    # When the person last set their signing PIN (None: no PIN). The verifier itself lives in
    # ``signing_pins`` and never leaves the server (backend.domain.signing).
    signing_pin_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefreshToken(SQLModel, table=True):
    """A long-lived, single-use token that renews the short access token.

    Tokens rotate on every use; all tokens of one sign-in share a ``family_id`` so that reuse
    of an already rotated token (a stolen copy) revokes the whole family.
    Only the SHA-256 of the token is stored.
    """

    __tablename__ = "refresh_tokens"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-in bookkeeping (``backend.domain.people.auth``), one row per counter:

    - ``account_source``: one account name from one source address — the lock that matters; it
      only ever holds back the address that fails, so nobody can lock a person out from elsewhere;
    - ``source``: one address, all account names (known or not) together;
    - ``account``: one account name, all addresses together — a high ceiling with a short,
      capped backoff against guessing from many addresses, never a lock.
    """

    __tablename__ = "sign_in_throttles"

    scope: str = Field(max_length=16, primary_key=True)
    key: str = Field(max_length=200, primary_key=True)
    failures: int = 0
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RateLimit(SQLModel, table=True):
    """Requests per fixed one-minute window, per operation (``bucket``) and source address, for
    the operations anyone may call (sign-in, refresh, PDF verification). In the database so that
    every server process behind the load balancer counts together."""

    __tablename__ = "rate_limits"

    bucket: str = Field(max_length=32, primary_key=True)
    source: str = Field(max_length=64, primary_key=True)
    window_start: datetime = Field(sa_type=UTCDateTime, index=True)
    count: int = 0


class TokenVersion(SQLModel, table=True):
    """Access tokens carry their user's version (``tv``); changing the password or disabling the
    account raises it, so every access token issued before stops working at once, on every
    server process. No row: version 0."""

    __tablename__ = "token_versions"

    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    version: int = 0
