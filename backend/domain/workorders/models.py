"""Work orders and their timeline."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.db.types import UTCDateTime, enum_type, utcnow
from backend.domain.choices import Choice


class WorkOrderType(Choice):
    SURVEY = "survey"  # keşif
    INSTALLATION = "installation"  # kurulum
    MAINTENANCE = "maintenance"  # bakım ve temizlik
    FAULT = "fault"  # arıza
    RELOCATION = "relocation"  # söküm / yer değiştirme
    CITY_WATCH_INSTALLATION = "city_watch_installation"  # kent izleme kurulumu
    FOOTAGE_EXPORT = "footage_export"  # görüntü kaydı verilmesi
    CLEANING = "cleaning"  # aylık bakım turu / ek temizlik: one checklist per device (maintenance)


class WorkOrderStatus(Choice):
    DRAFT = "draft"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    CLOSED = "closed"


class Priority(Choice):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class WorkOrderEventKind(Choice):
    CREATED = "created"
    EDITED = "edited"
    ASSIGNED = "assigned"
    STARTED = "started"
    NOTE = "note"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    CLOSED = "closed"


class WorkOrder(SQLModel, table=True):
    __tablename__ = "work_orders"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    type: WorkOrderType = Field(sa_type=enum_type(WorkOrderType))
    status: WorkOrderStatus = Field(sa_type=enum_type(WorkOrderStatus), index=True)
    title: str = Field(max_length=160)
    description: str = Field(default="", max_length=4000)
    priority: Priority = Field(sa_type=enum_type(Priority))
    site_id: uuid.UUID = Field(foreign_key="sites.id", index=True)
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    due_on: date | None = None
    return_reason: str | None = Field(default=None, max_length=2000)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkOrderDevice(SQLModel, table=True):
    """Devices a work order concerns."""

    __tablename__ = "work_order_devices"

    work_order_id: uuid.UUID = Field(foreign_key="work_orders.id", primary_key=True, ondelete="CASCADE")
    device_id: uuid.UUID = Field(foreign_key="devices.id", primary_key=True, index=True)


class WorkOrderEvent(SQLModel, table=True):
    """One line of a work order's timeline: who did what, when (server clock).

    ``seq`` is the work order's version after the change, so the timeline has a total order
    even when two lines share a timestamp, and two writers cannot both record version n.
    An EDITED line keeps each field's old and new value (``changes``); ``text`` still names the
    fields, for clients that only read it.
    """

    __tablename__ = "work_order_events"
    # (work_order_id, seq) is also the index of every lookup by work order
    __table_args__ = (sa.UniqueConstraint("work_order_id", "seq"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    work_order_id: uuid.UUID = Field(foreign_key="work_orders.id", ondelete="CASCADE")
    seq: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    kind: WorkOrderEventKind = Field(sa_type=enum_type(WorkOrderEventKind))
    from_status: WorkOrderStatus | None = Field(default=None, sa_type=enum_type(WorkOrderStatus))
    to_status: WorkOrderStatus | None = Field(default=None, sa_type=enum_type(WorkOrderStatus))
    text: str | None = Field(default=None, max_length=4000)
    # EDITED: [{"field": "dueOn", "before": "2026-12-01", "after": "2026-12-05"}, …] in GraphQL
    # spelling (camelCase names, enum names such as HIGH, ISO dates); None for other kinds
    changes: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)


class AttachmentKind(Choice):
    PHOTO = "photo"
    DOCUMENT = "document"


class WorkOrderAttachment(SQLModel, table=True):
    """A photo or document on a work order. ``blob_sha256`` may name a blob still uploading:
    the attachment exists from the moment the command is accepted, the content when it lands."""

    __tablename__ = "work_order_attachments"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    work_order_id: uuid.UUID = Field(foreign_key="work_orders.id", index=True, ondelete="CASCADE")
    kind: AttachmentKind = Field(sa_type=enum_type(AttachmentKind))
    blob_sha256: str = Field(max_length=64, index=True)
    content_type: str = Field(max_length=100)
    caption: str = Field(default="", max_length=500)
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1
