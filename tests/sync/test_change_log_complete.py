"""Every version bump reaches the change log, or phones never pull it (the sealed PDF was the
case: version 5 on the row, 4 in the log, so no phone learnt ``pdfSha256``).

The whole suite runs under the change-log audit (tests/change_audit.py, installed by the ``db``
fixture): a write to a tracked table that a transaction commits without its change-log row fails
the test that made it. The tests here pin the sealed PDF and show that the audit catches the
kinds of write that skip the log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, text, update
from sqlmodel import col, select

from backend.db.engine import Database
from backend.domain.surveys.models import Minutes
from backend.domain.surveys.queries import record_pdf
from backend.domain.workorders.models import WorkOrder
from sync.models import ChangeLog
from tests.change_audit import ChangeAudit
from tests.factories import make_work_order, reload
from tests.integration.conftest import World
from tests.sync.conftest import Push
from tests.sync.test_sealing import _seal_through_sync, _survey


def _newest_change(db: Database, entity: str, entity_id: uuid.UUID) -> ChangeLog:
    with db.read_session() as s:
        return s.exec(
            select(ChangeLog)
            .where(ChangeLog.entity == entity, ChangeLog.entity_id == entity_id)
            .order_by(col(ChangeLog.seq).desc())
        ).first()


def test_the_sealed_pdf_is_a_logged_change_that_phones_pull(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    # given sealed minutes that a party's phone has pulled
    minutes, _ = _seal_through_sync(db, world, push, _survey(db, world))
    state, cursor, _ = pull_all(world.security)
    assert state[("minutes", str(minutes.id))]["pdfSha256"] is None

    # when the sealed PDF is made (twice: a concurrent second render loses)
    first = db.run_write(lambda s: record_pdf(s, minutes.id, "a" * 64))
    second = db.run_write(lambda s: record_pdf(s, minutes.id, "b" * 64))

    # then it is recorded once, as a change of the next version, and the phone pulls it
    after = reload(db, Minutes, minutes.id)
    newest = _newest_change(db, "minutes", minutes.id)
    assert first == second == after.pdf_sha256 == "a" * 64
    assert after.version == minutes.version + 1
    assert (newest.version, newest.fields) == (after.version, ["pdf_sha256", "version"])
    state, _, _ = pull_all(world.security, cursor, state=state)
    assert state[("minutes", str(minutes.id))]["pdfSha256"] == "a" * 64
    assert state[("minutes", str(minutes.id))]["version"] == after.version


def _caught(audit: ChangeAudit, what: str) -> list[str]:
    found = [f for f in audit.failures if what in f]
    audit.failures.clear()  # seen: the fixture's own check at teardown stays green
    return found


def test_the_audit_catches_every_kind_of_write_that_skips_the_change_log(
    db: Database, world: World, change_audit: ChangeAudit
) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    assert change_audit.commits > 0  # it ran …
    assert change_audit.failures == []  # … and Saha's own writes pass

    # an ORM-enabled UPDATE (the sealed PDF's old statement), a driver-level UPDATE that does not
    # even bump the version, a Core INSERT, a DELETE: each is caught when it commits
    with db.write_session() as s:
        s.execute(update(WorkOrder).where(col(WorkOrder.id) == wo.id).values(version=WorkOrder.version + 1))
    assert _caught(change_audit, f"upsert of workOrder {_id(db, wo.id)} (version {wo.version + 1})")

    with db.write_session() as s:
        s.connection().exec_driver_sql("UPDATE work_orders SET title = 'x'")
    assert _caught(change_audit, f"upsert of workOrder {_id(db, wo.id)}")

    row = {**reload(db, WorkOrder, wo.id).model_dump(), "id": uuid.uuid4(), "number": "X-1"}
    with db.write_session() as s:
        s.execute(insert(WorkOrder.__table__).values(row))  # type: ignore[attr-defined]
    assert _caught(change_audit, f"upsert of workOrder {_id(db, row['id'])}")

    with db.write_session() as s:
        s.execute(text("DELETE FROM work_orders WHERE number = 'X-1'"))
    assert _caught(change_audit, f"delete of workOrder {_id(db, row['id'])}")


def test_the_audit_ignores_what_is_rolled_back(db: Database, world: World, change_audit: ChangeAudit) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    with db.write_session() as s:
        nested = s.begin_nested()
        s.execute(update(WorkOrder).where(col(WorkOrder.id) == wo.id).values(title="undone"))
        nested.rollback()
    assert change_audit.failures == []
    assert reload(db, WorkOrder, wo.id).title == wo.title


def _id(db: Database, value: uuid.UUID) -> str:
    """An id as the database spells it (SQLite: 32 hex digits; PostgreSQL: the usual form)."""
    return value.hex if db.dialect == "sqlite" else str(value)
