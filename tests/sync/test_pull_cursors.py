"""Pull cursors are placed before they are trusted (invariant 4).

A cursor of another database or epoch, ahead of the log, in its pruned part, or naming a row that
is not the one at its seq now (a restored backup hands those seqs out again) answers ``reset``; a
seq is never handed out twice, also once pruning has emptied the log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from backend.db.engine import Database
from backend.db.migrate import upgrade
from backend.domain.people.models import User
from sync import pull
from sync.models import ChangeLog
from tests.factories import make_work_order, run
from tests.integration.conftest import World
from tests.sync.test_pull import _server_state

BEFORE_EPOCH = "a10d00000004"


def _retitle(db: Database, world: World, wo_id: uuid.UUID, title: str) -> None:
    run(db, world.manager, "workorder.update", {"work_order_id": wo_id, "title": title})


def _high_water(db: Database) -> int:
    return db.run_read(pull.high_water)


def _assert_fresh(pages: list[Any], state: dict[Any, Any], db: Database, user: User) -> None:
    assert pages[0].reset is True
    assert state == _server_state(db, user)


def test_an_up_to_date_cursor_is_placed_and_brings_only_news(
    db: Database, world: World, pull_all: Any
) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    state, cursor, _ = pull_all(world.tech)
    epoch = db.run_read(pull.database_epoch)

    _retitle(db, world, wo.id, "Kamera 7 bakım")
    state, cursor, pages = pull_all(world.tech, cursor, state=state)

    assert cursor.startswith(f"c.{epoch}.{_high_water(db)}.")
    assert [p.reset for p in pages] == [False]
    assert [(c.entity, c.id) for c in pages[0].changes if c.entity == "workOrder"] == [("workOrder", wo.id)]
    assert state[("workOrder", str(wo.id))]["title"] == "Kamera 7 bakım"
    assert state == _server_state(db, world.tech)


def test_a_prune_that_empties_the_log_never_hands_a_seq_out_again(
    db: Database, world: World, pull_all: Any
) -> None:
    # given a device that is up to date, and a retention run that forgets the whole log
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    state, cursor, _ = pull_all(world.tech)
    emptied_at = _high_water(db)
    db.run_write(lambda s: pull.prune(s, pull.high_water(s)))

    # when the work order changes afterwards
    run(db, world.tech, "workorder.start", {"work_order_id": wo.id})

    # then the new changes come after everything handed out before, and the device receives them
    with db.read_session() as s:
        seqs = [int(seq or 0) for seq in s.exec(select(ChangeLog.seq)).all()]
    assert seqs
    assert min(seqs) > emptied_at
    state, _, pages = pull_all(world.tech, cursor, state=state)
    assert pages[0].reset is False
    assert state[("workOrder", str(wo.id))]["status"] == "IN_PROGRESS"
    assert state == _server_state(db, world.tech)


@pytest.mark.parametrize("where", ["incremental", "mid-snapshot"])
def test_a_new_epoch_resets_every_cursor(db: Database, world: World, pull_all: Any, where: str) -> None:
    for _ in range(3):
        make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    if where == "incremental":
        _, cursor, _ = pull_all(world.tech)
    else:
        cursor = db.run_read(lambda s: pull.pull(s, pull_source(world.tech), None, limit=2)).next_cursor
        assert cursor.startswith("s.")

    # when the operator starts a new epoch (after restoring a backup, say)
    before = db.run_read(pull.database_epoch)
    after = db.run_write(pull.new_epoch)

    state, _, pages = pull_all(world.tech, cursor, state={("workOrder", "stale"): {}})
    assert after != before
    _assert_fresh(pages, state, db, world.tech)


def test_a_cursor_of_another_database_resets(db: Database, world: World, pull_all: Any) -> None:
    make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    _, cursor, _ = pull_all(world.tech)
    kind, _epoch, seq, mark = cursor.split(".")

    state, _, pages = pull_all(world.tech, f"{kind}.0123456789abcdef.{seq}.{mark}", state={("x", "y"): {}})

    _assert_fresh(pages, state, db, world.tech)


def test_a_cursor_ahead_of_the_log_resets(db: Database, world: World, pull_all: Any) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    _, cursor, _ = pull_all(world.tech)
    kind, epoch, seq, mark = cursor.split(".")

    # a cursor from a later state of this log (e.g. handed out before the database was restored)
    ahead = f"{kind}.{epoch}.{int(seq) + 5}.{mark}"
    _retitle(db, world, wo.id, "yeni")
    state, _, pages = pull_all(world.tech, ahead, state={("x", "y"): {}})

    _assert_fresh(pages, state, db, world.tech)
    assert state[("workOrder", str(wo.id))]["title"] == "yeni"


def test_a_cursor_from_before_a_restore_resets_although_its_seq_exists_again(
    db: Database, world: World, pull_all: Any
) -> None:
    # given a backup taken here, then changes a device pulled
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    backup = _high_water(db)
    run(db, world.tech, "workorder.start", {"work_order_id": wo.id})
    run(db, world.tech, "workorder.addNote", {"work_order_id": wo.id, "text": "kablo değişti"})
    state, cursor, _ = pull_all(world.tech)
    lost = _high_water(db)
    assert lost > backup

    # when the log is restored to the backup (seqs after it are handed out again) and, once
    # restored, other changes reach at least as far as the device's cursor
    _restore_log(db, backup)
    n = 0
    while _high_water(db) <= lost:
        n += 1
        _retitle(db, world, wo.id, f"geri yüklendi {n}")

    # then the device's cursor is not placed: it starts again from a snapshot, missing nothing
    state, _, pages = pull_all(world.tech, cursor, state=state)
    _assert_fresh(pages, state, db, world.tech)
    assert state[("workOrder", str(wo.id))]["title"] == f"geri yüklendi {n}"


def _restore_log(db: Database, through: int) -> None:
    """The change log as a restored backup has it: rows up to ``through``, its sequence there."""
    with db.write_session() as s:
        s.execute(text("DELETE FROM sync_changes WHERE seq > :n"), {"n": through})
        if db.dialect == "postgresql":
            s.execute(
                text("SELECT setval(pg_get_serial_sequence('sync_changes', 'seq'), :n)"), {"n": through}
            )
        else:
            s.execute(text("UPDATE sqlite_sequence SET seq = :n WHERE name = 'sync_changes'"), {"n": through})


@pytest.mark.parametrize(
    "cursor",
    [
        "c.5",  # the format before epochs: every device rebuilds once
        "s.5.0.",
        "c.{epoch}.-1.",
        "c.{epoch}.{hw}.ffffffffffff",  # a mark that is not this row's
        "c.{epoch}.x.",
        "s.{epoch}.{hw}.{mark}.99.",
        "s.{epoch}.{hw}.{mark}.-1.",
        "s.{epoch}.{hw}.{mark}.0.not-a-uuid",
        "c.{epoch}.{hw}.{mark}.extra",
        "",
    ],
)
def test_cursors_the_server_cannot_place_reset(
    db: Database, world: World, pull_all: Any, cursor: str
) -> None:
    make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    _, current, _ = pull_all(world.tech)
    _, epoch, hw, mark = current.split(".")
    given = cursor.format(epoch=epoch, hw=hw, mark=mark)

    state, _, pages = pull_all(world.tech, given or None, state={("x", "y"): {}})

    # (no cursor at all is a first snapshot: not a reset, but the same complete state)
    assert pages[0].reset is bool(given)
    assert state == _server_state(db, world.tech) | ({} if given else {("x", "y"): {}})


def test_a_cursor_at_the_pruned_edge_is_still_placed(db: Database, world: World, pull_all: Any) -> None:
    # given a device up to date, then a retention run that forgets exactly what it has seen
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    state, cursor, _ = pull_all(world.tech)
    db.run_write(lambda s: pull.prune(s, int(cursor.split(".")[2])))
    _retitle(db, world, wo.id, "sınırda")

    # then its cursor (whose row is gone) still continues without a reset
    state, _, pages = pull_all(world.tech, cursor, state=state)
    assert pages[0].reset is False
    assert state[("workOrder", str(wo.id))]["title"] == "sınırda"


def test_migration_creates_an_epoch_and_starts_seqs_past_the_pruned_log(db: Database, tmp_path: Path) -> None:
    if db.dialect == "postgresql":
        # the epoch only (PostgreSQL sequences never repeat a value); this revision's upgrade
        # alone, on the emptied test database (not a downgrade through the later revisions)
        from alembic.migration import MigrationContext
        from alembic.operations import Operations

        with db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            _epoch_migration().upgrade()
        assert db.run_read(pull.database_epoch) != pull.NO_EPOCH
        return
    # given a SQLite database of the previous revision whose whole log was pruned through 40
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, BEFORE_EPOCH)
    old = Database(url, null_pool=True)
    try:
        with old.engine.begin() as conn:
            conn.execute(text("INSERT INTO sync_meta (key, value) VALUES ('changes_pruned_through', '40')"))
    finally:
        old.dispose()

    # when migrated to head, and something changes
    upgrade(url)
    new = Database(url, null_pool=True)
    try:
        from tests.factories import make_region

        make_region(new, "Doğu")
        with new.read_session() as s:
            seqs = [int(seq or 0) for seq in s.exec(select(ChangeLog.seq)).all()]
            epoch = pull.database_epoch(s)
    finally:
        new.dispose()

    # then the new change comes after everything ever handed out, and the database has an epoch
    assert seqs
    assert min(seqs) > 40
    assert epoch != pull.NO_EPOCH
    assert len(epoch) == 16


def test_saha_sync_new_epoch_resets_every_device(
    db: Database, world: World, pull_all: Any, tmp_path: Path
) -> None:
    make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    _, cursor, _ = pull_all(world.tech)

    env = {**os.environ, "SAHA_DATABASE_URL": db.url, "SAHA_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "backend", "sync-new-epoch"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert db.run_read(pull.database_epoch) in done.stdout
    state, _, pages = pull_all(world.tech, cursor, state={("x", "y"): {}})
    _assert_fresh(pages, state, db, world.tech)


def _epoch_migration() -> Any:
    import importlib.util

    import backend.db.migrations.versions as versions

    path = Path(next(iter(versions.__path__))) / "2026_12_05_1700_sync_database_epoch.py"
    spec = importlib.util.spec_from_file_location("sync_database_epoch", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pull_source(user: User) -> Any:
    from backend.domain.people.auth import actor_for
    from backend.domain.sync_adapter import PersonSource

    return PersonSource(actor_for(user))
