"""The snapshot fetcher against a loopback HTTP server that behaves like the cameras we meet:
Digest, Basic only, no password at all, redirects, oversized and non-image answers."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from backend.integrations.onvif import _snapshot

JPEG = (
    bytes.fromhex("ffd8ffe000104a46494600010100000100010000")
    + b"\xff\xc0\x00\x11\x08\x02\xd0\x05\x00"
    + b"\0" * 64
)


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[dict[str, Handler]], Awaitable[str]]]:
    runners: list[web.AppRunner] = []

    async def start(routes: dict[str, Handler]) -> str:
        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def fetch(url: str, **kwargs: Any) -> _snapshot.Fetched:
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "username": "admin",
        "password": "pw",
        "connect_timeout": 1.0,
        "total_timeout": 3.0,
        "max_bytes": 1024 * 1024,
    }
    options.update(kwargs)
    return await _snapshot.fetch(url, **options)


async def test_digest_challenge_is_answered_with_digest(serve: Any) -> None:
    async def digest(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if header.startswith("Digest ") and 'username="admin"' in header and "response=" in header:
            return web.Response(body=JPEG, content_type="image/jpeg")
        challenge = 'Digest realm="cam", nonce="abc123", qop="auth", algorithm=MD5'
        return web.Response(status=401, headers={"WWW-Authenticate": challenge})

    base = await serve({"/snap": digest})
    fetched = await fetch(f"{base}/snap")
    assert (fetched.status, fetched.scheme, fetched.body) == (200, "digest", JPEG)


async def test_basic_only_challenge_falls_back_to_basic(serve: Any) -> None:
    async def basic(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") == "Basic YWRtaW46cHc=":  # admin:pw
            return web.Response(body=JPEG, content_type="image/jpeg")
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="cam"'})

    base = await serve({"/snap": basic})
    fetched = await fetch(f"{base}/snap")
    assert (fetched.status, fetched.scheme) == (200, "basic")


async def test_an_open_snapshot_is_reported_as_needing_no_auth(serve: Any) -> None:
    async def open_snap(request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    base = await serve({"/snap": open_snap})
    fetched = await fetch(f"{base}/snap")
    assert (fetched.status, fetched.scheme) == (200, "none")


async def test_wrong_password_ends_as_401(serve: Any) -> None:
    async def basic(request: web.Request) -> web.Response:
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="cam"'})

    base = await serve({"/snap": basic})
    fetched = await fetch(f"{base}/snap")
    assert (fetched.status, fetched.body) == (401, b"")


async def test_a_declared_oversized_snapshot_is_refused_before_reading(serve: Any) -> None:
    async def big(request: web.Request) -> web.Response:
        return web.Response(body=JPEG + b"\0" * 4096, content_type="image/jpeg")

    base = await serve({"/snap": big})
    with pytest.raises(_snapshot.SnapshotError) as caught:
        await fetch(f"{base}/snap", max_bytes=1024)
    assert caught.value.reason == "too_large"


async def test_an_undeclared_oversized_stream_is_cut_while_reading(serve: Any) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"\xff" * 16384)
        return response

    base = await serve({"/snap": endless})
    with pytest.raises(_snapshot.SnapshotError) as caught:
        await fetch(f"{base}/snap", max_bytes=100_000)
    assert caught.value.reason == "too_large"


async def test_redirects_are_followed_on_the_same_host_only(serve: Any) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/real.jpg")

    async def away(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data")

    async def real(request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    base = await serve({"/snap": moved, "/real.jpg": real, "/away": away})
    fetched = await fetch(f"{base}/snap")
    assert (fetched.status, fetched.redirects) == (200, 1)
    with pytest.raises(_snapshot.SnapshotError) as caught:
        await fetch(f"{base}/away")
    assert caught.value.reason == "other_host"


def test_image_kind_and_size_come_from_the_bytes() -> None:
    assert _snapshot.image_type(JPEG) == "image/jpeg"
    assert _snapshot.image_size(JPEG) == (1280, 720)
    assert _snapshot.image_type(png(640, 360)) == "image/png"
    assert _snapshot.image_size(png(640, 360)) == (640, 360)
    assert _snapshot.image_type(b"<html>login</html>") is None
    assert _snapshot.image_size(b"<html>") is None
