"""Sign-in, tokens and sign-out.

- Passwords: Argon2id (argon2-cffi defaults), rehashed on sign-in when parameters change.
- Access token: a short-lived HS256 JWT (``sub`` = user id). The PWA keeps it and the refresh
  token, so a phone stays signed in while offline and renews when it is back online.
- Refresh token: random, single use, stored as SHA-256; rotation with reuse detection.
- Failed sign-ins per account name are counted; after ``login_free_attempts`` each further
  failure doubles a waiting time (capped) during which sign-in is refused with AUTH_THROTTLED,
  without checking the password — slowing down guessing without tying up server workers.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
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
from backend.domain.people.models import LoginThrottle, RefreshToken, User
from backend.domain.people.permissions import Actor

_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("saha-timing-equaliser")
JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_access_token(user: User, settings: Settings, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(minutes=settings.access_token_minutes)
    token = jwt.encode(
        {"sub": str(user.id), "role": user.role.value, "iat": now, "exp": expires},
        settings.effective_secret_key(),
        algorithm=JWT_ALGORITHM,
    )
    return token, expires


def decode_access_token(token: str, settings: Settings) -> uuid.UUID:
    try:
        claims = jwt.decode(
            token,
            settings.effective_secret_key(),
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
        return uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED) from None


def _issue(
    session: Session, user: User, settings: Settings, now: datetime, family_id: uuid.UUID
) -> IssuedSession:
    access, access_exp = issue_access_token(user, settings, now)
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


def _throttle_row(session: Session, username: str) -> LoginThrottle:
    row = session.get(LoginThrottle, username, with_for_update=True)
    if row is None:
        row = LoginThrottle(username=username)
        session.add(row)
    return row


def sign_in(db: Database, username: str, password: str, settings: Settings, now: datetime) -> IssuedSession:
    """Check the password and open a session. Owns its transaction: a failed attempt is
    counted (committed) even though the call ends in a DomainError."""
    key = username.strip().lower()[:64]
    if not key or not password:
        raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)
    return _committing_errors(db, lambda session: _sign_in(session, key, password, settings, now))


def confirm_password(
    db: Database, user_id: uuid.UUID, password: str, settings: Settings, now: datetime
) -> None:
    """The signed-in person types their password again before something that must be theirs
    alone (setting a signing PIN, registering a passkey). Throttled like sign-in, on the same
    account counter, so it is no side door for guessing passwords."""

    def check(session: Session) -> None:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
        _check_password(session, user.username, password, settings, now)

    if not password:
        raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)
    _committing_errors(db, check)


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


def _check_password(session: Session, key: str, password: str, settings: Settings, now: datetime) -> User:
    """The active user ``key`` if ``password`` is theirs; counts failures and throttles."""
    throttle = _throttle_row(session, key)
    if throttle.blocked_until is not None and throttle.blocked_until > now:
        wait = int((throttle.blocked_until - now).total_seconds()) + 1
        raise DomainError(ErrorCode.AUTH_THROTTLED, params={"seconds": wait})

    user = (session.exec(select(User).where(User.username == key))).first()
    ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None or not user.is_active:
        throttle.failures += 1
        throttle.last_failure_at = now
        over = throttle.failures - settings.login_free_attempts
        if over > 0:  # first delay after the free attempts, then doubling, capped
            delay = min(
                settings.login_first_delay_seconds * 2 ** (over - 1), settings.login_max_delay_seconds
            )
            throttle.blocked_until = now + timedelta(seconds=delay)
        session.add(throttle)
        raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)

    session.delete(throttle)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def _sign_in(session: Session, key: str, password: str, settings: Settings, now: datetime) -> IssuedSession:
    user = _check_password(session, key, password, settings, now)
    return _issue(session, user, settings, now, uuid.uuid4())


def refresh_session(db: Database, refresh_token: str, settings: Settings, now: datetime) -> IssuedSession:
    """Rotate a refresh token. Owns its transaction so that a detected reuse stays revoked."""
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
    """End the sign-in this refresh token belongs to (all its rotations). Idempotent."""
    row = (
        session.exec(select(RefreshToken).where(RefreshToken.token_hash == _token_hash(refresh_token)))
    ).first()
    if row is not None:
        _revoke_family(session, row.family_id, now)


def actor_from_token(session: Session, token: str, settings: Settings) -> Actor:
    user_id = decode_access_token(token, settings)
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
    return actor_for(user)
