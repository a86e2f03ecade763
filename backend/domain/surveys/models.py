"""Surveys, their camera points, minutes and signatures (docs/surveys.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.assets.models import AreaType, RecordingLocation
from backend.domain.choices import Choice
from backend.domain.signing.models import SignatureMethod


class SurveyStatus(Choice):
    DRAFT = "draft"  # being filled in on site
    AWAITING_SIGNATURES = "awaiting_signatures"  # frozen into minutes, signatures being collected
    SEALED = "sealed"  # minutes signed by all three parties
    APPROVED = "approved"  # the approval (Olur) is recorded; installation planned


class Conclusion(Choice):
    FAVOURABLE = "favourable"  # olumlu
    UNFAVOURABLE = "unfavourable"  # olumsuz


class Mounting(Choice):
    WALL = "wall"
    CEILING = "ceiling"
    POLE = "pole"
    FACADE = "facade"
    OTHER = "other"


class Survey(SQLModel, table=True):
    """A joint survey (ortak keşif) of a requesting unit's site, done by a technician and a
    Koruma Güvenlik staff member; its findings become the minutes (directive 4(3), 7(1))."""

    __tablename__ = "surveys"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    work_order_id: uuid.UUID = Field(foreign_key="work_orders.id", unique=True)
    site_id: uuid.UUID = Field(foreign_key="sites.id", index=True)
    status: SurveyStatus = Field(sa_type=enum_type(SurveyStatus), default=SurveyStatus.DRAFT)
    reason: str = Field(max_length=2000)
    requesting_unit: str = Field(max_length=200)
    unit_head_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    technician_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    security_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    survey_date: date | None = None
    recording_location: RecordingLocation | None = Field(default=None, sa_type=enum_type(RecordingLocation))
    recording_note: str = Field(default="", max_length=1000)
    infrastructure_needs: str = Field(default="", max_length=4000)
    cabling_needs: str = Field(default="", max_length=4000)
    signs_needed: int | None = None
    signs_note: str = Field(default="", max_length=1000)
    conclusion: Conclusion | None = Field(default=None, sa_type=enum_type(Conclusion))
    conclusion_note: str = Field(default="", max_length=4000)
    # the sealed minutes a correction will supersede (no foreign key: minutes → surveys already)
    corrects_minutes_id: uuid.UUID | None = None
    olur_reference: str | None = Field(default=None, max_length=120)
    olur_date: date | None = None
    installation_work_order_id: uuid.UUID | None = Field(default=None, foreign_key="work_orders.id")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SurveyPoint(SQLModel, table=True):
    """A proposed camera point. Private area types are refused (directive 7(4))."""

    __tablename__ = "survey_points"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    survey_id: uuid.UUID = Field(foreign_key="surveys.id", index=True, ondelete="CASCADE")
    position: int = 0
    place: str = Field(max_length=300)
    area_type: AreaType = Field(sa_type=enum_type(AreaType))
    mounting: Mounting = Field(sa_type=enum_type(Mounting))
    view_direction: str = Field(default="", max_length=300)
    photos: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    lat_e6: int | None = None
    lon_e6: int | None = None
    accuracy_m: int | None = None
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class MinutesStatus(Choice):
    AWAITING_SIGNATURES = "awaiting_signatures"
    SEALED = "sealed"
    WITHDRAWN = "withdrawn"


class Minutes(SQLModel, table=True):
    """Survey minutes (keşif tutanağı): the canonical content of a survey at one moment, and the
    signatures over its hash. Sealed minutes never change (``backend.domain.surveys.seal``)."""

    __tablename__ = "minutes"
    __table_args__ = (sa.UniqueConstraint("survey_id", "revision"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    survey_id: uuid.UUID = Field(foreign_key="surveys.id", index=True)
    revision: int
    template_version: str = Field(max_length=60)
    content: str = Field(sa_type=sa.Text)
    content_hash: str = Field(max_length=64)
    verification_code: str = Field(max_length=14, index=True)
    status: MinutesStatus = Field(sa_type=enum_type(MinutesStatus))
    supersedes_id: uuid.UUID | None = Field(default=None, foreign_key="minutes.id")
    withdrawn_reason: str | None = Field(default=None, max_length=2000)
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pdf_sha256: str | None = Field(default=None, max_length=64)
    version: int = 1


class SignerRole(Choice):
    TECHNICIAN = "technician"
    SECURITY = "security"  # Koruma Güvenlik
    UNIT_HEAD = "unit_head"  # the requesting unit's head


REQUIRED_ROLES = (SignerRole.TECHNICIAN, SignerRole.SECURITY, SignerRole.UNIT_HEAD)


class MinutesSignature(SQLModel, table=True):
    """One party's signature: the drawn image, who, as what, when, over which content hash, and
    how it was proven (``method``: the signer's passkey or PIN, verified by the server when it
    arrived; the evidence is ``signature_evidence``). ``captured_by_id`` is whose phone sent it."""

    __tablename__ = "minutes_signatures"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "role"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    minutes_id: uuid.UUID = Field(foreign_key="minutes.id", index=True)
    role: SignerRole = Field(sa_type=enum_type(SignerRole))
    signer_id: uuid.UUID = Field(foreign_key="users.id")
    image_sha256: str = Field(max_length=64)
    content_hash: str = Field(max_length=64)
    signed_at: str = Field(max_length=40)  # device clock, exactly as signed (part of the message)
    method: SignatureMethod = Field(sa_type=enum_type(SignatureMethod))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    captured_by_id: uuid.UUID = Field(foreign_key="users.id")
    version: int = 1


class SignatureRefusal(SQLModel, table=True):
    """A signature that failed verification (wrong PIN, unknown passkey, a proof for another
    document). Kept although the command was refused, so that the person it was made for and the
    one who sent it see it on their own phones, and why (``code``)."""

    __tablename__ = "minutes_signature_refusals"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    minutes_id: uuid.UUID = Field(foreign_key="minutes.id", index=True)
    role: SignerRole = Field(sa_type=enum_type(SignerRole))
    signer_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    captured_by_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    code: str = Field(max_length=40)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    version: int = 1
