"""Setting up one's ways of signing, online: confirm the password, then run the command.

The password check owns its transaction (a failed attempt is counted even though the request
fails); the command then runs with ``reauthenticated=True`` in a transaction of its own. Neither
the password nor the PIN is kept anywhere: the PIN arrives sealed to the server's key.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.commands import CommandContext, execute
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import auth
from backend.domain.people import permissions as p
from backend.domain.people.models import User
from backend.domain.people.permissions import Actor
from backend.domain.signing.keys import SigningKeys
from backend.domain.signing.models import Passkey
from backend.domain.signing.passkeys import RegistrationStart, active_passkeys, registration_options


class SigningService:
    def __init__(self, db: Database, settings: Settings, keys: SigningKeys) -> None:
        self.db = db
        self.settings = settings
        self.keys = keys

    async def _confirm(self, actor: Actor, password: str) -> None:
        now = datetime.now(UTC)
        await anyio.to_thread.run_sync(auth.confirm_password, self.db, actor.id, password, self.settings, now)

    async def _run(self, actor: Actor, name: str, args: dict[str, Any], *, reauthenticated: bool) -> Any:
        keys = self.keys
        return await self.db.write(
            lambda s: execute(
                name,
                args,
                CommandContext(session=s, actor=actor, signing=keys, reauthenticated=reauthenticated),
            )
        )

    async def set_pin(self, actor: Actor, password: str, pin_box: dict[str, Any]) -> User:
        await self._confirm(actor, password)
        user: User = await self._run(
            actor, "account.setSigningPin", {"pinBox": pin_box}, reauthenticated=True
        )
        return user

    async def begin_passkey(self, actor: Actor, password: str) -> RegistrationStart:
        if not actor.can(p.ACCOUNT_SIGNING):
            raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": p.ACCOUNT_SIGNING})
        await self._confirm(actor, password)
        now = datetime.now(UTC)
        keys = self.keys

        def start(session: Any) -> RegistrationStart:
            user = session.get(User, actor.id)
            assert user is not None  # confirm_password checked it
            return registration_options(session, keys, user, now)

        return await self.db.read(start)

    async def finish_passkey(
        self, actor: Actor, ticket: str, credential: dict[str, Any], label: str
    ) -> Passkey:
        args = {"ticket": ticket, "credential": credential, "label": label}
        passkey: Passkey = await self._run(actor, "passkey.register", args, reauthenticated=False)
        return passkey

    async def passkeys(self, user_id: uuid.UUID) -> list[Passkey]:
        return await self.db.read(lambda s: active_passkeys(s, user_id))
