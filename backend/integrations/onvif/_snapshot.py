"""Fetching a device's snapshot over HTTP: Digest first, Basic only when the device asks for it.

Bounded in time (connect and total timeouts) and size (``max_bytes``, checked against the
declared length and while reading), redirects followed only within the device's own host, and the
kind of image recognised from its first bytes rather than from the declared content type.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

import aiohttp

AuthScheme = Literal["none", "digest", "basic"]
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"


class SnapshotError(Exception):
    """The snapshot could not be fetched; ``reason`` is a stable key for the message."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    declared_type: str
    scheme: AuthScheme
    redirects: int


def image_type(data: bytes) -> str | None:
    if data.startswith(_JPEG):
        return "image/jpeg"
    if data.startswith(_PNG):
        return "image/png"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG frame header or a PNG IHDR, without decoding the image."""
    if data.startswith(_PNG) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if not data.startswith(_JPEG):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _same_host(url: str, host: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == host.strip("[]").lower()


def _auth_used(header: str) -> AuthScheme:
    lowered = header.lower()
    if lowered.startswith("digest"):
        return "digest"
    if lowered.startswith("basic"):
        return "basic"
    return "none"


async def fetch(
    url: str,
    *,
    host: str,
    username: str,
    password: str,
    connect_timeout: float,
    total_timeout: float,
    max_bytes: int,
) -> Fetched:
    """GET ``url`` (which must be on ``host``) with Digest, falling back to Basic on a Basic challenge."""
    sent: list[str] = []

    async def record_auth(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        sent.append(request.headers.get("Authorization", ""))
        return await handler(request)

    credentials = bool(username or password)
    timeout = aiohttp.ClientTimeout(
        total=total_timeout, connect=connect_timeout, sock_connect=connect_timeout
    )
    connector = aiohttp.TCPConnector(ssl=False, limit=2)  # devices use self-signed certificates
    async with aiohttp.ClientSession(timeout=timeout, connector=connector, auto_decompress=True) as session:
        redirects = 0
        while True:
            if not _same_host(url, host):
                raise SnapshotError("other_host", host=urlsplit(url).hostname or "")
            sent.clear()
            middlewares: tuple[aiohttp.ClientMiddlewareType, ...] = (record_auth,)
            if credentials:
                middlewares = (aiohttp.DigestAuthMiddleware(username, password), record_auth)
            async with session.get(url, middlewares=middlewares, allow_redirects=False) as response:
                challenges = response.headers.getall("WWW-Authenticate", [])
                status = response.status
                if status in _REDIRECTS and "Location" in response.headers:
                    redirects += 1
                    if redirects > MAX_REDIRECTS:
                        raise SnapshotError("too_many_redirects")
                    url = urljoin(url, response.headers["Location"])
                    continue
                if not (
                    status == 401
                    and credentials
                    and any(c.lower().startswith("basic") for c in challenges)
                    and not any(c.lower().startswith("digest") for c in challenges)
                ):
                    body = await _read_bounded(response, max_bytes) if status == 200 else b""
                    return Fetched(
                        status, body, response.content_type, _auth_used(sent[-1] if sent else ""), redirects
                    )
            # The device challenged with Basic only (ipycam, some older firmwares): answer that once.
            headers = {"Authorization": aiohttp.encode_basic_auth(username, password)}
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                body = await _read_bounded(response, max_bytes) if response.status == 200 else b""
                return Fetched(response.status, body, response.content_type, "basic", redirects)


async def _read_bounded(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise SnapshotError("too_large", declared=declared, limit=max_bytes)
    buffer = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        buffer += chunk
        if len(buffer) > max_bytes:
            raise SnapshotError("too_large", read=len(buffer), limit=max_bytes)
    return bytes(buffer)
