"""Checklist commands: edit a template (a new version), open a site's monthly round or an extra
cleaning, open a weekly recording check, answer an item, mark a checklist done or a problem.

A round is a CLEANING work order (``workorder.create``'s handler) with one checklist per device
in service; it then follows the work-order lifecycle (start, submit, review). Rounds and their
checklists have ids derived from (site, month) and (work order, device), so opening a round
twice, from two replicas or after a crash, finds the first one.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel
from sqlmodel import col, select

from backend.db.counters import want_numbers
from backend.domain.assets.models import Device, DeviceKind, DeviceStatus, Site
from backend.domain.blobs.access import require_referable
from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.maintenance.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistPurpose,
    ChecklistStatus,
    ChecklistTemplate,
    ItemType,
    answer_id,
    checklist_id,
    round_id,
)
from backend.domain.maintenance.rules import check_done, check_value, item_of
from backend.domain.people import permissions as p
from backend.domain.people.models import Role
from backend.domain.scope import (
    checklist_scope,
    device_scope,
    load_in_scope,
    replay_of,
    site_scope,
    work_order_scope,
)
from backend.domain.workorders.commands import CreateWorkOrder, create_work_order, number_counter
from backend.domain.workorders.models import Priority, WorkOrder, WorkOrderType
from backend.domain.workorders.rules import Action, check, check_editable
from backend.domain.workorders.texts import fill
from sync.conflicts import merge

IN_SERVICE = (DeviceStatus.ACTIVE, DeviceStatus.FAULTY)
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(max_length=2000)]
BlobHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


# ---- templates -------------------------------------------------------------------------------


class ChoiceOption(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)
    key: Key
    label_tr: Label
    label_en: Label


class TemplateItem(BaseModel):
    """One item of a template, as stored in ``ChecklistTemplate.items`` (camelCase)."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)
    key: Key
    type: ItemType
    label_tr: Label
    label_en: Label
    expected: bool | int | float | str | None = None  # what the phone defaults to
    required: bool = True
    choices: list[ChoiceOption] = Field(default_factory=list, max_length=20)
    unit: Annotated[str, StringConstraints(max_length=16)] = ""
    min: float | None = None
    max: float | None = None
    article: Annotated[str, StringConstraints(max_length=40)] = ""  # the directive's article


def _stored(item: TemplateItem) -> dict[str, Any]:
    out = item.model_dump(by_alias=True, mode="json")
    out["type"] = item.type.value
    return out


def check_items(items: list[TemplateItem]) -> None:
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise DomainError(
            ErrorCode.CHECKLIST_TEMPLATE_INVALID, field="items", params={"detail": "item keys repeat"}
        )
    for item in items:
        if item.type is ItemType.CHOICE and not item.choices:
            detail = f"{item.key}: a choice item needs choices"
            raise DomainError(ErrorCode.CHECKLIST_TEMPLATE_INVALID, field="items", params={"detail": detail})
        if item.min is not None and item.max is not None and item.min > item.max:
            detail = f"{item.key}: min > max"
            raise DomainError(ErrorCode.CHECKLIST_TEMPLATE_INVALID, field="items", params={"detail": detail})
        if item.expected is not None and item.type is not ItemType.TEXT:
            try:
                check_value(_stored(item), item.expected)
            except DomainError:
                detail = f"{item.key}: the expected answer does not fit the type"
                raise DomainError(
                    ErrorCode.CHECKLIST_TEMPLATE_INVALID, field="items", params={"detail": detail}
                ) from None


class EditTemplate(CommandInput):
    template_id: uuid.UUID  # the version being edited: the current one of its key
    title_tr: Annotated[str, StringConstraints(min_length=3, max_length=160)]
    title_en: Annotated[str, StringConstraints(min_length=3, max_length=160)]
    items: list[TemplateItem] = Field(min_length=1, max_length=60)


@command("checklist.editTemplate", permission=p.CHECKLISTS_MANAGE, input=EditTemplate)
def edit_template(ctx: CommandContext, inp: EditTemplate) -> ChecklistTemplate:
    """Change a template: a new version becomes current; checklists already made keep theirs."""
    check_items(inp.items)
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.id == inp.template_id).with_for_update()
    old = ctx.session.exec(stmt).first()
    if old is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="templateId")
    current = ctx.session.exec(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.key == old.key, col(ChecklistTemplate.is_current))
        .with_for_update()
    ).first()
    if current is None or current.id != old.id:
        raise DomainError(ErrorCode.CHECKLIST_TEMPLATE_SUPERSEDED, field="templateId")
    current.is_current = False
    current.version += 1
    ctx.session.add(current)
    ctx.session.flush()
    new = ChecklistTemplate(
        key=old.key,
        revision=old.revision + 1,
        device_kind=old.device_kind,
        city_watch=old.city_watch,
        purpose=old.purpose,
        title_tr=inp.title_tr,
        title_en=inp.title_en,
        items=[_stored(item) for item in inp.items],
        created_by_id=ctx.actor.id,
        created_at=ctx.now,
    )
    ctx.session.add(new)
    return new


def current_templates(
    ctx: CommandContext, purpose: ChecklistPurpose
) -> dict[tuple[DeviceKind, bool], uuid.UUID]:
    """(device kind, city watch) → the current template's id, once per run."""

    def read() -> dict[tuple[DeviceKind, bool], uuid.UUID]:
        rows = ctx.session.exec(
            select(ChecklistTemplate).where(
                col(ChecklistTemplate.is_current), ChecklistTemplate.purpose == purpose
            )
        ).all()
        return {(t.device_kind, t.city_watch): t.id for t in rows}

    found: dict[tuple[DeviceKind, bool], uuid.UUID] = ctx.batch.remember(("templates", purpose), read)
    return found


def template_for(
    templates: dict[tuple[DeviceKind, bool], uuid.UUID], kind: DeviceKind, city_watch: bool
) -> uuid.UUID | None:
    return templates.get((kind, city_watch)) or templates.get((kind, False))


# ---- rounds and extra cleaning ------------------------------------------------------------------


class OpenRound(CommandInput):
    site_id: uuid.UUID
    month: Month  # YYYY-MM, Europe/Istanbul
    assignee_id: uuid.UUID | None = None


def _last_day(month: str) -> date:
    year, mon = (int(part) for part in month.split("-"))
    return date(year, mon, calendar.monthrange(year, mon)[1])


def _round_devices(ctx: CommandContext, site_id: uuid.UUID) -> list[tuple[uuid.UUID, DeviceKind, bool]]:
    rows = ctx.session.exec(
        select(Device.id, Device.kind, Device.is_public_city_watch)
        .where(Device.site_id == site_id, col(Device.status).in_(IN_SERVICE))
        .order_by(col(Device.asset_tag))
    ).all()
    return [(row[0], DeviceKind(row[1]), bool(row[2])) for row in rows]


def _plan(
    ctx: CommandContext, devices: list[tuple[uuid.UUID, DeviceKind, bool]], *, field: str
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(device, template) of each device that gets a checklist; refused if none does."""
    templates = current_templates(ctx, ChecklistPurpose.MONTHLY)
    plan = [
        (device_id, template)
        for device_id, kind, city_watch in devices
        if (template := template_for(templates, kind, city_watch)) is not None
    ]
    if not plan:
        raise DomainError(ErrorCode.CLEANING_NOTHING_TO_CLEAN, field=field)
    return plan


def _add_checklists(ctx: CommandContext, wo_id: uuid.UUID, plan: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    for position, (device_id, template) in enumerate(plan, start=1):
        ctx.batch.new(
            Checklist,
            {
                "id": checklist_id(wo_id, device_id),
                "work_order_id": wo_id,
                "device_id": device_id,
                "template_id": template,
                "purpose": ChecklistPurpose.MONTHLY,
                "status": ChecklistStatus.TODO,
                "position": position,
                "note": "",
                "created_at": ctx.now,
                "updated_at": ctx.now,
            },
        )


def _want_numbers(ctx: CommandContext, args_list: Sequence[Mapping[str, Any]]) -> None:
    """A run of round openings reserves its work-order numbers in one go."""
    want_numbers(ctx.batch, number_counter(ctx), len(args_list))


@command(
    "cleaning.openRound", permission=p.WORKORDERS_CREATE, input=OpenRound, batched=True, preload=_want_numbers
)
def open_round(ctx: CommandContext, inp: OpenRound) -> WorkOrder:
    """Open a site's monthly maintenance round: a CLEANING work order with one checklist per
    device in service, in walking order (asset tag). Opening it again finds the first one."""
    wo_id = round_id(inp.site_id, inp.month)
    existing = ctx.batch.load(WorkOrder, wo_id)
    if existing is not None:
        found = ctx.batch.load(
            WorkOrder, wo_id, lambda: work_order_scope(ctx.actor), scope_key=("workOrder", ctx.actor.id)
        )
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, field="siteId")
        return found
    site = ctx.session.exec(select(Site).where(Site.id == inp.site_id, site_scope(ctx.actor))).first()
    if site is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="siteId")
    plan = _plan(ctx, _round_devices(ctx, site.id), field="siteId")
    wo = create_work_order(
        ctx,
        CreateWorkOrder(
            id=wo_id,
            type=WorkOrderType.CLEANING,
            title=fill("cleaningRoundTitle", month=inp.month, site=site.name),
            site_id=site.id,
            due_on=_last_day(inp.month),
            assignee_id=inp.assignee_id,
        ),
    )
    _add_checklists(ctx, wo.id, plan)
    return wo


class OpenExtraCleaning(CommandInput):
    id: uuid.UUID  # the work order's id, chosen by the phone (replaying is harmless)
    device_id: uuid.UUID
    reason: Annotated[str, StringConstraints(min_length=3, max_length=2000)]


@command(
    "cleaning.openExtra",
    permission=p.CHECKLISTS_WORK,
    input=OpenExtraCleaning,
    batched=True,
    preload=_want_numbers,
)
def open_extra_cleaning(ctx: CommandContext, inp: OpenExtraCleaning) -> WorkOrder:
    """An extra cleaning of one device when the environment or weather calls for it (directive
    16(2)): a CLEANING work order with its checklist, assigned to the technician who opens it."""
    if ctx.batch.load(WorkOrder, inp.id) is not None:
        found = ctx.batch.load(
            WorkOrder, inp.id, lambda: work_order_scope(ctx.actor), scope_key=("workOrder", ctx.actor.id)
        )
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, field="id")
        return found
    device = load_in_scope(ctx.session, Device, inp.device_id, device_scope(ctx.actor), field="deviceId")
    if device.status not in IN_SERVICE:
        raise DomainError(ErrorCode.CLEANING_NOTHING_TO_CLEAN, field="deviceId")
    plan = _plan(ctx, [(device.id, device.kind, device.is_public_city_watch)], field="deviceId")
    site = ctx.session.get(Site, device.site_id)
    assert site is not None
    wo = create_work_order(
        ctx,
        CreateWorkOrder(
            id=inp.id,
            type=WorkOrderType.CLEANING,
            title=fill("extraCleaningTitle", device=device.asset_tag, site=site.name),
            description=fill("extraCleaningDescription", reason=inp.reason),
            site_id=site.id,
            device_ids=[device.id],
            priority=Priority.HIGH,
            assignee_id=ctx.actor.id if ctx.actor.role is Role.TECHNICIAN else None,
        ),
    )
    _add_checklists(ctx, wo.id, plan)
    return wo


# ---- weekly recording check ---------------------------------------------------------------------


class OpenRecordingCheck(CommandInput):
    id: uuid.UUID  # the checklist's id, chosen by the phone
    device_id: uuid.UUID


@command("checklist.openRecordingCheck", permission=p.CHECKLISTS_WORK, input=OpenRecordingCheck)
def open_recording_check(ctx: CommandContext, inp: OpenRecordingCheck) -> Checklist:
    """The short weekly "is it recording" checklist of a recorder that the automatic ONVIF check
    cannot reach (directive 12(1)); done remotely or on site, without a work order."""
    if (existing := replay_of(ctx.session, Checklist, inp.id, ctx.actor, "checklist")) is not None:
        return existing
    device = load_in_scope(ctx.session, Device, inp.device_id, device_scope(ctx.actor), field="deviceId")
    if device.kind is not DeviceKind.RECORDER:
        raise DomainError(ErrorCode.CHECKLIST_NOT_A_RECORDER, field="deviceId")
    templates = current_templates(ctx, ChecklistPurpose.WEEKLY_RECORDING)
    template = template_for(templates, device.kind, False)
    if template is None:
        raise DomainError(ErrorCode.CHECKLIST_NO_TEMPLATE, field="deviceId")
    checklist = Checklist(
        id=inp.id,
        device_id=device.id,
        template_id=template,
        purpose=ChecklistPurpose.WEEKLY_RECORDING,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(checklist)
    return checklist


# ---- answering ------------------------------------------------------------------------------------


def _checklist(ctx: CommandContext, key: uuid.UUID) -> tuple[Checklist, ChecklistTemplate]:
    """The checklist, locked, if the actor may work on it now: a round's while its work order is
    not submitted (who: as for notes — its technician, or a manager); a weekly check always."""
    checklist = load_in_scope(
        ctx.session, Checklist, key, checklist_scope(ctx.actor), field="checklistId", for_update=True
    )
    if checklist.work_order_id is not None:
        wo = load_in_scope(
            ctx.session, WorkOrder, checklist.work_order_id, work_order_scope(ctx.actor), field="checklistId"
        )
        check(Action.ADD_NOTE, wo, ctx.actor)
        check_editable(wo)
    template = ctx.session.get(ChecklistTemplate, checklist.template_id)
    assert template is not None
    return checklist, template


ANSWER = "checklistAnswer"
CHECKLIST = "checklist"


class AnswerItem(CommandInput):
    """Fields left out are not changed (an offline edit of the note alone merges with someone
    else's change of the value)."""

    checklist_id: uuid.UUID
    item_key: Key
    value: bool | int | float | str | None = None
    note: Note = ""
    photos: list[BlobHash] = Field(default_factory=list, max_length=10)


@command("checklist.answer", permission=p.CHECKLISTS_WORK, input=AnswerItem)
def answer_item(ctx: CommandContext, inp: AnswerItem) -> ChecklistAnswer:
    """Answer one item (value, note, photos). The answer's row id is derived from the checklist
    and the item (``answer_id``); with a base version, a field someone else changed since keeps
    their value and becomes a conflict to resolve."""
    checklist, template = _checklist(ctx, inp.checklist_id)
    item = item_of(template.items, inp.item_key)
    check_value(item, inp.value)
    require_referable(ctx.session, ctx.actor, inp.photos, field="photos")
    key = answer_id(checklist.id, inp.item_key)
    answer = ctx.session.get(ChecklistAnswer, key, with_for_update=True)
    if answer is None:
        answer = ChecklistAnswer(
            id=key,
            checklist_id=checklist.id,
            item_key=inp.item_key,
            value=inp.value,
            note=inp.note,
            photos=list(inp.photos),
            answered_by_id=ctx.actor.id,
            answered_at=ctx.now,
        )
        ctx.session.add(answer)
        return answer
    outcome = merge(
        ctx.session,
        entity=ANSWER,
        obj=answer,
        edits={
            name: getattr(inp, name) for name in ("value", "note", "photos") if name in inp.model_fields_set
        },
        base_version=ctx.base_version(ANSWER, key),
        actor_id=ctx.actor.id,
        mutation_id=ctx.mutation_id,
    )
    if outcome.applied:
        answer.version += 1
        answer.answered_by_id = ctx.actor.id
        answer.answered_at = ctx.now
        ctx.session.add(answer)
    return answer


class CompleteChecklist(CommandInput):
    checklist_id: uuid.UUID
    status: ChecklistStatus  # DONE, PROBLEM, or back to TODO
    note: Note = ""


@command("checklist.complete", permission=p.CHECKLISTS_WORK, input=CompleteChecklist)
def complete_checklist(ctx: CommandContext, inp: CompleteChecklist) -> Checklist:
    """Mark a checklist done (every required item answered, none failed), a problem (with a
    note saying what), or back to do. Marking it again (after a correction) is allowed until the
    round is submitted; with a base version, a concurrent different marking becomes a conflict."""
    checklist, template = _checklist(ctx, inp.checklist_id)
    if inp.status is ChecklistStatus.PROBLEM and not inp.note:
        raise DomainError(ErrorCode.CHECKLIST_NOTE_REQUIRED, field="note")
    if inp.status is ChecklistStatus.DONE:
        rows = ctx.session.exec(
            select(ChecklistAnswer).where(ChecklistAnswer.checklist_id == checklist.id)
        ).all()
        check_done(template.items, {a.item_key: {"value": a.value, "photos": a.photos} for a in rows})
    outcome = merge(
        ctx.session,
        entity=CHECKLIST,
        obj=checklist,
        edits={"status": inp.status, **({"note": inp.note} if "note" in inp.model_fields_set else {})},
        base_version=ctx.base_version(CHECKLIST, checklist.id),
        actor_id=ctx.actor.id,
        mutation_id=ctx.mutation_id,
    )
    if outcome.applied:
        done = checklist.status is not ChecklistStatus.TODO
        checklist.version += 1
        checklist.completed_by_id = ctx.actor.id if done else None
        checklist.completed_at = ctx.now if done else None
        checklist.updated_at = ctx.now
        ctx.session.add(checklist)
    return checklist
