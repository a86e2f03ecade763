"""The work-order lifecycle table, checked exhaustively: every action from every state."""

from __future__ import annotations

import uuid

import pytest

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import Role
from backend.domain.people.permissions import Actor
from backend.domain.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType
from backend.domain.workorders.rules import Action, allowed_actions, check

S = WorkOrderStatus
TECH = Actor(id=uuid.uuid4(), username="t", full_name="T", role=Role.TECHNICIAN, region_id=None)
OTHER_TECH = Actor(id=uuid.uuid4(), username="o", full_name="O", role=Role.TECHNICIAN, region_id=None)
MANAGER = Actor(id=uuid.uuid4(), username="m", full_name="M", role=Role.MANAGER, region_id=None)
ADMIN = Actor(id=uuid.uuid4(), username="a", full_name="A", role=Role.ADMIN, region_id=None)
SECURITY = Actor(id=uuid.uuid4(), username="s", full_name="S", role=Role.SECURITY, region_id=None)

# The lifecycle as the issue states it: (action, from) -> to; absent pairs are illegal.
LEGAL: dict[tuple[Action, S], S | None] = {
    (Action.ASSIGN, S.DRAFT): S.ASSIGNED,
    (Action.ASSIGN, S.ASSIGNED): S.ASSIGNED,
    (Action.ASSIGN, S.IN_PROGRESS): S.ASSIGNED,
    (Action.ASSIGN, S.RETURNED): S.ASSIGNED,
    (Action.START, S.ASSIGNED): S.IN_PROGRESS,
    (Action.START, S.RETURNED): S.IN_PROGRESS,
    (Action.SUBMIT, S.IN_PROGRESS): S.SUBMITTED,
    (Action.APPROVE, S.SUBMITTED): S.APPROVED,
    (Action.RETURN, S.SUBMITTED): S.RETURNED,
    (Action.CLOSE, S.APPROVED): S.CLOSED,
    **{(Action.ADD_NOTE, s): None for s in S if s is not S.CLOSED},
}


def _wo(status: S, assignee: Actor | None = TECH) -> WorkOrder:
    return WorkOrder(
        number="IE-2026-000001",
        type=WorkOrderType.FAULT,
        status=status,
        title="t",
        priority=Priority.NORMAL,
        site_id=uuid.uuid4(),
        created_by_id=MANAGER.id,
        assignee_id=assignee.id if assignee else None,
    )


def _doer(action: Action) -> Actor:
    return TECH if action in (Action.START, Action.SUBMIT, Action.ADD_NOTE) else MANAGER


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(S))
def test_every_action_from_every_status(action: Action, status: S) -> None:
    wo = _wo(status)
    if (action, status) in LEGAL:
        transition = check(action, wo, _doer(action))
        assert transition.target == LEGAL[(action, status)]
    else:
        with pytest.raises(DomainError) as err:
            check(action, wo, _doer(action))
        assert err.value.code is ErrorCode.WORKORDER_ILLEGAL_TRANSITION


@pytest.mark.parametrize("action", [Action.START, Action.SUBMIT, Action.ADD_NOTE])
def test_only_the_assignee_works_on_it(action: Action) -> None:
    status = S.IN_PROGRESS if action is Action.SUBMIT else S.ASSIGNED

    with pytest.raises(DomainError) as err:
        check(action, _wo(status), OTHER_TECH)

    assert err.value.code is ErrorCode.WORKORDER_NOT_ASSIGNEE


@pytest.mark.parametrize("actor", [MANAGER, ADMIN])
def test_supervisors_do_not_start_or_submit_for_the_technician(actor: Actor) -> None:
    for action, status in ((Action.START, S.ASSIGNED), (Action.SUBMIT, S.IN_PROGRESS)):
        with pytest.raises(DomainError):
            check(action, _wo(status), actor)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN, Action.CLOSE, Action.ASSIGN])
def test_technicians_cannot_review(action: Action) -> None:
    with pytest.raises(DomainError) as err:
        check(action, _wo(S.SUBMITTED), TECH)

    assert err.value.code is ErrorCode.PERMISSION_DENIED


def test_allowed_actions_per_role_and_state() -> None:
    assert allowed_actions(_wo(S.ASSIGNED), TECH) == [Action.START, Action.ADD_NOTE]
    assert allowed_actions(_wo(S.IN_PROGRESS), TECH) == [Action.ADD_NOTE, Action.SUBMIT]
    assert allowed_actions(_wo(S.SUBMITTED), TECH) == [Action.ADD_NOTE]
    assert allowed_actions(_wo(S.SUBMITTED), MANAGER) == [Action.ADD_NOTE, Action.APPROVE, Action.RETURN]
    assert allowed_actions(_wo(S.APPROVED), MANAGER) == [Action.ADD_NOTE, Action.CLOSE]
    assert allowed_actions(_wo(S.CLOSED), MANAGER) == []
    assert allowed_actions(_wo(S.ASSIGNED), OTHER_TECH) == []
    assert allowed_actions(_wo(S.SUBMITTED), SECURITY) == []


def test_illegal_transition_message_names_state_and_action_in_turkish() -> None:
    with pytest.raises(DomainError) as err:
        check(Action.APPROVE, _wo(S.DRAFT), MANAGER)

    assert err.value.message("tr") == "İş emri 'taslak' durumundayken 'onaylama' yapılamaz."
