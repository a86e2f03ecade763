"""Pull: scoped snapshot, incremental changes, revocation, reset after pruning (invariant 4)."""

from __future__ import annotations

from typing import Any

from backend.db.engine import Database
from backend.domain.people.auth import actor_for
from backend.domain.people.models import User
from backend.domain.sync_adapter import PersonSource
from sync import pull
from tests.factories import make_work_order, run
from tests.integration.conftest import World


def _server_state(db: Database, user: User) -> dict[tuple[str, str], dict[str, Any]]:
    """What the person may see, read straight from the tables (the reference for pulls)."""
    source = PersonSource(actor_for(user))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with db.read_session() as s:
        for entity in source.order:
            ids = source.snapshot_ids(s, entity, None, 100_000)
            for key, (_v, data) in source.load(s, entity, ids).items():
                out[(entity, str(key))] = data
    return out


def test_technician_snapshot_is_scoped(db: Database, world: World, pull_all: Any) -> None:
    mine = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    theirs = make_work_order(db, world.manager, world.site_south, assignee=world.tech_south)

    state, cursor, _ = pull_all(world.tech, limit=3)

    kinds = {k for k, _ in state}
    assert ("workOrder", str(mine.id)) in state
    assert ("workOrder", str(theirs.id)) not in state
    assert ("site", str(world.site_north.id)) in state
    assert ("site", str(world.site_south.id)) not in state
    assert ("device", str(world.cam_north.id)) in state
    assert {"workOrder", "workOrderEvent", "site", "device", "user", "region"} <= kinds
    assert all("passwordHash" not in data for data in state.values())
    assert state[("workOrder", str(mine.id))]["status"] == "ASSIGNED"
    assert cursor.startswith("c.")
    assert state == _server_state(db, world.tech)


def test_incremental_pull_brings_changes_and_revocations(db: Database, world: World, pull_all: Any) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    state, cursor, _ = pull_all(world.tech)

    # when the technician starts it and then the manager reassigns it to someone else
    run(db, world.tech, "workorder.start", {"work_order_id": wo.id})
    state, cursor, _ = pull_all(world.tech, cursor, state=state)
    assert state[("workOrder", str(wo.id))]["status"] == "IN_PROGRESS"
    run(db, world.manager, "workorder.assign", {"work_order_id": wo.id, "assignee_id": world.tech_south.id})
    state, cursor, pages = pull_all(world.tech, cursor, state=state)

    # then the work order (and its timeline) disappear from the technician's device
    assert ("workOrder", str(wo.id)) not in state
    assert state == _server_state(db, world.tech) | {
        k: v for k, v in state.items() if k[0] == "workOrderEvent"
    }
    assert any(ch.op == "delete" and ch.entity == "workOrder" for p in pages for ch in p.changes)


def test_manager_pull_rebuilds_everything_from_zero(db: Database, world: World, pull_all: Any) -> None:
    for _ in range(3):
        make_work_order(db, world.manager, world.site_south, assignee=world.tech_south)
    state, _, pages = pull_all(world.manager, limit=7)

    assert len(pages) > 3
    assert state == _server_state(db, world.manager)


def test_pruned_cursor_resets_and_rebuilds(db: Database, world: World, pull_all: Any) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    state, old_cursor, _ = pull_all(world.tech)
    run(db, world.tech, "workorder.start", {"work_order_id": wo.id})
    with db.write_session() as s:
        pull.prune(s, pull.high_water(s))

    state, _, pages = pull_all(world.tech, old_cursor, state={("workOrder", "stale"): {}})

    assert pages[0].reset is True
    assert ("workOrder", "stale") not in state
    assert state[("workOrder", str(wo.id))]["status"] == "IN_PROGRESS"
    assert state == _server_state(db, world.tech)


def test_garbage_cursor_is_a_reset_not_an_error(db: Database, world: World, pull_all: Any) -> None:
    state, _, pages = pull_all(world.tech, "x.12.zz")

    assert pages[0].reset is True
    assert state == _server_state(db, world.tech)


def test_every_table_write_reaches_the_change_log(db: Database, world: World, pull_all: Any) -> None:
    # given a manager device that is up to date
    state, cursor, _ = pull_all(world.manager)
    # when assets change through commands
    run(db, world.admin, "device.update", {"device_id": world.cam_north.id, "status": "faulty"})
    run(db, world.admin, "site.addIpBlock", {"site_id": world.site_north.id, "cidr": "10.1.9.0/24"})
    state, cursor, _ = pull_all(world.manager, cursor, state=state)

    # then the device sees them
    assert state[("device", str(world.cam_north.id))]["status"] == "FAULTY"
    assert [b["cidr"] for b in state[("site", str(world.site_north.id))]["ipBlocks"]] == [
        "10.1.1.0/24",
        "10.1.9.0/24",
    ]
    assert state == _server_state(db, world.manager)


def test_retention_prunes_by_age_and_old_cursors_reset(db: Database, world: World, pull_all: Any) -> None:
    from datetime import UTC, datetime, timedelta

    make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    pull_all(world.tech)

    nothing = db.run_write(lambda s: pull.prune_older_than(s, datetime.now(UTC) - timedelta(days=1)))
    everything = db.run_write(lambda s: pull.prune_older_than(s, datetime.now(UTC) + timedelta(seconds=1)))
    state, _, pages = pull_all(world.tech, "c.0")

    assert nothing == 0
    assert everything > 0
    assert pages[0].reset is True
    assert state == _server_state(db, world.tech)
