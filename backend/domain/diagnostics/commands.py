"""Diagnostics commands. Running checks needs the network and happens outside any transaction
(``backend.services.diagnostics`` on the server, ``saha probe`` on a laptop); what they
found is recorded here.

Diagnoses are evidence, not edits:

- ``diagnostics.record`` is what clients reach (a probe's or a phone's syncPush, any GraphQL
  mutation running the command): the result is stored as source PROBE whatever the client claims,
  attributed to the person whose session pushed it. Only :func:`record_server_diagnosis` — a
  plain function the server's own runs call, not a registered command, so no client can name it —
  records REMOTE, NIGHTLY or WEEKLY.
- What a device says about itself (make, model, serial, firmware) fills an empty inventory field
  directly; a different value for a filled field becomes a :class:`DeviceChangeProposal` that
  someone with ``devices.manage`` accepts or rejects (``device.acceptProposal`` /
  ``device.rejectProposal``). A server run also updates the firmware directly (upgrades are
  routine and the server itself spoke to the device at its inventory address); a different make,
  model or serial means a different device answers there, which a person decides.
- A PROBE result may make a device's health worse, never better than a verdict a server run set
  (a failing camera cannot be hidden behind a pushed "all ok"); the health keeps its source.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Any, Protocol

from pydantic import Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel
from sqlalchemy import and_, or_
from sqlmodel import col, select

from backend.domain.assets.models import Device, DeviceKind
from backend.domain.assets.queries import load_device
from backend.domain.blobs.access import require_referable
from backend.domain.commands import CommandContext, CommandInput, command, parse_input
from backend.domain.diagnostics.models import (
    SEVERITY,
    DeviceChangeProposal,
    DeviceCredential,
    DeviceHealth,
    DeviceReference,
    Diagnosis,
    DiagnosisSource,
    FirmwareBaseline,
    ProposalStatus,
    Verdict,
    worst,
)
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.models import Role
from backend.domain.workorders.commands import CreateWorkOrder, create_work_order
from backend.domain.workorders.models import Priority, WorkOrderType
from backend.shared.checks import CHECK_NAMES, check_label
from sync.changes import ACTOR_KEY

Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MAX_EVIDENCE_CHARS = 20_000
SCHEDULED = (DiagnosisSource.NIGHTLY, DiagnosisSource.WEEKLY)


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
    # What the client claims. Never trusted: a recorded client result is PROBE (module docstring);
    # accepted so that probes and phones sending it keep working.
    source: DiagnosisSource | None = None
    work_order_id: uuid.UUID | None = None
    started_at: datetime
    finished_at: datetime
    results: Annotated[list[CheckInput], Field(min_length=1, max_length=30)]
    device: dict[str, Annotated[str, StringConstraints(max_length=120)]] = Field(default_factory=dict)
    snapshot_sha256: Hash | None = None
    reference_sha256: Hash | None = None


SERVER_SOURCES = (DiagnosisSource.REMOTE, *SCHEDULED)
# what a device reports (``device`` of the record) → the inventory attribute
DEVICE_INFO_FIELDS = {"make": "make", "model": "model", "serial": "serial_number", "firmware": "firmware"}


def _apply_device_info(device: Device, diagnosis: Diagnosis, ctx: CommandContext) -> None:
    """Keep the inventory current with what the device says about itself (directive 6(4)), as
    evidence: empty fields are filled, other differences become proposals (module docstring)."""
    trusted = diagnosis.source in SERVER_SOURCES
    changed = False
    for key, attr in DEVICE_INFO_FIELDS.items():
        value = str(diagnosis.device_info.get(key) or "").strip()[:64]
        current = getattr(device, attr) or ""
        if not value or current == value:
            continue
        if not current or (trusted and attr == "firmware"):
            setattr(device, attr, value)
            changed = True
        else:
            _propose(ctx, device, diagnosis, attr, current, value)
    if changed:
        device.version += 1
        device.updated_at = ctx.now
        ctx.session.add(device)


def _propose(
    ctx: CommandContext, device: Device, diagnosis: Diagnosis, attr: str, current: str, value: str
) -> None:
    """One proposal per (device, field, value) still open or already refused for this value:
    a nightly sweep does not raise the same question every night."""
    known = ctx.session.exec(
        select(DeviceChangeProposal.id).where(
            DeviceChangeProposal.device_id == device.id,
            DeviceChangeProposal.field == attr,
            DeviceChangeProposal.proposed_value == value,
            or_(
                col(DeviceChangeProposal.status) == ProposalStatus.PENDING,
                and_(
                    col(DeviceChangeProposal.status) == ProposalStatus.REJECTED,
                    col(DeviceChangeProposal.old_value) == current,
                ),
            ),
        )
    ).first()
    if known is not None:
        return
    ctx.session.add(
        DeviceChangeProposal(
            device_id=device.id,
            diagnosis_id=diagnosis.id,
            field=attr,
            old_value=current,
            proposed_value=value,
            status=ProposalStatus.PENDING,
            proposed_by_id=diagnosis.requested_by_id,
            created_at=ctx.now,
        )
    )


@command("diagnostics.record", permission=p.DIAGNOSTICS_RUN, input=RecordDiagnosis)
def record_diagnosis(ctx: CommandContext, inp: RecordDiagnosis) -> Diagnosis:
    """Record a diagnosis a client ran (``saha probe``, pushed through the sync): stored as PROBE
    whatever ``source`` says, signed by the pushing person; the device's identity it reports
    becomes proposals (module docstring)."""
    return _record(ctx, inp, DiagnosisSource.PROBE)


def record_server_diagnosis(ctx: CommandContext, args: dict[str, Any], source: DiagnosisSource) -> Diagnosis:
    """Record a diagnosis the server ran itself: a remote diagnosis a person asked for (REMOTE,
    ``diagnostics.run``) or a scheduled sweep (NIGHTLY / WEEKLY, ``diagnostics.schedule``).

    Not a registered command: only server code calls it (``backend.services.diagnostics``),
    so the source is the server's decision, never a client's input."""
    if source not in SERVER_SOURCES:
        raise ValueError(f"{source} is not a server-run source")
    needed = p.DIAGNOSTICS_SCHEDULE if source in SCHEDULED else p.DIAGNOSTICS_RUN
    inp = parse_input(RecordDiagnosis, args)
    if not ctx.actor.can(needed):
        raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": needed})
    ctx.session.info[ACTOR_KEY] = ctx.actor.id  # the change log records who
    diagnosis = _record(ctx, inp, source)
    ctx.session.flush()
    return diagnosis


def _record(ctx: CommandContext, inp: RecordDiagnosis, source: DiagnosisSource) -> Diagnosis:
    recorded_by = None if source in SCHEDULED else ctx.actor.id
    if (existing := ctx.session.get(Diagnosis, inp.id)) is not None:
        # a replay (the same push again) returns it; another person's id is not theirs to reuse
        if existing.requested_by_id != recorded_by or existing.device_id != inp.device_id:
            raise DomainError(ErrorCode.NOT_FOUND, field="id")
        return existing
    if inp.finished_at < inp.started_at:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, field="finishedAt", params={"detail": "finishedAt < startedAt"}
        )
    device = load_device(ctx.session, ctx.actor, inp.device_id, for_update=True)
    if device.kind not in (DeviceKind.CAMERA, DeviceKind.RECORDER):
        raise DomainError(ErrorCode.DIAGNOSTICS_NOT_A_CAMERA, field="deviceId")
    if source is DiagnosisSource.PROBE:  # a client's: its pictures must be its own to reference
        shots = [h for h in (inp.snapshot_sha256, inp.reference_sha256) if h]
        require_referable(ctx.session, ctx.actor, shots, field="snapshotSha256")
    overall = worst([r.verdict for r in inp.results])
    diagnosis = Diagnosis(
        id=inp.id,
        device_id=device.id,
        work_order_id=inp.work_order_id,
        source=source,
        requested_by_id=recorded_by,
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
    ctx.session.flush()
    _apply_device_info(device, diagnosis, ctx)
    _update_health(ctx, device, diagnosis)
    return diagnosis


def _update_health(ctx: CommandContext, device: Device, diagnosis: Diagnosis) -> None:
    health = ctx.session.exec(
        select(DeviceHealth).where(DeviceHealth.device_id == device.id).with_for_update()
    ).first()
    checks = {r["check"]: r["verdict"] for r in diagnosis.results}
    if health is not None and health.last_checked_at > diagnosis.started_at:
        return  # an older result arriving late (a probe back online) does not overwrite newer health
    if (
        health is not None
        and diagnosis.source is DiagnosisSource.PROBE
        and health.source is not DiagnosisSource.PROBE
        and SEVERITY[diagnosis.overall] <= SEVERITY[health.overall]
    ):
        return  # a pushed result never clears (or restates) what the server found; worse may stand
    if health is None:
        health = DeviceHealth(
            device_id=device.id,
            site_id=device.site_id,
            overall=diagnosis.overall,
            checks=checks,
            last_diagnosis_id=diagnosis.id,
            last_checked_at=diagnosis.started_at,
            since=diagnosis.started_at,
            source=diagnosis.source,
        )
    else:
        if health.overall != diagnosis.overall:
            health.since = diagnosis.started_at
        health.overall = diagnosis.overall
        health.checks = checks
        health.site_id = device.site_id
        health.last_diagnosis_id = diagnosis.id
        health.last_checked_at = diagnosis.started_at
        health.source = diagnosis.source
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
    require_referable(ctx.session, ctx.actor, [inp.image_sha256], field="imageSha256")
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


# The server's credential cipher for this unit of work (``backend.integrations.credentials``),
# put into ``session.info`` by the server's credentials service. A session without it (a sync
# push) cannot show that a secret is one this server made, and so stores none.
CREDENTIAL_CIPHER_KEY = "saha.credential_cipher"
USERNAME_MAX = 64
PASSWORD_MAX_CHARS = 128
PASSWORD_MAX_BYTES = 256  # UTF-8; keeps the stored envelope inside its column
NONCE_TAG_BYTES = 12 + 16  # AES-GCM nonce + tag around the UTF-8 password
# base64url (no padding) of nonce + 1..256 bytes + tag: 39..380 characters
SECRET_PATTERN = r"^[A-Za-z0-9_-]{39,380}$"  # noqa: S105 (a format, not a secret)


class SecretCipher(Protocol):
    def decrypt(self, device_id: uuid.UUID, secret: str) -> str: ...


def credential_text_problem(value: str, max_chars: int, max_bytes: int | None = None) -> str | None:
    """Why a device username or password is unacceptable (Turkish/English-neutral detail), or None."""
    if not value:
        return "empty"
    if len(value) > max_chars:
        return f"at most {max_chars} characters"
    if max_bytes is not None and len(value.encode("utf-8")) > max_bytes:
        return f"at most {max_bytes} bytes"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        return "control characters are not allowed"
    return None


def _credential_refused(field: str, detail: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_FAILED, field=field, params={"detail": f"{field}: {detail}"})


class SetCredentials(CommandInput):
    """``secret``: the password as this server's credential cipher sealed it for this device
    (base64url of nonce + AES-256-GCM ciphertext + tag, the device id as associated data). Only
    the server makes it (``setDeviceCredentials`` sends the password over TLS and the server
    encrypts it); the PWA never sees the key, so a queued or hand-made secret is refused."""

    device_id: uuid.UUID
    username: Annotated[str, StringConstraints(min_length=1, max_length=USERNAME_MAX)]
    secret: Annotated[str, StringConstraints(pattern=SECRET_PATTERN)]


@command("device.setCredentials", permission=p.DEVICES_MANAGE, input=SetCredentials)
def set_credentials(ctx: CommandContext, inp: SetCredentials) -> DeviceCredential:
    """Store a device's ONVIF account. The username may not hold control characters; the secret
    must open with this server's credential key for this very device, to a password of 1–128
    characters (≤ 256 bytes) without control characters. Anything else — also every secret
    pushed through the sync, which cannot come from the server's cipher — is VALIDATION_FAILED
    and changes nothing."""
    if (problem := credential_text_problem(inp.username, USERNAME_MAX)) is not None:
        raise _credential_refused("username", problem)
    device = load_device(ctx.session, ctx.actor, inp.device_id)
    cipher: SecretCipher | None = ctx.session.info.get(CREDENTIAL_CIPHER_KEY)
    if cipher is None or ctx.via_sync:
        raise _credential_refused("secret", "not sealed by this server (set the password online)")
    try:
        password = cipher.decrypt(device.id, inp.secret)
    except Exception:  # CredentialError: another key, another device, or not a sealed password
        raise _credential_refused("secret", "not sealed by this server for this device") from None
    if (problem := credential_text_problem(password, PASSWORD_MAX_CHARS, PASSWORD_MAX_BYTES)) is not None:
        raise _credential_refused("password", problem)
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


# ---- proposals: what diagnoses suggest for the inventory -------------------------------------


class ProposalRef(CommandInput):
    proposal_id: uuid.UUID


def _pending_proposal(ctx: CommandContext, proposal_id: uuid.UUID) -> tuple[DeviceChangeProposal, Device]:
    proposal = ctx.session.get(DeviceChangeProposal, proposal_id, with_for_update=True)
    if proposal is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="proposalId")
    device = load_device(ctx.session, ctx.actor, proposal.device_id, for_update=True)  # scope
    if proposal.status is not ProposalStatus.PENDING:
        raise DomainError(ErrorCode.DEVICE_PROPOSAL_DECIDED, field="proposalId")
    return proposal, device


def _decide(ctx: CommandContext, proposal: DeviceChangeProposal, status: ProposalStatus) -> None:
    proposal.status = status
    proposal.decided_by_id = ctx.actor.id
    proposal.decided_at = ctx.now
    proposal.version += 1
    ctx.session.add(proposal)


@command("device.acceptProposal", permission=p.DEVICES_MANAGE, input=ProposalRef)
def accept_proposal(ctx: CommandContext, inp: ProposalRef) -> DeviceChangeProposal:
    """Write a proposed value into the inventory. Refused (DEVICE_PROPOSAL_STALE) when the field
    changed since the proposal was made; other open proposals for that field are superseded."""
    proposal, device = _pending_proposal(ctx, inp.proposal_id)
    current = getattr(device, proposal.field) or ""
    if current != proposal.old_value:
        raise DomainError(
            ErrorCode.DEVICE_PROPOSAL_STALE, field="proposalId", params={"field": to_camel(proposal.field)}
        )
    setattr(device, proposal.field, proposal.proposed_value)
    device.version += 1
    device.updated_at = ctx.now
    ctx.session.add(device)
    _decide(ctx, proposal, ProposalStatus.ACCEPTED)
    others = ctx.session.exec(
        select(DeviceChangeProposal).where(
            DeviceChangeProposal.device_id == device.id,
            DeviceChangeProposal.field == proposal.field,
            col(DeviceChangeProposal.status) == ProposalStatus.PENDING,
            col(DeviceChangeProposal.id) != proposal.id,
        )
    ).all()
    for other in others:
        _decide(ctx, other, ProposalStatus.SUPERSEDED)
    return proposal


@command("device.rejectProposal", permission=p.DEVICES_MANAGE, input=ProposalRef)
def reject_proposal(ctx: CommandContext, inp: ProposalRef) -> DeviceChangeProposal:
    """Keep the inventory as it is; the same value is not proposed again for the same field."""
    proposal, _device = _pending_proposal(ctx, inp.proposal_id)
    _decide(ctx, proposal, ProposalStatus.REJECTED)
    return proposal


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
        f"- {check_label(r['check'])}: {r.get('message') or r['verdict']}"
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
    failing = [check_label(r["check"]) for r in diagnosis.results if r["verdict"] == "fail"]
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
