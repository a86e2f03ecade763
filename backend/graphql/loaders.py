"""DataLoaders: one batched query per relation per request (no N+1)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select
from strawberry.dataloader import DataLoader

from backend.db.engine import Database
from backend.domain.assets.models import Device, IpBlock, Site
from backend.domain.diagnostics.models import DeviceReference
from backend.domain.people.models import Region, User
from backend.domain.surveys import queries as sq
from backend.domain.surveys.models import Minutes, MinutesSignature, SurveyPoint
from backend.domain.workorders.models import WorkOrder, WorkOrderDevice, WorkOrderEvent
from backend.domain.workorders.queries import timelines

M = TypeVar("M", bound=SQLModel)
K = uuid.UUID


class Loaders:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.user = self._by_id(User)
        self.site = self._by_id(Site)
        self.region = self._by_id(Region)
        self.device = self._by_id(Device)
        self.devices_of_work_order: DataLoader[K, list[Device]] = DataLoader(
            self._batch(self._devices_of_work_orders)
        )
        self.timeline: DataLoader[K, list[WorkOrderEvent]] = DataLoader(self._batch(self._timelines))
        self.ip_blocks_of_site: DataLoader[K, list[IpBlock]] = DataLoader(self._batch(self._ip_blocks))
        self.devices_of_site: DataLoader[K, list[Device]] = DataLoader(self._batch(self._devices_of_sites))
        self.device_count_of_site: DataLoader[K, int] = DataLoader(self._batch(self._device_counts))
        self.work_order = self._by_id(WorkOrder)
        self.reference_of_device: DataLoader[K, str | None] = DataLoader(self._batch(self._references))
        self.points_of_survey: DataLoader[K, list[SurveyPoint]] = DataLoader(
            self._batch(sq.points_of_surveys)
        )
        self.minutes_of_survey: DataLoader[K, list[Minutes]] = DataLoader(self._batch(sq.minutes_of_surveys))
        self.signatures_of_minutes: DataLoader[K, list[MinutesSignature]] = DataLoader(
            self._batch(sq.signatures_of_minutes)
        )

    @staticmethod
    def _references(session: Session, keys: Sequence[K]) -> list[str | None]:
        rows = session.exec(
            select(DeviceReference.device_id, DeviceReference.image_sha256).where(
                col(DeviceReference.device_id).in_(keys)
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

    def _by_id(self, model: type[M]) -> DataLoader[K, M | None]:
        def load(session: Session, keys: Sequence[K]) -> list[M | None]:
            pk = model.id  # type: ignore[attr-defined]
            rows = session.exec(select(model).where(pk.in_(keys))).all()
            found = {row.id: row for row in rows}  # type: ignore[attr-defined]
            return [found.get(k) for k in keys]

        return DataLoader(self._batch(load))

    @staticmethod
    def _devices_of_work_orders(session: Session, keys: Sequence[K]) -> list[list[Device]]:
        rows = session.exec(
            select(WorkOrderDevice.work_order_id, Device)
            .join(Device, col(Device.id) == col(WorkOrderDevice.device_id))
            .where(col(WorkOrderDevice.work_order_id).in_(keys))
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
    def _ip_blocks(session: Session, keys: Sequence[K]) -> list[list[IpBlock]]:
        rows = session.exec(
            select(IpBlock).where(col(IpBlock.site_id).in_(keys)).order_by(col(IpBlock.cidr))
        ).all()
        out: dict[K, list[IpBlock]] = defaultdict(list)
        for block in rows:
            out[block.site_id].append(block)
        return [out[k] for k in keys]

    @staticmethod
    def _devices_of_sites(session: Session, keys: Sequence[K]) -> list[list[Device]]:
        rows = session.exec(
            select(Device)
            .where(col(Device.site_id).in_(keys))
            .order_by(col(Device.kind), col(Device.asset_tag))
        ).all()
        out: dict[K, list[Device]] = defaultdict(list)
        for device in rows:
            out[device.site_id].append(device)
        return [out[k] for k in keys]

    @staticmethod
    def _device_counts(session: Session, keys: Sequence[K]) -> list[int]:
        rows = session.exec(
            select(Device.site_id, func.count())
            .where(col(Device.site_id).in_(keys))
            .group_by(col(Device.site_id))
        ).all()
        counts = dict(rows)
        return [int(counts.get(k, 0)) for k in keys]
