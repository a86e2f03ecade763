"""The monthly maintenance rounds (directive 12(14), 16(1)): on the 1st of each month
(Europe/Istanbul) one CLEANING work order per site with devices in service, each holding a
checklist per device (``cleaning.openRound``).

Once per month across replicas by the scheduler's claim (``backend.jobs.scheduler``); and each
site's round has an id derived from (site, month), so a run that stopped half-way, or is run
again by hand, opens only the rounds still missing. Assignment follows the region: a site
whose region has exactly one active technician gets its round assigned to them; otherwise the
round waits unassigned (DRAFT) for a manager.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend.db.engine import Database
from backend.db.types import utcnow
from backend.domain.assets.models import Device, Site
from backend.domain.commands import CommandContext, execute
from backend.domain.errors import DomainError
from backend.domain.maintenance.commands import IN_SERVICE
from backend.domain.maintenance.defaults import ensure_default_templates
from backend.domain.maintenance.models import round_id
from backend.domain.people.models import Role, User
from backend.domain.workorders.models import WorkOrder
from backend.jobs.scheduler import LOCAL, SYSTEM

log = logging.getLogger("saha.rounds")

CHUNK = 100  # sites per transaction


def ensure_system_user(session: Session) -> None:
    """The user the scheduled jobs act as (work orders name who created them). Inactive, without
    a password: nobody signs in as it."""
    if session.get(User, SYSTEM.id) is None:
        session.add(
            User(
                id=SYSTEM.id,
                username=SYSTEM.username,
                full_name=SYSTEM.full_name,
                role=SYSTEM.role,
                is_active=False,
                password_hash="!",  # noqa: S106 - matches no password: nobody signs in
            )
        )
        session.flush()


def prepare(session: Session) -> None:
    """What the rounds need, idempotent: the shipped templates and the system user."""
    ensure_default_templates(session)
    ensure_system_user(session)


def month_of(now: datetime) -> str:
    local = now.astimezone(LOCAL)
    return f"{local.year}-{local.month:02d}"


def _plan(session: Session, month: str) -> list[tuple[Any, Any]]:
    """(site id, assignee id or None) of each site with devices in service and no round yet."""
    sites = session.exec(
        select(Site.id, Site.region_id)
        .where(col(Site.id).in_(select(Device.site_id).where(col(Device.status).in_(IN_SERVICE))))
        .order_by(col(Site.code))
    ).all()
    techs = session.exec(
        select(User.region_id, User.id).where(
            User.role == Role.TECHNICIAN, col(User.is_active), col(User.region_id).is_not(None)
        )
    ).all()
    per_region: dict[Any, list[Any]] = {}
    for region, user in techs:
        per_region.setdefault(region, []).append(user)
    only_tech = {region: users[0] for region, users in per_region.items() if len(users) == 1}
    ids = {round_id(site, month): site for site, _ in sites}
    have = (
        set(session.exec(select(WorkOrder.id).where(col(WorkOrder.id).in_(list(ids)))).all())
        if ids
        else set()
    )
    return [(site, only_tech.get(region)) for site, region in sites if round_id(site, month) not in have]


def open_rounds(db: Database, month: str, *, clock: Callable[[], datetime] = utcnow) -> tuple[int, int]:
    """Open the month's missing rounds; (rounds opened, sites refused)."""
    db.run_write(ensure_default_templates)
    plan = db.run_read(lambda s: _plan(s, month))
    if plan:  # only then: an empty installation stays empty (the demo loads into one)
        db.run_write(ensure_system_user)
    opened = refused = 0
    for start in range(0, len(plan), CHUNK):
        chunk = plan[start : start + CHUNK]

        def run(session: Session, chunk: list[tuple[Any, Any]] = chunk) -> tuple[int, int]:
            ctx = CommandContext(session=session, actor=SYSTEM, now=clock())
            done = bad = 0
            for site_id, assignee_id in chunk:
                args = {"siteId": site_id, "month": month, "assigneeId": assignee_id}
                try:
                    execute("cleaning.openRound", args, ctx)
                    done += 1
                except DomainError as exc:  # refused before writing: the others go on
                    log.warning("round %s for site %s refused: %s", month, site_id, exc.code)
                    bad += 1
            return done, bad

        done, bad = db.run_write(run)
        opened += done
        refused += bad
    return opened, refused
