"""GraphQL for checklists: templates, a round's checklists, weekly recording coverage, and the
checklist commands (the phone sends the same commands through syncPush)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.maintenance import models as mm
from backend.domain.maintenance import queries as mq
from backend.domain.people import permissions as p
from backend.graphql.common import DeviceKind, OperationError, input_args, requires, run_command
from backend.graphql.context import ctx
from backend.graphql.types import WorkOrderObject

ItemType = strawberry.enum(mm.ItemType, name="ChecklistItemType")
ChecklistPurpose = strawberry.enum(mm.ChecklistPurpose, name="ChecklistPurpose")
ChecklistStatus = strawberry.enum(mm.ChecklistStatus, name="ChecklistStatus")


def _id(value: Any) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


@strawberry.type(name="ChecklistTemplate", description="One version of a checklist template.")
class ChecklistTemplateType:
    id: strawberry.ID
    key: str
    revision: int
    is_current: bool
    device_kind: DeviceKind  # type: ignore[valid-type]
    city_watch: bool
    purpose: ChecklistPurpose  # type: ignore[valid-type]
    title_tr: str
    title_en: str
    items: JSON = strawberry.field(
        description="[{key, type, labelTr, labelEn, expected, required, choices, unit, min, max, article}]"
    )

    @classmethod
    def of(cls, m: mm.ChecklistTemplate) -> ChecklistTemplateType:
        return cls(
            id=strawberry.ID(str(m.id)),
            key=m.key,
            revision=m.revision,
            is_current=m.is_current,
            device_kind=m.device_kind,
            city_watch=m.city_watch,
            purpose=m.purpose,
            title_tr=m.title_tr,
            title_en=m.title_en,
            items=cast(Any, m.items),
        )


@strawberry.type(name="ChecklistAnswer")
class ChecklistAnswerType:
    id: strawberry.ID
    item_key: str
    value: JSON | None
    note: str
    photos: list[str]
    answered_by_id: strawberry.ID
    answered_at: datetime
    version: int

    @classmethod
    def of(cls, m: mm.ChecklistAnswer) -> ChecklistAnswerType:
        return cls(
            id=strawberry.ID(str(m.id)),
            item_key=m.item_key,
            value=m.value,
            note=m.note,
            photos=list(m.photos),
            answered_by_id=strawberry.ID(str(m.answered_by_id)),
            answered_at=m.answered_at,
            version=m.version,
        )


@strawberry.type(name="Checklist")
class ChecklistType:
    id: strawberry.ID
    work_order_id: strawberry.ID | None
    device_id: strawberry.ID
    template_id: strawberry.ID
    purpose: ChecklistPurpose  # type: ignore[valid-type]
    status: ChecklistStatus  # type: ignore[valid-type]
    position: int
    note: str
    completed_by_id: strawberry.ID | None
    completed_at: datetime | None
    version: int
    answers: list[ChecklistAnswerType]

    @classmethod
    def of(cls, m: mm.Checklist, answers: list[mm.ChecklistAnswer] | None = None) -> ChecklistType:
        return cls(
            id=strawberry.ID(str(m.id)),
            work_order_id=_id(m.work_order_id),
            device_id=strawberry.ID(str(m.device_id)),
            template_id=strawberry.ID(str(m.template_id)),
            purpose=m.purpose,
            status=m.status,
            position=m.position,
            note=m.note,
            completed_by_id=_id(m.completed_by_id),
            completed_at=m.completed_at,
            version=m.version,
            answers=[ChecklistAnswerType.of(a) for a in answers or []],
        )


@strawberry.type(name="RecorderWeek", description="A recorder's weekly recording check (directive 12(1)).")
class RecorderWeekType:
    device_id: strawberry.ID
    asset_tag: str
    site_id: strawberry.ID
    week: str
    satisfied_by: str | None = strawberry.field(description='"onvif", "checklist", or null: missed.')
    missed: bool


@strawberry.type
class MaintenanceQuery:
    @strawberry.field(permission_classes=[requires(p.CHECKLISTS_WORK)])
    async def checklist_templates(
        self, info: Info[Any, Any], all_versions: bool = False
    ) -> list[ChecklistTemplateType]:
        c = ctx(info)
        actor = await c.require_actor()
        rows = await c.db.read(lambda s: mq.templates(s, actor, current_only=not all_versions))
        return [ChecklistTemplateType.of(r) for r in rows]

    @strawberry.field(
        description="A round's checklists in walking order, with their answers.",
        permission_classes=[requires(p.CHECKLISTS_WORK)],
    )
    async def checklists(self, info: Info[Any, Any], work_order_id: strawberry.ID) -> list[ChecklistType]:
        c = ctx(info)
        actor, key = await c.require_actor(), _uuid(work_order_id)
        rows = await c.db.read(lambda s: mq.checklists_of(s, actor, key))
        return [ChecklistType.of(checklist, answers) for checklist, answers in rows]

    @strawberry.field(
        description="Per recorder in service: how its ISO week (e.g. 2026-W49, Europe/Istanbul) was checked.",
        permission_classes=[requires(p.CHECKLISTS_WORK)],
    )
    async def recording_coverage(self, info: Info[Any, Any], week: str) -> list[RecorderWeekType]:
        c = ctx(info)
        actor = await c.require_actor()
        try:
            mq.week_bounds(week)
        except ValueError:  # a week that is not one: refused, never silently another week
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, field="week", params={"detail": "week: YYYY-Www (ISO)"}
            ) from None
        rows = await c.db.read(lambda s: mq.recording_coverage(s, actor, week))
        return [
            RecorderWeekType(
                device_id=strawberry.ID(str(r.device_id)),
                asset_tag=r.asset_tag,
                site_id=strawberry.ID(str(r.site_id)),
                week=r.week,
                satisfied_by=r.satisfied_by,
                missed=r.missed,
            )
            for r in rows
        ]


@strawberry.type
class ChecklistSuccess:
    checklist: ChecklistType


@strawberry.type
class ChecklistAnswerSuccess:
    answer: ChecklistAnswerType


@strawberry.type
class ChecklistTemplateSuccess:
    template: ChecklistTemplateType


@strawberry.type
class CleaningWorkOrderSuccess:
    work_order: WorkOrderObject


ChecklistResult = Annotated[ChecklistSuccess | OperationError, strawberry.union("ChecklistResult")]
ChecklistAnswerResult = Annotated[
    ChecklistAnswerSuccess | OperationError, strawberry.union("ChecklistAnswerResult")
]
ChecklistTemplateResult = Annotated[
    ChecklistTemplateSuccess | OperationError, strawberry.union("ChecklistTemplateResult")
]
CleaningWorkOrderResult = Annotated[
    CleaningWorkOrderSuccess | OperationError, strawberry.union("CleaningWorkOrderResult")
]


@strawberry.input
class OpenCleaningRoundInput:
    site_id: strawberry.ID
    month: str = strawberry.field(description="YYYY-MM (Europe/Istanbul)")
    assignee_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class OpenExtraCleaningInput:
    id: strawberry.ID
    device_id: strawberry.ID
    reason: str


@strawberry.input
class OpenRecordingCheckInput:
    id: strawberry.ID
    device_id: strawberry.ID


@strawberry.input
class AnswerChecklistItemInput:
    checklist_id: strawberry.ID
    item_key: str
    value: JSON | None = strawberry.UNSET
    note: str | None = strawberry.UNSET
    photos: list[str] | None = strawberry.UNSET


@strawberry.input
class CompleteChecklistInput:
    checklist_id: strawberry.ID
    status: ChecklistStatus  # type: ignore[valid-type]
    note: str | None = strawberry.UNSET


@strawberry.input
class EditChecklistTemplateInput:
    template_id: strawberry.ID
    title_tr: str
    title_en: str
    items: JSON


def _work_order(wo: Any) -> CleaningWorkOrderSuccess:
    return CleaningWorkOrderSuccess(work_order=WorkOrderObject.of(wo))


@strawberry.type
class MaintenanceMutation:
    @strawberry.mutation(description="Open a site's monthly maintenance round (a CLEANING work order).")
    async def open_cleaning_round(
        self, info: Info[Any, Any], input: OpenCleaningRoundInput
    ) -> CleaningWorkOrderResult:
        return await run_command(info, "cleaning.openRound", input_args(input), _work_order)

    @strawberry.mutation(description="Open an extra cleaning of one device (directive 16(2)).")
    async def open_extra_cleaning(
        self, info: Info[Any, Any], input: OpenExtraCleaningInput
    ) -> CleaningWorkOrderResult:
        return await run_command(info, "cleaning.openExtra", input_args(input), _work_order)

    @strawberry.mutation(
        description="Open a recorder's weekly recording checklist (no ONVIF check possible)."
    )
    async def open_recording_check(
        self, info: Info[Any, Any], input: OpenRecordingCheckInput
    ) -> ChecklistResult:
        return await run_command(
            info,
            "checklist.openRecordingCheck",
            input_args(input),
            lambda m: ChecklistSuccess(checklist=ChecklistType.of(m)),
        )

    @strawberry.mutation(description="Answer one checklist item.")
    async def answer_checklist_item(
        self, info: Info[Any, Any], input: AnswerChecklistItemInput
    ) -> ChecklistAnswerResult:
        return await run_command(
            info,
            "checklist.answer",
            input_args(input),
            lambda m: ChecklistAnswerSuccess(answer=ChecklistAnswerType.of(m)),
        )

    @strawberry.mutation(description="Mark a checklist done, a problem (with a note), or back to do.")
    async def complete_checklist(
        self, info: Info[Any, Any], input: CompleteChecklistInput
    ) -> ChecklistResult:
        return await run_command(
            info,
            "checklist.complete",
            input_args(input),
            lambda m: ChecklistSuccess(checklist=ChecklistType.of(m)),
        )

    @strawberry.mutation(description="Edit a checklist template: a new version becomes current.")
    async def edit_checklist_template(
        self, info: Info[Any, Any], input: EditChecklistTemplateInput
    ) -> ChecklistTemplateResult:
        return await run_command(
            info,
            "checklist.editTemplate",
            input_args(input),
            lambda m: ChecklistTemplateSuccess(template=ChecklistTemplateType.of(m)),
        )
