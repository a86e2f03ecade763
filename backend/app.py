"""create_app(): Litestar with GraphQL, health check, request ids and the PWA's static files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import text
from strawberry.litestar import make_graphql_controller

from backend.config import Settings, get_settings, private_umask
from backend.db.engine import Database
from backend.graphql.context import Context, new_request_id, pick_lang
from backend.graphql.loaders import Loaders
from backend.graphql.schema import build_schema
from backend.http.minutes import minutes_routes
from backend.http.uploads import TUS_EXPOSE_HEADERS, upload_routes, upload_service
from backend.services import diagnostics_service, signing_keys

log = logging.getLogger("saha.app")

REQUEST_ID_HEADER = "x-request-id"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


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

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                headers.extend(SECURITY_HEADERS)
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


async def graphql_context(scope: Scope) -> dict[str, Any]:
    """Builds the per-request Context (Litestar injects ``scope``; works for HTTP and WS)."""
    state = scope["app"].state
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    rid = scope.get("state", {}).get("request_id") or new_request_id()
    db: Database = state.db
    return {
        "saha": Context(
            db=db,
            settings=state.settings,
            request_id=rid,
            lang=pick_lang(headers.get("accept-language")),
            authorization=headers.get("authorization"),
            loaders=Loaders(db),
            app_state=state,
            signing=signing_keys(state),
        )
    }


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


def create_app(settings: Settings | None = None, db: Database | None = None) -> Litestar:
    settings = settings or get_settings()
    private_umask()
    settings.restrict_data_dir()
    settings.effective_secret_key()  # create the key now, not inside the first request
    database = db or Database(settings.effective_database_url)
    owns_db = db is None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        scheduler = None
        if settings.scheduler_enabled:
            from backend.jobs.scheduler import Scheduler, blob_sweep_job, jobs

            async def sweep(actor: Any, source: Any) -> tuple[int, int]:
                return await diagnostics_service(app.state).sweep(actor, source)

            async def blob_sweep() -> tuple[int, int]:
                done = await upload_service(app.state).sweep()
                return done.uploads + done.blobs, 0

            plan = jobs(settings.nightly_sweep_hour, settings.weekly_check_hour)
            plan.append(blob_sweep_job(settings.blob_sweep_hour, blob_sweep))
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

    graphql = make_graphql_controller(
        build_schema(settings),
        path="/graphql",
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=False,
        context_getter=graphql_context,
        subscription_protocols=(),
    )
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
        debug=False,
        openapi_config=None,
    )
