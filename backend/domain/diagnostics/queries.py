"""Reading diagnostics, and the target guard: which device the server may connect to.

The guard is the one place that turns a device id into a network address: only devices in the
inventory, visible to the person asking, that are cameras or recorders in service, whose address
lies inside one of their site's registered IP blocks (directive 5(3)). Requests never carry an
address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.domain.assets.models import Device, DeviceKind, DeviceStatus, IpBlock, Site
from backend.domain.assets.network import check_in_blocks
from backend.domain.assets.queries import load_device
from backend.domain.diagnostics.models import (
    DeviceChangeProposal,
    DeviceCredential,
    DeviceHealth,
    DeviceReference,
    Diagnosis,
    DiagnosisSource,
    FirmwareBaseline,
    ProposalStatus,
    Verdict,
)
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor
from backend.domain.scope import device_scope, scope_for, site_scope

DIAGNOSABLE = (DeviceKind.CAMERA, DeviceKind.RECORDER)
IN_SERVICE = (DeviceStatus.ACTIVE, DeviceStatus.FAULTY)
DEFAULT_ONVIF_PORT = 80
RETENTION_DAYS = 20.0  # directive 9


@dataclass(frozen=True)
class DiagnosisPlan:
    """Everything a diagnosis of one device needs, resolved from the inventory."""

    device_id: uuid.UUID
    asset_tag: str
    host: str
    port: int
    is_recorder: bool
    username: str
    secret: str  # encrypted; the service decrypts it just before connecting
    approved_firmware: str | None
    reference_sha256: str | None
    installed_on: date | None = None

    def retention_days_expected(self, today: date, minimum: float = RETENTION_DAYS) -> float:
        """Directive 9 asks for 20 days; a recorder installed 5 days ago can hold at most 5."""
        if self.installed_on is None:
            return minimum
        return max(0.0, min(minimum, float((today - self.installed_on).days)))


def _refuse(reason: str, **params: str) -> DomainError:
    """``reason``: a key of the catalogue's words for it (``errors.TERMS["reason"]``)."""
    return DomainError(
        ErrorCode.DIAGNOSTICS_TARGET_REFUSED, field="deviceId", params={"reason": reason, **params}
    )


def guard_target(session: Session, device: Device) -> tuple[str, int]:
    """The address to connect to, or DIAGNOSTICS_TARGET_REFUSED."""
    if device.kind not in DIAGNOSABLE:
        raise DomainError(ErrorCode.DIAGNOSTICS_NOT_A_CAMERA, field="deviceId")
    if device.status not in IN_SERVICE:
        raise _refuse("out_of_service")
    if not device.ip_address:
        raise _refuse("no_address")
    blocks = session.exec(select(IpBlock.cidr).where(IpBlock.site_id == device.site_id)).all()
    try:
        host = check_in_blocks(device.ip_address, blocks)
    except DomainError:
        raise _refuse("outside_blocks", ip=device.ip_address) from None
    return host, device.onvif_port or DEFAULT_ONVIF_PORT


def plan_diagnosis(session: Session, actor: Actor, device_id: uuid.UUID) -> DiagnosisPlan:
    device = load_device(session, actor, device_id)
    host, port = guard_target(session, device)
    cred = session.exec(select(DeviceCredential).where(DeviceCredential.device_id == device.id)).first()
    if cred is None:
        raise DomainError(ErrorCode.DIAGNOSTICS_NO_CREDENTIALS, field="deviceId")
    baseline = None
    if device.make and device.model:
        baseline = session.exec(
            select(FirmwareBaseline.approved_firmware).where(
                FirmwareBaseline.make == device.make, FirmwareBaseline.model == device.model
            )
        ).first()
    ref = session.exec(
        select(DeviceReference.image_sha256).where(DeviceReference.device_id == device.id)
    ).first()
    return DiagnosisPlan(
        device_id=device.id,
        asset_tag=device.asset_tag,
        host=host,
        port=port,
        is_recorder=device.kind is DeviceKind.RECORDER,
        username=cred.username,
        secret=cred.secret,
        approved_firmware=baseline,
        reference_sha256=ref,
        installed_on=device.installed_on,
    )


def sweep_targets(session: Session, kind: DeviceKind) -> list[uuid.UUID]:
    """Devices the scheduled sweeps diagnose: in service, with credentials and an address."""
    stmt = (
        select(Device.id)
        .join(DeviceCredential, col(DeviceCredential.device_id) == col(Device.id))
        .where(Device.kind == kind, col(Device.status).in_(IN_SERVICE), col(Device.ip_address).is_not(None))
        .order_by(col(Device.site_id), col(Device.asset_tag))
    )
    return list(session.exec(stmt).all())


# ---- history and overview -------------------------------------------------------------------


def device_reference(session: Session, actor: Actor, device_id: uuid.UUID) -> DeviceReference | None:
    load_device(session, actor, device_id)
    return session.exec(
        select(DeviceReference).where(
            DeviceReference.device_id == device_id, scope_for("deviceReference", actor)
        )
    ).first()


def device_diagnoses(
    session: Session, actor: Actor, device_id: uuid.UUID, limit: int = 30
) -> list[Diagnosis]:
    load_device(session, actor, device_id)
    stmt = (
        select(Diagnosis)
        .where(Diagnosis.device_id == device_id, scope_for("diagnosis", actor))
        .order_by(col(Diagnosis.started_at).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())


@dataclass(frozen=True)
class CheckChange:
    check: str
    at: datetime
    before: str | None
    after: str
    message: str
    diagnosis_id: uuid.UUID


def check_changes(diagnoses: list[Diagnosis]) -> list[CheckChange]:
    """When each check's verdict changed, newest first (``diagnoses`` newest first, as queried)."""
    changes: list[CheckChange] = []
    last: dict[str, str] = {}
    for d in sorted(diagnoses, key=lambda x: x.started_at):
        for r in d.results:
            verdict = r["verdict"]
            if verdict == Verdict.SKIPPED.value:
                continue
            if last.get(r["check"]) != verdict:
                changes.append(
                    CheckChange(
                        check=r["check"],
                        at=d.started_at,
                        before=last.get(r["check"]),
                        after=verdict,
                        message=r.get("message", ""),
                        diagnosis_id=d.id,
                    )
                )
                last[r["check"]] = verdict
    return sorted(changes, key=lambda c: c.at, reverse=True)


@dataclass(frozen=True)
class SiteHealth:
    site_id: uuid.UUID
    site_code: str
    site_name: str
    ok: int
    warning: int
    fail: int
    unchecked: int  # cameras in service never diagnosed


def health_overview(session: Session, actor: Actor) -> list[SiteHealth]:
    """Per site: how many cameras are ok / warning / failing by their latest diagnosis."""
    counts: dict[uuid.UUID, dict[str, int]] = {}
    rows = session.exec(
        select(DeviceHealth.site_id, DeviceHealth.overall, func.count())
        .join(Device, col(Device.id) == col(DeviceHealth.device_id))
        .where(device_scope(actor), Device.kind == DeviceKind.CAMERA)
        .group_by(col(DeviceHealth.site_id), col(DeviceHealth.overall))
    ).all()
    for site_id, overall, n in rows:
        counts.setdefault(site_id, {})[Verdict(overall).value] = n
    unchecked_rows = session.exec(
        select(Device.site_id, func.count())
        .where(
            device_scope(actor),
            Device.kind == DeviceKind.CAMERA,
            col(Device.status).in_(IN_SERVICE),
            ~col(Device.id).in_(select(DeviceHealth.device_id)),
        )
        .group_by(col(Device.site_id))
    ).all()
    unchecked = dict(unchecked_rows)
    sites = session.exec(select(Site).where(site_scope(actor)).order_by(col(Site.code))).all()
    out = []
    for site in sites:
        c = counts.get(site.id, {})
        if not c and not unchecked.get(site.id):
            continue
        out.append(
            SiteHealth(
                site_id=site.id,
                site_code=site.code,
                site_name=site.name,
                ok=c.get("ok", 0),
                warning=c.get("warning", 0),
                fail=c.get("fail", 0),
                unchecked=unchecked.get(site.id, 0),
            )
        )
    return out


def summary(rows: list[SiteHealth]) -> dict[str, Any]:
    return {k: sum(getattr(r, k) for r in rows) for k in ("ok", "warning", "fail", "unchecked")}


def firmware_baselines(session: Session) -> list[FirmwareBaseline]:
    """The approved firmware of every make and model, by make and model."""
    stmt = select(FirmwareBaseline).order_by(col(FirmwareBaseline.make), col(FirmwareBaseline.model))
    return list(session.exec(stmt).all())


# ---- inventory change proposals ----------------------------------------------------------------


def proposal_origin(session: Session, proposal: DeviceChangeProposal) -> tuple[str, DiagnosisSource]:
    """The asset tag of the proposal's device and the source of the diagnosis that proposed it."""
    device = session.get(Device, proposal.device_id)
    diagnosis = session.get(Diagnosis, proposal.diagnosis_id)
    if device is None or diagnosis is None:  # foreign keys keep both
        raise DomainError(ErrorCode.NOT_FOUND, field="proposalId")
    return device.asset_tag, diagnosis.source


def change_proposals(
    session: Session,
    actor: Actor,
    *,
    device_id: uuid.UUID | None = None,
    status: ProposalStatus | None = ProposalStatus.PENDING,
    limit: int = 200,
) -> list[tuple[DeviceChangeProposal, Device, Diagnosis]]:
    """Proposals of devices the actor sees (oldest first), with their device and diagnosis."""
    stmt = (
        select(DeviceChangeProposal, Device, Diagnosis)
        .join(Device, col(Device.id) == col(DeviceChangeProposal.device_id))
        .join(Diagnosis, col(Diagnosis.id) == col(DeviceChangeProposal.diagnosis_id))
        .where(scope_for("device", actor))
        .order_by(
            col(DeviceChangeProposal.created_at),
            col(Device.asset_tag),
            col(DeviceChangeProposal.field),
        )
        .limit(limit)
    )
    if device_id is not None:
        stmt = stmt.where(DeviceChangeProposal.device_id == device_id)
    if status is not None:
        stmt = stmt.where(col(DeviceChangeProposal.status) == status)
    return [(prop, dev, diag) for prop, dev, diag in session.exec(stmt).all()]
