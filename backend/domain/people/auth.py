"""Sign-in, tokens and sign-out.

- Passwords: Argon2id (argon2-cffi defaults), rehashed on sign-in when parameters change. At
  most ``argon2_concurrency`` hashes are computed at once per process (``HASH_GATE``): a flood
  of sign-ins queues instead of taking every CPU and worker thread.
- Access token: a short-lived HS256 JWT (``sub`` user id, ``sid`` the sign-in it belongs to,
  ``tv`` the user's token version). It is checked against the database on every request: a
  signed-out sign-in (its refresh-token family revoked) or a raised token version (password
  changed, account disabled) ends it at once, on every server process.
- Refresh token: random, single use, stored as SHA-256; rotation with reuse detection.
- Failed sign-ins are counted per (account, source address), per address and per account
  (``backend.domain.people.throttles``); a wait is answered with AUTH_THROTTLED without
  checking the password.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import throttles
from backend.domain.people.models import RefreshToken, TokenVersion, User
from backend.domain.people.permissions import Actor

JWT_ALGORITHM = "HS256"
# An access token is a few hundred characters; anything far longer is not one of ours and is
# refused before it is parsed.
MAX_TOKEN_CHARS = 4096
MAX_PASSWORD_CHARS = 1024


class HashGate:
    """At most ``limit`` Argon2 computations at once in this process (a semaphore), counted:
    ``active`` now, ``peak`` the most at once since the last ``reset_peak``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphore = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def configure(self, limit: int) -> None:
        """Set the bound (at start-up, before hashing begins)."""
        if limit != self.limit:
            self.limit = limit
            self._semaphore = threading.BoundedSemaphore(limit)

    def reset_peak(self) -> None:
        with self._lock:
            self.peak = self.active

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._semaphore:
            with self._lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
            try:
                yield
            finally:
                with self._lock:
                    self.active -= 1


HASH_GATE = HashGate(4)
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("saha-timing-equaliser")


def hash_password(password: str) -> str:
    with HASH_GATE.slot():
        return _hasher.hash(password)


def check_password_hash(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``password_hash`` (None: an account that does not exist —
    a dummy hash is checked so both cost the same), and a new hash when the parameters changed.
    CPU work under ``HASH_GATE``: call from a worker thread in async code."""
    with HASH_GATE.slot():
        try:
            ok: bool = _hasher.verify(password_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
        rehash = ok and password_hash is not None and _hasher.check_needs_rehash(password_hash)
        return ok and password_hash is not None, (_hasher.hash(password) if rehash else None)


def actor_for(user: User) -> Actor:
    return Actor(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        region_id=user.region_id,
    )


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user: User


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    version: int  # the user's token version when issued
    session_id: uuid.UUID | None  # the refresh-token family (None: a token made outside a sign-in)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_version(session: Session, user_id: uuid.UUID) -> int:
    row = session.get(TokenVersion, user_id)
    return row.version if row else 0


def issue_access_token(
    user: User,
    settings: Settings,
    now: datetime,
    *,
    session_id: uuid.UUID | None = None,
    version: int = 0,
) -> tuple[str, datetime]:
    expires = now + timedelta(minutes=settings.access_token_minutes)
    claims: dict[str, object] = {
        "sub": str(user.id),
        "role": user.role.value,
        "iat": now,
        "exp": expires,
        "tv": version,
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    token = jwt.encode(claims, settings.effective_secret_key(), algorithm=JWT_ALGORITHM)
    return token, expires


def decode_access_token(token: str, settings: Settings) -> AccessClaims:
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    try:
        claims = jwt.decode(
            token,
            settings.effective_secret_key(),
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
        sid = claims.get("sid")
        version = claims.get("tv", 0)
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("tv")
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            version=version,
            session_id=uuid.UUID(str(sid)) if sid is not None else None,
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED) from None


def _issue(
    session: Session, user: User, settings: Settings, now: datetime, family_id: uuid.UUID
) -> IssuedSession:
    access, access_exp = issue_access_token(
        user, settings, now, session_id=family_id, version=token_version(session, user.id)
    )
    refresh = secrets.token_urlsafe(32)
    refresh_exp = now + timedelta(days=settings.refresh_token_days)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=_token_hash(refresh),
            created_at=now,
            expires_at=refresh_exp,
        )
    )
    return IssuedSession(access, access_exp, refresh, refresh_exp, user)


T = TypeVar("T")


def _committing_errors(db: Database, fn: Callable[[Session], T]) -> T:
    """Run ``fn`` in a transaction that commits even when ``fn`` ends in a DomainError
    (the bookkeeping it did — a failure count, a revocation — must stay)."""
    failure: DomainError | None = None
    with db.write_session() as session:
        try:
            return fn(session)
        except DomainError as exc:
            failure = exc  # leave the block normally so the transaction commits
    assert failure is not None
    raise failure


# ---- the password check, in three steps ---------------------------------------------------------
# 1. ``begin_password_check`` (a short transaction): throttles; the attempt counted in advance;
#    the stored hash read.  2. ``check_password_hash`` (no transaction, under HASH_GATE).
#    3. ``finish_password_check`` (a short transaction): forgiven on success, rehash stored.
# No database lock is held while a hash is computed. ``sign_in`` / ``confirm_password`` run the
# three steps in the calling thread; ``backend.services.auth`` runs them from async code with
# the hash step bounded before it takes a worker thread.


@dataclass(frozen=True)
class PasswordAttempt:
    account: str
    keys: list[tuple[str, str]]
    user_id: uuid.UUID | None  # None: no such active account (a dummy hash is checked)
    password_hash: str | None


def account_key(username: str) -> str:
    return username.strip().lower()[:64]


def begin_password_check(
    db: Database, account: str, source: str | None, settings: Settings, now: datetime
) -> PasswordAttempt:
    keys = throttles.counter_keys(account, source)

    def begin(session: Session) -> PasswordAttempt:
        throttles.begin_attempt(session, keys, settings, now)
        user = session.exec(select(User).where(User.username == account)).first()
        if user is None or not user.is_active:
            return PasswordAttempt(account, keys, None, None)
        return PasswordAttempt(account, keys, user.id, user.password_hash)

    return _committing_errors(db, begin)


def finish_password_check(
    session: Session,
    attempt: PasswordAttempt,
    ok: bool,
    new_hash: str | None,
    settings: Settings,
    now: datetime,
) -> User:
    """The user whose password was right, the failure forgiven; AUTH_INVALID_CREDENTIALS (the
    failure stays counted) otherwise."""
    user = session.get(User, attempt.user_id) if ok and attempt.user_id else None
    if user is None or not user.is_active or user.password_hash != attempt.password_hash:
        raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)
    throttles.forgive(session, attempt.keys, settings, now)
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
    return user


def _valid_input(username: str, password: str) -> str:
    account = account_key(username)
    if not account or not password or len(password) > MAX_PASSWORD_CHARS:
        raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)
    return account


def sign_in(
    db: Database,
    username: str,
    password: str,
    settings: Settings,
    now: datetime,
    source: str | None = None,
) -> IssuedSession:
    """Check the password and open a session (synchronous: CLI, tests; the server goes through
    ``backend.services.auth``). ``source``: the client's address, for the throttles."""
    attempt = begin_password_check(db, _valid_input(username, password), source, settings, now)
    ok, new_hash = check_password_hash(attempt.password_hash, password)
    return db.run_write(lambda s: open_session(s, attempt, ok, new_hash, settings, now))


def open_session(
    session: Session,
    attempt: PasswordAttempt,
    ok: bool,
    new_hash: str | None,
    settings: Settings,
    now: datetime,
) -> IssuedSession:
    user = finish_password_check(session, attempt, ok, new_hash, settings, now)
    return _issue(session, user, settings, now, uuid.uuid4())


def confirm_password(
    db: Database,
    user_id: uuid.UUID,
    password: str,
    settings: Settings,
    now: datetime,
    source: str | None = None,
) -> None:
    """The signed-in person types their password again before something that must be theirs
    alone (setting a signing PIN, registering a passkey). Throttled like sign-in, on the same
    account counters, so it is no side door for guessing passwords."""
    if not password or len(password) > MAX_PASSWORD_CHARS:
        raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)
    user = db.run_read(lambda s: s.get(User, user_id))
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    attempt = begin_password_check(db, user.username, source, settings, now)
    ok, new_hash = check_password_hash(attempt.password_hash, password)
    db.run_write(lambda s: finish_password_check(s, attempt, ok, new_hash, settings, now))


# ---- sessions -----------------------------------------------------------------------------------


def refresh_session(db: Database, refresh_token: str, settings: Settings, now: datetime) -> IssuedSession:
    """Rotate a refresh token. Owns its transaction so that a detected reuse stays revoked."""
    if not refresh_token or len(refresh_token) > MAX_TOKEN_CHARS:
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    return _committing_errors(db, lambda session: _refresh(session, refresh_token, settings, now))


def _refresh(session: Session, refresh_token: str, settings: Settings, now: datetime) -> IssuedSession:
    row = (
        session.exec(
            select(RefreshToken)
            .where(RefreshToken.token_hash == _token_hash(refresh_token))
            .with_for_update()
        )
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    if row.used_at is not None:
        # A rotated token came back: someone holds a copy. End the whole sign-in.
        _revoke_family(session, row.family_id, now)
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    row.used_at = now
    session.add(row)
    return _issue(session, user, settings, now, row.family_id)


def _revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> None:
    session.exec(
        update(RefreshToken)
        .where(
            col(RefreshToken.family_id) == family_id,
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


def sign_out(session: Session, refresh_token: str, now: datetime) -> None:
    """End the sign-in this refresh token belongs to (all its rotations, and its access tokens
    at once). Idempotent."""
    row = (
        session.exec(select(RefreshToken).where(RefreshToken.token_hash == _token_hash(refresh_token)))
    ).first()
    if row is not None:
        _revoke_family(session, row.family_id, now)


def revoke_all_sessions(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """End every sign-in of the user: refresh tokens revoked, the token version raised (every
    access token issued before is refused from now on)."""
    session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    row = session.get(TokenVersion, user_id, with_for_update=True)
    if row is None:
        session.add(TokenVersion(user_id=user_id, version=1))
    else:
        row.version += 1
        session.add(row)


def change_password(db: Database, user_id: uuid.UUID, new_password: str, now: datetime) -> None:
    """Set a new password; every existing sign-in of the person ends."""
    if not new_password or len(new_password) > MAX_PASSWORD_CHARS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, field="password", params={"detail": "password"})
    new_hash = hash_password(new_password)

    def write(session: Session) -> None:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND)
        user.password_hash = new_hash
        session.add(user)
        revoke_all_sessions(session, user_id, now)

    db.run_write(write)


def set_active(session: Session, user_id: uuid.UUID, active: bool, now: datetime) -> User:
    """Enable or disable an account; disabling ends every sign-in of the person at once."""
    user = session.get(User, user_id)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    user.is_active = active
    session.add(user)
    if not active:
        revoke_all_sessions(session, user_id, now)
    return user


def _session_revoked(session: Session, family_id: uuid.UUID) -> bool:
    revoked = session.exec(
        select(RefreshToken.id)
        .where(RefreshToken.family_id == family_id, col(RefreshToken.revoked_at).is_not(None))
        .limit(1)
    ).first()
    return revoked is not None


def actor_from_token(session: Session, token: str, settings: Settings) -> Actor:
    claims = decode_access_token(token, settings)
    user = session.get(User, claims.user_id)
    if (
        user is None
        or not user.is_active
        or claims.version != token_version(session, user.id)
        or (claims.session_id is not None and _session_revoked(session, claims.session_id))
    ):
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    return actor_for(user)
