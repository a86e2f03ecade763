"""Passkeys, PIN verifiers, the evidence behind each signature, and failed PIN attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.choices import Choice


class SignatureMethod(Choice):
    PASSKEY = "passkey"  # a WebAuthn assertion of the signer's own passkey (public key on record)
    PIN = "pin"  # the signer's PIN, sealed to the server and checked against a peppered verifier
    PIN_V1 = "pin_v1"  # retired (before 2026-12): a PIN proof the server verified on arrival


class Passkey(SQLModel, table=True):
    """A person's passkey (WebAuthn credential) on one of their own devices. The server holds its
    public key only: signatures are verified with it, and nothing stored here can make one."""

    __tablename__ = "passkeys"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    credential_id: str = Field(max_length=1400, unique=True)  # base64url, as WebAuthn reports it
    public_key: str = Field(sa_type=sa.Text)  # COSE key, base64url
    sign_count: int = 0
    aaguid: str = Field(default="", max_length=36)
    transports: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    label: str = Field(default="", max_length=80)  # "Samsung A54 · Chrome", shown in Hesap
    backed_up: bool = False  # a synced passkey (iCloud Keychain, Google Password Manager …)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class SigningPin(SQLModel, table=True):
    """The verifier of a person's signing PIN (``backend.domain.signing.pin``). Never synced."""

    __tablename__ = "signing_pins"

    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True)
    salt: str = Field(max_length=64)
    verifier: str = Field(max_length=128)
    params: str = Field(max_length=80)
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignatureEvidence(SQLModel, table=True):
    """What proved a signature, kept for audit: for a passkey the whole assertion (an auditor can
    re-verify it with the passkey's public key), for a PIN which verifier it matched. Holds nothing
    that helps to make another signature. Never synced."""

    __tablename__ = "signature_evidence"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    document_kind: str = Field(max_length=40)
    signature_id: uuid.UUID = Field(index=True, unique=True)
    method: SignatureMethod = Field(sa_type=enum_type(SignatureMethod))
    passkey_id: uuid.UUID | None = Field(default=None, foreign_key="passkeys.id")
    assertion: dict[str, object] | None = Field(default=None, sa_type=sa.JSON)
    message_sha256: str = Field(max_length=64)  # SHA-256 of the signing message
    origin: str | None = Field(default=None, max_length=200)
    pin_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SigningFailure(SQLModel, table=True):
    """A refused PIN signature, counted per (signer, person whose phone sent it): repeated guessing
    pauses signing in that name *from that sender* only, so no party can lock another out."""

    __tablename__ = "signing_failures"
    __table_args__ = (sa.Index("ix_signing_failures_pair_at", "signer_id", "captured_by_id", "at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    signer_id: uuid.UUID = Field(foreign_key="users.id")
    captured_by_id: uuid.UUID = Field(foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
