"""Every table, so that ``SQLModel.metadata`` is complete (Alembic's migrations, tests).

The domain's tables, the sync core's (ledger, change log, conflicts) and the database layer's
counters: the migrations (``backend/db/migrations/env.py``) read this one registry."""

from sqlmodel import SQLModel

from backend.db.counters import Counter
from backend.domain.assets.models import Device, IpBlock, Site
from backend.domain.blobs.models import Blob, Upload
from backend.domain.diagnostics.models import (
    DeviceCredential,
    DeviceHealth,
    DeviceReference,
    Diagnosis,
    FirmwareBaseline,
    ScheduledRun,
)
from backend.domain.maintenance.models import Checklist, ChecklistAnswer, ChecklistTemplate
from backend.domain.people.models import LoginThrottle, RefreshToken, Region, User
from backend.domain.signing.models import Passkey, SignatureEvidence, SigningFailure, SigningPin
from backend.domain.surveys.models import Minutes, MinutesSignature, SignatureRefusal, Survey, SurveyPoint
from backend.domain.workorders.models import (
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderDevice,
    WorkOrderEvent,
)
from sync.models import ChangeLog, Conflict, LedgerEntry, SyncClient, SyncMeta

metadata = SQLModel.metadata

__all__ = [
    "Blob",
    "ChangeLog",
    "Checklist",
    "ChecklistAnswer",
    "ChecklistTemplate",
    "Conflict",
    "Counter",
    "Device",
    "DeviceCredential",
    "DeviceHealth",
    "DeviceReference",
    "Diagnosis",
    "FirmwareBaseline",
    "IpBlock",
    "LedgerEntry",
    "LoginThrottle",
    "Minutes",
    "MinutesSignature",
    "Passkey",
    "RefreshToken",
    "Region",
    "ScheduledRun",
    "SignatureEvidence",
    "SignatureRefusal",
    "SigningFailure",
    "SigningPin",
    "Site",
    "Survey",
    "SurveyPoint",
    "SyncClient",
    "SyncMeta",
    "Upload",
    "User",
    "WorkOrder",
    "WorkOrderAttachment",
    "WorkOrderDevice",
    "WorkOrderEvent",
    "metadata",
]
