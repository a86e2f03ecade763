"""Object types. Each wraps a domain model; relations resolve through the request's loaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from backend.domain.assets import models as am
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import models as pm
from backend.domain.people.permissions import Actor
from backend.domain.scope import hidden_fields, hidden_value
from backend.domain.workorders import models as wm
from backend.domain.workorders.rules import allowed_actions
from backend.graphql.common import (
    AreaType,
    DeviceKind,
    DeviceStatus,
    Priority,
    RecordingLocation,
    Role,
    SiteKind,
    WorkOrderAction,
    WorkOrderEventKind,
    WorkOrderStatus,
    WorkOrderType,
)
from backend.graphql.context import ctx


@strawberry.type(name="Region")
class RegionType:
    id: strawberry.ID
    name: str

    @classmethod
    def of(cls, m: pm.Region) -> RegionType:
        return cls(id=strawberry.ID(str(m.id)), name=m.name)


async def _region(info: Info[Any, Any], region_id: Any) -> RegionType | None:
    if region_id is None:
        return None
    region = await ctx(info).loaders.region.load(region_id)
    return RegionType.of(region) if region else None


@strawberry.type(name="User")
class UserType:
    m: strawberry.Private[pm.User]
    id: strawberry.ID
    username: str
    full_name: str
    role: Role  # type: ignore[valid-type]

    @classmethod
    def of(cls, m: pm.User) -> UserType:
        return cls(m=m, id=strawberry.ID(str(m.id)), username=m.username, full_name=m.full_name, role=m.role)

    @strawberry.field
    async def region(self, info: Info[Any, Any]) -> RegionType | None:
        return await _region(info, self.m.region_id)


async def _user(info: Info[Any, Any], user_id: Any) -> UserType | None:
    if user_id is None:
        return None
    user = await ctx(info).loaders.user.load(user_id)
    return UserType.of(user) if user else None


@strawberry.type(name="Viewer", description="The signed-in person and what they may do.")
class ViewerType:
    user: UserType
    permissions: list[str]

    @classmethod
    def of(cls, user: pm.User, actor: Actor) -> ViewerType:
        return cls(user=UserType.of(user), permissions=sorted(actor.permissions))


@strawberry.type(name="IpBlock")
class IpBlockType:
    id: strawberry.ID
    cidr: str
    description: str

    @classmethod
    def of(cls, m: am.IpBlock) -> IpBlockType:
        return cls(id=strawberry.ID(str(m.id)), cidr=m.cidr, description=m.description)


@strawberry.type(name="Site")
class SiteType:
    m: strawberry.Private[am.Site]
    id: strawberry.ID
    code: str
    name: str
    kind: SiteKind  # type: ignore[valid-type]
    district: str
    address: str
    latitude: float | None
    longitude: float | None
    recording_location: RecordingLocation  # type: ignore[valid-type]
    version: int

    @classmethod
    def of(cls, m: am.Site) -> SiteType:
        return cls(
            m=m,
            id=strawberry.ID(str(m.id)),
            code=m.code,
            name=m.name,
            kind=m.kind,
            district=m.district,
            address=m.address,
            latitude=m.latitude,
            longitude=m.longitude,
            recording_location=m.recording_location,
            version=m.version,
        )

    @strawberry.field
    async def region(self, info: Info[Any, Any]) -> RegionType | None:
        return await _region(info, self.m.region_id)

    @strawberry.field
    async def ip_blocks(self, info: Info[Any, Any]) -> list[IpBlockType]:
        return [IpBlockType.of(b) for b in await ctx(info).loaders.ip_blocks_of_site.load(self.m.id)]

    @strawberry.field
    async def devices(self, info: Info[Any, Any]) -> list[DeviceType]:
        return [DeviceType.of(d) for d in await ctx(info).loaders.devices_of_site.load(self.m.id)]

    @strawberry.field
    async def device_count(self, info: Info[Any, Any]) -> int:
        return await ctx(info).loaders.device_count_of_site.load(self.m.id)


async def _site(info: Info[Any, Any], site_id: Any) -> SiteType:
    site = await ctx(info).loaders.site.load(site_id)
    if site is None:  # exists (foreign key), but outside the person's scope
        raise DomainError(ErrorCode.NOT_FOUND, field="site")
    return SiteType.of(site)


@strawberry.type(name="Device")
class DeviceType:
    m: strawberry.Private[am.Device]
    id: strawberry.ID
    kind: DeviceKind  # type: ignore[valid-type]
    asset_tag: str
    installed_on: date | None
    status: DeviceStatus  # type: ignore[valid-type]
    is_public_city_watch: bool
    area_type: AreaType | None  # type: ignore[valid-type]
    version: int

    @classmethod
    def of(cls, m: am.Device) -> DeviceType:
        return cls(
            m=m,
            id=strawberry.ID(str(m.id)),
            kind=m.kind,
            asset_tag=m.asset_tag,
            installed_on=m.installed_on,
            status=m.status,
            is_public_city_watch=m.is_public_city_watch,
            area_type=m.area_type,
            version=m.version,
        )

    async def _technical(self, info: Info[Any, Any], name: str) -> Any:
        """The field's value, or empty for people who see devices only as places (scope.py)."""
        if name in hidden_fields("device", await ctx(info).require_actor()):
            return hidden_value("device", name)
        return getattr(self.m, name)

    @strawberry.field
    async def make(self, info: Info[Any, Any]) -> str:
        return str(await self._technical(info, "make"))

    @strawberry.field
    async def model(self, info: Info[Any, Any]) -> str:
        return str(await self._technical(info, "model"))

    @strawberry.field
    async def serial_number(self, info: Info[Any, Any]) -> str:
        return str(await self._technical(info, "serial_number"))

    @strawberry.field
    async def firmware(self, info: Info[Any, Any]) -> str:
        return str(await self._technical(info, "firmware"))

    @strawberry.field
    async def notes(self, info: Info[Any, Any]) -> str:
        return str(await self._technical(info, "notes"))

    @strawberry.field
    async def ip_address(self, info: Info[Any, Any]) -> str | None:
        value = await self._technical(info, "ip_address")
        return None if value is None else str(value)

    @strawberry.field
    async def onvif_port(self, info: Info[Any, Any]) -> int | None:
        value = await self._technical(info, "onvif_port")
        return None if value is None else int(value)

    @strawberry.field
    async def site(self, info: Info[Any, Any]) -> SiteType:
        return await _site(info, self.m.site_id)

    @strawberry.field(description="The recorder (NVR) this camera records to.")
    async def recorder(self, info: Info[Any, Any]) -> DeviceType | None:
        recorder_id = await self._technical(info, "recorder_id")
        if recorder_id is None:
            return None
        rec = await ctx(info).loaders.device.load(recorder_id)
        return DeviceType.of(rec) if rec else None

    @strawberry.field(description="SHA-256 of the camera's reference image (image health), if set.")
    async def reference_image_sha256(self, info: Info[Any, Any]) -> str | None:
        return await ctx(info).loaders.reference_of_device.load(self.m.id)


@strawberry.type(name="FieldChange", description="One edited field of a work order: old → new value.")
class FieldChangeType:
    field: str = strawberry.field(description="GraphQL name: title, description, priority, dueOn.")
    before: str | None = strawberry.field(description="As in GraphQL: enum names (HIGH), ISO dates.")
    after: str | None


def _field_changes(raw: list[dict[str, Any]] | None) -> list[FieldChangeType]:
    def text(v: Any) -> str | None:
        return None if v is None else str(v)

    return [
        FieldChangeType(field=str(c["field"]), before=text(c.get("before")), after=text(c.get("after")))
        for c in raw or []
    ]


@strawberry.type(name="WorkOrderEvent")
class WorkOrderEventType:
    m: strawberry.Private[wm.WorkOrderEvent]
    id: strawberry.ID
    at: datetime
    kind: WorkOrderEventKind  # type: ignore[valid-type]
    from_status: WorkOrderStatus | None  # type: ignore[valid-type]
    to_status: WorkOrderStatus | None  # type: ignore[valid-type]
    text: str | None
    changes: list[FieldChangeType] = strawberry.field(description="EDITED: each field's old and new value.")

    @classmethod
    def of(cls, m: wm.WorkOrderEvent) -> WorkOrderEventType:
        return cls(
            m=m,
            id=strawberry.ID(str(m.id)),
            at=m.at,
            kind=m.kind,
            from_status=m.from_status,
            to_status=m.to_status,
            text=m.text,
            changes=_field_changes(m.changes),
        )

    @strawberry.field
    async def actor(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.actor_id)


@strawberry.type(name="WorkOrder")
class WorkOrderObject:
    m: strawberry.Private[wm.WorkOrder]
    id: strawberry.ID
    number: str
    type: WorkOrderType  # type: ignore[valid-type]
    status: WorkOrderStatus  # type: ignore[valid-type]
    title: str
    description: str
    priority: Priority  # type: ignore[valid-type]
    due_on: date | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    return_reason: str | None
    version: int

    @classmethod
    def of(cls, m: wm.WorkOrder) -> WorkOrderObject:
        return cls(
            m=m,
            id=strawberry.ID(str(m.id)),
            number=m.number,
            type=m.type,
            status=m.status,
            title=m.title,
            description=m.description,
            priority=m.priority,
            due_on=m.due_on,
            created_at=m.created_at,
            updated_at=m.updated_at,
            submitted_at=m.submitted_at,
            return_reason=m.return_reason,
            version=m.version,
        )

    @strawberry.field
    async def site(self, info: Info[Any, Any]) -> SiteType:
        return await _site(info, self.m.site_id)

    @strawberry.field
    async def devices(self, info: Info[Any, Any]) -> list[DeviceType]:
        return [DeviceType.of(d) for d in await ctx(info).loaders.devices_of_work_order.load(self.m.id)]

    @strawberry.field
    async def assignee(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.assignee_id)

    @strawberry.field
    async def created_by(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.created_by_id)

    @strawberry.field(description="Who did what and when, oldest first.")
    async def timeline(self, info: Info[Any, Any]) -> list[WorkOrderEventType]:
        return [WorkOrderEventType.of(e) for e in await ctx(info).loaders.timeline.load(self.m.id)]

    @strawberry.field(description="What the signed-in person may do on it now.")
    async def allowed_actions(self, info: Info[Any, Any]) -> list[WorkOrderAction]:  # type: ignore[valid-type]
        actor = await ctx(info).require_actor()
        return list(allowed_actions(self.m, actor))


@strawberry.type
class WorkOrderPage:
    items: list[WorkOrderObject]
    total: int


@strawberry.type
class SitePage:
    items: list[SiteType]
    total: int


@strawberry.type
class DevicePage:
    items: list[DeviceType]
    total: int
