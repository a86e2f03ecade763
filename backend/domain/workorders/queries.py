"""Reading work orders, always through the row scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from backend.domain.assets.models import Site
from backend.domain.paging import MAX_PAGE, contains_any, page
from backend.domain.people.permissions import Actor
from backend.domain.scope import find_in_scope, load_in_scope, work_order_scope
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
    return load_in_scope(
        session, WorkOrder, work_order_id, work_order_scope(actor), field="workOrderId", for_update=for_update
    )


def find_work_order(session: Session, actor: Actor, work_order_id: uuid.UUID) -> WorkOrder | None:
    return find_in_scope(session, WorkOrder, work_order_id, work_order_scope(actor))


def list_work_orders(
    session: Session, actor: Actor, flt: WorkOrderFilter, limit: int = 50, offset: int = 0
) -> tuple[Sequence[WorkOrder], int]:
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
        conds.append(
            or_(
                contains_any(flt.search, WorkOrder.title, WorkOrder.number),
                col(WorkOrder.site_id).in_(select(Site.id).where(contains_any(flt.search, Site.name))),
            )
        )
    order = [col(WorkOrder.updated_at).desc(), col(WorkOrder.number).desc()]
    return page(session, WorkOrder, conds, order, limit, offset)


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
