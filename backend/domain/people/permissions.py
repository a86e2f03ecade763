"""Permissions are ``<area>.<verb>`` strings, granted per role in this one table.

Commands and GraphQL fields declare the permission they need; nothing else decides.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from backend.domain.people.models import Role

WORKORDERS_READ = "workorders.read"
WORKORDERS_CREATE = "workorders.create"
WORKORDERS_ASSIGN = "workorders.assign"
WORKORDERS_WORK = "workorders.work"  # start / submit the work orders assigned to oneself
WORKORDERS_NOTE = "workorders.note"  # notes and attachments
WORKORDERS_EDIT = "workorders.edit"  # change title, description, priority, due date
WORKORDERS_APPROVE = "workorders.approve"  # approve, return with reason
WORKORDERS_CLOSE = "workorders.close"
SITES_READ = "sites.read"
SITES_MANAGE = "sites.manage"  # create / edit sites and their IP blocks
DEVICES_READ = "devices.read"
DEVICES_MANAGE = "devices.manage"
USERS_READ = "users.read"

ALL_PERMISSIONS = frozenset(
    {
        WORKORDERS_READ,
        WORKORDERS_CREATE,
        WORKORDERS_ASSIGN,
        WORKORDERS_WORK,
        WORKORDERS_NOTE,
        WORKORDERS_EDIT,
        WORKORDERS_APPROVE,
        WORKORDERS_CLOSE,
        SITES_READ,
        SITES_MANAGE,
        DEVICES_READ,
        DEVICES_MANAGE,
        USERS_READ,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.TECHNICIAN: frozenset(
        {WORKORDERS_READ, WORKORDERS_WORK, WORKORDERS_NOTE, WORKORDERS_EDIT, SITES_READ, DEVICES_READ}
    ),
    # Security staff, unit heads and Zabıta take part in surveys and damage reports (later
    # issues); for now they can look up sites and devices.
    Role.SECURITY: frozenset({SITES_READ, DEVICES_READ}),
    Role.UNIT_HEAD: frozenset({SITES_READ, DEVICES_READ}),
    Role.ZABITA: frozenset({SITES_READ, DEVICES_READ}),
    Role.MANAGER: frozenset(
        {
            WORKORDERS_READ,
            WORKORDERS_CREATE,
            WORKORDERS_ASSIGN,
            WORKORDERS_NOTE,
            WORKORDERS_EDIT,
            WORKORDERS_APPROVE,
            WORKORDERS_CLOSE,
            SITES_READ,
            SITES_MANAGE,
            DEVICES_READ,
            DEVICES_MANAGE,
            USERS_READ,
        }
    ),
    Role.ADMIN: ALL_PERMISSIONS,
}

# Roles whose row scope is the whole city.
UNSCOPED_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Actor:
    """The signed-in person a command or query runs for."""

    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    region_id: uuid.UUID | None

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS[self.role]

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def sees_everything(self) -> bool:
        return self.role in UNSCOPED_ROLES
