"""Sign-in and refresh for the server: rate limits, throttles and bounded password hashing.

Order of a sign-in (``backend.domain.people.auth`` has the three steps, ``throttles`` the rules):

1. the per-address rate limit of the operation (``anonymous_rate_per_minute``, in the database);
2. the throttles, and the attempt counted in advance (a short transaction);
3. the Argon2 check in a worker thread — at most ``argon2_concurrency`` at once per process,
   waiting *before* taking a thread, so a flood of sign-ins queues on the event loop and leaves
   the worker threads (database, ``/healthz``) to everyone else;
4. the session opened, or the failure left counted (a short transaction).
"""

from __future__ import annotations

from datetime import datetime

import anyio
import anyio.to_thread

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import auth, throttles

SIGN_IN = "signIn"
REFRESH = "refreshSession"


class AuthService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        auth.HASH_GATE.configure(settings.argon2_concurrency)
        self.hash_slots = anyio.CapacityLimiter(settings.argon2_concurrency)

    async def limit(self, bucket: str, source: str, now: datetime) -> None:
        """AUTH_THROTTLED (``seconds``) when ``source`` called ``bucket`` too often this minute."""
        limit = self.settings.anonymous_rate_per_minute
        wait = await self.db.write(lambda s: throttles.rate_hit(s, bucket, source, limit, now))
        if wait is not None:
            raise DomainError(ErrorCode.AUTH_THROTTLED, params={"seconds": wait})

    async def sign_in(self, username: str, password: str, source: str, now: datetime) -> auth.IssuedSession:
        await self.limit(SIGN_IN, source, now)
        account = auth.account_key(username)
        if not account or not password or len(password) > auth.MAX_PASSWORD_CHARS:
            raise DomainError(ErrorCode.AUTH_INVALID_CREDENTIALS)
        attempt = await anyio.to_thread.run_sync(
            auth.begin_password_check, self.db, account, source, self.settings, now
        )
        ok, new_hash = await anyio.to_thread.run_sync(
            auth.check_password_hash, attempt.password_hash, password, limiter=self.hash_slots
        )
        return await self.db.write(lambda s: auth.open_session(s, attempt, ok, new_hash, self.settings, now))

    async def refresh(self, refresh_token: str, source: str, now: datetime) -> auth.IssuedSession:
        await self.limit(REFRESH, source, now)
        return await anyio.to_thread.run_sync(
            auth.refresh_session, self.db, refresh_token, self.settings, now
        )
