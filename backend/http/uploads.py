"""tus 1.0.0 at ``/uploads/`` (core + creation + termination + expiration) and ``GET /blobs/<sha256>``.

Thin handlers: they check the protocol (``Tus-Resumable``, ``Content-Type``, ``Content-Length``),
find the signed-in person (``Authorization: Bearer <access token>``) and call ``UploadService``;
the rules live in ``backend.services.uploads`` and ``backend.domain.blobs`` (who may upload,
who may read a blob: whoever sees a row that references it — anyone else gets 404, as for a
blob that does not exist). Every malformed header is a 4xx with a catalogue code. Errors are
JSON ``{code, message}`` from the error catalogue, in Turkish unless ``Accept-Language`` asks for
English.

Body limits: the app-wide ``max_request_bytes`` is for GraphQL; these routes take one tus chunk,
``upload_chunk_bytes`` (8 MiB by default) — the client's ``chunkSize`` must not exceed it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC
from email.utils import format_datetime
from typing import Any

from litestar import Request, Response, Router, delete, get, head, patch, post, route
from litestar.datastructures import State
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException, InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from litestar.response import Stream

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode, http_status
from backend.domain.language import pick_lang
from backend.domain.people.auth import actor_from_token
from backend.domain.people.permissions import Actor
from backend.services import upload_service
from backend.services.uploads import BodyInterrupted, UploadState, parse_count

log = logging.getLogger("saha.uploads")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# Response headers a browser client on another origin must be able to read (CORS).
TUS_EXPOSE_HEADERS = [
    "Location",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Metadata",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Upload-Expires",
]
BLOB_CACHE = "private, max-age=31536000, immutable"


class Refused(Exception):  # noqa: N818 - reads as "raise Refused(...)"
    """A catalogue error with an HTTP status of its own (protocol errors: 412, 415)."""

    def __init__(self, status: int, error: DomainError) -> None:
        super().__init__(error.code.value)
        self.status = status
        self.error = error


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **extra}


def _error_response(request: Request[Any, Any, Any], status: int, error: DomainError) -> Response[Any]:
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    if request.url.path.startswith("/uploads"):
        headers.update(_tus_headers())
    if error.code in (ErrorCode.AUTH_REQUIRED, ErrorCode.AUTH_SESSION_EXPIRED):
        headers["WWW-Authenticate"] = "Bearer"
    if request.method == HttpMethod.HEAD:
        return Response(content=None, status_code=status, headers=headers)
    lang = pick_lang(request.headers.get("accept-language"))
    return Response(
        content={"code": error.code.value, "message": error.message(lang)},
        status_code=status,
        headers=headers,
    )


def _on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _error_response(request, http_status(exc.code), exc)


def _on_refused(request: Request[Any, Any, Any], exc: Refused) -> Response[Any]:
    return _error_response(request, exc.status, exc.error)


def _on_too_large(request: Request[Any, Any, Any], exc: RequestEntityTooLarge) -> Response[Any]:
    limit = request.route_handler.resolve_request_max_body_size()
    error = DomainError(ErrorCode.LIMIT_EXCEEDED, params={"detail": f"request body > {limit} bytes"})
    return _error_response(request, 413, error)


def _on_interrupted(request: Request[Any, Any, Any], exc: BodyInterrupted) -> Response[Any]:
    # Nobody is listening any more; the bytes that came were kept and the offset recorded.
    return Response(content=None, status_code=400, headers=_tus_headers())


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, HTTPException) and exc.status_code < 500:  # Litestar's own refusals
        code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.VALIDATION_FAILED
        return _error_response(request, exc.status_code, DomainError(code, params={"detail": exc.detail}))
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.exception("%s %s failed (request id %s)", request.method, request.url.path, request_id)
    return _error_response(request, 500, DomainError(ErrorCode.INTERNAL, params={"request_id": request_id}))


async def request_actor(request: Request[Any, Any, Any], state: State) -> Actor:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not token:
        raise DomainError(ErrorCode.AUTH_REQUIRED)
    db: Database = state.db
    settings: Settings = state.settings
    return await db.read(lambda session: actor_from_token(session, token, settings))


def _require_tus(request: Request[Any, Any, Any]) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        detail = f"Tus-Resumable: {TUS_VERSION}"
        raise Refused(412, DomainError(ErrorCode.VALIDATION_FAILED, params={"detail": detail}))
    length = request.headers.get("content-length")
    if length is not None:
        parse_count(length, "Content-Length")  # ASCII digits only, like every tus number


def _offset_headers(upload: UploadState) -> dict[str, str]:
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.size),
        "Cache-Control": "no-store",
    }
    if upload.expires_at is not None:
        headers["Upload-Expires"] = format_datetime(upload.expires_at.astimezone(UTC), usegmt=True)
    return _tus_headers(**headers)


@route("/uploads", http_method=[HttpMethod.OPTIONS], status_code=204, include_in_schema=False)
async def tus_options(state: State) -> Response[None]:
    settings: Settings = state.settings
    return Response(
        content=None,
        status_code=204,
        headers=_tus_headers(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(settings.max_upload_bytes),
            }
        ),
    )


@post("/uploads", status_code=201, include_in_schema=False)
async def create_upload(request: Request[Any, Any, Any], state: State) -> Response[None]:
    _require_tus(request)
    actor = await request_actor(request, state)
    upload = await upload_service(state).create(
        actor, request.headers.get("upload-length"), request.headers.get("upload-metadata")
    )
    headers = _offset_headers(upload)
    headers["Location"] = f"/uploads/{upload.id}"
    return Response(content=None, status_code=201, headers=headers)


@head("/uploads/{upload_id:str}", include_in_schema=False)
async def upload_status(
    request: Request[Any, Any, Any], state: State, upload_id: FromPath[str]
) -> Response[None]:
    _require_tus(request)
    actor = await request_actor(request, state)
    upload = await upload_service(state).status(actor, upload_id)
    return Response(content=None, status_code=200, headers=_offset_headers(upload))


async def _body(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    try:
        async for piece in request.stream():
            if piece:
                yield piece
    except InternalServerException as exc:
        if "disconnected" in str(exc.detail):
            raise BodyInterrupted() from None
        raise


@patch("/uploads/{upload_id:str}", status_code=204, include_in_schema=False)
async def upload_append(
    request: Request[Any, Any, Any], state: State, upload_id: FromPath[str]
) -> Response[None]:
    _require_tus(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OFFSET_CONTENT_TYPE:
        detail = f"Content-Type: {OFFSET_CONTENT_TYPE}"
        raise Refused(415, DomainError(ErrorCode.VALIDATION_FAILED, params={"detail": detail}))
    actor = await request_actor(request, state)
    upload = await upload_service(state).append(
        actor, upload_id, request.headers.get("upload-offset"), _body(request)
    )
    return Response(content=None, status_code=204, headers=_offset_headers(upload))


@delete("/uploads/{upload_id:str}", status_code=204, include_in_schema=False)
async def upload_terminate(
    request: Request[Any, Any, Any], state: State, upload_id: FromPath[str]
) -> Response[None]:
    _require_tus(request)
    actor = await request_actor(request, state)
    await upload_service(state).terminate(actor, upload_id)
    return Response(content=None, status_code=204, headers=_tus_headers())


@get("/blobs/{sha256:str}", include_in_schema=False)
async def read_blob(request: Request[Any, Any, Any], state: State, sha256: FromPath[str]) -> Response[Any]:
    actor = await request_actor(request, state)
    service = upload_service(state)
    blob = await service.readable_blob(actor, sha256)
    etag = f'"{blob.sha256}"'
    headers = {"Cache-Control": BLOB_CACHE, "ETag": etag, "Content-Security-Policy": "sandbox"}
    if request.headers.get("if-none-match") == etag:
        return Response(content=None, status_code=304, headers=headers)
    content = await service.blob_content(blob)
    headers["Content-Length"] = str(blob.size)
    return Stream(content, media_type=blob.content_type, headers=headers)


def json_error_handlers() -> dict[Any, Any]:
    """Catalogue errors as JSON ``{code, message}`` for the plain HTTP routes."""
    return {
        DomainError: _on_domain_error,
        RequestEntityTooLarge: _on_too_large,
        Exception: _on_unexpected,
    }


def upload_routes(settings: Settings) -> list[Router]:
    """The routes, with the request body limit of one tus chunk."""
    return [
        Router(
            path="/",
            route_handlers=[
                tus_options,
                create_upload,
                upload_status,
                upload_append,
                upload_terminate,
                read_blob,
            ],
            request_max_body_size=settings.upload_chunk_bytes,
            exception_handlers={
                DomainError: _on_domain_error,
                Refused: _on_refused,
                RequestEntityTooLarge: _on_too_large,
                BodyInterrupted: _on_interrupted,
                Exception: _on_unexpected,
            },
        )
    ]
