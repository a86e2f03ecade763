"""Checklists (issue 13): template versions, monthly rounds (once per site and month, also with
four replicas racing), answering and completing, extra cleaning, weekly recording coverage."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from backend.db.engine import Database
from backend.domain.assets.models import Device, DeviceKind
from backend.domain.diagnostics.models import ScheduledRun
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.maintenance.defaults import DEFAULTS
from backend.domain.maintenance.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistStatus,
    ChecklistTemplate,
    answer_id,
    round_id,
)
from backend.domain.maintenance.queries import recording_coverage, week_of
from backend.domain.people.auth import actor_for
from backend.domain.workorders.models import WorkOrder, WorkOrderStatus, WorkOrderType
from backend.jobs.rounds import month_of, open_rounds, prepare
from backend.jobs.scheduler import Scheduler, monthly_rounds_job
from tests.factories import make_device, make_site, run
from tests.integration.conftest import World

MONTH = "2026-12"


def _active(db: Database, world: World, device: Device) -> Device:
    updated: Device = run(db, world.admin, "device.update", {"deviceId": device.id, "status": "ACTIVE"})
    return updated


def _prepared(db: Database, world: World) -> None:
    db.run_write(prepare)
    _active(db, world, world.cam_north)
    _active(db, world, world.cam_south)


def _refused(code: ErrorCode, fn: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code is code
    return info.value


def _checklists(db: Database, wo_id: uuid.UUID) -> list[Checklist]:
    with db.read_session() as s:
        return list(s.exec(select(Checklist).where(Checklist.work_order_id == wo_id)).all())


def _template(db: Database, key: str) -> ChecklistTemplate:
    with db.read_session() as s:
        return s.exec(
            select(ChecklistTemplate).where(ChecklistTemplate.key == key, col(ChecklistTemplate.is_current))
        ).one()


def _items(template: ChecklistTemplate) -> list[dict[str, Any]]:
    return [dict(item) for item in template.items]


# ---- templates ----------------------------------------------------------------------------------


def test_defaults_are_seeded_once(db: Database) -> None:
    db.run_write(prepare)
    db.run_write(prepare)
    with db.read_session() as s:
        rows = s.exec(select(ChecklistTemplate)).all()
    assert sorted(t.key for t in rows) == sorted(DEFAULTS)
    camera = next(t for t in rows if t.key == "camera.monthly")
    keys = [i["key"] for i in camera.items]
    assert {
        "lens_clean",
        "mount_angle",
        "cabling",
        "ir_night",
        "power_poe",
        "sign_present",
        "image_vs_reference",
    } <= set(keys)
    recorder = next(t for t in rows if t.key == "recorder.monthly")
    retention = next(i for i in recorder.items if i["key"] == "retention_days")
    assert (retention["min"], retention["unit"]) == (20, "gün")  # directive 9: at least 20 days
    assert all(i["labelTr"] and i["labelEn"] for t in rows for i in t.items)


def test_an_edit_makes_a_new_version_and_checklists_keep_theirs(db: Database, world: World) -> None:
    _prepared(db, world)
    v1 = _template(db, "camera.monthly")
    wo = run(db, world.manager, "cleaning.openRound", {"siteId": world.site_north.id, "month": MONTH})
    [made] = _checklists(db, wo.id)
    assert made.template_id == v1.id

    items = [i for i in _items(v1) if i["key"] != "ir_night"]
    items.append(
        {
            "key": "bird_spikes",
            "type": "yes_no",
            "labelTr": "Kuş dikeni sağlam",
            "labelEn": "Bird spikes sound",
            "expected": True,
        }
    )
    args = {"templateId": v1.id, "titleTr": v1.title_tr, "titleEn": v1.title_en, "items": items}
    _refused(ErrorCode.PERMISSION_DENIED, run, db, world.manager, "checklist.editTemplate", args)
    v2 = run(db, world.admin, "checklist.editTemplate", args)
    assert (v2.key, v2.revision, v2.is_current) == ("camera.monthly", 2, True)
    # editing the old version again is refused: the change belongs on the current one
    _refused(ErrorCode.CHECKLIST_TEMPLATE_SUPERSEDED, run, db, world.admin, "checklist.editTemplate", args)
    bad = {**args, "templateId": v2.id, "items": [*items, items[0]]}
    _refused(ErrorCode.CHECKLIST_TEMPLATE_INVALID, run, db, world.admin, "checklist.editTemplate", bad)

    with db.read_session() as s:
        old = s.get(ChecklistTemplate, v1.id)
        assert old is not None
        assert not old.is_current
        assert old.items == v1.items
    [kept] = _checklists(db, wo.id)
    assert kept.template_id == v1.id
    # the old checklist is answered against its own version: the removed item still exists there
    run(db, world.manager, "checklist.answer", {"checklistId": kept.id, "itemKey": "ir_night", "value": True})
    _refused(
        ErrorCode.CHECKLIST_UNKNOWN_ITEM,
        run,
        db,
        world.manager,
        "checklist.answer",
        {"checklistId": kept.id, "itemKey": "bird_spikes", "value": True},
    )
    # a round opened afterwards uses the new version
    later = run(db, world.manager, "cleaning.openRound", {"siteId": world.site_north.id, "month": "2027-01"})
    [new] = _checklists(db, later.id)
    assert new.template_id == v2.id


# ---- rounds -------------------------------------------------------------------------------------


def test_a_round_holds_one_checklist_per_device_in_service(db: Database, world: World) -> None:
    _prepared(db, world)
    recorder = _active(db, world, make_device(db, world.admin, world.site_north, kind=DeviceKind.RECORDER))
    make_device(db, world.admin, world.site_north)  # planned: not in service, no checklist
    wo = run(
        db,
        world.manager,
        "cleaning.openRound",
        {"siteId": world.site_north.id, "month": MONTH, "assigneeId": world.tech.id},
    )
    assert (wo.type, wo.status, wo.assignee_id, str(wo.due_on)) == (
        WorkOrderType.CLEANING,
        WorkOrderStatus.ASSIGNED,
        world.tech.id,
        "2026-12-31",
    )
    made = _checklists(db, wo.id)
    assert sorted(c.device_id for c in made) == sorted([world.cam_north.id, recorder.id])
    assert sorted(c.position for c in made) == [1, 2]
    # opening it again finds the same round
    again = run(db, world.manager, "cleaning.openRound", {"siteId": world.site_north.id, "month": MONTH})
    assert again.id == wo.id == round_id(world.site_north.id, MONTH)
    assert len(_checklists(db, wo.id)) == 2
    empty = make_site(db, world.admin, region=world.north)
    _refused(
        ErrorCode.CLEANING_NOTHING_TO_CLEAN,
        run,
        db,
        world.manager,
        "cleaning.openRound",
        {"siteId": empty.id, "month": MONTH},
    )


def _answer_all(db: Database, who: Any, checklist: Checklist, **override: Any) -> None:
    with db.read_session() as s:
        template = s.get(ChecklistTemplate, checklist.template_id)
    assert template is not None
    for item in template.items:
        if item["type"] == "photo":
            continue
        value = override.get(item["key"], item["expected"])
        run(
            db, who, "checklist.answer", {"checklistId": checklist.id, "itemKey": item["key"], "value": value}
        )


def test_answering_and_completing_a_checklist_then_the_round_lifecycle(db: Database, world: World) -> None:
    _prepared(db, world)
    wo = run(
        db,
        world.manager,
        "cleaning.openRound",
        {"siteId": world.site_north.id, "month": MONTH, "assigneeId": world.tech.id},
    )
    [checklist] = _checklists(db, wo.id)
    ref = {"checklistId": checklist.id}
    # another region's technician does not see it
    _refused(
        ErrorCode.NOT_FOUND,
        run,
        db,
        world.tech_south,
        "checklist.answer",
        {**ref, "itemKey": "lens_clean", "value": True},
    )
    _refused(
        ErrorCode.CHECKLIST_BAD_VALUE,
        run,
        db,
        world.tech,
        "checklist.answer",
        {**ref, "itemKey": "lens_clean", "value": "evet"},
    )
    _refused(
        ErrorCode.CHECKLIST_INCOMPLETE, run, db, world.tech, "checklist.complete", {**ref, "status": "DONE"}
    )
    _answer_all(db, world.tech, checklist, sign_present=False)
    _refused(
        ErrorCode.CHECKLIST_HAS_FAILED_ITEMS,
        run,
        db,
        world.tech,
        "checklist.complete",
        {**ref, "status": "DONE"},
    )
    _refused(
        ErrorCode.CHECKLIST_NOTE_REQUIRED,
        run,
        db,
        world.tech,
        "checklist.complete",
        {**ref, "status": "PROBLEM"},
    )
    done = run(db, world.tech, "checklist.complete", {**ref, "status": "PROBLEM", "note": "Levha düşmüş"})
    assert (done.status, done.completed_by_id) == (ChecklistStatus.PROBLEM, world.tech.id)
    # the sign is put back: answered again and marked done
    run(
        db,
        world.tech,
        "checklist.answer",
        {**ref, "itemKey": "sign_present", "value": True, "note": "Yeni levha takıldı"},
    )
    assert run(db, world.tech, "checklist.complete", {**ref, "status": "DONE"}).status is ChecklistStatus.DONE
    with db.read_session() as s:
        answer = s.get(ChecklistAnswer, answer_id(checklist.id, "sign_present"))
    assert answer is not None
    assert (answer.value, answer.version, answer.note) == (
        True,
        2,
        "Yeni levha takıldı",
    )
    # the round follows the work-order lifecycle; once submitted its checklists are frozen
    run(db, world.tech, "workorder.start", {"workOrderId": wo.id})
    run(db, world.tech, "workorder.submit", {"workOrderId": wo.id})
    _refused(
        ErrorCode.WORKORDER_FROZEN,
        run,
        db,
        world.tech,
        "checklist.answer",
        {**ref, "itemKey": "lens_clean", "value": False},
    )
    run(db, world.manager, "workorder.approve", {"workOrderId": wo.id})


def test_extra_cleaning_on_demand(db: Database, world: World) -> None:
    _prepared(db, world)
    wo_id = uuid.uuid4()
    args = {"id": wo_id, "deviceId": world.cam_north.id, "reason": "Fırtınadan sonra lens çamurlu"}
    _refused(ErrorCode.NOT_FOUND, run, db, world.tech_south, "cleaning.openExtra", args)
    wo = run(db, world.tech, "cleaning.openExtra", args)
    assert (wo.id, wo.type, wo.assignee_id, wo.status) == (
        wo_id,
        WorkOrderType.CLEANING,
        world.tech.id,
        WorkOrderStatus.ASSIGNED,
    )
    assert wo.title.startswith("Ek temizlik: ")
    assert run(db, world.tech, "cleaning.openExtra", args).id == wo_id  # a replay
    [checklist] = _checklists(db, wo_id)
    assert checklist.device_id == world.cam_north.id


# ---- the monthly job ------------------------------------------------------------------------------


def test_four_replicas_open_each_round_exactly_once(db: Database, world: World) -> None:
    _prepared(db, world)
    sites = [make_site(db, world.admin, region=world.north) for _ in range(5)]
    for site in sites:
        _active(db, world, make_device(db, world.admin, site))
    expected = {world.site_north.id, world.site_south.id, *(s.id for s in sites)}
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 06:00 in İstanbul on the 1st

    async def rounds() -> tuple[int, int]:
        return await asyncio.to_thread(open_rounds, db, month_of(now), clock=lambda: now)

    async def nothing(*_: Any) -> tuple[int, int]:
        raise AssertionError("no sweep here")

    ran: list[list[str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def replica(i: int) -> None:
        scheduler = Scheduler(
            db, nothing, [monthly_rounds_job(5, rounds)], clock=lambda: now, instance=f"replica-{i}"
        )
        start.wait()
        try:
            ran.append(asyncio.run(scheduler.tick()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ran) == [[], [], [], ["monthly-cleaning-rounds"]]
    with db.read_session() as s:
        orders = s.exec(select(WorkOrder).where(WorkOrder.type == WorkOrderType.CLEANING)).all()
        claims = s.exec(select(ScheduledRun).where(ScheduledRun.job == "monthly-cleaning-rounds")).all()
        checklists = s.exec(select(Checklist)).all()
    assert sorted(o.site_id for o in orders) == sorted(expected)
    assert [(c.period, c.devices, c.failures) for c in claims] == [("2026-12", 7, 0)]
    assert len(checklists) == 7
    # region rules: the north has one technician, the south one: both rounds are assigned
    by_site = {o.site_id: o for o in orders}
    assert by_site[world.site_north.id].assignee_id == world.tech.id
    assert by_site[world.site_south.id].assignee_id == world.tech_south.id
    # run again by hand (after a crash): nothing more is opened
    assert open_rounds(db, "2026-12", clock=lambda: now) == (0, 0)


def test_the_monthly_period_starts_at_the_hour_of_the_first() -> None:
    job = monthly_rounds_job(5, lambda: None)  # type: ignore[arg-type, return-value]
    assert job.period(datetime(2026, 12, 1, 1, 59, tzinfo=UTC)) is None  # 04:59 in İstanbul
    assert job.period(datetime(2026, 12, 1, 2, 0, tzinfo=UTC)) == "2026-12"
    assert job.period(datetime(2026, 11, 30, 21, 30, tzinfo=UTC)) is None  # 1 December 00:30 local
    assert job.period(datetime(2026, 12, 20, 0, 0, tzinfo=UTC)) == "2026-12"  # a missed start catches up
    assert month_of(datetime(2026, 11, 30, 21, 30, tzinfo=UTC)) == "2026-12"


# ---- weekly recording check --------------------------------------------------------------------------


def test_weekly_coverage_with_and_without_onvif(db: Database, world: World) -> None:
    _prepared(db, world)
    onvif = _active(
        db, world, make_device(db, world.admin, world.site_north, kind=DeviceKind.RECORDER, ip="10.1.1.20")
    )
    manual = _active(db, world, make_device(db, world.admin, world.site_north, kind=DeviceKind.RECORDER))
    missed = _active(db, world, make_device(db, world.admin, world.site_south, kind=DeviceKind.RECORDER))
    not_supported = _active(
        db, world, make_device(db, world.admin, world.site_south, kind=DeviceKind.RECORDER, ip="10.2.1.20")
    )
    now = datetime.now(UTC)
    week = week_of(now)

    def diagnose(device: Device, verdict: str) -> None:
        result = {
            "check": "recording_active",
            "verdict": verdict,
            "message": "",
            "evidence": {},
            "durationMs": 5,
        }
        args = {
            "id": uuid.uuid4(),
            "deviceId": device.id,
            "source": "REMOTE",
            "startedAt": now,
            "finishedAt": now + timedelta(seconds=1),
            "results": [result],
        }
        run(db, world.manager, "diagnostics.record", args)

    diagnose(onvif, "ok")
    diagnose(not_supported, "not_supported")  # the recorder cannot answer: the checklist must
    check_id = uuid.uuid4()
    _refused(
        ErrorCode.CHECKLIST_NOT_A_RECORDER,
        run,
        db,
        world.tech,
        "checklist.openRecordingCheck",
        {"id": check_id, "deviceId": world.cam_north.id},
    )
    checklist = run(db, world.tech, "checklist.openRecordingCheck", {"id": check_id, "deviceId": manual.id})
    assert (
        run(db, world.tech, "checklist.openRecordingCheck", {"id": check_id, "deviceId": manual.id}).id
        == check_id
    )
    _answer_all(db, world.tech, checklist)
    run(db, world.tech, "checklist.complete", {"checklistId": check_id, "status": "DONE"})

    with db.read_session() as s:
        rows = recording_coverage(s, actor_for(world.manager), week)
        north_only = recording_coverage(s, actor_for(world.tech), week)
        last_week = recording_coverage(s, actor_for(world.manager), week_of(now - timedelta(days=7)))
    got = {r.device_id: r.satisfied_by for r in rows}
    assert got == {onvif.id: "onvif", manual.id: "checklist", missed.id: None, not_supported.id: None}
    assert {r.device_id for r in north_only} == {onvif.id, manual.id}
    assert all(r.missed for r in last_week)
    assert len(last_week) == 4


def test_item_photos_are_blob_references_seen_with_the_checklist(db: Database, world: World) -> None:
    from backend.domain.blobs.refs import is_referenced, visibly_referenced

    _prepared(db, world)
    wo = run(
        db,
        world.manager,
        "cleaning.openRound",
        {"siteId": world.site_north.id, "month": MONTH, "assigneeId": world.tech.id},
    )
    [checklist] = _checklists(db, wo.id)
    photo = "ab" * 32  # still uploading: the reference may come first
    args = {"checklistId": checklist.id, "itemKey": "photo_after", "photos": [photo]}
    answer = run(db, world.tech, "checklist.answer", args)
    assert answer.photos == [photo]
    with db.read_session() as s:
        assert is_referenced(s, photo)
        assert visibly_referenced(s, actor_for(world.manager), photo)
        assert not visibly_referenced(s, actor_for(world.tech_south), photo)


@pytest.mark.parametrize("week", ["2026-W60", "next week", "2026"])
async def test_a_week_that_is_not_one_is_refused_not_replaced(gql: Any, world: World, week: str) -> None:
    body = await gql(
        "query ($w: String!) { recordingCoverage(week: $w) { deviceId } }",
        {"w": week},
        token=world.token(world.manager),
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION_FAILED"]
