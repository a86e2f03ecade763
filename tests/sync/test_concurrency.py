"""Complete cursors under concurrent writers (invariant 4): while several threads commit changes,
a device pulls incrementally again and again; in the end its copy equals the server's state, and
so does a pull from zero. On PostgreSQL this exercises the serialised change-log appends (seq
values are otherwise not handed out in commit order)."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.people.models import Role
from backend.domain.workorders.models import WorkOrderEvent, WorkOrderEventKind
from sync.models import LedgerEntry
from tests.factories import make_device, make_user, make_work_order, run
from tests.integration.conftest import World
from tests.sync.conftest import env
from tests.sync.test_pull import _server_state

WRITERS = 4
PATIENCE = 120.0  # seconds; a bound on a hung run, not a speed requirement


def test_incremental_pulls_miss_nothing_under_concurrent_writers(
    db: Database, world: World, pull_all: Any
) -> None:
    orders = [
        make_work_order(db, world.manager, world.site_north, assignee=world.tech) for _ in range(WRITERS)
    ]
    devices = [make_device(db, world.admin, world.site_north, ip=f"10.1.1.{100 + i}") for i in range(WRITERS)]
    for wo in orders:
        run(db, world.tech, "workorder.start", {"work_order_id": wo.id})
    state, cursor, _ = pull_all(world.manager)
    stop = threading.Event()
    errors: list[BaseException] = []
    writes = [0] * WRITERS

    def writer(i: int) -> None:
        n = 0
        try:
            while not stop.is_set():
                n += 1
                run(db, world.tech, "workorder.addNote", {"work_order_id": orders[i].id, "text": f"w{i}-{n}"})
                run(db, world.admin, "device.update", {"device_id": devices[i].id, "firmware": f"V{i}.{n}"})
                writes[i] = n
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    pulls = 0
    # pull while the writers write: until both have happened often enough (not for a set time,
    # which would make the test's meaning depend on the machine's speed)
    deadline = time.monotonic() + PATIENCE
    while (sum(writes) <= 20 or pulls <= 5) and time.monotonic() < deadline and not errors:
        state, cursor, _ = pull_all(world.manager, cursor, limit=25, state=state)
        pulls += 1
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    state, cursor, _ = pull_all(world.manager, cursor, state=state)

    expected = _server_state(db, world.manager)
    assert sum(writes) > 20
    assert pulls > 5
    assert state == expected
    fresh, _, _ = pull_all(world.manager)
    assert fresh == expected


PHONES = 20
SHARED_ORDERS = 10
BATCHES = 5
PER_BATCH = 10


def test_phones_pushing_to_the_same_work_orders_never_deadlock(db: Database, world: World, push: Any) -> None:
    """20 phones push notes to the same 10 work orders at once, each batch touching them in its
    own order (the pattern that deadlocked PostgreSQL when row locks and the change-log lock were
    taken in opposite orders), while GraphQL-style commands write the same rows. Every envelope
    applies exactly once and no push fails."""
    techs = [world.tech] + [make_user(db, Role.TECHNICIAN, region=world.north) for _ in range(3)]
    orders = [
        make_work_order(db, world.manager, world.site_north, assignee=techs[i % len(techs)])
        for i in range(SHARED_ORDERS)
    ]
    for i, wo in enumerate(orders):
        run(db, techs[i % len(techs)], "workorder.start", {"work_order_id": wo.id})
    mine = {t.id: [wo for i, wo in enumerate(orders) if i % len(techs) == n] for n, t in enumerate(techs)}
    errors: list[BaseException] = []
    latencies: list[float] = []
    start = threading.Barrier(PHONES + 2)  # the phones, the office and this thread

    def phone(p: int) -> None:
        tech = techs[p % len(techs)]
        wos = mine[tech.id]
        try:
            start.wait()
            for b in range(BATCHES):
                batch = [
                    env(
                        f"phone-{p}",
                        b * PER_BATCH + k + 1,
                        "workorder.addNote",
                        {
                            "workOrderId": str(wos[(p + b + k * (1 + p % 2)) % len(wos)].id),
                            "text": f"{p}.{b}.{k}",
                        },
                    )
                    for k in range(PER_BATCH)
                ]
                began = time.perf_counter()
                result = push(tech, f"phone-{p}", batch)
                latencies.append(time.perf_counter() - began)
                assert [r.status for r in result.replies] == ["applied"] * PER_BATCH, result.replies
        except BaseException as exc:  # reported below
            errors.append(exc)

    def office() -> None:  # the same rows written outside sync, as a GraphQL mutation does
        try:
            start.wait()
            for n in range(BATCHES * 2):
                wo = orders[n % len(orders)]
                run(
                    db,
                    techs[n % len(orders) % len(techs)],
                    "workorder.addNote",
                    {"work_order_id": wo.id, "text": f"o{n}"},
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(p,)) for p in range(PHONES)]
    threads.append(threading.Thread(target=office))
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()

    assert errors == []
    with db.read_session() as s:
        notes = s.exec(
            select(func.count())
            .select_from(WorkOrderEvent)
            .where(WorkOrderEvent.kind == WorkOrderEventKind.NOTE)
        ).one()
        ledgered = s.exec(select(func.count()).select_from(LedgerEntry)).one()
    assert notes == PHONES * BATCHES * PER_BATCH + BATCHES * 2
    assert ledgered == PHONES * BATCHES * PER_BATCH
    latencies.sort()
    print(
        f"{db.dialect}: {len(latencies)} batches, p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
    )
