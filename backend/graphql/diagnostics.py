"""GraphQL for diagnostics: run one now (remote first), history, health overview, baselines."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from pydantic.alias_generators import to_camel
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.domain.diagnostics import models as dm
from backend.domain.diagnostics import queries as dq
from backend.domain.errors import DomainError
from backend.domain.people import permissions as p
from backend.graphql.common import OperationError, input_args, requires, run_command
from backend.graphql.context import ctx
from backend.services import diagnostics_service
from backend.shared.checks import check_label

Verdict = strawberry.enum(dm.Verdict, name="Verdict")
DiagnosisSource = strawberry.enum(
    dm.DiagnosisSource,
    name="DiagnosisSource",
    description="Who ran a diagnosis. Set by the server: a result a client pushes is PROBE whatever "
    "it claims; REMOTE, NIGHTLY and WEEKLY are the server's own runs.",
)
ProposalStatus = strawberry.enum(dm.ProposalStatus, name="DeviceChangeProposalStatus")


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


def _blob_url(sha: str | None) -> str | None:
    return f"/blobs/{sha}" if sha else None


@strawberry.type(name="CheckResult")
class CheckResultType:
    check: str
    label: str = strawberry.field(description="The check's name in Turkish.")
    verdict: Verdict  # type: ignore[valid-type]
    message: str
    evidence: JSON
    duration_ms: int


@strawberry.type(name="Diagnosis")
class DiagnosisType:
    id: strawberry.ID
    device_id: strawberry.ID
    work_order_id: strawberry.ID | None
    source: DiagnosisSource  # type: ignore[valid-type]
    started_at: datetime
    finished_at: datetime
    overall: Verdict  # type: ignore[valid-type]
    results: list[CheckResultType]
    device_info: JSON
    snapshot_url: str | None
    reference_url: str | None = strawberry.field(description="The reference the snapshot was compared with.")
    requested_by_id: strawberry.ID | None = strawberry.field(
        description="Whose session recorded it (the pusher of a PROBE result); null for sweeps."
    )

    @classmethod
    def of(cls, m: dm.Diagnosis) -> DiagnosisType:
        return cls(
            id=strawberry.ID(str(m.id)),
            device_id=strawberry.ID(str(m.device_id)),
            work_order_id=strawberry.ID(str(m.work_order_id)) if m.work_order_id else None,
            source=m.source,
            started_at=m.started_at,
            finished_at=m.finished_at,
            overall=m.overall,
            results=[
                CheckResultType(
                    check=r["check"],
                    label=check_label(r["check"]),
                    verdict=dm.Verdict(r["verdict"]),
                    message=r.get("message", ""),
                    evidence=r.get("evidence", {}),
                    duration_ms=int(r.get("durationMs", 0)),
                )
                for r in m.results
            ],
            device_info=cast(Any, m.device_info),
            snapshot_url=_blob_url(m.snapshot_sha256),
            reference_url=_blob_url(m.reference_sha256),
            requested_by_id=strawberry.ID(str(m.requested_by_id)) if m.requested_by_id else None,
        )


@strawberry.type(name="CheckChange", description="When a check's verdict changed for a device.")
class CheckChangeType:
    check: str
    label: str
    at: datetime
    before: Verdict | None  # type: ignore[valid-type]
    after: Verdict  # type: ignore[valid-type]
    message: str
    diagnosis_id: strawberry.ID


@strawberry.type(name="SiteHealth")
class SiteHealthType:
    site_id: strawberry.ID
    site_code: str
    site_name: str
    ok: int
    warning: int
    fail: int
    unchecked: int


@strawberry.type(name="FirmwareBaseline")
class FirmwareBaselineType:
    id: strawberry.ID
    make: str
    model: str
    approved_firmware: str
    note: str
    updated_at: datetime


@strawberry.type(name="ReferenceImage", description="The camera's own reference for image health.")
class ReferenceImageType:
    device_id: strawberry.ID
    image_sha256: str
    url: str
    reason: str
    set_at: datetime


@strawberry.type(
    name="DeviceChangeProposal",
    description="An inventory value a diagnosis reported, waiting for a decision (devices.manage).",
)
class DeviceChangeProposalType:
    id: strawberry.ID
    device_id: strawberry.ID
    asset_tag: str
    diagnosis_id: strawberry.ID
    diagnosis_source: DiagnosisSource  # type: ignore[valid-type]
    field: str = strawberry.field(description="make, model, serialNumber or firmware")
    old_value: str
    proposed_value: str
    status: ProposalStatus  # type: ignore[valid-type]
    proposed_by_id: strawberry.ID | None
    created_at: datetime
    decided_by_id: strawberry.ID | None
    decided_at: datetime | None

    @classmethod
    def of(
        cls, m: dm.DeviceChangeProposal, asset_tag: str, source: dm.DiagnosisSource
    ) -> DeviceChangeProposalType:
        return cls(
            id=strawberry.ID(str(m.id)),
            device_id=strawberry.ID(str(m.device_id)),
            asset_tag=asset_tag,
            diagnosis_id=strawberry.ID(str(m.diagnosis_id)),
            diagnosis_source=source,
            field=to_camel(m.field),
            old_value=m.old_value,
            proposed_value=m.proposed_value,
            status=m.status,
            proposed_by_id=strawberry.ID(str(m.proposed_by_id)) if m.proposed_by_id else None,
            created_at=m.created_at,
            decided_by_id=strawberry.ID(str(m.decided_by_id)) if m.decided_by_id else None,
            decided_at=m.decided_at,
        )


@strawberry.type
class DiagnosticsQuery:
    @strawberry.field(
        description="Inventory changes diagnoses proposed (pending by default), oldest first.",
        permission_classes=[requires(p.DEVICES_MANAGE)],
    )
    async def device_change_proposals(
        self,
        info: Info[Any, Any],
        device_id: strawberry.ID | None = None,
        status: ProposalStatus | None = dm.ProposalStatus.PENDING,  # type: ignore[valid-type]
    ) -> list[DeviceChangeProposalType]:
        c = ctx(info)
        actor = await c.require_actor()
        key = _uuid(device_id) if device_id else None
        rows = await c.db.read(lambda s: dq.change_proposals(s, actor, device_id=key, status=status))
        return [DeviceChangeProposalType.of(prop, dev.asset_tag, diag.source) for prop, dev, diag in rows]

    @strawberry.field(permission_classes=[requires(p.DEVICES_TECHNICAL)])
    async def device_reference(
        self, info: Info[Any, Any], device_id: strawberry.ID
    ) -> ReferenceImageType | None:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(device_id)
        ref = await c.db.read(lambda s: dq.device_reference(s, actor, key))
        if ref is None:
            return None
        return ReferenceImageType(
            device_id=strawberry.ID(str(ref.device_id)),
            image_sha256=ref.image_sha256,
            url=f"/blobs/{ref.image_sha256}",
            reason=ref.reason,
            set_at=ref.set_at,
        )

    @strawberry.field(permission_classes=[requires(p.DEVICES_TECHNICAL)])
    async def device_diagnoses(
        self, info: Info[Any, Any], device_id: strawberry.ID, limit: int = 30
    ) -> list[DiagnosisType]:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(device_id)
        rows = await c.db.read(lambda s: dq.device_diagnoses(s, actor, key, min(max(limit, 1), 200)))
        return [DiagnosisType.of(r) for r in rows]

    @strawberry.field(permission_classes=[requires(p.DEVICES_TECHNICAL)])
    async def device_check_changes(
        self, info: Info[Any, Any], device_id: strawberry.ID
    ) -> list[CheckChangeType]:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(device_id)
        rows = await c.db.read(lambda s: dq.check_changes(dq.device_diagnoses(s, actor, key, 200)))
        return [
            CheckChangeType(
                check=r.check,
                label=check_label(r.check),
                at=r.at,
                before=dm.Verdict(r.before) if r.before else None,
                after=dm.Verdict(r.after),
                message=r.message,
                diagnosis_id=strawberry.ID(str(r.diagnosis_id)),
            )
            for r in rows
        ]

    @strawberry.field(permission_classes=[requires(p.WORKORDERS_APPROVE)])
    async def health_overview(self, info: Info[Any, Any]) -> list[SiteHealthType]:
        c = ctx(info)
        actor = await c.require_actor()
        rows = await c.db.read(lambda s: dq.health_overview(s, actor))
        return [
            SiteHealthType(
                site_id=strawberry.ID(str(r.site_id)),
                site_code=r.site_code,
                site_name=r.site_name,
                ok=r.ok,
                warning=r.warning,
                fail=r.fail,
                unchecked=r.unchecked,
            )
            for r in rows
        ]

    @strawberry.field(permission_classes=[requires(p.DEVICES_TECHNICAL)])
    async def firmware_baselines(self, info: Info[Any, Any]) -> list[FirmwareBaselineType]:
        rows = await ctx(info).db.read(dq.firmware_baselines)
        return [
            FirmwareBaselineType(
                id=strawberry.ID(str(r.id)),
                make=r.make,
                model=r.model,
                approved_firmware=r.approved_firmware,
                note=r.note,
                updated_at=r.updated_at,
            )
            for r in rows
        ]


@strawberry.type
class DiagnosisSuccess:
    diagnosis: DiagnosisType


@strawberry.type
class OkSuccess:
    ok: bool


@strawberry.type
class FirmwareBaselineSuccess:
    baseline: FirmwareBaselineType


@strawberry.type
class DeviceChangeProposalSuccess:
    proposal: DeviceChangeProposalType


DiagnosisResult = Annotated[DiagnosisSuccess | OperationError, strawberry.union("DiagnosisResult")]
OkResult = Annotated[OkSuccess | OperationError, strawberry.union("OkResult")]
FirmwareBaselineResult = Annotated[
    FirmwareBaselineSuccess | OperationError, strawberry.union("FirmwareBaselineResult")
]
DeviceChangeProposalResult = Annotated[
    DeviceChangeProposalSuccess | OperationError, strawberry.union("DeviceChangeProposalResult")
]


@strawberry.input
class SetDeviceCredentialsInput:
    device_id: strawberry.ID
    username: str
    password: str


@strawberry.input
class SetFirmwareBaselineInput:
    make: str
    model: str
    approved_firmware: str
    note: str | None = strawberry.UNSET


@strawberry.input
class SetReferenceImageInput:
    device_id: strawberry.ID
    image_sha256: str
    reason: str | None = strawberry.UNSET


@strawberry.input
class OpenFaultInput:
    diagnosis_id: strawberry.ID
    work_order_id: strawberry.ID | None = strawberry.UNSET


@strawberry.type
class DiagnosticsMutation:
    @strawberry.mutation(
        description="Diagnose a registered device now, from the server (remote first). Waits for the result.",
        permission_classes=[requires(p.DIAGNOSTICS_RUN)],
    )
    async def diagnose_device(
        self, info: Info[Any, Any], device_id: strawberry.ID, work_order_id: strawberry.ID | None = None
    ) -> DiagnosisResult:
        c = ctx(info)
        actor = await c.require_actor()
        try:
            d = await diagnostics_service(c.app_state).run(
                actor, _uuid(device_id), work_order_id=_uuid(work_order_id) if work_order_id else None
            )
        except DomainError as exc:
            return OperationError.of(exc, c.lang)
        return DiagnosisSuccess(diagnosis=DiagnosisType.of(d))

    @strawberry.mutation(
        description="Set a device's ONVIF account (the password is encrypted at rest, never returned).",
        permission_classes=[requires(p.DEVICES_MANAGE)],
    )
    async def set_device_credentials(
        self, info: Info[Any, Any], input: SetDeviceCredentialsInput
    ) -> OkResult:
        c = ctx(info)
        actor = await c.require_actor()
        try:
            await diagnostics_service(c.app_state).set_credentials(
                actor, _uuid(input.device_id), input.username.strip(), input.password
            )
        except DomainError as exc:
            return OperationError.of(exc, c.lang)
        return OkSuccess(ok=True)

    @strawberry.mutation(description="Set the approved firmware of a make and model.")
    async def set_firmware_baseline(
        self, info: Info[Any, Any], input: SetFirmwareBaselineInput
    ) -> FirmwareBaselineResult:
        def wrap(r: dm.FirmwareBaseline) -> FirmwareBaselineSuccess:
            return FirmwareBaselineSuccess(
                baseline=FirmwareBaselineType(
                    id=strawberry.ID(str(r.id)),
                    make=r.make,
                    model=r.model,
                    approved_firmware=r.approved_firmware,
                    note=r.note,
                    updated_at=r.updated_at,
                )
            )

        return await run_command(info, "firmware.setBaseline", input_args(input), wrap)

    @strawberry.mutation(description="Accept an inventory change a diagnosis proposed (devices.manage).")
    async def accept_device_change_proposal(
        self, info: Info[Any, Any], proposal_id: strawberry.ID
    ) -> DeviceChangeProposalResult:
        return await _decide_proposal(info, "device.acceptProposal", proposal_id)

    @strawberry.mutation(description="Reject an inventory change a diagnosis proposed (devices.manage).")
    async def reject_device_change_proposal(
        self, info: Info[Any, Any], proposal_id: strawberry.ID
    ) -> DeviceChangeProposalResult:
        return await _decide_proposal(info, "device.rejectProposal", proposal_id)

    @strawberry.mutation(description="Make an image (e.g. a diagnosis snapshot) the camera's reference.")
    async def set_reference_image(self, info: Info[Any, Any], input: SetReferenceImageInput) -> OkResult:
        return await run_command(
            info, "diagnostics.setReference", input_args(input), lambda _: OkSuccess(ok=True)
        )


async def _decide_proposal(
    info: Info[Any, Any], name: str, proposal_id: strawberry.ID
) -> DeviceChangeProposalSuccess | OperationError:
    c = ctx(info)
    decided = await run_command(info, name, {"proposalId": str(proposal_id)}, lambda m: m)
    if isinstance(decided, OperationError):
        return decided
    prop = cast(dm.DeviceChangeProposal, decided)
    asset_tag, source = await c.db.read(lambda s: dq.proposal_origin(s, prop))
    return DeviceChangeProposalSuccess(proposal=DeviceChangeProposalType.of(prop, asset_tag, source))
