"""Row scope, enforced once: which work orders, sites and devices a person may see.

Every query and every command that loads an entity by id goes through these conditions.
- managers and admins: everything;
- technicians: work orders assigned to them; sites of their region and sites of their work;
- security staff and unit heads: the survey work orders they are party to; sites and devices
  (read-only lookup);
- Zabıta: sites and devices only;
- passkeys: their owner only (administrators with ``signing.manage`` may revoke any by id).
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import Session, SQLModel, col, select

from backend.domain.assets.models import Device, Site
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import Role
from backend.domain.people.permissions import Actor
from backend.domain.signing.models import Passkey
from backend.domain.surveys.models import Survey
from backend.domain.workorders.models import WorkOrder

M = TypeVar("M", bound=SQLModel)


def work_order_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return true()
    if actor.role is Role.TECHNICIAN:
        return col(WorkOrder.assignee_id) == actor.id
    if actor.role in (Role.SECURITY, Role.UNIT_HEAD):
        party = col(Survey.security_id) if actor.role is Role.SECURITY else col(Survey.unit_head_id)
        return col(WorkOrder.id).in_(select(col(Survey.work_order_id)).where(party == actor.id))
    return false()


def survey_scope(actor: Actor) -> ColumnElement[bool]:
    """Surveys whose work order the actor sees."""
    if actor.sees_everything:
        return true()
    return col(Survey.work_order_id).in_(select(col(WorkOrder.id)).where(work_order_scope(actor)))


def site_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything or actor.role is not Role.TECHNICIAN:
        return true()
    assigned_here = exists(
        select(col(WorkOrder.id)).where(
            and_(col(WorkOrder.site_id) == col(Site.id), col(WorkOrder.assignee_id) == actor.id)
        )
    )
    if actor.region_id is None:
        return assigned_here
    return or_(col(Site.region_id) == actor.region_id, assigned_here)


def device_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything or actor.role is not Role.TECHNICIAN:
        return true()
    return col(Device.site_id).in_(select(col(Site.id)).where(site_scope(actor)))


def passkey_scope(actor: Actor) -> ColumnElement[bool]:
    """One's own passkeys. Not even managers list other people's: nothing there is theirs."""
    return col(Passkey.user_id) == actor.id


def find_in_scope(
    session: Session, model: type[M], key: uuid.UUID, scope: ColumnElement[bool], *, for_update: bool = False
) -> M | None:
    """The row with primary key ``key`` if ``scope`` lets the actor see it, else None."""
    stmt = select(model).where(model.id == key, scope)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def load_in_scope(
    session: Session,
    model: type[M],
    key: uuid.UUID,
    scope: ColumnElement[bool],
    *,
    field: str,
    for_update: bool = False,
) -> M:
    """Like :func:`find_in_scope`, but a missing or invisible row is NOT_FOUND on ``field``
    (the same answer for both, so scope does not leak what exists)."""
    row = find_in_scope(session, model, key, scope, for_update=for_update)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, field=field)
    return row
