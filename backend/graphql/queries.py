"""Read side: every root field declares its permission; row scope lives in the domain queries."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from backend.domain.assets import queries as aq
from backend.domain.assets.models import DeviceKind, DeviceStatus
from backend.domain.people import permissions as p
from backend.domain.people import queries as people_queries
from backend.domain.workorders import queries as wq
from backend.domain.workorders.models import WorkOrderStatus, WorkOrderType
from backend.graphql.common import SignedIn, requires
from backend.graphql.context import ctx
from backend.graphql.diagnostics import DiagnosticsQuery
from backend.graphql.maintenance import MaintenanceQuery
from backend.graphql.signing import SigningQuery
from backend.graphql.surveys import SurveyQuery
from backend.graphql.sync import SyncQuery
from backend.graphql.types import (
    DevicePage,
    DeviceType,
    SitePage,
    SiteType,
    UserType,
    ViewerType,
    WorkOrderObject,
    WorkOrderPage,
)


def _uuid(value: strawberry.ID | None) -> uuid.UUID | None:
    """Parse an ID argument; an id that is not a UUID simply matches nothing."""
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


@strawberry.type
class Query(SyncQuery, SurveyQuery, DiagnosticsQuery, SigningQuery, MaintenanceQuery):
    @strawberry.field(permission_classes=[SignedIn])
    async def viewer(self, info: Info[Any, Any]) -> ViewerType:
        c = ctx(info)
        actor = await c.require_actor()
        user = await c.loaders.user.load(actor.id)
        assert user is not None
        return ViewerType.of(user, actor)

    @strawberry.field(permission_classes=[requires(p.WORKORDERS_READ)])
    async def my_work_orders(self, info: Info[Any, Any]) -> list[WorkOrderObject]:
        c = ctx(info)
        actor = await c.require_actor()
        rows = await c.db.read(lambda s: wq.my_work_orders(s, actor))
        return [WorkOrderObject.of(r) for r in rows]

    @strawberry.field(permission_classes=[requires(p.WORKORDERS_READ)])
    async def work_orders(
        self,
        info: Info[Any, Any],
        status: WorkOrderStatus | None = None,
        type: WorkOrderType | None = None,
        site_id: strawberry.ID | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> WorkOrderPage:
        c = ctx(info)
        actor = await c.require_actor()
        flt = wq.WorkOrderFilter(status=status, type=type, site_id=_uuid(site_id), search=search)
        rows, total = await c.db.read(lambda s: wq.list_work_orders(s, actor, flt, limit, offset))
        return WorkOrderPage(items=[WorkOrderObject.of(r) for r in rows], total=total)

    @strawberry.field(permission_classes=[requires(p.WORKORDERS_READ)])
    async def work_order(self, info: Info[Any, Any], id: strawberry.ID) -> WorkOrderObject | None:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(id)
        assert key is not None
        wo = await c.db.read(lambda s: wq.find_work_order(s, actor, key))
        return WorkOrderObject.of(wo) if wo else None

    @strawberry.field(permission_classes=[requires(p.WORKORDERS_APPROVE)])
    async def review_queue(self, info: Info[Any, Any]) -> list[WorkOrderObject]:
        c = ctx(info)
        actor = await c.require_actor()
        rows = await c.db.read(lambda s: wq.review_queue(s, actor))
        return [WorkOrderObject.of(r) for r in rows]

    @strawberry.field(permission_classes=[requires(p.SITES_READ)])
    async def sites(
        self,
        info: Info[Any, Any],
        search: str | None = None,
        district: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> SitePage:
        c = ctx(info)
        actor = await c.require_actor()
        rows, total = await c.db.read(
            lambda s: aq.list_sites(s, actor, search=search, district=district, limit=limit, offset=offset)
        )
        return SitePage(items=[SiteType.of(r) for r in rows], total=total)

    @strawberry.field(permission_classes=[requires(p.SITES_READ)])
    async def site(self, info: Info[Any, Any], id: strawberry.ID) -> SiteType | None:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(id)
        assert key is not None
        site = await c.db.read(lambda s: aq.find_site(s, actor, key))
        return SiteType.of(site) if site else None

    @strawberry.field(permission_classes=[requires(p.DEVICES_READ)])
    async def devices(
        self,
        info: Info[Any, Any],
        site_id: strawberry.ID | None = None,
        kind: DeviceKind | None = None,
        status: DeviceStatus | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> DevicePage:
        c = ctx(info)
        actor = await c.require_actor()
        flt = aq.DeviceFilter(site_id=_uuid(site_id), kind=kind, status=status, search=search)
        rows, total = await c.db.read(lambda s: aq.list_devices(s, actor, flt, limit, offset))
        return DevicePage(items=[DeviceType.of(r) for r in rows], total=total)

    @strawberry.field(permission_classes=[requires(p.DEVICES_READ)])
    async def device(self, info: Info[Any, Any], id: strawberry.ID) -> DeviceType | None:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(id)
        assert key is not None
        device = await c.db.read(lambda s: aq.find_device(s, actor, key))
        return DeviceType.of(device) if device else None

    @strawberry.field(
        permission_classes=[requires(p.WORKORDERS_ASSIGN)],
        description="Active technicians, for assigning work.",
    )
    async def technicians(self, info: Info[Any, Any]) -> list[UserType]:
        rows = await ctx(info).db.read(people_queries.active_technicians)
        return [UserType.of(u) for u in rows]
