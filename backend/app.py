"""create_app(): Litestar with GraphQL, health check, request ids and the PWA's static files."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from litestar.response import File
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send
from sqlalchemy import text
from strawberry.litestar import make_graphql_controller

from backend.config import Settings, get_settings, private_umask
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode, render
from backend.domain.language import pick_lang
from backend.domain.people.auth import HASH_GATE
from backend.domain.sync_adapter import install_change_tracking
from backend.graphql.context import Context, new_request_id
from backend.graphql.loaders import Loaders
from backend.graphql.schema import build_schema
from backend.http.client_address import parse_networks, source_address
from backend.http.minutes import minutes_routes
from backend.http.uploads import TUS_EXPOSE_HEADERS, upload_routes
from backend.services import check_documents_at_start, diagnostics_service, signing_keys, upload_service

log = logging.getLogger("saha.app")

REQUEST_ID_HEADER = "x-request-id"
# The PWA keeps its tokens in localStorage: no script but our own files may ever run. 'wasm-unsafe-eval'
# lets the QR scanner compile its ZXing WebAssembly; Preact sets element.style from script, which
# style-src does not govern. deploy/nginx.conf sends the same headers.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "font-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
# camera: the QR scanner; geolocation: survey points; publickey-credentials-get: passkeys.
PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(self), publickey-credentials-get=(self), accelerometer=(), "
    "autoplay=(), display-capture=(), encrypted-media=(), fullscreen=(self), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), usb=(), "
    "screen-wake-lock=(), xr-spatial-tracking=()"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
]
CSP_HEADER = b"content-security-policy"
MAX_HEADER_VALUE = 8192  # a longer Authorization / Content-Length is refused as malformed


def _malformed(scope: Scope) -> str | None:
    """Why the request's headers cannot be served (a 400), or None. The body-framing and
    credential headers are checked here, once, so that no handler meets them broken."""
    lengths: set[bytes] = set()
    for name, value in scope.get("headers", []):
        key = name.lower()
        if key == b"content-length":
            lengths.add(value.strip())
            if not value.strip().isdigit() or len(value.strip()) > 18:
                return "Content-Length is not a number"
        elif key == b"authorization" and len(value) > MAX_HEADER_VALUE:
            return "Authorization header too long"
    if len(lengths) > 1:
        return "conflicting Content-Length headers"
    return None


def _bad_request(detail: str) -> ASGIApp:
    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        body = json.dumps(
            {
                "code": ErrorCode.VALIDATION_FAILED.value,
                "message": render(ErrorCode.VALIDATION_FAILED, "en", detail=detail),
            }
        ).encode()
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return respond


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give every request an id (or keep a sane one sent by a proxy) and echo it back, along
    with the security headers every response carries."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        sent = dict(scope.get("headers", [])).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        rid = sent if sent.isalnum() and 8 <= len(sent) <= 64 else new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        graphiql = scope.get("path") == "/graphql" and scope.get("method") == "GET"

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                headers.extend(SECURITY_HEADERS)
                # every response but GraphiQL (outside production only: it loads from a CDN)
                # and those carrying their own policy (blobs: "sandbox")
                if not graphiql and not any(k.lower() == CSP_HEADER for k, _ in headers):
                    headers.append((CSP_HEADER, CONTENT_SECURITY_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        problem = _malformed(scope)
        await (_bad_request(problem) if problem else app)(scope, receive, send_with_id)

    return middleware


async def graphql_context(scope: Scope) -> dict[str, Any]:
    """Builds the per-request Context (Litestar injects ``scope``; works for HTTP and WS)."""
    state = scope["app"].state
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    rid = scope.get("state", {}).get("request_id") or new_request_id()
    db: Database = state.db
    context = Context(
        db=db,
        settings=state.settings,
        request_id=rid,
        lang=pick_lang(headers.get("accept-language")),
        authorization=headers.get("authorization"),
        app_state=state,
        signing=signing_keys(state),
        source=source_address(scope, state.settings.trusted_proxies),
    )
    context.loaders = Loaders(db, context.actor)
    return {"saha": context}


def _graphql_refusal(request: Request[Any, Any, Any], status: int, error: DomainError) -> Response[Any]:
    """A refusal before GraphQL ran, in GraphQL's error shape with the catalogue's code."""
    lang = pick_lang(request.headers.get("accept-language"))
    refusal = {"message": error.message(lang), "extensions": {"code": error.code.value}}
    body = {"data": None, "errors": [refusal]}
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


def _on_body_too_large(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    limit = request.route_handler.resolve_request_max_body_size()
    detail = f"request body > {limit} bytes"
    return _graphql_refusal(request, 413, DomainError(ErrorCode.LIMIT_EXCEEDED, params={"detail": detail}))


def _on_too_deep(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # the JSON parser gives up on a body nested thousands deep: the client's mistake, not a crash
    return _graphql_refusal(
        request, 400, DomainError(ErrorCode.LIMIT_EXCEEDED, params={"detail": "JSON nested too deeply"})
    )


@get("/healthz", media_type=MediaType.JSON, cache=False)
async def healthz(state: State) -> Response[dict[str, Any]]:
    """200 when the database answers, 503 otherwise."""
    db: Database = state.db
    try:
        await db.read(lambda session: session.connection().execute(text("SELECT 1")))
    except Exception:
        log.exception("health check: database unreachable")
        return Response({"status": "error", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": db.dialect})


def _static_file(dist: Path, rel: str) -> File:
    """Serve a file of the built PWA; unknown paths get index.html (client-side routing)."""
    root = dist.resolve()
    candidate = (root / rel).resolve() if rel else root / "index.html"
    if not candidate.is_relative_to(root) or not candidate.is_file():
        if Path(rel).suffix and not rel.endswith(".html"):
            raise NotFoundException()  # a missing asset is a 404, not the app shell
        candidate = root / "index.html"
    if not candidate.is_file():
        raise NotFoundException(detail="PWA not built: run `make build` (frontend/dist missing)")
    name = candidate.name
    if name in ("index.html", "sw.js", "manifest.webmanifest", "registerSW.js") or name.startswith(
        "workbox-"
    ):
        cache = "no-cache"  # must be revalidated so a new build reaches the phones
    elif candidate.parent.name == "assets":
        cache = "public, max-age=31536000, immutable"  # content-hashed file names
    else:
        cache = "public, max-age=3600"
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".webmanifest"):
        media_type = "application/manifest+json"
    return File(
        path=candidate,
        media_type=media_type,
        content_disposition_type="inline",
        headers={"Cache-Control": cache},
    )


@get("/", include_in_schema=False)
async def spa_root(state: State) -> File:
    return _static_file(state.settings.frontend_dist, "")


@get("/{path:path}", include_in_schema=False)
async def spa(state: State, path: FromPath[str]) -> File:
    return _static_file(state.settings.frontend_dist, path.lstrip("/"))


def _check_at_start(settings: Settings) -> None:
    """Refuse to start on settings that would fail later (or, in production, silently)."""
    parse_networks(settings.trusted_proxies)  # ValueError names a bad entry
    HASH_GATE.configure(settings.argon2_concurrency)
    check_documents_at_start(settings)


def create_app(settings: Settings | None = None, db: Database | None = None) -> Litestar:
    settings = settings or get_settings()
    private_umask()
    settings.restrict_data_dir()
    settings.effective_secret_key()  # create the key now, not inside the first request
    _check_at_start(settings)
    install_change_tracking()  # every write of this process lands in the change log
    database = db or Database(settings.effective_database_url)
    owns_db = db is None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        scheduler = None
        if settings.scheduler_enabled:
            from backend.db.types import utcnow
            from backend.jobs.rounds import month_of, open_rounds
            from backend.jobs.scheduler import Scheduler, blob_sweep_job, jobs, monthly_rounds_job

            async def sweep(actor: Any, source: Any) -> tuple[int, int]:
                return await diagnostics_service(app.state).sweep(actor, source)

            async def blob_sweep() -> tuple[int, int]:
                done = await upload_service(app.state).sweep()
                return done.uploads + done.blobs, 0

            plan = jobs(settings.nightly_sweep_hour, settings.weekly_check_hour)
            plan.append(blob_sweep_job(settings.blob_sweep_hour, blob_sweep))

            async def rounds() -> tuple[int, int]:
                return await asyncio.to_thread(open_rounds, database, month_of(utcnow()))

            plan.append(monthly_rounds_job(settings.cleaning_round_hour, rounds))
            scheduler = asyncio.create_task(Scheduler(database, sweep, plan).run_forever())
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await scheduler
            if owns_db:
                database.dispose()

    controller = make_graphql_controller(
        build_schema(settings),
        path="/graphql",
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=False,
        context_getter=graphql_context,
        subscription_protocols=(),
    )

    class graphql(controller):  # type: ignore[valid-type,misc]  # noqa: N801 - a route handler
        def decode_json(self, data: str | bytes) -> object:
            # msgspec reads a 500-envelope push ~5x faster than the json module; anything it
            # refuses (NaN, numbers out of range, nesting) gets the json module's exact answer
            try:
                return msgspec.json.decode(data)
            except (msgspec.MsgspecError, RecursionError):
                return json.loads(data)

        def encode_json(self, data: object) -> bytes:
            # a 500-reply push or a 2,000-record page: msgspec writes it ~5x faster than the json
            # module (UTF-8 as is, not \u-escaped: Turkish text is also smaller on the wire)
            try:
                return msgspec.json.encode(data)
            except (TypeError, msgspec.MsgspecError):  # a value only the json module knows how to write
                return json.dumps(data, separators=(",", ":")).encode()

    cors = (
        CORSConfig(allow_origins=settings.allowed_origins, expose_headers=TUS_EXPOSE_HEADERS)
        if settings.allowed_origins
        else None
    )
    state = State({"settings": settings, "db": database})
    signing_keys(state)  # load (or create) the signing secrets now, not inside the first request
    return Litestar(
        route_handlers=[healthz, graphql, *upload_routes(settings), *minutes_routes(settings), spa_root, spa],
        state=state,
        middleware=[request_id_middleware],
        cors_config=cors,
        lifespan=[lifespan],
        request_max_body_size=settings.max_request_bytes,
        exception_handlers={RequestEntityTooLarge: _on_body_too_large, RecursionError: _on_too_deep},
        # JSON (GraphQL, sync pages) compresses ~5x; photos, PDFs and uploads are left alone
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=1024,
            gzip_compress_level=6,
            exclude=["^/blobs/", "^/uploads", "^/api/minutes/"],
        ),
        debug=False,
        openapi_config=None,
    )
