"""Scheduled sweeps: the nightly camera diagnosis (directive 6(1)), the weekly "is it
recording" check of recorders (directive 12(1)), the daily blob sweep (expired partial
uploads, files nothing references: ``UploadService.sweep``) and the monthly maintenance rounds
(directive 12(14), 16(1): ``backend.jobs.rounds``).

Each job runs once per period (a day, an ISO week, a month), also with several server replicas on one
PostgreSQL database: a replica *claims* the period by inserting its ``scheduled_runs`` row — the
primary key lets exactly one insert win — while holding a transaction-scoped advisory lock on the
job, so two replicas never even race the insert. On the embedded SQLite default there is one
process and the same claim simply keeps restarts from running a period twice. A period missed
while the server was down runs when it comes back (same day / same week).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.db.engine import Database
from backend.db.types import utcnow
from backend.domain.diagnostics.models import DiagnosisSource, ScheduledRun
from backend.domain.people.models import Role
from backend.domain.people.permissions import Actor

log = logging.getLogger("saha.scheduler")

LOCAL = ZoneInfo("Europe/Istanbul")
SYSTEM = Actor(
    id=uuid.UUID("00000000-0000-0000-0000-00000000a11e"),
    username="saha-system",
    full_name="Saha (zamanlanmış görev)",
    role=Role.ADMIN,
    region_id=None,
)


# A job that is not a diagnosis sweep: returns (items handled, failures) for its run record.
Action = Callable[[], Awaitable[tuple[int, int]]]


@dataclass(frozen=True)
class Job:
    name: str
    source: DiagnosisSource | None  # a diagnosis sweep; None for jobs with their own ``action``
    hour: int
    weekday: int | None = None  # 0 = Monday; None = every day
    action: Action | None = None
    monthly: bool = False  # once a month, from the 1st at ``hour``

    def period(self, now: datetime) -> str | None:
        """The period due at ``now`` (local time), or None before the job's hour."""
        local = now.astimezone(LOCAL)
        if self.monthly:
            return f"{local.year}-{local.month:02d}" if local.day > 1 or local.hour >= self.hour else None
        if local.hour < self.hour:
            return None
        if self.weekday is None:
            return local.date().isoformat()
        if local.weekday() < self.weekday:
            return None
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"


def jobs(nightly_hour: int, weekly_hour: int) -> list[Job]:
    return [
        Job("nightly-camera-sweep", DiagnosisSource.NIGHTLY, nightly_hour),
        Job("weekly-recording-check", DiagnosisSource.WEEKLY, weekly_hour, weekday=0),
    ]


def blob_sweep_job(hour: int, action: Action) -> Job:
    return Job("daily-blob-sweep", None, hour, action=action)


def monthly_rounds_job(hour: int, action: Action) -> Job:
    return Job("monthly-cleaning-rounds", None, hour, action=action, monthly=True)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, job: str, period: str, instance: str, now: datetime) -> bool:
    """Claim (job, period) for this instance; False if another instance has or is claiming it."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(job.encode())
        if not session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar():
            return False
    if session.get(ScheduledRun, (job, period)) is not None:
        return False
    session.add(ScheduledRun(job=job, period=period, claimed_by=instance, claimed_at=now))
    try:
        session.flush()
    except IntegrityError:
        return False
    return True


def finish(session: Session, job: str, period: str, devices: int, failures: int, now: datetime) -> None:
    row = session.get(ScheduledRun, (job, period))
    if row is not None:
        row.finished_at = now
        row.devices = devices
        row.failures = failures
        session.add(row)


Sweep = Callable[[Actor, DiagnosisSource], Awaitable[tuple[int, int]]]


class Scheduler:
    def __init__(
        self,
        db: Database,
        sweep: Sweep,
        job_list: list[Job],
        *,
        clock: Callable[[], datetime] = utcnow,
        instance: str | None = None,
        interval: timedelta = timedelta(minutes=1),
    ) -> None:
        self.db = db
        self.sweep = sweep
        self.jobs = job_list
        self.clock = clock
        self.instance = instance or instance_name()
        self.interval = interval

    async def tick(self) -> list[str]:
        """Run every job that is due and not yet claimed; the names of those this instance ran."""
        ran = []
        for job in self.jobs:
            now = self.clock()
            period = job.period(now)
            if period is None:
                continue
            won = await self.db.write(
                partial(claim, job=job.name, period=period, instance=self.instance, now=now)
            )
            if not won:
                continue
            log.info("running %s for %s", job.name, period)
            try:
                if job.action is not None:
                    devices, failures = await job.action()
                else:
                    assert job.source is not None
                    devices, failures = await self.sweep(SYSTEM, job.source)
            except Exception:
                log.exception("%s for %s failed", job.name, period)
                devices, failures = 0, -1
            await self.db.write(
                partial(
                    finish, job=job.name, period=period, devices=devices, failures=failures, now=self.clock()
                )
            )
            ran.append(job.name)
        return ran

    async def run_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # the database may be briefly away; try again next minute
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.interval.total_seconds())
