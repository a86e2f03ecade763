"""Sealed minutes as PDF (signed in) and public verification (no sign-in).

``GET /api/minutes/<id>.pdf`` — the sealed PDF (409 while not sealed or images still uploading).
``GET /api/verify/<code>`` — is this verification code sealed minutes Saha holds, and whose?
``POST /api/verify`` — body: a PDF; is its seal intact and is it the file Saha made?
Rules: ``backend.domain.surveys.queries``; documents: ``backend.integrations.pdf.service``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from backend.config import Settings
from backend.domain.errors import DomainError, ErrorCode
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


@post("/api/verify", status_code=200, include_in_schema=False)
async def verify_pdf(request: Request[Any, Any, Any], state: State) -> Response[dict[str, Any]]:
    data = await request.body()
    if not data:
        raise DomainError(ErrorCode.VALIDATION_FAILED, params={"detail": "empty body: send the PDF file"})
    return Response(content=await documents(state).verify_pdf(data), headers=NO_STORE)


def minutes_routes(settings: Settings) -> list[Router]:
    return [
        Router(
            path="/",
            route_handlers=[minutes_pdf, verify_code, verify_pdf],
            request_max_body_size=settings.max_verify_pdf_bytes,
            exception_handlers=json_error_handlers(),
        )
    ]
