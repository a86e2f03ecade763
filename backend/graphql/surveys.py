"""GraphQL for joint surveys and their minutes (docs/surveys.md).

Field work (points, signatures) normally arrives through ``syncPush``; these mutations serve the
desk side (a manager records a request or an approval) and clients that are online. Everything
goes through the same commands.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.domain.people import permissions as p
from backend.domain.surveys import models as sm
from backend.domain.surveys import queries as sq
from backend.graphql.common import (
    AreaType,
    OperationError,
    RecordingLocation,
    input_args,
    requires,
    run_command,
)
from backend.graphql.context import ctx
from backend.graphql.signing import SignatureMethod
from backend.graphql.types import SiteType, UserType, WorkOrderObject, _site, _user

SurveyStatus = strawberry.enum(sm.SurveyStatus, name="SurveyStatus")
Conclusion = strawberry.enum(sm.Conclusion, name="SurveyConclusion")
Mounting = strawberry.enum(sm.Mounting, name="Mounting")
MinutesStatus = strawberry.enum(sm.MinutesStatus, name="MinutesStatus")
SignerRole = strawberry.enum(sm.SignerRole, name="SignerRole")


def _id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


async def _work_order(info: Info[Any, Any], key: uuid.UUID | None) -> WorkOrderObject | None:
    wo = await ctx(info).loaders.work_order.load(key) if key else None
    return WorkOrderObject.of(wo) if wo else None


@strawberry.type(name="SurveyPoint", description="A proposed camera point.")
class SurveyPointType:
    id: strawberry.ID
    position: int
    place: str
    area_type: AreaType  # type: ignore[valid-type]
    mounting: Mounting  # type: ignore[valid-type]
    view_direction: str
    photos: list[str] = strawberry.field(description="SHA-256 of each photo (GET /blobs/<sha256>).")
    lat_e6: int | None
    lon_e6: int | None
    accuracy_m: int | None
    version: int

    @classmethod
    def of(cls, m: sm.SurveyPoint) -> SurveyPointType:
        return cls(
            id=_id(m.id),
            position=m.position,
            place=m.place,
            area_type=m.area_type,
            mounting=m.mounting,
            view_direction=m.view_direction,
            photos=list(m.photos),
            lat_e6=m.lat_e6,
            lon_e6=m.lon_e6,
            accuracy_m=m.accuracy_m,
            version=m.version,
        )


@strawberry.type(name="MinutesSignature")
class MinutesSignatureType:
    m: strawberry.Private[sm.MinutesSignature]
    id: strawberry.ID
    role: SignerRole  # type: ignore[valid-type]
    image_sha256: str
    content_hash: str
    signed_at: str = strawberry.field(description="The signing phone's clock, as signed.")
    recorded_at: datetime = strawberry.field(description="When the server verified and recorded it.")
    method: SignatureMethod = strawberry.field(  # type: ignore[valid-type]
        description="How the signer proved it: their passkey, or their PIN (checked by the server)."
    )

    @strawberry.field
    async def signer(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.signer_id)

    @strawberry.field(description="Whose phone sent the signature (a co-signature may come from another's).")
    async def captured_by(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.captured_by_id)


@strawberry.type(name="Minutes", description="Survey minutes (keşif tutanağı).")
class MinutesType:
    m: strawberry.Private[sm.Minutes]
    id: strawberry.ID
    revision: int
    template_version: str
    content: JSON = strawberry.field(description="The canonical document the signatures cover.")
    content_hash: str
    verification_code: str
    status: MinutesStatus  # type: ignore[valid-type]
    supersedes_id: strawberry.ID | None
    created_at: datetime
    sealed_at: datetime | None
    pdf_url: str | None = strawberry.field(description="The sealed PDF, once sealed.")
    version: int

    @classmethod
    def of(cls, m: sm.Minutes) -> MinutesType:
        sealed = m.status is sm.MinutesStatus.SEALED
        return cls(
            m=m,
            id=_id(m.id),
            revision=m.revision,
            template_version=m.template_version,
            content=json.loads(m.content),
            content_hash=m.content_hash,
            verification_code=m.verification_code,
            status=m.status,
            supersedes_id=_id(m.supersedes_id) if m.supersedes_id else None,
            created_at=m.created_at,
            sealed_at=m.sealed_at,
            pdf_url=f"/api/minutes/{m.id}.pdf" if sealed else None,
            version=m.version,
        )

    @strawberry.field
    async def signatures(self, info: Info[Any, Any]) -> list[MinutesSignatureType]:
        rows = await ctx(info).loaders.signatures_of_minutes.load(self.m.id)
        return [
            MinutesSignatureType(
                m=r,
                id=_id(r.id),
                role=r.role,
                image_sha256=r.image_sha256,
                content_hash=r.content_hash,
                signed_at=r.signed_at,
                recorded_at=r.recorded_at,
                method=r.method,
            )
            for r in rows
        ]


@strawberry.type(name="Survey", description="A joint survey (ortak keşif) and the chain it starts.")
class SurveyType:
    m: strawberry.Private[sm.Survey]
    id: strawberry.ID
    status: SurveyStatus  # type: ignore[valid-type]
    reason: str
    requesting_unit: str
    survey_date: date | None
    recording_location: RecordingLocation | None  # type: ignore[valid-type]
    recording_note: str
    infrastructure_needs: str
    cabling_needs: str
    signs_needed: int | None
    signs_note: str
    conclusion: Conclusion | None  # type: ignore[valid-type]
    conclusion_note: str
    olur_reference: str | None
    olur_date: date | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, m: sm.Survey) -> SurveyType:
        return cls(
            m=m,
            id=_id(m.id),
            status=m.status,
            reason=m.reason,
            requesting_unit=m.requesting_unit,
            survey_date=m.survey_date,
            recording_location=m.recording_location,
            recording_note=m.recording_note,
            infrastructure_needs=m.infrastructure_needs,
            cabling_needs=m.cabling_needs,
            signs_needed=m.signs_needed,
            signs_note=m.signs_note,
            conclusion=m.conclusion,
            conclusion_note=m.conclusion_note,
            olur_reference=m.olur_reference,
            olur_date=m.olur_date,
            version=m.version,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )

    @strawberry.field
    async def site(self, info: Info[Any, Any]) -> SiteType:
        return await _site(info, self.m.site_id)

    @strawberry.field
    async def work_order(self, info: Info[Any, Any]) -> WorkOrderObject | None:
        return await _work_order(info, self.m.work_order_id)

    @strawberry.field
    async def installation_work_order(self, info: Info[Any, Any]) -> WorkOrderObject | None:
        return await _work_order(info, self.m.installation_work_order_id)

    @strawberry.field
    async def technician(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.technician_id)

    @strawberry.field
    async def security(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.security_id)

    @strawberry.field
    async def unit_head(self, info: Info[Any, Any]) -> UserType | None:
        return await _user(info, self.m.unit_head_id)

    @strawberry.field
    async def points(self, info: Info[Any, Any]) -> list[SurveyPointType]:
        return [SurveyPointType.of(x) for x in await ctx(info).loaders.points_of_survey.load(self.m.id)]

    @strawberry.field(description="Every minutes document of the survey, oldest first.")
    async def minutes(self, info: Info[Any, Any]) -> list[MinutesType]:
        return [MinutesType.of(x) for x in await ctx(info).loaders.minutes_of_survey.load(self.m.id)]


def _parse(value: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


@strawberry.type
class SurveyQuery:
    @strawberry.field(permission_classes=[requires(p.WORKORDERS_READ)])
    async def survey(self, info: Info[Any, Any], id: strawberry.ID) -> SurveyType | None:
        c = ctx(info)
        actor, key = await c.require_actor(), _parse(id)
        row = await c.db.read(lambda s: sq.find_survey(s, actor, key))
        return SurveyType.of(row) if row else None

    @strawberry.field(permission_classes=[requires(p.WORKORDERS_READ)])
    async def surveys(
        self,
        info: Info[Any, Any],
        status: SurveyStatus | None = None,  # type: ignore[valid-type]
        limit: int = 50,
    ) -> list[SurveyType]:
        c = ctx(info)
        actor = await c.require_actor()
        rows = await c.db.read(lambda s: sq.list_surveys(s, actor, status, min(max(limit, 1), 200)))
        return [SurveyType.of(r) for r in rows]


@strawberry.type
class SurveySuccess:
    survey: SurveyType


@strawberry.type
class SurveyPointSuccess:
    point: SurveyPointType


SurveyResult = Annotated[SurveySuccess | OperationError, strawberry.union("SurveyResult")]
SurveyPointResult = Annotated[SurveyPointSuccess | OperationError, strawberry.union("SurveyPointResult")]


@strawberry.input
class RequestSurveyInput:
    id: strawberry.ID | None = strawberry.UNSET
    work_order_id: strawberry.ID | None = strawberry.UNSET
    site_id: strawberry.ID
    reason: str
    requesting_unit: str
    unit_head_id: strawberry.ID
    technician_id: strawberry.ID
    security_id: strawberry.ID
    due_on: date | None = strawberry.UNSET


@strawberry.input
class AddSurveyPointInput:
    id: strawberry.ID
    survey_id: strawberry.ID
    position: int | None = strawberry.UNSET
    place: str
    area_type: AreaType  # type: ignore[valid-type]
    mounting: Mounting  # type: ignore[valid-type]
    view_direction: str | None = strawberry.UNSET
    photos: list[str] | None = strawberry.UNSET
    lat_e6: int | None = strawberry.UNSET
    lon_e6: int | None = strawberry.UNSET
    accuracy_m: int | None = strawberry.UNSET


@strawberry.input
class RecordSurveyApprovalInput:
    survey_id: strawberry.ID
    olur_reference: str
    olur_date: date
    installation_work_order_id: strawberry.ID | None = strawberry.UNSET


def _survey(m: Any) -> SurveySuccess:
    return SurveySuccess(survey=SurveyType.of(m))


@strawberry.type
class SurveyMutation:
    @strawberry.mutation(description="Record a unit's request for cameras as a joint survey.")
    async def request_survey(self, info: Info[Any, Any], input: RequestSurveyInput) -> SurveyResult:
        return await run_command(info, "survey.request", input_args(input), _survey)

    @strawberry.mutation(description="Propose a camera point (private areas are refused, directive 7(4)).")
    async def add_survey_point(self, info: Info[Any, Any], input: AddSurveyPointInput) -> SurveyPointResult:
        return await run_command(
            info,
            "survey.addPoint",
            input_args(input),
            lambda m: SurveyPointSuccess(point=SurveyPointType.of(m)),
        )

    @strawberry.mutation(description="Record the approval (Olur); plans the installation work order.")
    async def record_survey_approval(
        self, info: Info[Any, Any], input: RecordSurveyApprovalInput
    ) -> SurveyResult:
        return await run_command(info, "survey.recordApproval", input_args(input), _survey)
