"""Versions and conflicts: different fields merge, the same field keeps the server value and
records a conflict that the people concerned see and resolve (invariant 5)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.workorders.models import WorkOrder
from sync.models import Conflict
from tests.factories import make_work_order, reload, run
from tests.integration.conftest import World
from tests.sync.conftest import Push, env


def _conflicts(db: Database) -> list[Conflict]:
    with db.read_session() as s:
        return list(s.exec(select(Conflict).order_by(Conflict.field)).all())


def test_different_fields_merge(db: Database, world: World, push: Push) -> None:
    # given the technician saw version v, then the manager changed the title
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    base = {f"workOrder:{wo.id}": wo.version}
    run(db, world.manager, "workorder.update", {"work_order_id": wo.id, "title": "Yeni başlık"})

    # when the technician's offline edit of the description arrives
    result = push(
        world.tech,
        "p",
        [
            env(
                "p",
                1,
                "workorder.update",
                {"workOrderId": str(wo.id), "description": "Direk eğik"},
                base=base,
            )
        ],
    )

    # then both changes are kept and there is no conflict
    assert result.replies[0].status == "applied"
    after = reload(db, WorkOrder, wo.id)
    assert (after.title, after.description) == ("Yeni başlık", "Direk eğik")
    assert _conflicts(db) == []


def test_same_field_keeps_server_value_and_records_a_conflict(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    base = {f"workOrder:{wo.id}": wo.version}
    run(db, world.manager, "workorder.update", {"work_order_id": wo.id, "description": "Müdür notu"})

    result = push(
        world.tech,
        "p",
        [
            env(
                "p",
                1,
                "workorder.update",
                {"workOrderId": str(wo.id), "description": "Teknisyen notu", "priority": "HIGH"},
                base=base,
            )
        ],
    )

    assert result.replies[0].status == "applied"
    after = reload(db, WorkOrder, wo.id)
    assert after.description == "Müdür notu"  # server value kept
    assert after.priority.value == "high"  # the other field merged
    [conflict] = _conflicts(db)
    assert (conflict.field, conflict.server_value, conflict.client_value) == (
        "description",
        "Müdür notu",
        "Teknisyen notu",
    )
    assert (conflict.server_actor_id, conflict.client_actor_id) == (world.manager.id, world.tech.id)
    # both people see it on their devices; an outsider does not
    for user in (world.tech, world.manager):
        state, _, _ = pull_all(user)
        assert state[("conflict", str(conflict.id))]["clientValue"] == "Teknisyen notu"
    state, _, _ = pull_all(world.tech_south)
    assert ("conflict", str(conflict.id)) not in state


@pytest.mark.parametrize("choice", ["keep_server", "take_client"])
def test_conflict_is_resolved_by_a_person(db: Database, world: World, push: Push, choice: str) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    base = {f"workOrder:{wo.id}": wo.version}
    run(db, world.manager, "workorder.update", {"work_order_id": wo.id, "title": "Müdürün başlığı"})
    push(
        world.tech,
        "p",
        [
            env(
                "p",
                1,
                "workorder.update",
                {"workOrderId": str(wo.id), "title": "Teknisyenin başlığı"},
                base=base,
            )
        ],
    )
    [conflict] = _conflicts(db)

    result = push(
        world.tech, "p", [env("p", 2, "conflict.resolve", {"conflictId": str(conflict.id), "choice": choice})]
    )
    again = push(
        world.tech, "p", [env("p", 3, "conflict.resolve", {"conflictId": str(conflict.id), "choice": choice})]
    )

    assert result.replies[0].status == "applied"
    assert again.replies[0].code == "CONFLICT_ALREADY_RESOLVED"
    expected = "Teknisyenin başlığı" if choice == "take_client" else "Müdürün başlığı"
    assert reload(db, WorkOrder, wo.id).title == expected
    [resolved] = _conflicts(db)
    assert resolved.resolution == ("took_client" if choice == "take_client" else "kept_server")


def test_conflict_outcome_is_deterministic(db_url: str, world: World, db: Database, push: Push) -> None:
    """The same edits, delivered in different orders from two devices that both started at the
    same version, always end with the value that arrived first kept, the other in a conflict —
    and replays or duplicates never add conflicts."""
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    base = {f"workOrder:{wo.id}": wo.version}
    a = env(
        "a",
        1,
        "workorder.update",
        {"workOrderId": str(wo.id), "title": "Başlık A", "description": "Açıklama A"},
        base=base,
    )
    b = env(
        "b",
        1,
        "workorder.update",
        {"workOrderId": str(wo.id), "title": "Başlık B", "priority": "URGENT"},
        base=base,
    )

    # deliver a, b, a again, b again (duplicates): the result is fixed by what arrived first
    push(world.tech, "a", [a])
    push(world.manager, "b", [b])
    push(world.tech, "a", [a])
    push(world.manager, "b", [b])

    after = reload(db, WorkOrder, wo.id)
    assert (after.title, after.description, after.priority.value) == ("Başlık A", "Açıklama A", "urgent")
    conflicts = _conflicts(db)
    assert [(c.field, c.server_value, c.client_value) for c in conflicts] == [
        ("title", "Başlık A", "Başlık B")
    ]
    assert len(list(itertools.chain(conflicts))) == 1


def test_two_offline_edits_by_the_same_person_do_not_conflict(db: Database, world: World, push: Push) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    base = {f"workOrder:{wo.id}": wo.version}

    push(
        world.tech,
        "p",
        [
            env("p", 1, "workorder.update", {"workOrderId": str(wo.id), "description": "İlk"}, base=base),
            env("p", 2, "workorder.update", {"workOrderId": str(wo.id), "description": "İkinci"}, base=base),
        ],
    )

    assert reload(db, WorkOrder, wo.id).description == "İkinci"
    assert _conflicts(db) == []
