"""Doing a round offline: the phone's outbox replays checklist commands through syncPush; answers
merge per field with the usual conflict rules; pulls carry templates, checklists and answers to
the people who do the round, and to nobody else (issue 13)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from backend.db.engine import Database
from backend.domain.maintenance.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistStatus,
    answer_id,
    checklist_id,
)
from backend.domain.workorders.models import WorkOrder, WorkOrderStatus
from backend.jobs.rounds import prepare
from sync.models import Conflict
from tests.factories import reload, run
from tests.integration.conftest import World
from tests.sync.conftest import Push, env

MONTH = "2026-12"


def _round(db: Database, world: World) -> tuple[WorkOrder, str]:
    db.run_write(prepare)
    run(db, world.admin, "device.update", {"deviceId": world.cam_north.id, "status": "ACTIVE"})
    wo: WorkOrder = run(
        db,
        world.manager,
        "cleaning.openRound",
        {"siteId": world.site_north.id, "month": MONTH, "assigneeId": world.tech.id},
    )

    return wo, str(checklist_id(wo.id, world.cam_north.id))


def _outbox(checklist: str, wo: WorkOrder, items: list[dict[str, Any]]) -> list[Any]:
    envelopes = [env("phone", 1, "workorder.start", {"workOrderId": str(wo.id)})]
    for item in items:
        if item["type"] == "photo":
            continue
        args = {"checklistId": checklist, "itemKey": item["key"], "value": item["expected"]}
        envelopes.append(env("phone", len(envelopes) + 1, "checklist.answer", args))
    envelopes.append(
        env("phone", len(envelopes) + 1, "checklist.complete", {"checklistId": checklist, "status": "DONE"})
    )
    return envelopes


def test_an_offline_round_replays_once_and_pulls_to_its_people(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    wo, checklist = _round(db, world)
    # the technician's phone pulls the round: the work order, its checklist and the templates
    state, _, _ = pull_all(world.tech)
    assert state[("checklist", checklist)]["status"] == "TODO"
    template = state[("checklistTemplate", state[("checklist", checklist)]["templateId"])]
    assert template["key"] == "camera.monthly"
    # offline: every item defaulted to the expected answer, then done; all queued, sent at once
    envelopes = _outbox(checklist, wo, template["items"])
    first = push(world.tech, "phone", envelopes)
    assert [r.status for r in first.replies] == ["applied"] * len(envelopes)
    # the connection dropped before the reply: the phone sends the same outbox again
    again = push(world.tech, "phone", envelopes)
    assert [r.status for r in again.replies] == [r.status for r in first.replies]
    with db.read_session() as s:
        answers = s.exec(select(ChecklistAnswer)).all()
    assert len(answers) == len([i for i in template["items"] if i["type"] != "photo"])
    assert all(a.version == 1 for a in answers)
    state, _, _ = pull_all(world.tech)
    assert state[("checklist", checklist)]["status"] == "DONE"
    assert reload(db, WorkOrder, wo.id).status is WorkOrderStatus.IN_PROGRESS
    # the manager sees it all; another region's technician and the outside roles see none of it
    manager, _, _ = pull_all(world.manager)
    assert ("checklist", checklist) in manager
    for outsider in (world.tech_south, world.security, world.zabita):
        seen, _, _ = pull_all(outsider)
        assert not any(kind in ("checklist", "checklistAnswer") for kind, _ in seen)
    zabita, _, _ = pull_all(world.zabita)
    assert not any(kind == "checklistTemplate" for kind, _ in zabita)


def test_answers_merge_per_field_and_the_same_field_is_a_conflict(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    _wo, checklist = _round(db, world)
    run(
        db, world.tech, "checklist.answer", {"checklistId": checklist, "itemKey": "lens_clean", "value": True}
    )
    key = answer_id(uuid.UUID(checklist), "lens_clean")
    base = {f"checklistAnswer:{key}": 1}
    # the manager, reviewing photos online, says the lens is not clean
    run(
        db,
        world.manager,
        "checklist.answer",
        {"checklistId": checklist, "itemKey": "lens_clean", "value": False},
    )
    # the technician's offline note (another field) merges; their value (the same field) conflicts
    note = env(
        "p",
        1,
        "checklist.answer",
        {"checklistId": checklist, "itemKey": "lens_clean", "note": "Silindi"},
        base=base,
    )
    value = env(
        "p",
        2,
        "checklist.answer",
        {"checklistId": checklist, "itemKey": "lens_clean", "value": True},
        base=base,
    )
    result = push(world.tech, "p", [note, value])
    assert [r.status for r in result.replies] == ["applied", "applied"]
    answer = reload(db, ChecklistAnswer, key)
    assert (answer.value, answer.note) == (False, "Silindi")
    with db.read_session() as s:
        [conflict] = s.exec(select(Conflict)).all()
    assert (conflict.entity, conflict.field, conflict.server_value, conflict.client_value) == (
        "checklistAnswer",
        "value",
        False,
        True,
    )
    # the technician takes their value: written as a fresh answer
    run(db, world.tech, "conflict.resolve", {"conflictId": conflict.id, "choice": "take_client"})
    assert reload(db, ChecklistAnswer, key).value is True


def test_a_checklist_marked_differently_offline_is_a_conflict(db: Database, world: World, push: Push) -> None:
    _wo, checklist = _round(db, world)
    run(
        db,
        world.tech,
        "checklist.complete",
        {"checklistId": checklist, "status": "PROBLEM", "note": "Kablo kopuk"},
    )
    base = {f"checklist:{checklist}": 2}
    run(db, world.manager, "checklist.complete", {"checklistId": checklist, "status": "TODO"})
    late = env(
        "p",
        1,
        "checklist.complete",
        {"checklistId": checklist, "status": "PROBLEM", "note": "Kablo kopuk, ek"},
        base=base,
    )
    assert push(world.tech, "p", [late]).replies[0].status == "applied"
    kept = reload(db, Checklist, uuid.UUID(checklist))
    assert kept.status is ChecklistStatus.TODO  # the manager's reopening stands
    assert kept.note == "Kablo kopuk, ek"  # the note nobody else changed merges
    with db.read_session() as s:
        [conflict] = s.exec(select(Conflict)).all()
    assert (conflict.entity, conflict.field) == ("checklist", "status")
