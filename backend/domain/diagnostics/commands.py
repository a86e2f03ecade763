"""Diagnostics commands. Running checks needs the network and happens outside any transaction
(``backend.integrations.onvif.service`` on the server, ``saha probe`` on a laptop); what they
found is recorded here, by one command, whichever way it came."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator
from sqlmodel import select

from backend.domain.assets.models import Device, DeviceKind
from backend.domain.assets.queries import load_device
from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.diagnostics.models import (
    DeviceCredential,
    DeviceHealth,
    DeviceReference,
    Diagnosis,
    DiagnosisSource,
    FirmwareBaseline,
    Verdict,
    worst,
)
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.models import Role
from backend.domain.workorders.commands import CreateWorkOrder, create_work_order
from backend.domain.workorders.models import Priority, WorkOrderType

Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
CHECK_NAMES = frozenset(
    {
        "tcp",
        "onvif",
        "auth",
        "device_info",
        "firmware",
        "clock",
        "network",
        "profiles",
        "stream_uri",
        "snapshot",
        "image_health",
        "ptz",
        "retention",
        "recording_active",
    }
)
MAX_EVIDENCE_CHARS = 20_000
SCHEDULED = (DiagnosisSource.NIGHTLY, DiagnosisSource.WEEKLY)

CHECK_LABELS_TR = {
    "tcp": "Ağ erişimi",
    "onvif": "ONVIF",
    "auth": "Kimlik doğrulama",
    "device_info": "Cihaz bilgisi",
    "firmware": "Yazılım sürümü",
    "clock": "Saat",
    "network": "Ağ arayüzleri",
    "profiles": "Görüntü profilleri",
    "stream_uri": "Yayın adresi",
    "snapshot": "Anlık görüntü",
    "image_health": "Görüntü sağlığı",
    "ptz": "PTZ",
    "retention": "Kayıt saklama süresi",
    "recording_active": "Kayıt devam ediyor mu",
}


class CheckInput(CommandInput):
    check: str
    verdict: Verdict
    message: Annotated[str, StringConstraints(max_length=1000)] = ""
    evidence: dict[str, Any] = Field(default_factory=dict)
    duration_ms: Annotated[int, Field(ge=0, le=3_600_000)] = 0

    @field_validator("check")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CHECK_NAMES:
            raise ValueError(f"unknown check {value!r}")
        return value

    @field_validator("evidence")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(repr(value)) > MAX_EVIDENCE_CHARS:
            raise ValueError("evidence too large")
        return value


class RecordDiagnosis(CommandInput):
    id: uuid.UUID
    device_id: uuid.UUID
    source: DiagnosisSource
    work_order_id: uuid.UUID | None = None
    started_at: datetime
    finished_at: datetime
    results: Annotated[list[CheckInput], Field(min_length=1, max_length=30)]
    device: dict[str, Annotated[str, StringConstraints(max_length=120)]] = Field(default_factory=dict)
    snapshot_sha256: Hash | None = None
    reference_sha256: Hash | None = None


def _apply_device_info(device: Device, info: dict[str, str], ctx: CommandContext) -> None:
    """Keep the inventory current with what the device says about itself (directive 6(4))."""
    fields = {"make": "make", "model": "model", "serial": "serial_number", "firmware": "firmware"}
    changed = False
    for key, attr in fields.items():
        value = (info.get(key) or "").strip()[:64]
        if value and getattr(device, attr) != value:
            setattr(device, attr, value)
            changed = True
    if changed:
        device.version += 1
        device.updated_at = ctx.now
        ctx.session.add(device)


@command("diagnostics.record", permission=p.DIAGNOSTICS_RUN, input=RecordDiagnosis)
def record_diagnosis(ctx: CommandContext, inp: RecordDiagnosis) -> Diagnosis:
    """Record what a diagnosis found (server, probe or schedule) and update the device's health."""
    if (existing := ctx.session.get(Diagnosis, inp.id)) is not None:
        return existing
    if inp.source in SCHEDULED and not ctx.actor.can(p.DIAGNOSTICS_SCHEDULE):
        raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": p.DIAGNOSTICS_SCHEDULE})
    if inp.finished_at < inp.started_at:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, field="finishedAt", params={"detail": "finishedAt < startedAt"}
        )
    device = load_device(ctx.session, ctx.actor, inp.device_id, for_update=True)
    if device.kind not in (DeviceKind.CAMERA, DeviceKind.RECORDER):
        raise DomainError(ErrorCode.DIAGNOSTICS_NOT_A_CAMERA, field="deviceId")
    overall = worst([r.verdict for r in inp.results])
    diagnosis = Diagnosis(
        id=inp.id,
        device_id=device.id,
        work_order_id=inp.work_order_id,
        source=inp.source,
        requested_by_id=None if inp.source in SCHEDULED else ctx.actor.id,
        started_at=inp.started_at,
        finished_at=inp.finished_at,
        overall=overall,
        results=[r.model_dump(by_alias=True, mode="json") for r in inp.results],
        device_info=dict(inp.device),
        snapshot_sha256=inp.snapshot_sha256,
        reference_sha256=inp.reference_sha256,
        recorded_at=ctx.now,
    )
    ctx.session.add(diagnosis)
    _apply_device_info(device, inp.device, ctx)
    ctx.session.flush()
    _update_health(ctx, device, diagnosis)
    return diagnosis


def _update_health(ctx: CommandContext, device: Device, diagnosis: Diagnosis) -> None:
    health = ctx.session.exec(
        select(DeviceHealth).where(DeviceHealth.device_id == device.id).with_for_update()
    ).first()
    checks = {r["check"]: r["verdict"] for r in diagnosis.results}
    if health is not None and health.last_checked_at > diagnosis.started_at:
        return  # an older result arriving late (a probe back online) does not overwrite newer health
    if health is None:
        health = DeviceHealth(
            device_id=device.id,
            site_id=device.site_id,
            overall=diagnosis.overall,
            checks=checks,
            last_diagnosis_id=diagnosis.id,
            last_checked_at=diagnosis.started_at,
            since=diagnosis.started_at,
        )
    else:
        if health.overall != diagnosis.overall:
            health.since = diagnosis.started_at
        health.overall = diagnosis.overall
        health.checks = checks
        health.site_id = device.site_id
        health.last_diagnosis_id = diagnosis.id
        health.last_checked_at = diagnosis.started_at
        health.version += 1
    ctx.session.add(health)


class SetReference(CommandInput):
    device_id: uuid.UUID
    image_sha256: Hash
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


@command("diagnostics.setReference", permission=p.DIAGNOSTICS_RUN, input=SetReference)
def set_reference(ctx: CommandContext, inp: SetReference) -> DeviceReference:
    """Make an image the camera's reference (at acceptance, or after a cleaning)."""
    device = load_device(ctx.session, ctx.actor, inp.device_id)
    if device.kind is not DeviceKind.CAMERA:
        raise DomainError(ErrorCode.DIAGNOSTICS_NOT_A_CAMERA, field="deviceId")
    ref = ctx.session.exec(
        select(DeviceReference).where(DeviceReference.device_id == device.id).with_for_update()
    ).first()
    if ref is None:
        ref = DeviceReference(device_id=device.id, image_sha256=inp.image_sha256, set_by_id=ctx.actor.id)
    else:
        ref.version += 1
    ref.image_sha256 = inp.image_sha256
    ref.reason = inp.reason
    ref.set_by_id = ctx.actor.id
    ref.set_at = ctx.now
    ctx.session.add(ref)
    return ref


class SetCredentials(CommandInput):
    device_id: uuid.UUID
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    secret: Annotated[str, StringConstraints(min_length=16, max_length=512)]  # already encrypted


@command("device.setCredentials", permission=p.DEVICES_MANAGE, input=SetCredentials)
def set_credentials(ctx: CommandContext, inp: SetCredentials) -> DeviceCredential:
    """Store a device's ONVIF account; the password arrives encrypted (see the service)."""
    device = load_device(ctx.session, ctx.actor, inp.device_id)
    row = ctx.session.get(DeviceCredential, device.id, with_for_update=True)
    if row is None:
        row = DeviceCredential(
            device_id=device.id, username=inp.username, secret=inp.secret, updated_by_id=ctx.actor.id
        )
    row.username = inp.username
    row.secret = inp.secret
    row.updated_by_id = ctx.actor.id
    row.updated_at = ctx.now
    ctx.session.add(row)
    return row


class SetBaseline(CommandInput):
    make: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    model: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    approved_firmware: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    note: Annotated[str, StringConstraints(max_length=500)] = ""


@command("firmware.setBaseline", permission=p.FIRMWARE_MANAGE, input=SetBaseline)
def set_baseline(ctx: CommandContext, inp: SetBaseline) -> FirmwareBaseline:
    """Set the approved firmware of a make and model (the FIRMWARE check compares with it)."""
    row = ctx.session.exec(
        select(FirmwareBaseline)
        .where(FirmwareBaseline.make == inp.make, FirmwareBaseline.model == inp.model)
        .with_for_update()
    ).first()
    if row is None:
        row = FirmwareBaseline(
            make=inp.make,
            model=inp.model,
            approved_firmware=inp.approved_firmware,
            updated_by_id=ctx.actor.id,
        )
    else:
        row.version += 1
    row.approved_firmware = inp.approved_firmware
    row.note = inp.note
    row.updated_by_id = ctx.actor.id
    row.updated_at = ctx.now
    ctx.session.add(row)
    return row


class BaselineRef(CommandInput):
    baseline_id: uuid.UUID


@command("firmware.removeBaseline", permission=p.FIRMWARE_MANAGE, input=BaselineRef)
def remove_baseline(ctx: CommandContext, inp: BaselineRef) -> FirmwareBaseline:
    """Forget a baseline (that model's firmware is no longer compared)."""
    row = ctx.session.get(FirmwareBaseline, inp.baseline_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="baselineId")
    ctx.session.delete(row)
    return row


class OpenFault(CommandInput):
    diagnosis_id: uuid.UUID
    work_order_id: uuid.UUID | None = None  # client-chosen id of the new work order


def findings_text(diagnosis: Diagnosis) -> str:
    lines = [
        f"- {CHECK_LABELS_TR.get(r['check'], r['check'])}: {r.get('message') or r['verdict']}"
        for r in diagnosis.results
        if r["verdict"] in (Verdict.FAIL.value, Verdict.WARNING.value)
    ]
    when = diagnosis.started_at.strftime("%d.%m.%Y %H:%M UTC")
    return f"Uzaktan teşhis bulguları ({when}):\n" + "\n".join(lines)


@command("diagnostics.openFault", permission=p.DIAGNOSTICS_RUN, input=OpenFault)
def open_fault(ctx: CommandContext, inp: OpenFault) -> Any:
    """Open a fault work order pre-filled with a diagnosis' findings (directive 15(2): remote
    first, then on site). A technician's own fault order is assigned to them."""
    diagnosis = ctx.session.get(Diagnosis, inp.diagnosis_id)
    if diagnosis is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="diagnosisId")
    device = load_device(ctx.session, ctx.actor, diagnosis.device_id)
    if diagnosis.overall is Verdict.OK:
        raise DomainError(ErrorCode.DIAGNOSTICS_NOTHING_TO_REPORT, field="diagnosisId")
    failing = [
        CHECK_LABELS_TR.get(r["check"], r["check"]) for r in diagnosis.results if r["verdict"] == "fail"
    ]
    title = f"{device.asset_tag}: " + (", ".join(failing[:3]) or "uyarılar")
    return create_work_order(
        ctx,
        CreateWorkOrder(
            id=inp.work_order_id,
            type=WorkOrderType.FAULT,
            title=title[:160] if len(title) >= 3 else "Arıza",
            description=findings_text(diagnosis)[:4000],
            site_id=device.site_id,
            device_ids=[device.id],
            priority=Priority.HIGH if diagnosis.overall is Verdict.FAIL else Priority.NORMAL,
            assignee_id=ctx.actor.id if ctx.actor.role is Role.TECHNICIAN else None,
        ),
    )
