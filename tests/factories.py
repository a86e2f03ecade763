"""Factories: build test data through the same domain commands the app uses."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from backend.db.engine import Database
from backend.domain.assets.models import Device, DeviceKind, RecordingLocation, Site, SiteKind
from backend.domain.commands import CommandContext, execute, load_all_commands
from backend.domain.people.auth import actor_for, hash_password
from backend.domain.people.models import Region, Role, User
from backend.domain.people.permissions import Actor
from backend.domain.workorders.models import WorkOrder, WorkOrderType

PASSWORD = "test-password-1"
_seq = itertools.count(1)
_HASH = hash_password(PASSWORD)  # hashing once keeps factories fast


def make_region(db: Database, name: str | None = None) -> Region:
    region = Region(name=name or f"Bölge {next(_seq)}")
    with db.write_session() as session:
        session.add(region)
    return region


def make_user(
    db: Database,
    role: Role,
    *,
    username: str | None = None,
    region: Region | None = None,
    active: bool = True,
) -> User:
    n = next(_seq)
    user = User(
        username=username or f"{role.value}{n}",
        full_name=f"Kişi Şükrü Öğüt {n}",
        role=role,
        region_id=region.id if region else None,
        password_hash=_HASH,
        is_active=active,
    )
    with db.write_session() as session:
        session.add(user)
    return user


def run(db: Database, actor: Actor | User, name: str, args: dict[str, Any]) -> Any:
    load_all_commands()
    who = actor if isinstance(actor, Actor) else actor_for(actor)
    with db.write_session() as session:
        return execute(name, args, CommandContext(session=session, actor=who, now=datetime.now(UTC)))


def make_site(
    db: Database,
    admin: User,
    *,
    region: Region | None = None,
    cidr: str | None = None,
    kind: SiteKind = SiteKind.SERVICE_BUILDING,
) -> Site:
    n = next(_seq)
    site: Site = run(
        db,
        admin,
        "site.create",
        {
            "code": f"T-{n:04d}",
            "name": f"Test Hizmet Binası {n}",
            "kind": kind,
            "district": "Konak",
            "recording_location": RecordingLocation.OWN_CABINET,
            "region_id": region.id if region else None,
        },
    )
    run(db, admin, "site.addIpBlock", {"site_id": site.id, "cidr": cidr or f"10.{n // 250}.{n % 250}.0/24"})
    return site


def make_device(
    db: Database,
    admin: User,
    site: Site,
    *,
    ip: str | None = None,
    kind: DeviceKind = DeviceKind.CAMERA,
) -> Device:
    n = next(_seq)
    device: Device = run(
        db,
        admin,
        "device.create",
        {
            "site_id": site.id,
            "kind": kind,
            "asset_tag": f"DMB-T{n:05d}",
            "ip_address": ip,
        },
    )
    return device


def make_work_order(
    db: Database,
    manager: User,
    site: Site,
    *,
    assignee: User | None = None,
    devices: list[Device] | None = None,
    steps: list[tuple[User, str, dict[str, Any]]] | None = None,
) -> WorkOrder:
    wo: WorkOrder = run(
        db,
        manager,
        "workorder.create",
        {
            "type": WorkOrderType.MAINTENANCE,
            "title": "Aylık bakım ve temizlik",
            "site_id": site.id,
            "assignee_id": assignee.id if assignee else None,
            "device_ids": [d.id for d in devices or []],
        },
    )
    for who, name, extra in steps or []:
        wo = run(db, who, name, {"work_order_id": wo.id, **extra})
    return wo


def reload(db: Database, model: type[Any], id_: uuid.UUID) -> Any:
    with db.read_session() as session:
        return (session.exec(select(model).where(model.id == id_))).one()
