"""Read models of maintenance: the weekly recording coverage of recorders (directive 12(1)).

A recorder's ISO week (Europe/Istanbul) is satisfied by the automatic ONVIF check when the
recorder answered it (a diagnosis of the week, scheduled or started by a person, whose
``recording_active`` check ran: not "not supported", not skipped), otherwise by a weekly
recording checklist completed that week; a week with neither is missed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from backend.domain.assets.models import Device, DeviceKind
from backend.domain.diagnostics.models import Diagnosis, DiagnosisSource
from backend.domain.maintenance.commands import IN_SERVICE
from backend.domain.maintenance.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistPurpose,
    ChecklistStatus,
    ChecklistTemplate,
)
from backend.domain.people.permissions import Actor
from backend.domain.scope import scope_for

LOCAL = ZoneInfo("Europe/Istanbul")
RECORDING_CHECK = "recording_active"
ANSWERED = ("ok", "warning", "fail")  # verdicts of a check that ran
ONVIF_RUNS = (DiagnosisSource.WEEKLY, DiagnosisSource.REMOTE, DiagnosisSource.PROBE)


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """``2026-W49`` → [Monday 00:00, next Monday 00:00) in Istanbul, as UTC instants."""
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    start = datetime.combine(monday, time(), LOCAL).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(), LOCAL).astimezone(UTC)
    return start, end


def week_of(at: datetime) -> str:
    year, number, _ = at.astimezone(LOCAL).isocalendar()
    return f"{year}-W{number:02d}"


@dataclass(frozen=True)
class RecorderWeek:
    device_id: uuid.UUID
    asset_tag: str
    site_id: uuid.UUID
    week: str
    satisfied_by: str | None  # "onvif", "checklist", None: missed

    @property
    def missed(self) -> bool:
        return self.satisfied_by is None


def _ran_recording_check(results: list[dict[str, object]]) -> bool:
    return any(r.get("check") == RECORDING_CHECK and r.get("verdict") in ANSWERED for r in results)


def recording_coverage(session: Session, actor: Actor, week: str) -> list[RecorderWeek]:
    """Every recorder in service the actor sees, for ``week``: satisfied how, or missed."""
    start, end = week_bounds(week)
    recorders = session.exec(
        select(Device)
        .where(
            Device.kind == DeviceKind.RECORDER,
            col(Device.status).in_(IN_SERVICE),
            scope_for("device", actor),
        )
        .order_by(col(Device.asset_tag))
    ).all()
    ids = [r.id for r in recorders]
    by_onvif = {
        d.device_id
        for d in session.exec(
            select(Diagnosis).where(
                col(Diagnosis.device_id).in_(ids),
                col(Diagnosis.source).in_(ONVIF_RUNS),
                col(Diagnosis.started_at) >= start,
                col(Diagnosis.started_at) < end,
            )
        ).all()
        if _ran_recording_check(d.results)
    }
    by_checklist = set(
        session.exec(
            select(Checklist.device_id).where(
                col(Checklist.device_id).in_(ids),
                Checklist.purpose == ChecklistPurpose.WEEKLY_RECORDING,
                col(Checklist.status).in_([ChecklistStatus.DONE, ChecklistStatus.PROBLEM]),
                col(Checklist.completed_at) >= start,
                col(Checklist.completed_at) < end,
            )
        ).all()
    )
    return [
        RecorderWeek(
            device_id=r.id,
            asset_tag=r.asset_tag,
            site_id=r.site_id,
            week=week,
            satisfied_by="onvif" if r.id in by_onvif else "checklist" if r.id in by_checklist else None,
        )
        for r in recorders
    ]


def templates(session: Session, actor: Actor, *, current_only: bool = True) -> list[ChecklistTemplate]:
    """The checklist templates the actor sees: the current versions, or every version."""
    stmt = select(ChecklistTemplate).where(scope_for("checklistTemplate", actor))
    if current_only:
        stmt = stmt.where(col(ChecklistTemplate.is_current))
    return list(
        session.exec(stmt.order_by(col(ChecklistTemplate.key), col(ChecklistTemplate.revision))).all()
    )


def checklists_of(
    session: Session, actor: Actor, work_order_id: uuid.UUID
) -> list[tuple[Checklist, list[ChecklistAnswer]]]:
    """A round's checklists in walking order, each with its answers (empty: none in scope)."""
    rows = session.exec(
        select(Checklist)
        .where(Checklist.work_order_id == work_order_id, scope_for("checklist", actor))
        .order_by(col(Checklist.position))
    ).all()
    answers: dict[uuid.UUID, list[ChecklistAnswer]] = {r.id: [] for r in rows}
    if rows:
        for answer in session.exec(
            select(ChecklistAnswer).where(col(ChecklistAnswer.checklist_id).in_(list(answers)))
        ).all():
            answers[answer.checklist_id].append(answer)
    return [(r, sorted(answers[r.id], key=lambda a: a.item_key)) for r in rows]
