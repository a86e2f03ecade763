"""Reading sites and devices through the row scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from backend.domain.assets.models import Device, DeviceKind, DeviceStatus, Site
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.paging import check_page
from backend.domain.people.permissions import Actor
from backend.domain.scope import device_scope, site_scope


def load_site(session: Session, actor: Actor, site_id: uuid.UUID, *, for_update: bool = False) -> Site:
    stmt = select(Site).where(Site.id == site_id, site_scope(actor))
    if for_update:
        stmt = stmt.with_for_update()
    site = (session.exec(stmt)).first()
    if site is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="siteId")
    return site


def load_device(session: Session, actor: Actor, device_id: uuid.UUID, *, for_update: bool = False) -> Device:
    stmt = select(Device).where(Device.id == device_id, device_scope(actor))
    if for_update:
        stmt = stmt.with_for_update()
    device = (session.exec(stmt)).first()
    if device is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="deviceId")
    return device


def list_sites(
    session: Session,
    actor: Actor,
    *,
    search: str | None = None,
    district: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Site], int]:
    check_page(limit, offset)
    conds = [site_scope(actor)]
    if district:
        conds.append(col(Site.district) == district)
    if search:
        like = f"%{search.strip().lower()}%"
        conds.append(
            or_(
                func.lower(Site.name).like(like),
                func.lower(Site.code).like(like),
                func.lower(Site.district).like(like),
                func.lower(Site.address).like(like),
            )
        )
    total = (session.exec(select(func.count()).select_from(Site).where(*conds))).one()
    rows = (
        session.exec(
            select(Site)
            .where(*conds)
            .order_by(col(Site.district), col(Site.name))
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return rows, int(total)


@dataclass(frozen=True)
class DeviceFilter:
    site_id: uuid.UUID | None = None
    kind: DeviceKind | None = None
    status: DeviceStatus | None = None
    search: str | None = None


def list_devices(
    session: Session, actor: Actor, flt: DeviceFilter, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Device], int]:
    check_page(limit, offset)
    conds = [device_scope(actor)]
    if flt.site_id is not None:
        conds.append(col(Device.site_id) == flt.site_id)
    if flt.kind is not None:
        conds.append(col(Device.kind) == flt.kind)
    if flt.status is not None:
        conds.append(col(Device.status) == flt.status)
    if flt.search:
        like = f"%{flt.search.strip().lower()}%"
        conds.append(
            or_(
                func.lower(Device.asset_tag).like(like),
                func.lower(Device.model).like(like),
                func.lower(Device.serial_number).like(like),
                col(Device.ip_address).like(like),
            )
        )
    total = (session.exec(select(func.count()).select_from(Device).where(*conds))).one()
    rows = (
        session.exec(
            select(Device)
            .where(*conds)
            .order_by(col(Device.kind), col(Device.asset_tag))
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return rows, int(total)


def find_site(session: Session, actor: Actor, site_id: uuid.UUID) -> Site | None:
    return session.exec(select(Site).where(Site.id == site_id, site_scope(actor))).first()


def find_device(session: Session, actor: Actor, device_id: uuid.UUID) -> Device | None:
    return session.exec(select(Device).where(Device.id == device_id, device_scope(actor))).first()
