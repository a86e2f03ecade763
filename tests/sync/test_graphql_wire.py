"""The sync protocol over GraphQL: envelopes in, replies and pages out, limits and typed errors."""

from __future__ import annotations

from typing import Any

from backend.db.engine import Database
from tests.conftest import GQL
from tests.factories import make_work_order
from tests.integration.conftest import World

PUSH = """mutation($c: String!, $e: [SyncEnvelopeInput!]!) { r: syncPush(clientId: $c, envelopes: $e) {
  __typename
  ... on SyncPushResult { clientId lastSeq expectedSeq replies { seq mutationId status code message field result } }
  ... on OperationError { code message } } }"""
PULL = """query($c: String, $l: Int!) { syncPull(cursor: $c, limit: $l) {
  nextCursor hasMore reset changes { entity id version op data } } }"""


def _env(seq: int, name: str, args: dict[str, Any], mid: str | None = None) -> dict[str, Any]:
    return {"seq": seq, "mutationId": mid or f"m{seq}", "name": name, "args": args}


async def test_push_and_pull_over_graphql(gql: GQL, db: Database, world: World) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    token = world.token(world.tech)
    batch = [
        _env(1, "workorder.start", {"workOrderId": str(wo.id)}),
        _env(2, "workorder.submit", {"workOrderId": str(wo.id)}),
        _env(3, "workorder.addNote", {"workOrderId": str(wo.id), "text": "Tamam"}),
        _env(4, "workorder.start", {"workOrderId": str(wo.id)}),
    ]

    first = (await gql.ok(PUSH, {"c": "tel-1", "e": batch}, token=token))["r"]
    replay = (await gql.ok(PUSH, {"c": "tel-1", "e": batch}, token=token))["r"]
    gap = (
        await gql.ok(
            PUSH, {"c": "tel-1", "e": [_env(9, "workorder.close", {"workOrderId": str(wo.id)})]}, token=token
        )
    )["r"]

    assert first["lastSeq"] == 4
    assert [r["status"] for r in first["replies"]] == ["APPLIED", "APPLIED", "APPLIED", "REJECTED"]
    assert first["replies"][0]["result"] == {"entity": "workOrder", "id": str(wo.id), "version": 3}
    assert first["replies"][3]["code"] == "WORKORDER_ILLEGAL_TRANSITION"
    assert "onay bekliyor" in first["replies"][3]["message"]
    assert replay["replies"] == first["replies"]
    # `outcomes` is the same replies as one JSON value (what the PWA reads), in both languages
    for lang in ("tr", "en"):
        both = (
            await gql.ok(
                PUSH.replace("replies {", "outcomes replies {"),
                {"c": "tel-1", "e": batch},
                token=token,
                lang=lang,
            )
        )["r"]
        assert both["outcomes"] == both["replies"]
        assert [r["status"] for r in both["outcomes"]] == ["APPLIED", "APPLIED", "APPLIED", "REJECTED"]
    assert gap["replies"] == []
    assert gap["expectedSeq"] == 5

    page = (await gql.ok(PULL, {"c": None, "l": 500}, token=token))["syncPull"]
    orders = [c for c in page["changes"] if c["entity"] == "workOrder"]
    assert [(o["id"], o["data"]["status"]) for o in orders] == [(str(wo.id), "SUBMITTED")]
    notes = [
        c["data"]["text"]
        for c in page["changes"]
        if c["entity"] == "workOrderEvent" and c["data"]["kind"] == "NOTE"
    ]
    assert notes == ["Tamam"]
    # `records` is the same page as one JSON value (what the PWA reads)
    both = (
        await gql.ok(
            "query { syncPull(limit: 500) { records changes { entity id version op data } } }", token=token
        )
    )["syncPull"]
    assert both["records"] == both["changes"] == page["changes"]


async def test_push_errors_are_typed(gql: GQL, db: Database, world: World) -> None:
    wo = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    await gql.ok(
        PUSH,
        {"c": "tel-x", "e": [_env(1, "workorder.start", {"workOrderId": str(wo.id)})]},
        token=world.token(world.tech),
    )

    other_user = (await gql.ok(PUSH, {"c": "tel-x", "e": []}, token=world.token(world.manager)))["r"]
    too_many = (
        await gql.ok(
            PUSH,
            {"c": "tel-y", "e": [_env(i, "x", {}) for i in range(1, 502)]},
            token=world.token(world.tech),
        )
    )["r"]
    not_an_object = (
        await gql.ok(PUSH, {"c": "tel-y", "e": [_env(1, "x", [1, 2])]}, token=world.token(world.tech))
    )["r"]  # type: ignore[arg-type]
    anonymous = (await gql.ok(PUSH, {"c": "tel-z", "e": []}))["r"]

    assert other_user["code"] == "SYNC_CLIENT_MISMATCH"
    assert too_many["code"] == "SYNC_BATCH_TOO_LARGE"
    # a malformed envelope is refused alone (it cannot stall the outbox behind it)
    assert not_an_object["lastSeq"] == 1
    assert [(r["status"], r["code"], r["field"]) for r in not_an_object["replies"]] == [
        ("REJECTED", "VALIDATION_FAILED", "args")
    ]
    assert anonymous["code"] == "AUTH_REQUIRED"


async def test_pull_limit_is_enforced(gql: GQL, world: World) -> None:
    body = await gql(PULL, {"c": None, "l": 100_000}, token=world.token(world.tech))

    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
