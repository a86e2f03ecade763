"""Complete cursors under concurrent writers (invariant 4): while several threads commit changes,
a device pulls incrementally again and again; in the end its copy equals the server's state, and
so does a pull from zero. On PostgreSQL this exercises the serialised change-log appends (seq
values are otherwise not handed out in commit order)."""

from __future__ import annotations

import threading
import time
from typing import Any

from backend.db.engine import Database
from tests.factories import make_device, make_work_order, run
from tests.integration.conftest import World
from tests.sync.test_pull import _server_state

WRITERS = 4
SECONDS = 3.0


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
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
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
