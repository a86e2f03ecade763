"""Resolving a conflict: keep the server's value, or take the device's."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlmodel import select

from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.maintenance.commands import (
    ANSWER,
    CHECKLIST,
    AnswerItem,
    CompleteChecklist,
    answer_item,
    complete_checklist,
)
from backend.domain.maintenance.models import Checklist, ChecklistAnswer
from backend.domain.people import permissions as p
from backend.domain.scope import conflict_scope
from backend.domain.surveys.commands import SURVEY_ENTITY, UpdateSurvey, update_survey
from backend.domain.workorders.commands import ENTITY as WORK_ORDER
from backend.domain.workorders.commands import UpdateWorkOrder, update_work_order
from sync.models import Conflict


def _take_work_order(ctx: CommandContext, conflict: Conflict) -> None:
    update_work_order(
        ctx,
        UpdateWorkOrder.model_validate(
            {"work_order_id": conflict.entity_id, conflict.field: conflict.client_value}
        ),
    )


def _take_survey(ctx: CommandContext, conflict: Conflict) -> None:
    update_survey(
        ctx,
        UpdateSurvey.model_validate({"survey_id": conflict.entity_id, conflict.field: conflict.client_value}),
    )


def _take_answer(ctx: CommandContext, conflict: Conflict) -> None:
    answer = ctx.session.get(ChecklistAnswer, conflict.entity_id)
    if answer is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="conflictId")
    answer_item(
        ctx,
        AnswerItem.model_validate(
            {
                "checklist_id": answer.checklist_id,
                "item_key": answer.item_key,
                conflict.field: conflict.client_value,
            }
        ),
    )


def _take_checklist(ctx: CommandContext, conflict: Conflict) -> None:
    checklist = ctx.session.get(Checklist, conflict.entity_id)
    if checklist is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="conflictId")
    values = {"checklist_id": checklist.id, "status": checklist.status, conflict.field: conflict.client_value}
    complete_checklist(ctx, CompleteChecklist.model_validate(values))


# Per entity with field merge: who may resolve its conflicts, and how the device's value is written
# (a fresh edit with no base version: it applies, through the entity's own rules, and is logged).
EDITORS = {
    WORK_ORDER: (p.WORKORDERS_EDIT, _take_work_order),
    SURVEY_ENTITY: (p.SURVEYS_WORK, _take_survey),
    ANSWER: (p.CHECKLISTS_WORK, _take_answer),
    CHECKLIST: (p.CHECKLISTS_WORK, _take_checklist),
}


class ResolveConflict(CommandInput):
    conflict_id: uuid.UUID
    choice: Literal["keep_server", "take_client"]


@command("conflict.resolve", permission=p.WORKORDERS_READ, input=ResolveConflict)
def resolve(ctx: CommandContext, inp: ResolveConflict) -> Conflict:
    """Close a conflict; ``take_client`` writes the device's value as a new edit."""
    conflict = ctx.session.exec(
        select(Conflict).where(Conflict.id == inp.conflict_id, conflict_scope(ctx.actor)).with_for_update()
    ).first()
    if conflict is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="conflictId")
    if conflict.resolved_at is not None:
        raise DomainError(ErrorCode.CONFLICT_ALREADY_RESOLVED, field="conflictId")
    permission, take = EDITORS[conflict.entity]
    if not ctx.actor.can(permission):
        raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": permission})
    if inp.choice == "take_client":
        take(ctx, conflict)
    conflict.resolved_at = ctx.now
    conflict.resolved_by_id = ctx.actor.id
    conflict.resolution = "took_client" if inp.choice == "take_client" else "kept_server"
    conflict.version += 1
    ctx.session.add(conflict)
    return conflict
