"""Sealed minutes as PDF (signed in) and public verification (no sign-in).

``GET /api/minutes/<id>.pdf`` — the sealed PDF (409 while not sealed or images still uploading).
``GET /api/verify/<code>`` — is this verification code sealed minutes Saha holds, and whose?
``POST /api/verify`` — body: a PDF; is its seal intact and is it the file Saha made? Anonymous
callers are rate limited per address (``verify_rate_per_minute``, 429 + Retry-After) and capped at
``max_anonymous_verify_pdf_bytes``; files with absurd object or revision counts are refused (413)
before they are parsed; at most ``verify_concurrency`` verifications run at once per process.
Rules: ``backend.domain.surveys.queries``; documents: ``backend.services.documents``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.language import pick_lang
from backend.domain.people.throttles import rate_hit
from backend.http.client_address import source_address
from backend.http.uploads import json_error_handlers, request_actor
from backend.services import minutes_documents as documents

NO_STORE = {"Cache-Control": "no-store"}


@get("/api/minutes/{name:str}", include_in_schema=False)
async def minutes_pdf(request: Request[Any, Any, Any], state: State, name: FromPath[str]) -> Response[bytes]:
    actor = await request_actor(request, state)
    stem, dot, ext = name.rpartition(".")
    try:
        minutes_id = uuid.UUID(stem)
    except ValueError:
        raise DomainError(ErrorCode.NOT_FOUND, field="minutesId") from None
    if not dot or ext != "pdf":
        raise DomainError(ErrorCode.NOT_FOUND, field="minutesId")
    pdf = await documents(state).pdf(actor, minutes_id)
    filename = f"kesif-tutanagi-{pdf.verification_code}.pdf"
    return Response(
        content=pdf.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "ETag": f'"{pdf.sha256}"',
            "Cache-Control": "private, no-cache",
        },
    )


@get("/api/verify/{code:str}", include_in_schema=False)
async def verify_code(state: State, code: FromPath[str]) -> Response[dict[str, Any]]:
    return Response(content=await documents(state).verify_code(code), headers=NO_STORE)


def _refusal(request: Request[Any, Any, Any], status: int, error: DomainError) -> Response[dict[str, Any]]:
    headers = dict(NO_STORE)
    seconds = (error.params or {}).get("seconds")
    if isinstance(seconds, int):
        headers["Retry-After"] = str(seconds)
    lang = pick_lang(request.headers.get("accept-language"))
    return Response(
        content={"code": error.code.value, "message": error.message(lang)},
        status_code=status,
        headers=headers,
    )


async def _signed_in(request: Request[Any, Any, Any], state: State) -> bool:
    if not request.headers.get("authorization"):
        return False
    try:
        await request_actor(request, state)
    except DomainError:
        return False  # a stale or broken token: verified like anyone else's request
    return True


def _verify_slots(state: State) -> anyio.CapacityLimiter:
    """At most ``verify_concurrency`` verifications at once in this process."""
    settings: Settings = state.settings
    limiter = state.get("verify_slots")
    if limiter is None:
        limiter = anyio.CapacityLimiter(settings.verify_concurrency)
        state["verify_slots"] = limiter
    assert isinstance(limiter, anyio.CapacityLimiter)
    return limiter


async def _read_capped(request: Request[Any, Any, Any], cap: int) -> bytes | None:
    """The body, or None once it is longer than ``cap`` (the rest is not read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@post("/api/verify", status_code=200, include_in_schema=False)
async def verify_pdf(request: Request[Any, Any, Any], state: State) -> Response[dict[str, Any]]:
    """Anyone may verify a PDF: without a sign-in the address is rate limited (shared by all
    server processes) and the file smaller; every file is measured before it is parsed, and the
    parsing runs off the event loop, a bounded number at once."""
    settings: Settings = state.settings
    signed_in = await _signed_in(request, state)
    if not signed_in:
        source = source_address(request.scope, settings.trusted_proxies)
        limit, now = settings.verify_rate_per_minute, datetime.now(UTC)
        db: Database = state.db
        wait = await db.write(lambda s: rate_hit(s, "verify", source, limit, now))
        if wait is not None:
            return _refusal(request, 429, DomainError(ErrorCode.RATE_LIMITED, params={"seconds": wait}))
    cap = settings.max_verify_pdf_bytes if signed_in else settings.max_anonymous_verify_pdf_bytes
    data = await _read_capped(request, cap)
    if data is None:
        detail = f"request body > {cap} bytes"
        return _refusal(request, 413, DomainError(ErrorCode.LIMIT_EXCEEDED, params={"detail": detail}))
    if not data:
        raise DomainError(ErrorCode.VALIDATION_FAILED, params={"detail": "empty body: send the PDF file"})
    async with _verify_slots(state):
        problem = await documents(state).shape_problem(data)
        if problem is not None:
            return _refusal(request, 413, DomainError(ErrorCode.LIMIT_EXCEEDED, params={"detail": problem}))
        result = await documents(state).verify_pdf(data)
    return Response(content=result, headers=NO_STORE)


def minutes_routes(settings: Settings) -> list[Router]:
    return [
        Router(
            path="/",
            route_handlers=[minutes_pdf, verify_code, verify_pdf],
            request_max_body_size=settings.max_verify_pdf_bytes,
            exception_handlers=json_error_handlers(),
        )
    ]
