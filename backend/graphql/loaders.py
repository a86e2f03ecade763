"""DataLoaders: one batched query per relation per request (no N+1), each within the row scope.

Every related object a GraphQL field returns comes through here, so every one of them passes
:func:`backend.domain.scope.scope_for` for the signed-in person: a related row they may not see
resolves as absent, exactly like ``workOrder(id)`` and friends answer for it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, func
from sqlmodel import Session, SQLModel, col, select
from strawberry.dataloader import DataLoader

from backend.db.engine import Database
from backend.domain.assets.models import Device, IpBlock, Site
from backend.domain.diagnostics.models import DeviceReference
from backend.domain.people.models import Region, User
from backend.domain.people.permissions import Actor
from backend.domain.scope import scope_for
from backend.domain.surveys import queries as sq
from backend.domain.surveys.models import Minutes, MinutesSignature, SurveyPoint
from backend.domain.workorders.models import WorkOrder, WorkOrderDevice, WorkOrderEvent
from backend.domain.workorders.queries import timelines

M = TypeVar("M", bound=SQLModel)
K = uuid.UUID


class Loaders:
    def __init__(self, db: Database, actor: Callable[[], Awaitable[Actor | None]]) -> None:
        self.db = db
        self._actor = actor
        self.user = self._by_id(User, "user")
        self.site = self._by_id(Site, "site")
        self.region = self._by_id(Region, "region")
        self.device = self._by_id(Device, "device")
        self.devices_of_work_order: DataLoader[K, list[Device]] = self._loader(
            "device", self._devices_of_work_orders
        )
        self.timeline: DataLoader[K, list[WorkOrderEvent]] = DataLoader(self._batch(self._timelines))
        self.ip_blocks_of_site: DataLoader[K, list[IpBlock]] = self._loader("ipBlock", self._ip_blocks)
        self.devices_of_site: DataLoader[K, list[Device]] = self._loader("device", self._devices_of_sites)
        self.device_count_of_site: DataLoader[K, int] = self._loader("device", self._device_counts)
        self.work_order = self._by_id(WorkOrder, "workOrder")
        self.reference_of_device: DataLoader[K, str | None] = self._loader(
            "deviceReference", self._references
        )
        self.points_of_survey: DataLoader[K, list[SurveyPoint]] = DataLoader(
            self._batch(sq.points_of_surveys)
        )
        self.minutes_of_survey: DataLoader[K, list[Minutes]] = DataLoader(self._batch(sq.minutes_of_surveys))
        self.signatures_of_minutes: DataLoader[K, list[MinutesSignature]] = DataLoader(
            self._batch(sq.signatures_of_minutes)
        )

    async def _scope(self, entity: str) -> ColumnElement[bool]:
        actor = await self._actor()
        return false() if actor is None else scope_for(entity, actor)

    @staticmethod
    def _references(session: Session, keys: Sequence[K], visible: ColumnElement[bool]) -> list[str | None]:
        rows = session.exec(
            select(DeviceReference.device_id, DeviceReference.image_sha256).where(
                col(DeviceReference.device_id).in_(keys), visible
            )
        ).all()
        found = dict(rows)
        return [found.get(k) for k in keys]

    def _batch(
        self, fn: Callable[[Session, Sequence[K]], list[Any]]
    ) -> Callable[[Sequence[K]], Coroutine[Any, Any, list[Any]]]:
        async def load(keys: Sequence[K]) -> list[Any]:
            return await self.db.read(lambda session: fn(session, keys))

        return load

    def _scoped(
        self, entity: str, fn: Callable[[Session, Sequence[K], ColumnElement[bool]], list[Any]]
    ) -> Callable[[Sequence[K]], Coroutine[Any, Any, list[Any]]]:
        """A batch over rows of ``entity``, given the condition for the rows the person sees."""

        async def load(keys: Sequence[K]) -> list[Any]:
            visible = await self._scope(entity)
            return await self.db.read(lambda session: fn(session, keys, visible))

        return load

    def _loader(
        self, entity: str, fn: Callable[[Session, Sequence[K], ColumnElement[bool]], list[Any]]
    ) -> DataLoader[K, Any]:
        return DataLoader(self._scoped(entity, fn))

    def _by_id(self, model: type[M], entity: str) -> DataLoader[K, M | None]:
        def load(session: Session, keys: Sequence[K], visible: ColumnElement[bool]) -> list[M | None]:
            pk = model.id  # type: ignore[attr-defined]
            rows = session.exec(select(model).where(pk.in_(keys), visible)).all()
            found = {row.id: row for row in rows}  # type: ignore[attr-defined]
            return [found.get(k) for k in keys]

        return DataLoader(self._scoped(entity, load))

    @staticmethod
    def _devices_of_work_orders(
        session: Session, keys: Sequence[K], visible: ColumnElement[bool]
    ) -> list[list[Device]]:
        rows = session.exec(
            select(WorkOrderDevice.work_order_id, Device)
            .join(Device, col(Device.id) == col(WorkOrderDevice.device_id))
            .where(col(WorkOrderDevice.work_order_id).in_(keys), visible)
            .order_by(col(Device.asset_tag))
        ).all()
        out: dict[K, list[Device]] = defaultdict(list)
        for wo_id, device in rows:
            out[wo_id].append(device)
        return [out[k] for k in keys]

    @staticmethod
    def _timelines(session: Session, keys: Sequence[K]) -> list[list[WorkOrderEvent]]:
        found = timelines(session, keys)
        return [found[k] for k in keys]

    @staticmethod
    def _ip_blocks(session: Session, keys: Sequence[K], visible: ColumnElement[bool]) -> list[list[IpBlock]]:
        rows = session.exec(
            select(IpBlock).where(col(IpBlock.site_id).in_(keys), visible).order_by(col(IpBlock.cidr))
        ).all()
        out: dict[K, list[IpBlock]] = defaultdict(list)
        for block in rows:
            out[block.site_id].append(block)
        return [out[k] for k in keys]

    @staticmethod
    def _devices_of_sites(
        session: Session, keys: Sequence[K], visible: ColumnElement[bool]
    ) -> list[list[Device]]:
        rows = session.exec(
            select(Device)
            .where(col(Device.site_id).in_(keys), visible)
            .order_by(col(Device.kind), col(Device.asset_tag))
        ).all()
        out: dict[K, list[Device]] = defaultdict(list)
        for device in rows:
            out[device.site_id].append(device)
        return [out[k] for k in keys]

    @staticmethod
    def _device_counts(session: Session, keys: Sequence[K], visible: ColumnElement[bool]) -> list[int]:
        rows = session.exec(
            select(Device.site_id, func.count())
            .where(col(Device.site_id).in_(keys), visible)
            .group_by(col(Device.site_id))
        ).all()
        counts = dict(rows)
        return [int(counts.get(k, 0)) for k in keys]
