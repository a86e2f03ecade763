"""HTTP surface: health, limits, masking, request ids, static PWA serving."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.config import Settings
from backend.db.engine import Database
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


async def test_no_graphiql_and_no_get_queries_in_production(settings: Settings, db: Database) -> None:
    app = create_app(settings.model_copy(update={"production": True}), db)

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
