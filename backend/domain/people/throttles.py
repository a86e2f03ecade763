"""Sign-in throttles and per-source rate limits, kept in the database (every server process
behind the load balancer counts together).

Sign-in counters (``LoginThrottle``), one row per counter:

- ``account_source`` — one account name from one source address. After
  ``login_free_attempts`` failures each further one doubles a wait (``login_first_delay_seconds``
  … ``login_max_delay_seconds``). It holds back only the address that fails: a stranger guessing
  at someone's account cannot lock that person out, who signs in from their own address.
- ``source`` — one address, every account name together, known or not
  (``login_source_free_attempts``): guessing across many names from one address slows down.
- ``account`` — one account name from every address together: a high ceiling
  (``login_account_free_attempts``) with a short, capped backoff
  (``login_account_max_delay_seconds``), never a lock, against guessing from many addresses.

An attempt is counted as a failure *before* the password is checked and forgiven when it turns
out right, so that parallel guesses cannot all slip past the counters while their hashes are
computed. During a wait the attempt is refused (AUTH_THROTTLED, ``params["seconds"]``) without
checking the password. Counters are forgotten after ``login_forget_seconds`` without a failure.

Rate limits (``RateLimit``): requests per fixed one-minute window per operation and address,
counted with one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, SQLite and
PostgreSQL alike).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from backend.config import Settings
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import LoginThrottle, RateLimit

ACCOUNT = "account"
SOURCE = "source"
ACCOUNT_SOURCE = "account_source"
UNKNOWN_SOURCE = "-"  # a check without a request (the password typed again while signed in)
RATE_WINDOW = timedelta(minutes=1)
_MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class Policy:
    free: int
    first_delay: int
    max_delay: int

    def delay(self, failures: int) -> int | None:
        """Seconds to wait after ``failures`` failures, or None while they are free."""
        over = failures - self.free
        if over <= 0:
            return None
        return int(min(self.first_delay * 2 ** min(over - 1, _MAX_DOUBLINGS), self.max_delay))


def policies(settings: Settings) -> dict[str, Policy]:
    return {
        ACCOUNT_SOURCE: Policy(
            settings.login_free_attempts, settings.login_first_delay_seconds, settings.login_max_delay_seconds
        ),
        SOURCE: Policy(
            settings.login_source_free_attempts,
            settings.login_first_delay_seconds,
            settings.login_max_delay_seconds,
        ),
        ACCOUNT: Policy(
            settings.login_account_free_attempts,
            settings.login_first_delay_seconds,
            settings.login_account_max_delay_seconds,
        ),
    }


def counter_keys(account: str, source: str | None) -> list[tuple[str, str]]:
    """The counters one attempt at ``account`` from ``source`` touches (source None: no request)."""
    if source is None:
        return [(ACCOUNT_SOURCE, f"{UNKNOWN_SOURCE} {account}"), (ACCOUNT, account)]
    return [(ACCOUNT_SOURCE, f"{source} {account}"), (SOURCE, source), (ACCOUNT, account)]


def _insert(session: Session):  # type: ignore[no-untyped-def]  # the dialect's INSERT construct
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _locked_row(session: Session, scope: str, key: str) -> LoginThrottle:
    """The counter, created if absent (race-free: INSERT … ON CONFLICT DO NOTHING), locked for
    this transaction (FOR UPDATE on PostgreSQL; SQLite transactions here are BEGIN IMMEDIATE)."""
    insert = _insert(session)
    session.execute(
        insert(LoginThrottle)
        .values(scope=scope, key=key, failures=0)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    return session.exec(
        select(LoginThrottle)
        .where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def begin_attempt(session: Session, keys: list[tuple[str, str]], settings: Settings, now: datetime) -> None:
    """Refuse with AUTH_THROTTLED while any counter makes this attempt wait; else count it as a
    failure in advance (``forgive`` takes it back when the password is right)."""
    rules = policies(settings)
    forget_before = now - timedelta(seconds=settings.login_forget_seconds)
    rows = [_locked_row(session, scope, key) for scope, key in keys]
    waits: list[int] = []
    for row in rows:
        if row.blocked_until is not None and row.blocked_until > now:
            waits.append(_seconds_until(row.blocked_until, now))
        elif row.last_failure_at is not None and row.last_failure_at < forget_before:
            row.failures, row.blocked_until = 0, None
            session.add(row)
    if waits:
        raise DomainError(ErrorCode.AUTH_THROTTLED, params={"seconds": max(waits)})
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
        delay = rules[row.scope].delay(row.failures)
        if delay is not None:
            row.blocked_until = now + timedelta(seconds=delay)
        session.add(row)


def forgive(session: Session, keys: list[tuple[str, str]], settings: Settings, now: datetime) -> None:
    """The password was right: the (account, source) counter starts afresh; the address and
    account counters take back the failure counted in advance."""
    rules = policies(settings)
    for scope, key in keys:
        row = _locked_row(session, scope, key)
        if scope == ACCOUNT_SOURCE:
            session.delete(row)
            continue
        row.failures = max(0, row.failures - 1)
        if rules[scope].delay(row.failures) is None:
            row.blocked_until = None
        session.add(row)
    prune(session, settings, now)


def prune(session: Session, settings: Settings, now: datetime) -> None:
    """Forget counters and rate windows nobody needs any more (run after each successful
    sign-in, so the tables stay small even when someone tries a million made-up names)."""
    forget_before = now - timedelta(seconds=settings.login_forget_seconds)
    session.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.last_failure_at) < forget_before,
            or_(col(LoginThrottle.blocked_until).is_(None), col(LoginThrottle.blocked_until) < now),
        )
    )
    session.execute(delete(RateLimit).where(col(RateLimit.window_start) < now - 2 * RATE_WINDOW))


def rate_hit(session: Session, bucket: str, source: str, limit: int, now: datetime) -> int | None:
    """Count one request of ``source`` to ``bucket``; None when within ``limit`` per minute,
    else the seconds until the window ends (the request is refused; it still counts)."""
    start = now.replace(second=0, microsecond=0)
    insert = _insert(session)
    statement = insert(RateLimit).values(bucket=bucket, source=source[:64], window_start=start, count=1)
    table = RateLimit.__table__  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=["bucket", "source"],
        set_={
            "count": case(
                (table.c.window_start == statement.excluded.window_start, table.c.count + 1), else_=1
            ),
            "window_start": statement.excluded.window_start,
        },
    ).returning(table.c.count)
    count = int(session.execute(statement).scalar_one())
    if count <= limit:
        return None
    return _seconds_until(start + RATE_WINDOW, now)


def counters(session: Session) -> int:
    """How many sign-in counters exist (tests, metrics)."""
    return int(session.exec(select(func.count()).select_from(LoginThrottle)).one())
