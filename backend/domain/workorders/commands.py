"""Work-order commands: create, assign, start, note, submit, approve, return, close."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from pydantic.alias_generators import to_camel
from sqlmodel import select

from backend.db.counters import ensure_counter, take_number, want_numbers
from backend.domain.assets.models import Device, Site
from backend.domain.blobs.access import require_referable
from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.models import Role, User
from backend.domain.people.permissions import Actor
from backend.domain.scope import replay_of, site_scope, work_order_scope
from backend.domain.workorders.models import (
    AttachmentKind,
    Priority,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderDevice,
    WorkOrderEvent,
    WorkOrderEventKind,
    WorkOrderStatus,
    WorkOrderType,
)
from backend.domain.workorders.rules import Action, check, check_editable
from sync.conflicts import merge

Title = Annotated[str, StringConstraints(min_length=3, max_length=160)]
Text = Annotated[str, StringConstraints(max_length=4000)]
NoteText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(max_length=2000)]


class CreateWorkOrder(CommandInput):
    id: uuid.UUID | None = None  # client-chosen id: replaying the same create is harmless
    type: WorkOrderType
    title: Title
    description: Text = ""
    site_id: uuid.UUID
    device_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    priority: Priority = Priority.NORMAL
    due_on: date | None = None
    assignee_id: uuid.UUID | None = None


class WorkOrderRef(CommandInput):
    work_order_id: uuid.UUID


class AssignWorkOrder(WorkOrderRef):
    assignee_id: uuid.UUID


class AddNote(WorkOrderRef):
    text: NoteText


class SubmitWorkOrder(WorkOrderRef):
    summary: Text = ""


class ApproveWorkOrder(WorkOrderRef):
    comment: Text = ""


class ReturnWorkOrder(WorkOrderRef):
    reason: Reason


def _technician(ctx: CommandContext, user_id: uuid.UUID) -> User:
    def read() -> User | None:
        user = ctx.session.get(User, user_id)
        return user if user is not None and user.role is Role.TECHNICIAN and user.is_active else None

    user: User | None = ctx.batch.remember(("technician", user_id), read)
    if user is None:
        raise DomainError(ErrorCode.WORKORDER_ASSIGNEE_NOT_TECHNICIAN, field="assigneeId")
    return user


# Every command here is ``batched``: it reads the work orders it changes through ``ctx.batch``
# (locked, in the actor's scope), checks its rules, and only then writes, through the batch.


def _visible_to(actor: Actor) -> dict[str, Any]:
    """The actor's work-order scope as the batch takes it: the condition, and its cache key."""
    return {"scope": lambda: work_order_scope(actor), "scope_key": ("workOrder", actor.id)}


def _locked(ctx: CommandContext, work_order_id: uuid.UUID, *, scoped: bool = True) -> WorkOrder:
    """The work order, locked for this transaction; NOT_FOUND if the actor cannot see it.
    ``scoped=False``: another area's rule has already decided the actor may act on it."""
    scope = _visible_to(ctx.actor) if scoped else {}
    wo = ctx.batch.load(WorkOrder, work_order_id, **scope, for_update=True)
    if wo is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="workOrderId")
    return wo


def _preload(key: str) -> Callable[[CommandContext, Sequence[Mapping[str, Any]]], None]:
    """Reads the work orders named by argument ``key`` of a run's envelopes, locked, in one go."""

    def preload(ctx: CommandContext, args_list: Sequence[Mapping[str, Any]]) -> None:
        ids = []
        for args in args_list:
            try:
                ids.append(uuid.UUID(str(args[key])))
            except (KeyError, ValueError):
                continue  # the command refuses it when it runs
        ctx.batch.preload(WorkOrder, ids, **_visible_to(ctx.actor), for_update=True)

    return preload


_BY_REF = _preload("workOrderId")


def _record(
    ctx: CommandContext,
    wo: WorkOrder,
    kind: WorkOrderEventKind,
    *,
    from_status: WorkOrderStatus | None = None,
    text: str | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> None:
    ctx.batch.insert(
        WorkOrderEvent,
        {
            "id": uuid.uuid4(),
            "work_order_id": wo.id,
            "seq": wo.version,
            "at": ctx.now,
            "actor_id": ctx.actor.id,
            "kind": kind,
            "from_status": from_status,
            "to_status": wo.status if from_status is not None else None,
            "text": text or None,
            "changes": changes,
        },
    )


def _touch(ctx: CommandContext, wo: WorkOrder) -> None:
    wo.version += 1
    wo.updated_at = ctx.now


def record_note(ctx: CommandContext, work_order_id: uuid.UUID, text: str) -> WorkOrder:
    """A line on the timeline written by another area's rule (a survey's minutes were sealed…):
    the rule that calls it has already decided the actor may act."""
    wo = _locked(ctx, work_order_id, scoped=False)
    _touch(ctx, wo)
    _record(ctx, wo, WorkOrderEventKind.NOTE, text=text)
    return wo


def _transition(
    ctx: CommandContext, work_order_id: uuid.UUID, action: Action, text: str | None = None
) -> WorkOrder:
    wo = _locked(ctx, work_order_id)
    tr = check(action, wo, ctx.actor)
    before = wo.status
    if tr.target is not None:
        wo.status = tr.target
    _touch(ctx, wo)
    _record(ctx, wo, tr.event, from_status=before if tr.target is not None else None, text=text)
    return wo


def number_counter(ctx: CommandContext) -> str:
    """The counter work-order numbers of this year come from."""
    return f"workorder:{ctx.now.year}"


def _preload_creates(ctx: CommandContext, args_list: Sequence[Mapping[str, Any]]) -> None:
    """A run's creates: the ids they name (a replayed create finds its row), and their numbers
    reserved in one go."""
    _preload("id")(ctx, args_list)
    want_numbers(ctx.batch, number_counter(ctx), len(args_list))


@command(
    "workorder.create",
    permission=p.WORKORDERS_CREATE,
    input=CreateWorkOrder,
    batched=True,
    preload=_preload_creates,
)
def create_work_order(ctx: CommandContext, inp: CreateWorkOrder) -> WorkOrder:
    """Open a work order on a site, optionally for some of its devices and assigned at once."""
    if inp.id is not None and ctx.batch.load(WorkOrder, inp.id) is not None:
        existing = ctx.batch.load(WorkOrder, inp.id, **_visible_to(ctx.actor))
        if existing is None:
            raise DomainError(ErrorCode.NOT_FOUND, field="workOrderId")
        return existing
    actor = ctx.actor
    site_id: uuid.UUID | None = ctx.batch.remember(
        ("site", inp.site_id, actor.id),
        lambda: ctx.session.exec(select(Site.id).where(Site.id == inp.site_id, site_scope(actor))).first(),
    )
    if site_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="siteId")
    device_ids = list(dict.fromkeys(inp.device_ids))
    if device_ids:
        found = (
            ctx.session.exec(
                select(Device.id).where(
                    Device.id.in_(device_ids),  # type: ignore[attr-defined]
                    Device.site_id == site_id,
                )
            )
        ).all()
        if len(found) != len(device_ids):
            raise DomainError(ErrorCode.WORKORDER_DEVICE_NOT_ON_SITE, field="deviceIds")
    assignee = _technician(ctx, inp.assignee_id) if inp.assignee_id else None
    counter = number_counter(ctx)
    ctx.batch.remember(("counter", counter), lambda: ensure_counter(ctx.session, counter))
    seq = take_number(ctx.session, ctx.batch, counter)
    wo = ctx.batch.new(
        WorkOrder,
        {
            "id": inp.id or uuid.uuid4(),
            "number": f"IE-{ctx.now.year}-{seq:06d}",
            "type": inp.type,
            "status": WorkOrderStatus.ASSIGNED if assignee else WorkOrderStatus.DRAFT,
            "title": inp.title,
            "description": inp.description,
            "priority": inp.priority,
            "site_id": site_id,
            "assignee_id": assignee.id if assignee else None,
            "created_by_id": ctx.actor.id,
            "due_on": inp.due_on,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
    )
    for device_id in device_ids:
        ctx.batch.insert(WorkOrderDevice, {"work_order_id": wo.id, "device_id": device_id})
    _record(ctx, wo, WorkOrderEventKind.CREATED)
    if assignee:
        wo.version += 1
        _record(
            ctx,
            wo,
            WorkOrderEventKind.ASSIGNED,
            from_status=WorkOrderStatus.DRAFT,
            text=assignee.full_name,
        )
    return wo


@command(
    "workorder.assign", permission=p.WORKORDERS_ASSIGN, input=AssignWorkOrder, batched=True, preload=_BY_REF
)
def assign_work_order(ctx: CommandContext, inp: AssignWorkOrder) -> WorkOrder:
    """Give the work order to a technician (or to another one)."""
    assignee = _technician(ctx, inp.assignee_id)
    wo = _transition(ctx, inp.work_order_id, Action.ASSIGN, text=assignee.full_name)
    wo.assignee_id = assignee.id
    return wo


@command("workorder.start", permission=p.WORKORDERS_WORK, input=WorkOrderRef, batched=True, preload=_BY_REF)
def start_work_order(ctx: CommandContext, inp: WorkOrderRef) -> WorkOrder:
    """The assigned technician starts (or, after a return, resumes) the work."""
    return _transition(ctx, inp.work_order_id, Action.START)


@command("workorder.addNote", permission=p.WORKORDERS_NOTE, input=AddNote, batched=True, preload=_BY_REF)
def add_note(ctx: CommandContext, inp: AddNote) -> WorkOrder:
    """Add a note to the work order's timeline."""
    return _transition(ctx, inp.work_order_id, Action.ADD_NOTE, text=inp.text)


@command(
    "workorder.submit", permission=p.WORKORDERS_WORK, input=SubmitWorkOrder, batched=True, preload=_BY_REF
)
def submit_work_order(ctx: CommandContext, inp: SubmitWorkOrder) -> WorkOrder:
    """Send finished work for a manager's review."""
    wo = _transition(ctx, inp.work_order_id, Action.SUBMIT, text=inp.summary)
    wo.submitted_at = ctx.now
    return wo


@command(
    "workorder.approve",
    permission=p.WORKORDERS_APPROVE,
    input=ApproveWorkOrder,
    batched=True,
    preload=_BY_REF,
)
def approve_work_order(ctx: CommandContext, inp: ApproveWorkOrder) -> WorkOrder:
    """A manager accepts the submitted work."""
    wo = _transition(ctx, inp.work_order_id, Action.APPROVE, text=inp.comment)
    wo.return_reason = None
    return wo


@command(
    "workorder.return", permission=p.WORKORDERS_APPROVE, input=ReturnWorkOrder, batched=True, preload=_BY_REF
)
def return_work_order(ctx: CommandContext, inp: ReturnWorkOrder) -> WorkOrder:
    """A manager sends the work back to the technician, saying why."""
    if not inp.reason:
        raise DomainError(ErrorCode.WORKORDER_REASON_REQUIRED, field="reason")
    wo = _transition(ctx, inp.work_order_id, Action.RETURN, text=inp.reason)
    wo.return_reason = inp.reason
    return wo


@command("workorder.close", permission=p.WORKORDERS_CLOSE, input=WorkOrderRef, batched=True, preload=_BY_REF)
def close_work_order(ctx: CommandContext, inp: WorkOrderRef) -> WorkOrder:
    """Close approved work; nothing changes on it afterwards."""
    return _transition(ctx, inp.work_order_id, Action.CLOSE)


class UpdateWorkOrder(WorkOrderRef):
    """Field edits; with a base version (offline edits) concurrent changes become conflicts."""

    title: Title | None = None
    description: Text | None = None
    priority: Priority | None = None
    due_on: date | None = None


ENTITY = "workOrder"


def _wire(value: Any) -> Any:
    """A field value as the timeline keeps it: GraphQL spelling (HIGH, ISO dates)."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, date):
        return value.isoformat()
    return value


@command(
    "workorder.update", permission=p.WORKORDERS_EDIT, input=UpdateWorkOrder, batched=True, preload=_BY_REF
)
def update_work_order(ctx: CommandContext, inp: UpdateWorkOrder) -> WorkOrder:
    """Change the title, description, priority or due date. A field someone else changed since
    the version the edit started from keeps their value and becomes a conflict to resolve.

    Editable only while the work is not submitted (DRAFT, ASSIGNED, IN_PROGRESS, RETURNED):
    from SUBMITTED on it is refused for everyone with WORKORDER_FROZEN (WORKORDER_CLOSED once
    closed) — also an edit queued offline before the submission, and a manager reviewing it
    (the review judges what was submitted; a manager who wants a change returns the order with a
    reason, which makes it editable again). The timeline line keeps each field's old and new
    value."""
    wo = _locked(ctx, inp.work_order_id)
    check_editable(wo)
    edits = inp.model_dump(exclude={"work_order_id"}, exclude_none=True)
    before = {name: getattr(wo, name) for name in edits}
    outcome = merge(
        ctx.session,
        entity=ENTITY,
        obj=wo,
        edits=edits,
        base_version=ctx.base_version(ENTITY, wo.id),
        actor_id=ctx.actor.id,
        mutation_id=ctx.mutation_id,
    )
    if outcome.applied:
        _touch(ctx, wo)
        changes = [
            {"field": to_camel(name), "before": _wire(before[name]), "after": _wire(getattr(wo, name))}
            for name in outcome.applied
        ]
        _record(ctx, wo, WorkOrderEventKind.EDITED, text=", ".join(outcome.applied), changes=changes)
    return wo


BlobHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ContentType = Annotated[str, StringConstraints(pattern=r"^(image/(jpeg|png|webp|heic)|application/pdf)$")]


class AttachToWorkOrder(WorkOrderRef):
    id: uuid.UUID
    blob_sha256: BlobHash
    content_type: ContentType
    kind: AttachmentKind = AttachmentKind.PHOTO
    caption: Annotated[str, StringConstraints(max_length=500)] = ""


@command(
    "workorder.attach", permission=p.WORKORDERS_NOTE, input=AttachToWorkOrder, batched=True, preload=_BY_REF
)
def attach(ctx: CommandContext, inp: AttachToWorkOrder) -> WorkOrderAttachment:
    """Attach a photo or document (by content hash; the upload may still be running). Like the
    fields, attachments freeze at submission (WORKORDER_FROZEN) until the order is returned."""
    existing = replay_of(ctx.session, WorkOrderAttachment, inp.id, ctx.actor, "workOrderAttachment")
    if existing is not None:
        return existing
    wo = _locked(ctx, inp.work_order_id)
    check(Action.ADD_NOTE, wo, ctx.actor)  # who may attach: as for notes
    check_editable(wo)  # what was submitted is reviewed as it was: no photos added afterwards
    require_referable(ctx.session, ctx.actor, [inp.blob_sha256], field="blobSha256")
    attachment = WorkOrderAttachment(
        id=inp.id,
        work_order_id=wo.id,
        kind=inp.kind,
        blob_sha256=inp.blob_sha256,
        content_type=inp.content_type,
        caption=inp.caption,
        created_by_id=ctx.actor.id,
        created_at=ctx.now,
    )
    ctx.batch.add(attachment)
    _touch(ctx, wo)
    return attachment
