"""Reading sites and devices through the row scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col

from backend.domain.assets.models import Device, DeviceKind, DeviceStatus, Site
from backend.domain.paging import contains_any, page
from backend.domain.people.permissions import Actor
from backend.domain.scope import device_scope, find_in_scope, hidden_fields, load_in_scope, site_scope


def load_site(session: Session, actor: Actor, site_id: uuid.UUID, *, for_update: bool = False) -> Site:
    return load_in_scope(session, Site, site_id, site_scope(actor), field="siteId", for_update=for_update)


def load_device(session: Session, actor: Actor, device_id: uuid.UUID, *, for_update: bool = False) -> Device:
    return load_in_scope(
        session, Device, device_id, device_scope(actor), field="deviceId", for_update=for_update
    )


def list_sites(
    session: Session,
    actor: Actor,
    *,
    search: str | None = None,
    district: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Site], int]:
    conds = [site_scope(actor)]
    if district:
        conds.append(col(Site.district) == district)
    if search:
        conds.append(contains_any(search, Site.name, Site.code, Site.district, Site.address))
    return page(session, Site, conds, [col(Site.district), col(Site.name)], limit, offset)


@dataclass(frozen=True)
class DeviceFilter:
    site_id: uuid.UUID | None = None
    kind: DeviceKind | None = None
    status: DeviceStatus | None = None
    search: str | None = None


def list_devices(
    session: Session, actor: Actor, flt: DeviceFilter, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Device], int]:
    conds = [device_scope(actor)]
    if flt.site_id is not None:
        conds.append(col(Device.site_id) == flt.site_id)
    if flt.kind is not None:
        conds.append(col(Device.kind) == flt.kind)
    if flt.status is not None:
        conds.append(col(Device.status) == flt.status)
    if flt.search:
        # searching a field one may not see would reveal it, one query at a time
        hidden = hidden_fields("device", actor)
        fields = ["asset_tag", "model", "serial_number", "ip_address"]
        conds.append(contains_any(flt.search, *(col(getattr(Device, f)) for f in fields if f not in hidden)))
    return page(session, Device, conds, [col(Device.kind), col(Device.asset_tag)], limit, offset)


def find_site(session: Session, actor: Actor, site_id: uuid.UUID) -> Site | None:
    return find_in_scope(session, Site, site_id, site_scope(actor))


def find_device(session: Session, actor: Actor, device_id: uuid.UUID) -> Device | None:
    return find_in_scope(session, Device, device_id, device_scope(actor))
