"""A client whose requests come from chosen addresses (the ``x-test-peer`` header sets the
ASGI ``client``), for sign-in throttles, rate limits and trusted proxies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar

from backend.app import create_app
from backend.config import Settings
from backend.db.engine import Database

PEER_HEADER = b"x-test-peer"


class PeerApp:
    """Wraps the app: ``x-test-peer: 203.0.113.9`` makes the request come from that address."""

    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            peer = dict(scope.get("headers", [])).get(PEER_HEADER)
            if peer is not None:
                scope = {**scope, "client": (peer.decode(), 40000)}
        await self.app(scope, receive, send)


@asynccontextmanager
async def peer_client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A client that calls the app in this event loop (concurrent requests really overlap,
    unlike Litestar's test client, which runs each request to its end)."""
    transport = httpx.ASGITransport(app=PeerApp(create_app(settings, db)), client=("192.0.2.250", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def gql_from(
    client: httpx.AsyncClient,
    peer: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[dict[str, Any], Any]:
    """Post a GraphQL document from ``peer``; the body and the response."""
    sent = {"x-test-peer": peer, "accept-language": "en", **(headers or {})}
    if token:
        sent["authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
    )
    assert response.status_code == 200, response.text
    return response.json(), response
