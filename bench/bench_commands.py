"""Command-layer throughput on SQLite: the cost of one validated, authorised, scoped write.

Runs N ``workorder.addNote`` commands through ``backend.domain.commands.execute`` (validation,
permission, row-scope load, transition rule, version bump, timeline row, savepoint), committed in
batches of B per transaction — the shape the offline sync's push will have. The baseline, measured
in the same run on the same database file, inserts the same number of timeline rows with raw
``sqlite3.executemany`` in one transaction: the machine's floor for those writes.

    .venv/bin/python bench/bench_commands.py [N] [B]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.db.engine import Database  # noqa: E402
from backend.db.migrate import upgrade  # noqa: E402
from backend.domain.assets.models import RecordingLocation, SiteKind  # noqa: E402
from backend.domain.commands import CommandContext, execute, load_all_commands  # noqa: E402
from backend.domain.people.auth import actor_for  # noqa: E402
from backend.domain.people.models import Role, User  # noqa: E402
from backend.domain.workorders.models import WorkOrderType  # noqa: E402


def main(n: int, batch: int) -> None:
    load_all_commands()
    tmp = Path(tempfile.mkdtemp(prefix="saha-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    db = Database(url)
    users = {
        role: User(username=role.value, full_name=role.value, role=role, password_hash="-")  # noqa: S106 - no sign-in here
        for role in (Role.ADMIN, Role.MANAGER, Role.TECHNICIAN)
    }
    with db.write_session() as session:
        session.add_all(users.values())
    admin, manager, tech = (actor_for(users[r]) for r in (Role.ADMIN, Role.MANAGER, Role.TECHNICIAN))
    now = datetime.now(UTC)
    with db.write_session() as session:
        site = execute(
            "site.create",
            {
                "code": "B-1",
                "name": "Bench",
                "kind": SiteKind.CAMPUS,
                "district": "Konak",
                "recording_location": RecordingLocation.CENTRAL_SERVER,
            },
            CommandContext(session=session, actor=admin, now=now),
        )
        wo = execute(
            "workorder.create",
            {"type": WorkOrderType.MAINTENANCE, "title": "Bench", "site_id": site.id, "assignee_id": tech.id},
            CommandContext(session=session, actor=manager, now=now),
        )
        execute("workorder.start", {"work_order_id": wo.id}, CommandContext(session=session, actor=tech))

    # measured: N commands through the command layer, B per transaction
    started = time.perf_counter()
    for first in range(0, n, batch):
        with db.write_session() as session:
            ctx = CommandContext(session=session, actor=tech)
            for i in range(first, min(first + batch, n)):
                execute("workorder.addNote", {"work_order_id": wo.id, "text": f"not {i}"}, ctx)
    commands_s = time.perf_counter() - started
    db.dispose()

    # baseline: the same number of timeline rows, raw, one transaction
    con = sqlite3.connect(tmp / "bench.db", isolation_level=None)
    con.execute("PRAGMA synchronous=FULL")
    rows = [
        (uuid.uuid4().hex, wo.id.hex, 100_000 + i, "2026-11-22 10:00:00", tech.id.hex, "note", f"ham {i}")
        for i in range(n)
    ]
    started = time.perf_counter()
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO work_order_events (id, work_order_id, seq, at, actor_id, kind, text)"
        " VALUES (?,?,?,?,?,?,?)",
        rows,
    )
    con.execute("COMMIT")
    raw_s = time.perf_counter() - started
    con.close()

    rate, raw_rate = n / commands_s, n / raw_s
    print(
        f"commands: {n} workorder.addNote in batches of {batch}: {commands_s:.2f} s = {rate:,.0f} commands/s"
    )
    print(f"baseline: {n} raw sqlite3 inserts, one transaction: {raw_s:.3f} s = {raw_rate:,.0f} rows/s")
    print(
        f"ratio: command layer at {rate / raw_rate:.3f}x the raw insert rate ({raw_rate / rate:.0f}x slower)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, int(sys.argv[2]) if len(sys.argv) > 2 else 100)
