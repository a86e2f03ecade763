"""Sync benchmarks on SQLite, each with a baseline measured in the same run.

1. push N queued mutations (``workorder.addNote`` through ``syncPush``'s core: validation,
   permission, scope, rules, ledger, change log) in batches — mutations/s, and the ratio to
   inserting the same number of rows raw with ``sqlite3`` in one transaction (the machine's limit);
2. replay the same N (all duplicates) — seconds, and checks that nothing changed;
   then N ``workorder.create`` (a manager's outbox) and N ``workorder.update`` (a technician's),
   each with its ratio to the same raw baseline;
3. first pull of a working set of M records from zero — records/s and bytes per record, and the
   ratio to reading the same rows raw.

    .venv/bin/python bench/bench_sync.py [N] [M]
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from backend.cli import tune_gc  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.db.migrate import upgrade  # noqa: E402
from backend.domain.assets.models import RecordingLocation, Site, SiteKind  # noqa: E402
from backend.domain.commands import CommandContext, execute, load_all_commands  # noqa: E402
from backend.domain.people.auth import actor_for  # noqa: E402
from backend.domain.people.models import Role, User  # noqa: E402
from backend.domain.sync_adapter import PersonSource, command_runner, install_change_tracking  # noqa: E402
from backend.domain.workorders.models import WorkOrderType  # noqa: E402
from sync import apply, pull  # noqa: E402
from sync.protocol import Envelope  # noqa: E402

BATCH = int(__import__("os").environ.get("BENCH_BATCH", "500"))
ORDERS = 20


def setup(db: Database) -> tuple[User, User, list[uuid.UUID]]:
    users = {
        r: User(username=r.value, full_name=r.value, role=r, password_hash="-")  # noqa: S106 - no sign-in
        for r in (Role.ADMIN, Role.MANAGER, Role.TECHNICIAN)
    }
    with db.write_session() as s:
        s.add_all(users.values())
    admin, manager, tech = (actor_for(users[r]) for r in (Role.ADMIN, Role.MANAGER, Role.TECHNICIAN))
    now = datetime.now(UTC)
    orders = []
    with db.write_session() as s:
        site = execute(
            "site.create",
            {
                "code": "B-1",
                "name": "Bench",
                "kind": SiteKind.CAMPUS,
                "district": "Konak",
                "recording_location": RecordingLocation.CENTRAL_SERVER,
            },
            CommandContext(session=s, actor=admin, now=now),
        )
        for _ in range(ORDERS):
            wo = execute(
                "workorder.create",
                {
                    "type": WorkOrderType.MAINTENANCE,
                    "title": "Bakım",
                    "site_id": site.id,
                    "assignee_id": tech.id,
                },
                CommandContext(session=s, actor=manager, now=now),
            )
            execute(
                "workorder.start", {"work_order_id": wo.id}, CommandContext(session=s, actor=tech, now=now)
            )
            orders.append(wo.id)
    return users[Role.TECHNICIAN], users[Role.MANAGER], orders


def count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - fixed names
    finally:
        con.close()


def push_all(db: Database, user: User, client: str, envelopes: list[Envelope]) -> float:
    actor = actor_for(user)
    started = time.perf_counter()
    for first in range(0, len(envelopes), BATCH):
        batch = envelopes[first : first + BATCH]
        now = datetime.now(UTC)
        replies = db.run_write(
            lambda s, b=batch, t=now: (
                apply.push(
                    s, client_id=client, user_id=actor.id, envelopes=b, run=command_runner(actor, t), now=t
                ).replies
            )
        )
        refused = [r for r in replies if r.status != "applied"]
        if refused:
            raise SystemExit(f"bench: {len(refused)} refused, e.g. {refused[0]}")
    return time.perf_counter() - started


def outbox(client: str, name: str, args: list[dict[str, Any]]) -> list[Envelope]:
    """One phone's queue: the command ``name`` once per ``args``, seq 1, 2, …"""
    return [
        Envelope(client_id=client, seq=i, mutation_id=f"{client}-{i}", name=name, args=a)
        for i, a in enumerate(args, start=1)
    ]


def bench_commands(
    db: Database, tech: User, manager: User, site_id: uuid.UUID, n: int, raw_rate: float
) -> None:
    """The other two kinds of the aim: creates (a manager's phone) and edits (the technician's)."""
    creates = outbox(
        "bench-create",
        "workorder.create",
        [
            {
                "id": str(uuid.uuid4()),
                "type": "MAINTENANCE",
                "title": f"Bakım {i}",
                "siteId": str(site_id),
                "assigneeId": str(tech.id),
            }
            for i in range(n)
        ],
    )
    create_s = push_all(db, manager, "bench-create", creates)
    ids = [e.args["id"] for e in creates]
    edits = outbox(
        "bench-edit",
        "workorder.update",
        [{"workOrderId": ids[i % len(ids)], "title": f"Başlık {i}", "priority": "HIGH"} for i in range(n)],
    )
    edit_s = push_all(db, tech, "bench-edit", edits)
    for label, what, seconds in (
        ("create", f"{n} work orders (created assigned)", create_s),
        ("edit", f"{n} edits of {len(ids)} work orders", edit_s),
    ):
        print(
            f"{label + ':':7} {what} in batches of {BATCH}: {seconds:.2f} s = {n / seconds:,.0f}/s "
            f"(aim >= 4,000); ratio to the raw insert baseline {n / seconds / raw_rate:.3f}"
        )


def bench_push(db: Database, path: Path, tech: User, orders: list[uuid.UUID], n: int) -> float:
    envelopes = outbox(
        "bench",
        "workorder.addNote",
        [{"workOrderId": str(orders[i % len(orders)]), "text": f"not {i}"} for i in range(n)],
    )

    push_s = push_all(db, tech, "bench", envelopes)
    events, changes = count(path, "work_order_events"), count(path, "sync_changes")
    replay_s = push_all(db, tech, "bench", envelopes)
    unchanged = (events, changes) == (count(path, "work_order_events"), count(path, "sync_changes"))

    # baseline: the same number of rows inserted raw in one transaction
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=FULL")
    rows = [
        (
            uuid.uuid4().hex,
            orders[0].hex,
            1_000_000 + i,
            "2026-11-22 10:00:00",
            tech.id.hex,
            "note",
            f"ham {i}",
        )
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

    rate, raw_rate = n / push_s, n / raw_s
    print(
        f"push:   {n} mutations in batches of {BATCH}: {push_s:.2f} s = {rate:,.0f} mutations/s "
        f"(aim >= 4,000); raw insert baseline {raw_rate:,.0f} rows/s; ratio {rate / raw_rate:.3f}"
    )
    print(
        f"replay: {n} duplicates: {replay_s:.2f} s (aim <= 0.5 s); state unchanged: {unchanged}; "
        f"ratio to first push {replay_s / push_s:.3f}"
    )
    return raw_rate


def bench_pull(db: Database, path: Path, manager: User, m: int) -> None:
    # a working set of m devices on one site, inserted raw (the pull is what is measured)
    con = sqlite3.connect(path, isolation_level=None)
    site_id = con.execute("SELECT id FROM sites LIMIT 1").fetchone()[0]
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO devices (id, site_id, kind, asset_tag, make, model, serial_number, firmware, status,"
        " is_public_city_watch, notes, version, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                uuid.uuid4().hex,
                site_id,
                "camera",
                f"DMB-{i:06d}",
                "Hikvision",
                "DS-2CD2143G2-I",
                f"SN{i:09d}",
                "V5.7.3",
                "active",
                0,
                "",
                1,
                "2026-11-22 10:00:00",
                "2026-11-22 10:00:00",
            )
            for i in range(m)
        ],
    )
    con.execute("COMMIT")
    started = time.perf_counter()
    raw = con.execute("SELECT * FROM devices").fetchall()
    raw_s = time.perf_counter() - started
    con.close()

    source = PersonSource(actor_for(manager))
    cursor: str | None = None
    pages = []
    started = time.perf_counter()
    while True:
        page = db.run_read(lambda s, c=cursor: pull.pull(s, source, c, limit=2000))
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            break
    pull_s = time.perf_counter() - started
    records = sum(len(p.changes) for p in pages)
    size = sum(len(json.dumps(ch.data)) for p in pages for ch in p.changes if ch.data)  # measured after
    print(
        f"pull:   first pull of {records:,} records: {pull_s:.2f} s = {records / pull_s:,.0f} records/s "
        f"(aim <= 6 s), {size / records:.0f} bytes/record (JSON data); raw SELECT of {len(raw):,} rows "
        f"{raw_s:.3f} s; ratio {raw_s / pull_s:.3f}"
    )


def main(n: int, m: int) -> None:
    install_change_tracking()  # as the server does at start-up
    load_all_commands()
    tune_gc()  # as the server does
    path = Path(tempfile.mkdtemp(prefix="saha-bench-")) / "bench.db"
    upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    tech, manager, orders = setup(db)
    raw_rate = bench_push(db, path, tech, orders, n)
    with db.read_session() as s:
        site_id = s.exec(select(Site.id)).first()
    bench_commands(db, tech, manager, site_id, n, raw_rate)
    bench_pull(db, path, manager, m)
    db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
