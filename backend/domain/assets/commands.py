"""Asset commands: sites, their IP blocks, devices."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints
from sqlmodel import col, select

from backend.domain.assets.models import (
    AreaType,
    Device,
    DeviceKind,
    DeviceStatus,
    IpBlock,
    RecordingLocation,
    Site,
    SiteKind,
)
from backend.domain.assets.network import (
    check_in_blocks,
    first_overlap,
    parse_address,
    parse_block,
)
from backend.domain.assets.queries import load_device, load_site
from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.models import Region
from backend.shared.addresses import refused_range

Name = Annotated[str, StringConstraints(min_length=2, max_length=160)]
Code = Annotated[str, StringConstraints(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]
Short = Annotated[str, StringConstraints(max_length=64)]


class CreateSite(CommandInput):
    id: uuid.UUID | None = None
    code: Code
    name: Name
    kind: SiteKind
    district: Annotated[str, StringConstraints(min_length=2, max_length=64)]
    address: Annotated[str, StringConstraints(max_length=255)] = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    recording_location: RecordingLocation
    region_id: uuid.UUID | None = None


class UpdateSite(CommandInput):
    site_id: uuid.UUID
    name: Name | None = None
    address: Annotated[str, StringConstraints(max_length=255)] | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    recording_location: RecordingLocation | None = None
    region_id: uuid.UUID | None = None


class AddIpBlock(CommandInput):
    site_id: uuid.UUID
    cidr: Annotated[str, StringConstraints(min_length=3, max_length=64)]
    description: Annotated[str, StringConstraints(max_length=160)] = ""


class RemoveIpBlock(CommandInput):
    ip_block_id: uuid.UUID


class DeviceFields(CommandInput):
    make: Short = ""
    model: Short = ""
    serial_number: Short = ""
    firmware: Short = ""
    ip_address: Annotated[str, StringConstraints(max_length=45)] | None = None
    onvif_port: int | None = Field(default=None, ge=1, le=65535)
    installed_on: date | None = None
    is_public_city_watch: bool = False
    area_type: AreaType | None = None
    recorder_id: uuid.UUID | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] = ""


class CreateDevice(DeviceFields):
    id: uuid.UUID | None = None
    site_id: uuid.UUID
    kind: DeviceKind
    asset_tag: Code
    status: DeviceStatus = DeviceStatus.PLANNED


class UpdateDevice(CommandInput):
    """Only the fields given change; ``ip_address: ""`` clears the address."""

    device_id: uuid.UUID
    firmware: Short | None = None
    ip_address: Annotated[str, StringConstraints(max_length=45)] | None = None
    onvif_port: int | None = Field(default=None, ge=1, le=65535)
    status: DeviceStatus | None = None
    area_type: AreaType | None = None
    is_public_city_watch: bool | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


def _site_blocks(ctx: CommandContext, site_id: uuid.UUID) -> list[str]:
    return list((ctx.session.exec(select(IpBlock.cidr).where(IpBlock.site_id == site_id))).all())


def _check_region(ctx: CommandContext, region_id: uuid.UUID | None) -> None:
    if region_id is not None and ctx.session.get(Region, region_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="regionId")


def _check_address(ctx: CommandContext, site_id: uuid.UUID, ip: str, device_id: uuid.UUID | None) -> str:
    addr = parse_address(ip)
    if (reserved := refused_range(addr)) is not None:
        raise DomainError(
            ErrorCode.DEVICE_IP_RESERVED_RANGE, field="ipAddress", params={"ip": str(addr), "range": reserved}
        )
    normalised = check_in_blocks(ip, _site_blocks(ctx, site_id))
    clash = (
        ctx.session.exec(
            select(Device.id).where(Device.ip_address == normalised, col(Device.id) != device_id)
        )
    ).first()
    if clash is not None:
        raise DomainError(ErrorCode.DEVICE_IP_TAKEN, field="ipAddress", params={"ip": normalised})
    return normalised


def _touch(ctx: CommandContext, row: Site | Device) -> None:
    row.version += 1
    row.updated_at = ctx.now
    ctx.session.add(row)


@command("site.create", permission=p.SITES_MANAGE, input=CreateSite)
def create_site(ctx: CommandContext, inp: CreateSite) -> Site:
    """Register a service building, campus or city-watch pole."""
    if inp.id is not None and (existing := ctx.session.get(Site, inp.id)) is not None:
        return existing
    if (ctx.session.exec(select(Site.id).where(Site.code == inp.code))).first():
        raise DomainError(ErrorCode.SITE_CODE_TAKEN, field="code")
    _check_region(ctx, inp.region_id)
    site = Site(
        id=inp.id or uuid.uuid4(),
        **inp.model_dump(exclude={"id"}),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(site)
    return site


@command("site.update", permission=p.SITES_MANAGE, input=UpdateSite)
def update_site(ctx: CommandContext, inp: UpdateSite) -> Site:
    """Change a site's descriptive fields."""
    site = load_site(ctx.session, ctx.actor, inp.site_id, for_update=True)
    changes = inp.model_dump(exclude={"site_id"}, exclude_unset=True)
    if "region_id" in changes:
        _check_region(ctx, changes["region_id"])
    for key, value in changes.items():
        if value is not None or key in ("latitude", "longitude", "region_id"):
            setattr(site, key, value)
    _touch(ctx, site)
    return site


@command("site.addIpBlock", permission=p.SITES_MANAGE, input=AddIpBlock)
def add_ip_block(ctx: CommandContext, inp: AddIpBlock) -> Site:
    """Register an address block for a site; blocks may not overlap anywhere in the city."""
    site = load_site(ctx.session, ctx.actor, inp.site_id, for_update=True)
    net = parse_block(inp.cidr)
    if (reserved := refused_range(net)) is not None:
        raise DomainError(
            ErrorCode.IPBLOCK_RESERVED_RANGE, field="cidr", params={"cidr": str(net), "range": reserved}
        )
    all_blocks = (ctx.session.exec(select(IpBlock.cidr))).all()
    if (other := first_overlap(net, all_blocks)) is not None:
        raise DomainError(ErrorCode.IPBLOCK_OVERLAP, field="cidr", params={"cidr": str(net), "other": other})
    ctx.session.add(IpBlock(site_id=site.id, cidr=str(net), description=inp.description, created_at=ctx.now))
    _touch(ctx, site)
    return site


@command("site.removeIpBlock", permission=p.SITES_MANAGE, input=RemoveIpBlock)
def remove_ip_block(ctx: CommandContext, inp: RemoveIpBlock) -> Site:
    """Remove an address block no device uses any more."""
    block = ctx.session.get(IpBlock, inp.ip_block_id)
    if block is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="ipBlockId")
    site = load_site(ctx.session, ctx.actor, block.site_id, for_update=True)
    net = parse_block(block.cidr)
    addresses = (
        ctx.session.exec(
            select(Device.ip_address).where(Device.site_id == site.id, col(Device.ip_address).is_not(None))
        )
    ).all()
    if any(a is not None and parse_address(a) in net for a in addresses):
        raise DomainError(ErrorCode.IPBLOCK_IN_USE, field="ipBlockId")
    ctx.session.delete(block)
    _touch(ctx, site)
    return site


def _check_area_type(kind: DeviceKind, area_type: AreaType | None) -> None:
    if area_type is not None and kind is not DeviceKind.CAMERA:
        raise DomainError(ErrorCode.DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS, field="areaType")


@command("device.create", permission=p.DEVICES_MANAGE, input=CreateDevice)
def create_device(ctx: CommandContext, inp: CreateDevice) -> Device:
    """Register a camera, recorder, switch or cabinet on a site."""
    if inp.id is not None and (existing := ctx.session.get(Device, inp.id)) is not None:
        return existing
    site = load_site(ctx.session, ctx.actor, inp.site_id)
    if (ctx.session.exec(select(Device.id).where(Device.asset_tag == inp.asset_tag))).first():
        raise DomainError(ErrorCode.DEVICE_ASSET_TAG_TAKEN, field="assetTag")
    _check_area_type(inp.kind, inp.area_type)
    ip = _check_address(ctx, site.id, inp.ip_address, None) if inp.ip_address else None
    if inp.recorder_id is not None:
        recorder = load_device(ctx.session, ctx.actor, inp.recorder_id)
        if recorder.kind is not DeviceKind.RECORDER:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, field="recorderId", params={"detail": "recorderId"}
            )
    device = Device(
        id=inp.id or uuid.uuid4(),
        **inp.model_dump(exclude={"id", "ip_address"}),
        ip_address=ip,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(device)
    return device


@command("device.update", permission=p.DEVICES_MANAGE, input=UpdateDevice)
def update_device(ctx: CommandContext, inp: UpdateDevice) -> Device:
    """Change a device's firmware, address, status or other fields."""
    device = load_device(ctx.session, ctx.actor, inp.device_id, for_update=True)
    changes = inp.model_dump(exclude={"device_id"}, exclude_unset=True)
    if "ip_address" in changes:
        ip = changes["ip_address"]
        changes["ip_address"] = _check_address(ctx, device.site_id, ip, device.id) if ip else None
    if "area_type" in changes:
        _check_area_type(device.kind, changes["area_type"])
    for key, value in changes.items():
        if value is None and key not in ("ip_address", "area_type", "onvif_port"):
            continue
        setattr(device, key, value)
    _touch(ctx, device)
    return device
