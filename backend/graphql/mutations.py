"""Write side: each mutation parses its input and runs one domain command. No rules here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from backend.domain.errors import DomainError
from backend.domain.people import auth
from backend.domain.people.auth import IssuedSession, actor_for
from backend.graphql.common import (
    AreaType,
    DeviceKind,
    DeviceStatus,
    OperationError,
    Priority,
    RecordingLocation,
    SiteKind,
    WorkOrderType,
    input_args,
    run_command,
)
from backend.graphql.context import ctx, set_retry_after
from backend.graphql.diagnostics import DiagnosticsMutation, OpenFaultInput
from backend.graphql.maintenance import MaintenanceMutation
from backend.graphql.signing import SigningMutation
from backend.graphql.surveys import SurveyMutation
from backend.graphql.sync import SyncMutation
from backend.graphql.types import DeviceType, SiteType, ViewerType, WorkOrderObject
from backend.services import auth_service

# ---- results -------------------------------------------------------------------------------


@strawberry.type
class Session:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    viewer: ViewerType

    @classmethod
    def of(cls, s: IssuedSession) -> Session:
        return cls(
            access_token=s.access_token,
            access_token_expires_at=s.access_expires_at,
            refresh_token=s.refresh_token,
            refresh_token_expires_at=s.refresh_expires_at,
            viewer=ViewerType.of(s.user, actor_for(s.user)),
        )


@strawberry.type
class SessionSuccess:
    session: Session


@strawberry.type
class SignOutSuccess:
    ok: bool


@strawberry.type
class WorkOrderSuccess:
    work_order: WorkOrderObject


@strawberry.type
class SiteSuccess:
    site: SiteType


@strawberry.type
class DeviceSuccess:
    device: DeviceType


SessionResult = Annotated[SessionSuccess | OperationError, strawberry.union("SessionResult")]
SignOutResult = Annotated[SignOutSuccess | OperationError, strawberry.union("SignOutResult")]
WorkOrderResult = Annotated[WorkOrderSuccess | OperationError, strawberry.union("WorkOrderResult")]
SiteResult = Annotated[SiteSuccess | OperationError, strawberry.union("SiteResult")]
DeviceResult = Annotated[DeviceSuccess | OperationError, strawberry.union("DeviceResult")]


def _wo(m: Any) -> WorkOrderSuccess:
    return WorkOrderSuccess(work_order=WorkOrderObject.of(m))


def _site(m: Any) -> SiteSuccess:
    return SiteSuccess(site=SiteType.of(m))


def _device(m: Any) -> DeviceSuccess:
    return DeviceSuccess(device=DeviceType.of(m))


# ---- inputs --------------------------------------------------------------------------------


@strawberry.input
class CreateWorkOrderInput:
    id: strawberry.ID | None = strawberry.UNSET
    type: WorkOrderType  # type: ignore[valid-type]
    title: str
    description: str | None = strawberry.UNSET
    site_id: strawberry.ID
    device_ids: list[strawberry.ID] | None = strawberry.UNSET
    priority: Priority | None = strawberry.UNSET  # type: ignore[valid-type]
    due_on: date | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class WorkOrderRefInput:
    work_order_id: strawberry.ID


@strawberry.input
class AssignWorkOrderInput:
    work_order_id: strawberry.ID
    assignee_id: strawberry.ID


@strawberry.input
class AddWorkOrderNoteInput:
    work_order_id: strawberry.ID
    text: str


@strawberry.input
class SubmitWorkOrderInput:
    work_order_id: strawberry.ID
    summary: str | None = strawberry.UNSET


@strawberry.input
class ApproveWorkOrderInput:
    work_order_id: strawberry.ID
    comment: str | None = strawberry.UNSET


@strawberry.input
class ReturnWorkOrderInput:
    work_order_id: strawberry.ID
    reason: str


@strawberry.input
class CreateSiteInput:
    id: strawberry.ID | None = strawberry.UNSET
    code: str
    name: str
    kind: SiteKind  # type: ignore[valid-type]
    district: str
    address: str | None = strawberry.UNSET
    latitude: float | None = strawberry.UNSET
    longitude: float | None = strawberry.UNSET
    recording_location: RecordingLocation  # type: ignore[valid-type]
    region_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class UpdateSiteInput:
    site_id: strawberry.ID
    name: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    latitude: float | None = strawberry.UNSET
    longitude: float | None = strawberry.UNSET
    recording_location: RecordingLocation | None = strawberry.UNSET  # type: ignore[valid-type]
    region_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class AddIpBlockInput:
    site_id: strawberry.ID
    cidr: str
    description: str | None = strawberry.UNSET


@strawberry.input
class RemoveIpBlockInput:
    ip_block_id: strawberry.ID


@strawberry.input
class CreateDeviceInput:
    id: strawberry.ID | None = strawberry.UNSET
    site_id: strawberry.ID
    kind: DeviceKind  # type: ignore[valid-type]
    asset_tag: str
    status: DeviceStatus | None = strawberry.UNSET  # type: ignore[valid-type]
    make: str | None = strawberry.UNSET
    model: str | None = strawberry.UNSET
    serial_number: str | None = strawberry.UNSET
    firmware: str | None = strawberry.UNSET
    ip_address: str | None = strawberry.UNSET
    onvif_port: int | None = strawberry.UNSET
    installed_on: date | None = strawberry.UNSET
    is_public_city_watch: bool | None = strawberry.UNSET
    area_type: AreaType | None = strawberry.UNSET  # type: ignore[valid-type]
    recorder_id: strawberry.ID | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class UpdateDeviceInput:
    device_id: strawberry.ID
    firmware: str | None = strawberry.UNSET
    ip_address: str | None = strawberry.UNSET
    onvif_port: int | None = strawberry.UNSET
    status: DeviceStatus | None = strawberry.UNSET  # type: ignore[valid-type]
    area_type: AreaType | None = strawberry.UNSET  # type: ignore[valid-type]
    is_public_city_watch: bool | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


# ---- mutations -----------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


@strawberry.type
class Mutation(SyncMutation, SurveyMutation, DiagnosticsMutation, SigningMutation, MaintenanceMutation):
    @strawberry.mutation(description="Sign in with username and password.")
    async def sign_in(self, info: Info[Any, Any], username: str, password: str) -> SessionResult:
        c = ctx(info)
        try:
            issued = await auth_service(c.app_state).sign_in(username, password, c.source, _now())
        except DomainError as exc:
            set_retry_after(info, exc)
            return OperationError.of(exc, c.lang)
        return SessionSuccess(session=Session.of(issued))

    @strawberry.mutation(description="Exchange a refresh token for a new session (rotates it).")
    async def refresh_session(self, info: Info[Any, Any], refresh_token: str) -> SessionResult:
        c = ctx(info)
        try:
            issued = await auth_service(c.app_state).refresh(refresh_token, c.source, _now())
        except DomainError as exc:
            set_retry_after(info, exc)
            return OperationError.of(exc, c.lang)
        return SessionSuccess(session=Session.of(issued))

    @strawberry.mutation(description="End the sign-in this refresh token belongs to.")
    async def sign_out(self, info: Info[Any, Any], refresh_token: str) -> SignOutResult:
        now = _now()
        await ctx(info).db.write(lambda session: auth.sign_out(session, refresh_token, now))
        return SignOutSuccess(ok=True)

    @strawberry.mutation
    async def create_work_order(self, info: Info[Any, Any], input: CreateWorkOrderInput) -> WorkOrderResult:
        return await run_command(info, "workorder.create", input_args(input), _wo)

    @strawberry.mutation
    async def assign_work_order(self, info: Info[Any, Any], input: AssignWorkOrderInput) -> WorkOrderResult:
        return await run_command(info, "workorder.assign", input_args(input), _wo)

    @strawberry.mutation
    async def start_work_order(self, info: Info[Any, Any], input: WorkOrderRefInput) -> WorkOrderResult:
        return await run_command(info, "workorder.start", input_args(input), _wo)

    @strawberry.mutation
    async def add_work_order_note(
        self, info: Info[Any, Any], input: AddWorkOrderNoteInput
    ) -> WorkOrderResult:
        return await run_command(info, "workorder.addNote", input_args(input), _wo)

    @strawberry.mutation
    async def submit_work_order(self, info: Info[Any, Any], input: SubmitWorkOrderInput) -> WorkOrderResult:
        return await run_command(info, "workorder.submit", input_args(input), _wo)

    @strawberry.mutation
    async def approve_work_order(self, info: Info[Any, Any], input: ApproveWorkOrderInput) -> WorkOrderResult:
        return await run_command(info, "workorder.approve", input_args(input), _wo)

    @strawberry.mutation
    async def return_work_order(self, info: Info[Any, Any], input: ReturnWorkOrderInput) -> WorkOrderResult:
        return await run_command(info, "workorder.return", input_args(input), _wo)

    @strawberry.mutation
    async def close_work_order(self, info: Info[Any, Any], input: WorkOrderRefInput) -> WorkOrderResult:
        return await run_command(info, "workorder.close", input_args(input), _wo)

    @strawberry.mutation
    async def create_site(self, info: Info[Any, Any], input: CreateSiteInput) -> SiteResult:
        return await run_command(info, "site.create", input_args(input), _site)

    @strawberry.mutation
    async def update_site(self, info: Info[Any, Any], input: UpdateSiteInput) -> SiteResult:
        return await run_command(info, "site.update", input_args(input), _site)

    @strawberry.mutation
    async def add_ip_block(self, info: Info[Any, Any], input: AddIpBlockInput) -> SiteResult:
        return await run_command(info, "site.addIpBlock", input_args(input), _site)

    @strawberry.mutation
    async def remove_ip_block(self, info: Info[Any, Any], input: RemoveIpBlockInput) -> SiteResult:
        return await run_command(info, "site.removeIpBlock", input_args(input), _site)

    @strawberry.mutation
    async def create_device(self, info: Info[Any, Any], input: CreateDeviceInput) -> DeviceResult:
        return await run_command(info, "device.create", input_args(input), _device)

    @strawberry.mutation
    async def update_device(self, info: Info[Any, Any], input: UpdateDeviceInput) -> DeviceResult:
        return await run_command(info, "device.update", input_args(input), _device)

    @strawberry.mutation(description="Open a fault work order pre-filled with a diagnosis' findings.")
    async def open_fault_from_diagnosis(self, info: Info[Any, Any], input: OpenFaultInput) -> WorkOrderResult:
        return await run_command(info, "diagnostics.openFault", input_args(input), _wo)
