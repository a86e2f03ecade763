"""Checklist templates, checklists and their answers (directive 7(5), 9, 12(1), 12(14), 16).

A template is versioned: an edit inserts a new row (``revision`` + 1) and marks it current; a
checklist keeps the template row it was made from, so a later edit never changes it. Answers
are one row per checklist item (``ChecklistAnswer``), with a deterministic id
(:func:`answer_id`) so a phone can name the row it edits offline and send its base version:
two people answering the same item conflict per field, like any other entity (sync.conflicts).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.assets.models import DeviceKind
from backend.domain.choices import Choice


class ItemType(Choice):
    YES_NO = "yes_no"
    CHOICE = "choice"
    NUMBER = "number"  # with unit and range
    TEXT = "text"
    PHOTO = "photo"  # required or optional
    SNAPSHOT = "snapshot"  # a snapshot and its image health


class ChecklistPurpose(Choice):
    MONTHLY = "monthly"  # monthly cleaning and maintenance (directive 12(14), 16(1))
    WEEKLY_RECORDING = "weekly_recording"  # "is it recording" (directive 12(1))


class ChecklistStatus(Choice):
    TODO = "todo"
    DONE = "done"
    PROBLEM = "problem"


class ChecklistTemplate(SQLModel, table=True):
    """One version of a checklist template. ``key`` names the template across its versions.
    ``items``: ``[{key, type, labelTr, labelEn, expected, required, choices, unit, min, max,
    article}]`` (``backend.domain.maintenance.commands.TemplateItem``)."""

    __tablename__ = "checklist_templates"
    __table_args__ = (sa.UniqueConstraint("key", "revision"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    key: str = Field(max_length=64, index=True)
    revision: int = 1
    is_current: bool = True
    device_kind: DeviceKind = Field(sa_type=enum_type(DeviceKind))
    city_watch: bool = False  # for cameras: the city-watch (kent izleme) variant
    purpose: ChecklistPurpose = Field(sa_type=enum_type(ChecklistPurpose))
    title_tr: str = Field(max_length=160)
    title_en: str = Field(max_length=160)
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class Checklist(SQLModel, table=True):
    """One device's checklist: in a cleaning round (its work order), or a weekly recording check
    done remotely (no work order). ``position`` is the walking order within the round."""

    __tablename__ = "checklists"
    __table_args__ = (sa.Index("ix_checklists_device_completed", "device_id", "completed_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    work_order_id: uuid.UUID | None = Field(default=None, foreign_key="work_orders.id", index=True)
    device_id: uuid.UUID = Field(foreign_key="devices.id")
    template_id: uuid.UUID = Field(foreign_key="checklist_templates.id", index=True)
    purpose: ChecklistPurpose = Field(sa_type=enum_type(ChecklistPurpose))
    status: ChecklistStatus = Field(sa_type=enum_type(ChecklistStatus), default=ChecklistStatus.TODO)
    position: int = 0
    note: str = Field(default="", max_length=2000)
    completed_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class ChecklistAnswer(SQLModel, table=True):
    """The answer to one item of a checklist: ``value`` as the item's type says (true/false, a
    choice's key, a number, text), a note, and photos (blob hashes)."""

    __tablename__ = "checklist_answers"
    __table_args__ = (sa.UniqueConstraint("checklist_id", "item_key"),)

    id: uuid.UUID = Field(primary_key=True)
    checklist_id: uuid.UUID = Field(foreign_key="checklists.id", ondelete="CASCADE")
    item_key: str = Field(max_length=64)
    value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    note: str = Field(default="", max_length=2000)
    photos: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    answered_by_id: uuid.UUID = Field(foreign_key="users.id")
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


_NS = uuid.UUID("5a4a0c1e-13c0-4c5e-9a11-000000000013")


def answer_id(checklist_id: uuid.UUID, item_key: str) -> uuid.UUID:
    """The id of a checklist item's answer row: the same on every phone and on the server."""
    return uuid.uuid5(_NS, f"answer:{checklist_id}:{item_key}")


def checklist_id(work_order_id: uuid.UUID, device_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NS, f"checklist:{work_order_id}:{device_id}")


def round_id(site_id: uuid.UUID, month: str) -> uuid.UUID:
    """The work order id of a site's round for ``month`` (YYYY-MM): a re-run finds it."""
    return uuid.uuid5(_NS, f"round:{site_id}:{month}")
