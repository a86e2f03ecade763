"""Imports every table model so that ``SQLModel.metadata`` is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from backend.db.counters import Counter
from backend.domain.assets.models import Device, IpBlock, Site
from backend.domain.people.models import LoginThrottle, RefreshToken, Region, User
from backend.domain.workorders.models import WorkOrder, WorkOrderDevice, WorkOrderEvent

metadata = SQLModel.metadata

__all__ = [
    "Counter",
    "Device",
    "IpBlock",
    "LoginThrottle",
    "RefreshToken",
    "Region",
    "Site",
    "User",
    "WorkOrder",
    "WorkOrderDevice",
    "WorkOrderEvent",
    "metadata",
]
