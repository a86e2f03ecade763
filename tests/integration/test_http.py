"""HTTP surface: health, limits, masking, request ids, static PWA serving."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import CONTENT_SECURITY_POLICY, create_app
from backend.config import Settings
from backend.db.engine import Database
from backend.integrations.pdf.seal import (
    DEMO_CERT_FILE,
    DEMO_KEY_FILE,
    SEAL_DIR,
    SealConfigurationError,
    load_seal_identity,
)
from tests.conftest import GQL
from tests.integration.conftest import World


async def test_healthz_reports_database(client: AsyncTestClient[Any], db: Database) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": db.dialect}
    assert len(response.headers["x-request-id"]) == 12
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_healthz_503_when_database_unreachable(settings: Settings, tmp_path: Any) -> None:
    broken = Database(f"sqlite:///{tmp_path}/no/such/dir/x.db", null_pool=True)
    app = create_app(settings, broken)

    async with AsyncTestClient(app=app) as c:
        response = await c.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    broken.dispose()


async def test_query_depth_limit(gql: GQL, world: World) -> None:
    nested = "code"
    for _ in range(6):
        nested = f"devices {{ site {{ {nested} }} }}"
    deep = f"{{ sites {{ items {{ {nested} }} }} }}"

    body = await gql(deep, token=world.token(world.admin))

    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_alias_limit(gql: GQL, world: World) -> None:
    aliases = " ".join(f"a{i}: viewer {{ permissions }}" for i in range(20))

    body = await gql(f"{{ {aliases} }}", token=world.token(world.admin))

    assert len(body["errors"]) == 1
    assert "aliases" in body["errors"][0]["message"]


async def test_token_limit(gql: GQL, world: World) -> None:
    ids = ", ".join(f'"{i}"' for i in range(2100))
    doc = f'mutation {{ createWorkOrder(input: {{type: FAULT, title: "x", siteId: "y", deviceIds: [{ids}]}}) {{ __typename }} }}'

    body = await gql(doc, token=world.token(world.admin))

    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert "more than 2000 tokens" in body["errors"][0]["message"]


async def test_request_size_limit(client: AsyncTestClient[Any], settings: Settings) -> None:
    big = "#" + "x" * (settings.max_request_bytes + 10) + "\n{ viewer { permissions } }"

    response = await client.post("/graphql", json={"query": big})

    assert response.status_code == 413


async def test_validation_errors_are_not_masked(gql: GQL, world: World) -> None:
    body = await gql("{ viewer { nope } }", token=world.token(world.admin))

    assert len(body["errors"]) == 1
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]


async def test_unexpected_errors_are_masked_and_logged_with_request_id(
    gql: GQL, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a query whose domain function fails in a way nobody expected
    from backend.domain.workorders import queries

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret connection string leaked here")

    monkeypatch.setattr(queries, "review_queue", boom)

    # when it is called
    with caplog.at_level(logging.ERROR, logger="saha.graphql"):
        body = await gql("{ reviewQueue { id } }", token=world.token(world.manager))

    # then the client sees a generic message with a request id, the log has the details
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "secret" not in error["message"]
    request_id = error["extensions"]["requestId"]
    assert request_id in error["message"]
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_graphiql_outside_production(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def production(settings: Settings, tmp_path: Path) -> Settings:
    """Production settings with an institution seal certificate (made here, self-signed)."""
    load_seal_identity(data_dir=tmp_path / "institution")
    folder = tmp_path / "institution" / SEAL_DIR
    return settings.model_copy(
        update={
            "production": True,
            "seal_cert_path": folder / DEMO_CERT_FILE,
            "seal_key_path": folder / DEMO_KEY_FILE,
        }
    )


async def test_no_graphiql_and_no_get_queries_in_production(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    app = create_app(production(settings, tmp_path), db)

    async with AsyncTestClient(app=app) as c:
        ide = await c.get("/graphql", headers={"accept": "text/html"})
        get_query = await c.get("/graphql", params={"query": "{ viewer { permissions } }"})

    assert "graphiql" not in ide.text.lower()
    assert get_query.status_code in (400, 404, 405)


async def test_spa_fallback_and_cache_headers(client: AsyncTestClient[Any], settings: Settings) -> None:
    (settings.frontend_dist / "sw.js").write_text("self.addEventListener('install',()=>{})")
    (settings.frontend_dist / "assets").mkdir()
    (settings.frontend_dist / "assets" / "index-abc123.js").write_text("console.log(1)")

    deep_link = await client.get("/work-orders/123")
    sw = await client.get("/sw.js")
    asset = await client.get("/assets/index-abc123.js")
    missing_asset = await client.get("/assets/nope.js")
    traversal = await client.get("/..%2f..%2fpyproject.toml")

    assert deep_link.status_code == 200
    assert "<title>Saha</title>" in deep_link.text
    assert deep_link.headers["cache-control"] == "no-cache"
    assert sw.headers["cache-control"] == "no-cache"
    assert "javascript" in sw.headers["content-type"]
    assert "immutable" in asset.headers["cache-control"]
    assert missing_asset.status_code == 404
    assert "[project]" not in traversal.text


# ---- production mode ---------------------------------------------------------------------------

INTROSPECTION = "{ __schema { types { name } } }"
TYPO = "{ viewer { permisions } }"


async def test_production_hides_the_schema(
    settings: Settings, db: Database, tmp_path: Path, world: World
) -> None:
    token = world.token(world.admin)
    headers = {"authorization": f"Bearer {token}"}

    async with AsyncTestClient(app=create_app(settings, db)) as c:
        dev_schema = (await c.post("/graphql", json={"query": INTROSPECTION}, headers=headers)).json()
        dev_typo = (await c.post("/graphql", json={"query": TYPO}, headers=headers)).json()
    async with AsyncTestClient(app=create_app(production(settings, tmp_path), db)) as c:
        schema = (await c.post("/graphql", json={"query": INTROSPECTION}, headers=headers)).json()
        typo = (await c.post("/graphql", json={"query": TYPO}, headers=headers)).json()
        enum_typo = (
            await c.post(
                "/graphql",
                json={
                    "query": "query($s: WorkOrderStatus) { workOrders(status: $s) { total } }",
                    "variables": {"s": "ASSIGNE"},
                },
                headers=headers,
            )
        ).json()
        typename = (await c.post("/graphql", json={"query": "{ __typename }"})).json()

    # outside production: introspection and hints (GraphiQL needs them)
    assert dev_schema["data"]["__schema"]["types"]
    assert "Did you mean" in dev_typo["errors"][0]["message"]
    # production: neither, and the errors still say what is wrong
    assert schema["data"] is None
    assert "introspection" in schema["errors"][0]["message"].lower()
    assert typo["errors"][0]["message"] == "Cannot query field 'permisions' on type 'Viewer'."
    assert all("Did you mean" not in e["message"] for e in typo["errors"] + enum_typo["errors"])
    assert "ASSIGNE" in enum_typo["errors"][0]["message"]
    assert typename["data"] == {"__typename": "Query"}


async def test_production_refuses_to_start_without_a_seal_certificate(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    with pytest.raises(SealConfigurationError) as refused:
        create_app(settings.model_copy(update={"production": True}), db)
    half = production(settings, tmp_path).model_copy(update={"seal_key_path": tmp_path / "missing.pem"})
    with pytest.raises(SealConfigurationError) as broken:
        create_app(half, db)

    assert "SAHA_SEAL_CERT_PATH" in str(refused.value)
    assert "SAHA_SEAL_PKCS12_PATH" in str(refused.value)
    assert "SAHA_SEAL_CERT_PATH" in str(broken.value)
    assert not (settings.data_dir / SEAL_DIR).exists()  # no demo seal was made


async def test_outside_production_the_demo_seal_is_allowed_with_a_warning(
    settings: Settings, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="saha.app"):
        create_app(settings, db)

    assert any("demo certificate" in r.getMessage() for r in caplog.records)


# ---- security headers ---------------------------------------------------------------------------


async def test_every_app_response_carries_the_content_security_policy(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    (settings.frontend_dist / "sw.js").write_text("self.addEventListener('install',()=>{})")

    responses = [
        await client.get("/"),
        await client.get("/work-orders/1"),
        await client.get("/sw.js"),
        await client.get("/healthz"),
        await client.post("/graphql", json={"query": "{ __typename }"}),
    ]

    for response in responses:
        csp = response.headers["content-security-policy"]
        assert csp == CONTENT_SECURITY_POLICY
        assert "script-src 'self' 'wasm-unsafe-eval';" in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert "base-uri 'none'" in csp
        assert "unsafe-inline" not in csp
        policy = response.headers["permissions-policy"]
        assert "camera=(self)" in policy
        assert "microphone=()" in policy
        assert "publickey-credentials-get=(self)" in policy
        assert "geolocation=(self)" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"


async def test_graphiql_keeps_working_outside_production(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert "graphiql" in response.text.lower()
    assert "content-security-policy" not in response.headers  # it loads from a CDN, dev only


# ---- malformed headers --------------------------------------------------------------------------

MALFORMED: list[tuple[str, str | bytes]] = [
    ("authorization", "Bearer"),
    ("authorization", "Bearer "),
    ("authorization", "Basic dXNlcjpwYXNz"),
    ("authorization", "Bearer " + "a" * 100_000),
    ("authorization", "Bearer ş€🙂".encode()),
    ("authorization", b"Bearer \xff\xfe\x00garbage"),
    ("authorization", "Bearer a.b.c"),
    ("authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
    ("x-forwarded-for", "not-an-ip, 999.1.1.1, ::::, [::1"),
    ("x-forwarded-for", "1.2.3.4" + ", 5.6.7.8" * 5000),
    ("x-forwarded-for", b"\xff\xfe"),
    ("content-length", "abc"),
    ("content-length", "-1"),
    ("content-length", "99999999999999999999999999"),
    ("content-length", "1e3"),
    ("accept-language", b"\xff" * 300),
    ("x-request-id", b"\xff\x00../../"),
]


@pytest.mark.parametrize(("name", "value"), MALFORMED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(MALFORMED)])
async def test_malformed_headers_never_get_a_server_error(
    settings: Settings, db: Database, name: str, value: str | bytes
) -> None:
    settings.trusted_proxies = ["192.0.2.0/24"]  # the peer below is a trusted proxy: X-Forwarded-For is read
    raw = value if isinstance(value, bytes) else value.encode("utf-8")
    app = create_app(settings, db)
    requests = [
        ("POST", "/graphql", b'{"query": "{ viewer { permissions } }"}', "application/json"),
        ("POST", "/graphql", b'{"query": "{ __typename }"}', "application/json"),
        ("POST", "/api/verify", b"%PDF-1.7 not really", "application/pdf"),
        ("GET", "/healthz", b"", ""),
    ]
    for method, path, body, content_type in requests:
        status, payload = await _raw_request(app, method, path, body, content_type, (name.encode(), raw))

        assert status < 500, (method, path, name, status, payload[:200])
        if name == "content-length" or (name == "authorization" and len(raw) > 8192):
            assert status == 400
        elif name == "authorization" and path == "/graphql" and b"viewer" in body:
            assert status == 200
            assert b"AUTH_SESSION_EXPIRED" in payload
        else:
            assert status in (200, 400, 413), status


async def _raw_request(
    app: Any, method: str, path: str, body: bytes, content_type: str, extra: tuple[bytes, bytes]
) -> tuple[int, bytes]:
    """One request straight into the ASGI app, headers exactly as given (no client library
    between that would refuse or repair them)."""
    headers = [(b"host", b"testserver"), extra]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    if extra[0] != b"content-length":
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("192.0.2.10", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    chunks = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), payload
