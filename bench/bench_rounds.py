"""Monthly maintenance rounds: opening a month's rounds for 5,000 devices on 500 sites (issue 13).

Runs the real job (``backend.jobs.rounds.open_rounds``: the shipped templates, region rules for
the assignee, ``cleaning.openRound`` per site — the work order with its timeline, one checklist per
device in service, the change log) on SQLite, then inserts the same rows (work orders, their
events, checklists, change-log rows, counters aside) raw with ``sqlite3`` into a copy of the
database as it was before, in one transaction: the machine's limit. Prints both times and the
ratio (raw / job), and checks that a second run opens nothing.

    .venv/bin/python bench/bench_rounds.py [sites] [devices per site]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.cli import tune_gc  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.db.migrate import upgrade  # noqa: E402
from backend.domain.assets.models import Device, DeviceKind, DeviceStatus, RecordingLocation, Site, SiteKind  # noqa: E402
from backend.domain.commands import load_all_commands  # noqa: E402
from backend.domain.people.models import Region, Role, User  # noqa: E402
from backend.domain.sync_adapter import install_change_tracking  # noqa: E402
from backend.jobs.rounds import open_rounds, prepare  # noqa: E402

MONTH = "2026-12"
KINDS = [DeviceKind.RECORDER, DeviceKind.SWITCH] + [DeviceKind.CAMERA] * 8
TABLES = ("work_orders", "work_order_events", "checklists", "sync_changes")


def setup(db: Database, sites: int, per_site: int) -> None:
    with db.write_session() as s:
        regions = [Region(name=f"Bölge {i}") for i in range(5)]
        s.add_all(regions)
        s.flush()
        for i, region in enumerate(regions):  # one technician per region: rounds get assigned
            s.add(
                User(
                    username=f"tech{i}",
                    full_name=f"Teknisyen {i}",
                    role=Role.TECHNICIAN,
                    region_id=region.id,
                    password_hash="-",  # noqa: S106 - nobody signs in
                )
            )
        for i in range(sites):
            site = Site(
                code=f"S{i:04d}",
                name=f"Saha {i}",
                kind=SiteKind.SERVICE_BUILDING,
                district="Merkez",
                recording_location=RecordingLocation.OWN_CABINET,
                region_id=regions[i % len(regions)].id,
            )
            s.add(site)
            s.flush()
            s.add_all(
                Device(
                    site_id=site.id,
                    kind=KINDS[j % len(KINDS)],
                    asset_tag=f"DMB-{i:04d}-{j:03d}",
                    status=DeviceStatus.ACTIVE,
                )
                for j in range(per_site)
            )
    db.run_write(prepare)


def high_water(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def raw_copy(source: Path, target: Path, since: dict[str, int]) -> tuple[int, float]:
    """The rows the job wrote, read from ``source``, inserted raw into ``target``: (rows, seconds)."""
    with sqlite3.connect(source) as src:
        batches = []
        for table in TABLES:
            cursor = src.execute(f"SELECT * FROM {table} WHERE rowid > ?", (since[table],))  # noqa: S608
            columns = [c[0] for c in cursor.description]
            batches.append((table, columns, cursor.fetchall()))
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA foreign_keys = ON")
    start = time.perf_counter()
    with conn:
        for table, columns, rows in batches:
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
    elapsed = time.perf_counter() - start
    conn.close()
    return sum(len(rows) for _, _, rows in batches), elapsed


def main(sites: int, per_site: int) -> None:
    install_change_tracking()
    load_all_commands()
    tune_gc()
    workdir = Path(tempfile.mkdtemp(prefix="saha-bench-rounds-"))
    path = workdir / "bench.db"
    upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    setup(db, sites, per_site)
    baseline = workdir / "baseline.db"
    with sqlite3.connect(path) as src, sqlite3.connect(baseline) as dst:
        src.backup(dst)  # the database as it is, write-ahead log included
    before = high_water(path)

    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    start = time.perf_counter()
    opened, refused = open_rounds(db, MONTH, clock=lambda: now)
    job_s = time.perf_counter() - start
    assert (opened, refused) == (sites, 0), (opened, refused)
    start = time.perf_counter()
    assert open_rounds(db, MONTH, clock=lambda: now) == (0, 0)  # idempotent: nothing more
    again_s = time.perf_counter() - start
    db.dispose()

    rows, raw_s = raw_copy(path, baseline, before)
    devices = sites * per_site
    print(
        f"rounds: {sites:,} rounds, {devices:,} checklists in {job_s:.2f} s "
        f"({devices / job_s:,.0f} checklists/s); second run {again_s:.2f} s, opened nothing"
    )
    print(f"raw:    the same {rows:,} rows inserted with sqlite3 in {raw_s:.3f} s; ratio {raw_s / job_s:.3f}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, int(sys.argv[2]) if len(sys.argv) > 2 else 10)
