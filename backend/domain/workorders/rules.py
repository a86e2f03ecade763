"""The work-order lifecycle, as data.

    draft → assigned → in_progress → submitted → approved → closed
                            ↑              ↓
                            └── returned ←─┘   (return needs a reason)

Reassignment is allowed before work is submitted. Notes can be added until closed.
Starting and submitting are the assigned technician's own acts; managers act through review.

Submission freezes the record (:func:`check_editable`): from SUBMITTED on (APPROVED, CLOSED) the
fields (``workorder.update``) and the attachments (``workorder.attach``) are what was submitted,
for everyone — a manager who wants a change returns the order with a reason, which makes it
editable again (RETURNED). Notes stay open until closed: they are comments that add a line to
the timeline and never rewrite what was submitted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.permissions import Actor
from backend.domain.workorders.models import WorkOrder, WorkOrderEventKind
from backend.domain.workorders.models import WorkOrderStatus as S


class Who(enum.Enum):
    ASSIGNEE = "assignee"  # only the technician the order is assigned to
    ASSIGNEE_OR_SUPERVISOR = "assignee_or_supervisor"  # or a manager / admin
    SUPERVISOR = "supervisor"  # the permission is enough (managers, admins)


class Action(enum.StrEnum):
    ASSIGN = "assign"
    START = "start"
    ADD_NOTE = "add_note"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CLOSE = "close"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[S]
    target: S | None  # None: the status does not change
    permission: str
    who: Who
    event: WorkOrderEventKind
    command: str  # the command that performs it (backend.domain.workorders.commands)


TRANSITIONS: dict[Action, Transition] = {
    Action.ASSIGN: Transition(
        frozenset({S.DRAFT, S.ASSIGNED, S.IN_PROGRESS, S.RETURNED}),
        S.ASSIGNED,
        p.WORKORDERS_ASSIGN,
        Who.SUPERVISOR,
        event=WorkOrderEventKind.ASSIGNED,
        command="workorder.assign",
    ),
    Action.START: Transition(
        frozenset({S.ASSIGNED, S.RETURNED}),
        S.IN_PROGRESS,
        p.WORKORDERS_WORK,
        Who.ASSIGNEE,
        event=WorkOrderEventKind.STARTED,
        command="workorder.start",
    ),
    Action.ADD_NOTE: Transition(
        frozenset(set(S) - {S.CLOSED}),
        None,
        p.WORKORDERS_NOTE,
        Who.ASSIGNEE_OR_SUPERVISOR,
        event=WorkOrderEventKind.NOTE,
        command="workorder.addNote",
    ),
    Action.SUBMIT: Transition(
        frozenset({S.IN_PROGRESS}),
        S.SUBMITTED,
        p.WORKORDERS_WORK,
        Who.ASSIGNEE,
        event=WorkOrderEventKind.SUBMITTED,
        command="workorder.submit",
    ),
    Action.APPROVE: Transition(
        frozenset({S.SUBMITTED}),
        S.APPROVED,
        p.WORKORDERS_APPROVE,
        Who.SUPERVISOR,
        event=WorkOrderEventKind.APPROVED,
        command="workorder.approve",
    ),
    Action.RETURN: Transition(
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        p.WORKORDERS_APPROVE,
        Who.SUPERVISOR,
        event=WorkOrderEventKind.RETURNED,
        command="workorder.return",
    ),
    Action.CLOSE: Transition(
        frozenset({S.APPROVED}),
        S.CLOSED,
        p.WORKORDERS_CLOSE,
        Who.SUPERVISOR,
        event=WorkOrderEventKind.CLOSED,
        command="workorder.close",
    ),
}


def _is_party(who: Who, actor: Actor, wo: WorkOrder) -> bool:
    if who is Who.SUPERVISOR:
        return True
    if wo.assignee_id == actor.id:
        return True
    return who is Who.ASSIGNEE_OR_SUPERVISOR and actor.sees_everything


def check(action: Action, wo: WorkOrder, actor: Actor) -> Transition:
    """Raise the precise DomainError if ``actor`` may not do ``action`` on ``wo`` now."""
    tr = TRANSITIONS[action]
    if not actor.can(tr.permission):
        raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": tr.permission})
    if not _is_party(tr.who, actor, wo):
        raise DomainError(ErrorCode.WORKORDER_NOT_ASSIGNEE)
    if wo.status not in tr.sources:
        raise DomainError(
            ErrorCode.WORKORDER_ILLEGAL_TRANSITION,
            params={"status": wo.status, "action": action},
        )
    return tr


def allowed_actions(wo: WorkOrder, actor: Actor) -> list[Action]:
    """What the UI may offer ``actor`` on ``wo`` in its current state."""
    allowed = []
    for action in Action:
        try:
            check(action, wo, actor)
        except DomainError:
            continue
        allowed.append(action)
    return allowed


# Statuses in which the work order's fields and attachments may still change.
EDITABLE = frozenset({S.DRAFT, S.ASSIGNED, S.IN_PROGRESS, S.RETURNED})


def check_editable(wo: WorkOrder) -> None:
    """Raise WORKORDER_CLOSED / WORKORDER_FROZEN once the work order has been submitted."""
    if wo.status is S.CLOSED:
        raise DomainError(ErrorCode.WORKORDER_CLOSED, field="workOrderId")
    if wo.status not in EDITABLE:
        raise DomainError(ErrorCode.WORKORDER_FROZEN, field="workOrderId", params={"status": wo.status})
