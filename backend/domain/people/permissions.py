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
# the technical side of the inventory: addresses, serials, firmware, diagnoses (backend.domain.scope)
DEVICES_TECHNICAL = "devices.technical"
USERS_READ = "users.read"
SURVEYS_REQUEST = "surveys.request"  # record a unit's survey request, assign technician + security
SURVEYS_WORK = "surveys.work"  # fill in a survey one is party to (technician, security staff)
SURVEYS_APPROVE = "surveys.approve"  # record the approval (Olur), which plans the installation
MINUTES_SIGN = "minutes.sign"  # send signatures (one's own, or a co-signer's proven by their PIN)
ACCOUNT_SIGNING = "account.signing"  # one's own signing PIN and passkeys
SIGNING_MANAGE = "signing.manage"  # remove anyone's passkeys (a lost phone)
DIAGNOSTICS_RUN = "diagnostics.run"  # diagnose a device (remote or on-site probe), set references
DIAGNOSTICS_SCHEDULE = "diagnostics.schedule"  # the server's scheduled sweeps record as the system
FIRMWARE_MANAGE = "firmware.manage"  # approved firmware baselines per make and model
# answer checklists (cleaning rounds, weekly recording checks), open an extra cleaning
CHECKLISTS_WORK = "checklists.work"
CHECKLISTS_MANAGE = "checklists.manage"  # edit checklist templates (each edit is a new version)

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
        DEVICES_TECHNICAL,
        USERS_READ,
        SURVEYS_REQUEST,
        SURVEYS_WORK,
        SURVEYS_APPROVE,
        MINUTES_SIGN,
        ACCOUNT_SIGNING,
        SIGNING_MANAGE,
        DIAGNOSTICS_RUN,
        DIAGNOSTICS_SCHEDULE,
        FIRMWARE_MANAGE,
        CHECKLISTS_WORK,
        CHECKLISTS_MANAGE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.TECHNICIAN: frozenset(
        {
            WORKORDERS_READ,
            WORKORDERS_WORK,
            WORKORDERS_NOTE,
            WORKORDERS_EDIT,
            SITES_READ,
            DEVICES_READ,
            DEVICES_TECHNICAL,
            SURVEYS_WORK,
            MINUTES_SIGN,
            ACCOUNT_SIGNING,
            DIAGNOSTICS_RUN,
            CHECKLISTS_WORK,
        }
    ),
    # Security staff survey jointly with technicians and co-sign (directive 4(3), 7(1)); the
    # requesting unit's head signs. Both see only the survey work orders they are party to.
    Role.SECURITY: frozenset(
        {WORKORDERS_READ, SITES_READ, DEVICES_READ, SURVEYS_WORK, MINUTES_SIGN, ACCOUNT_SIGNING}
    ),
    Role.UNIT_HEAD: frozenset({WORKORDERS_READ, SITES_READ, DEVICES_READ, MINUTES_SIGN, ACCOUNT_SIGNING}),
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
            DEVICES_TECHNICAL,
            USERS_READ,
            SURVEYS_REQUEST,
            SURVEYS_APPROVE,
            MINUTES_SIGN,
            ACCOUNT_SIGNING,
            DIAGNOSTICS_RUN,
            CHECKLISTS_WORK,
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
