"""Reading work orders, always through the row scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from backend.domain.assets.models import Site
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.paging import MAX_PAGE, check_page
from backend.domain.people.permissions import Actor
from backend.domain.scope import work_order_scope
from backend.domain.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
    WorkOrderStatus,
    WorkOrderType,
)


@dataclass(frozen=True)
class WorkOrderFilter:
    status: WorkOrderStatus | None = None
    type: WorkOrderType | None = None
    site_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    search: str | None = None


def load_work_order(
    session: Session, actor: Actor, work_order_id: uuid.UUID, *, for_update: bool = False
) -> WorkOrder:
    stmt = select(WorkOrder).where(WorkOrder.id == work_order_id, work_order_scope(actor))
    if for_update:
        stmt = stmt.with_for_update()
    wo = (session.exec(stmt)).first()
    if wo is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="workOrderId")
    return wo


def find_work_order(session: Session, actor: Actor, work_order_id: uuid.UUID) -> WorkOrder | None:
    return session.exec(
        select(WorkOrder).where(WorkOrder.id == work_order_id, work_order_scope(actor))
    ).first()


def list_work_orders(
    session: Session, actor: Actor, flt: WorkOrderFilter, limit: int = 50, offset: int = 0
) -> tuple[Sequence[WorkOrder], int]:
    check_page(limit, offset)
    conds = [work_order_scope(actor)]
    if flt.status is not None:
        conds.append(col(WorkOrder.status) == flt.status)
    if flt.type is not None:
        conds.append(col(WorkOrder.type) == flt.type)
    if flt.site_id is not None:
        conds.append(col(WorkOrder.site_id) == flt.site_id)
    if flt.assignee_id is not None:
        conds.append(col(WorkOrder.assignee_id) == flt.assignee_id)
    if flt.search:
        like = f"%{flt.search.strip().lower()}%"
        conds.append(
            or_(
                func.lower(WorkOrder.title).like(like),
                func.lower(WorkOrder.number).like(like),
                col(WorkOrder.site_id).in_(select(Site.id).where(func.lower(Site.name).like(like))),
            )
        )
    total = (session.exec(select(func.count()).select_from(WorkOrder).where(*conds))).one()
    rows = (
        session.exec(
            select(WorkOrder)
            .where(*conds)
            .order_by(col(WorkOrder.updated_at).desc(), col(WorkOrder.number).desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return rows, int(total)


def my_work_orders(session: Session, actor: Actor) -> Sequence[WorkOrder]:
    """İşlerim: what is assigned to me and not closed, most recently active first."""
    return (
        session.exec(
            select(WorkOrder)
            .where(
                WorkOrder.assignee_id == actor.id,
                col(WorkOrder.status) != WorkOrderStatus.CLOSED,
                work_order_scope(actor),
            )
            .order_by(col(WorkOrder.updated_at).desc())
            .limit(MAX_PAGE)
        )
    ).all()


def review_queue(session: Session, actor: Actor) -> Sequence[WorkOrder]:
    """Submitted work waiting for review, oldest submission first."""
    return (
        session.exec(
            select(WorkOrder)
            .where(col(WorkOrder.status) == WorkOrderStatus.SUBMITTED, work_order_scope(actor))
            .order_by(col(WorkOrder.submitted_at).asc())
            .limit(MAX_PAGE)
        )
    ).all()


def timelines(session: Session, work_order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[WorkOrderEvent]]:
    rows = (
        session.exec(
            select(WorkOrderEvent)
            .where(col(WorkOrderEvent.work_order_id).in_(work_order_ids))
            .order_by(col(WorkOrderEvent.work_order_id), col(WorkOrderEvent.seq))
        )
    ).all()
    out: dict[uuid.UUID, list[WorkOrderEvent]] = {i: [] for i in work_order_ids}
    for ev in rows:
        out[ev.work_order_id].append(ev)
    return out
