"""Per-request GraphQL context: database, settings, the signed-in actor, loaders, language."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode, Lang
from backend.domain.people.auth import actor_from_token
from backend.domain.people.permissions import Actor
from backend.domain.signing.keys import SigningKeys

if TYPE_CHECKING:
    from backend.graphql.loaders import Loaders

_UNSET: Any = object()


@dataclass
class Context:
    db: Database
    settings: Settings
    request_id: str
    lang: Lang
    authorization: str | None
    loaders: Loaders = field(init=False)  # set right after: they need this context's actor()
    app_state: Any = None  # the app's State: long-lived services (backend.services)
    source: str = ""  # the client's address (backend.http.client_address): throttles, rate limits
    signing: SigningKeys | None = None  # the server's signing secrets (commands that sign)
    _actor: Actor | None = field(default=_UNSET)
    _token_error: DomainError | None = None
    # Sibling root fields resolve concurrently: the first loads the actor, the others wait.
    _actor_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def actor(self) -> Actor | None:
        """The signed-in person, or None (no token, or a token that is expired or revoked)."""
        async with self._actor_lock:
            if self._actor is _UNSET:
                self._actor = await self._load_actor()
        return self._actor

    async def _load_actor(self) -> Actor | None:
        header = (self.authorization or "").strip()
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            # "Basic …", a bare "Bearer", garbage: a credential we cannot use, never a crash
            self._token_error = DomainError(ErrorCode.AUTH_SESSION_EXPIRED)
            return None
        try:
            return await self.db.read(lambda s: actor_from_token(s, token, self.settings))
        except DomainError as exc:
            self._token_error = exc
            return None

    async def require_actor(self) -> Actor:
        """The actor, or AUTH_SESSION_EXPIRED (stale token: refresh) / AUTH_REQUIRED (none)."""
        actor = await self.actor()
        if actor is None:
            raise self._token_error or DomainError(ErrorCode.AUTH_REQUIRED)
        return actor


def set_retry_after(info: Info[Any, Any], error: DomainError) -> None:
    """A throttled answer (``params["seconds"]``) also says when to retry in the HTTP
    ``Retry-After`` header of the GraphQL response."""
    seconds = (error.params or {}).get("seconds")
    response = info.context.get("response") if isinstance(info.context, dict) else None
    if error.code is ErrorCode.AUTH_THROTTLED and isinstance(seconds, int) and response is not None:
        response.headers["Retry-After"] = str(seconds)


def ctx(info: Info[Any, Any]) -> Context:
    value = info.context["saha"]
    assert isinstance(value, Context)
    return value


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]
