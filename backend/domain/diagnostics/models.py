"""Diagnostics of cameras and recorders (directive 6(1), 6(4), 9, 12(1), 15)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.choices import Choice


class Verdict(Choice):
    """Order matters: the overall verdict of a diagnosis is the worst of its checks."""

    OK = "ok"
    WARNING = "warning"
    FAIL = "fail"
    NOT_SUPPORTED = "not_supported"
    SKIPPED = "skipped"


SEVERITY = {Verdict.OK: 0, Verdict.NOT_SUPPORTED: 0, Verdict.SKIPPED: 0, Verdict.WARNING: 1, Verdict.FAIL: 2}


def worst(verdicts: list[Verdict]) -> Verdict:
    rank = max((SEVERITY[v] for v in verdicts), default=0)
    return {0: Verdict.OK, 1: Verdict.WARNING, 2: Verdict.FAIL}[rank]


class DiagnosisSource(Choice):
    REMOTE = "remote"  # started by a person from the PWA, run by the server (directive 15(1))
    PROBE = "probe"  # run on site by `saha probe`, pushed through the sync
    NIGHTLY = "nightly"  # the server's nightly sweep of active cameras (directive 6(1))
    WEEKLY = "weekly"  # the weekly "is it recording" check of recorders (directive 12(1))


class Diagnosis(SQLModel, table=True):
    """One diagnosis of one device: every check's verdict and evidence, as recorded. Evidence is
    immutable: written once by ``diagnostics.record`` and never updated (see the guard below).

    ``source`` is decided by the server: a result a client pushes is PROBE whatever it claims;
    only the server's own runs are REMOTE / NIGHTLY / WEEKLY. ``requested_by_id`` is the person
    whose session recorded it (the pusher of a probe result, the person who asked for a remote
    run); None for the scheduled sweeps."""

    __tablename__ = "diagnoses"
    __table_args__ = (sa.Index("ix_diagnoses_device_started", "device_id", "started_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    device_id: uuid.UUID = Field(foreign_key="devices.id")
    work_order_id: uuid.UUID | None = Field(default=None, foreign_key="work_orders.id", index=True)
    source: DiagnosisSource = Field(sa_type=enum_type(DiagnosisSource))
    requested_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    overall: Verdict = Field(sa_type=enum_type(Verdict))
    # [{check, verdict, message, evidence, durationMs}] in the order the checks ran
    results: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    device_info: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    snapshot_sha256: str | None = Field(default=None, max_length=64)
    reference_sha256: str | None = Field(default=None, max_length=64)  # what the image was compared with
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class DeviceHealth(SQLModel, table=True):
    """The latest verdict per device (and since when it holds), for the health overview.

    ``source`` says who stands behind the verdict: a server run (REMOTE, NIGHTLY, WEEKLY) or a
    probe result pushed by a person (PROBE). A PROBE result never improves a verdict the server
    set itself; it may only make it worse (``commands._update_health``)."""

    __tablename__ = "device_health"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    device_id: uuid.UUID = Field(foreign_key="devices.id", unique=True)
    site_id: uuid.UUID = Field(foreign_key="sites.id", index=True)
    overall: Verdict = Field(sa_type=enum_type(Verdict))
    checks: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)  # check -> verdict
    last_diagnosis_id: uuid.UUID = Field(foreign_key="diagnoses.id")
    last_checked_at: datetime = Field(sa_type=UTCDateTime)
    since: datetime = Field(sa_type=UTCDateTime)  # when `overall` last changed
    source: DiagnosisSource = Field(sa_type=enum_type(DiagnosisSource))
    version: int = 1


class ProposalStatus(Choice):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # another proposal for the same field was accepted first


class DeviceChangeProposal(SQLModel, table=True):
    """An inventory change a diagnosis suggests (what the device said about itself), waiting for
    someone with ``devices.manage`` to accept or reject it. Diagnoses are evidence, not edits:
    a filled-in make, model, serial number or firmware changes only through this decision."""

    __tablename__ = "device_change_proposals"
    __table_args__ = (sa.Index("ix_device_change_proposals_device_status", "device_id", "status"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    device_id: uuid.UUID = Field(foreign_key="devices.id")
    diagnosis_id: uuid.UUID = Field(foreign_key="diagnoses.id", index=True)
    field: str = Field(max_length=32)  # Device attribute: make, model, serial_number, firmware
    old_value: str = Field(default="", max_length=64)
    proposed_value: str = Field(max_length=64)
    status: ProposalStatus = Field(sa_type=enum_type(ProposalStatus), index=True)
    proposed_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")  # None: a sweep
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class FirmwareBaseline(SQLModel, table=True):
    """The approved firmware for a make and model (directive 6(4): keep firmware current)."""

    __tablename__ = "firmware_baselines"
    __table_args__ = (sa.UniqueConstraint("make", "model"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    make: str = Field(max_length=64)
    model: str = Field(max_length=64)
    approved_firmware: str = Field(max_length=64)
    note: str = Field(default="", max_length=500)
    updated_by_id: uuid.UUID = Field(foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class DeviceReference(SQLModel, table=True):
    """A camera's own reference image (set at acceptance or after a cleaning): image health is
    measured against it, never against absolute numbers."""

    __tablename__ = "device_references"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    device_id: uuid.UUID = Field(foreign_key="devices.id", unique=True)
    image_sha256: str = Field(max_length=64)
    reason: str = Field(default="", max_length=200)
    set_by_id: uuid.UUID = Field(foreign_key="users.id")
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class DeviceCredential(SQLModel, table=True):
    """ONVIF credentials of a device, the password encrypted at rest (AES-GCM,
    ``backend.integrations.credentials``). Never synced, never returned by the API."""

    __tablename__ = "device_credentials"

    device_id: uuid.UUID = Field(foreign_key="devices.id", primary_key=True)
    username: str = Field(max_length=64)
    secret: str = Field(max_length=512)  # base64url(nonce + ciphertext + tag)
    updated_by_id: uuid.UUID = Field(foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScheduledRun(SQLModel, table=True):
    """A claim that a scheduled job ran for a period: the primary key makes it happen once, also
    with several server replicas on one database."""

    __tablename__ = "scheduled_runs"

    job: str = Field(max_length=40, primary_key=True)
    period: str = Field(max_length=40, primary_key=True)  # e.g. 2026-11-22 (nightly), 2026-W47 (weekly)
    claimed_by: str = Field(max_length=120)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    devices: int = 0
    failures: int = 0


@sa.event.listens_for(Diagnosis, "before_update")
def _diagnoses_are_immutable(_mapper: Any, _connection: Any, target: Diagnosis) -> None:
    raise RuntimeError(f"diagnosis {target.id} is evidence and cannot be changed")
