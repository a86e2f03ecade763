"""No envelope can stall an outbox: whatever an envelope's content causes is a refusal of that
envelope alone, with the catalogue's code; the good envelopes around it apply.

Each trigger below was found from the outside; before the fix each one made the whole batch
``INTERNAL`` (transient), so every retry failed the same way and the outbox stopped for good.
The outbox is [good, bad, good] over GraphQL, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlmodel import col, select

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.workorders import commands as wo_commands
from backend.domain.workorders.models import WorkOrderEvent, WorkOrderEventKind
from sync.models import LedgerEntry
from tests.conftest import GQL
from tests.factories import make_work_order
from tests.integration.conftest import World
from tests.sync.test_graphql_wire import PULL, PUSH

LONG = "x" * 65


def _note(seq: int, wo: str, text: str, **over: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "seq": seq,
        "mutationId": f"m{seq}",
        "name": "workorder.addNote",
        "args": {"workOrderId": wo, "text": text},
    }
    env.update(over)
    return env


def _nested(depth: int) -> Any:
    value: Any = "dip"
    for _ in range(depth):
        value = {"a": value}
    return value


BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    # trigger: (changes to the middle envelope, code, field)
    "base versions not whole numbers": (
        {"baseVersions": {"workOrder:x": "iki"}},
        "VALIDATION_FAILED",
        "baseVersions",
    ),
    "base version a fraction": ({"baseVersions": {"workOrder:x": 1.5}}, "VALIDATION_FAILED", "baseVersions"),
    "base versions not an object": ({"baseVersions": [1, 2]}, "VALIDATION_FAILED", "baseVersions"),
    "NUL byte in a text": ({"args": {"workOrderId": "{wo}", "text": "a\x00b"}}, "VALIDATION_FAILED", "args"),
    "NUL byte in a key": (
        {"args": {"workOrderId": "{wo}", "text": "t", "k\x00": 1}},
        "VALIDATION_FAILED",
        "args",
    ),
    "command name over 64 characters": ({"name": "workorder." + "a" * 60}, "VALIDATION_FAILED", "name"),
    "unknown command": ({"name": "workorder.explode"}, "COMMAND_UNKNOWN", None),
    "mutation id over 64 characters": ({"mutationId": LONG}, "VALIDATION_FAILED", "mutationId"),
    "empty mutation id": ({"mutationId": ""}, "VALIDATION_FAILED", "mutationId"),
    "args not an object": ({"args": ["a", "b"]}, "VALIDATION_FAILED", "args"),
    "args nested too deep": ({"args": _nested(40)}, "VALIDATION_FAILED", "args"),
    "a field of the wrong type": (
        {"args": {"workOrderId": "{wo}", "text": {"x": 1}}},
        "VALIDATION_FAILED",
        "text",
    ),
    "an id that is no uuid": (
        {"args": {"workOrderId": "yok", "text": "t"}},
        "VALIDATION_FAILED",
        "workOrderId",
    ),
}


def _fill(value: Any, wo: str) -> Any:
    return json.loads(json.dumps(value).replace("{wo}", wo))


def _notes(db: Database) -> list[str]:
    with db.read_session() as s:
        rows = s.exec(
            select(WorkOrderEvent.text)
            .where(WorkOrderEvent.kind == WorkOrderEventKind.NOTE)
            .order_by(col(WorkOrderEvent.at), col(WorkOrderEvent.seq))
        ).all()
    return [str(t) for t in rows]


@pytest.mark.parametrize("trigger", list(BAD))
async def test_a_bad_envelope_is_refused_alone(gql: GQL, db: Database, world: World, trigger: str) -> None:
    # given: an outbox [good, bad, good]
    wo = str(make_work_order(db, world.manager, world.site_north, assignee=world.tech).id)
    change, code, field = BAD[trigger]
    batch = [_note(1, wo, "önce"), {**_note(2, wo, "kötü"), **_fill(change, wo)}, _note(3, wo, "sonra")]

    # when: it is pushed, and pushed again (a retry after a lost answer)
    first = (await gql.ok(PUSH, {"c": "tel-1", "e": batch}, token=world.token(world.tech)))["r"]
    again = (await gql.ok(PUSH, {"c": "tel-1", "e": batch}, token=world.token(world.tech)))["r"]

    # then: both good ones applied, the bad one refused with its code, and the queue moved on
    assert first["__typename"] == "SyncPushResult", first
    assert [r["status"] for r in first["replies"]] == ["APPLIED", "REJECTED", "APPLIED"]
    assert (first["replies"][1]["code"], first["replies"][1]["field"]) == (code, field)
    assert first["replies"][1]["message"]
    assert first["lastSeq"] == 3
    assert _notes(db) == ["önce", "sonra"]
    # and: the retry is answered from the ledger, the same way, and changes nothing
    assert again["replies"] == first["replies"]
    assert _notes(db) == ["önce", "sonra"]


@pytest.mark.parametrize("seq", [0, -1])
async def test_a_seq_below_one_is_refused_never_applied(
    gql: GQL, db: Database, world: World, seq: int
) -> None:
    wo = str(make_work_order(db, world.manager, world.site_north, assignee=world.tech).id)

    r = (await gql.ok(PUSH, {"c": "tel-0", "e": [_note(seq, wo, "sıfır")]}, token=world.token(world.tech)))[
        "r"
    ]

    assert [(x["status"], x["code"], x["field"]) for x in r["replies"]] == [
        ("REJECTED", "VALIDATION_FAILED", "seq")
    ]
    assert r["lastSeq"] == 0
    assert _notes(db) == []


async def test_a_long_mutation_id_is_not_cut_into_a_replay(gql: GQL, db: Database, world: World) -> None:
    # given: seq 1 sent with a 64-character id
    wo = str(make_work_order(db, world.manager, world.site_north, assignee=world.tech).id)
    token = world.token(world.tech)
    base = "m" * 64
    await gql.ok(PUSH, {"c": "tel-2", "e": [_note(1, wo, "bir", mutationId=base)]}, token=token)

    # when: seq 1 comes again with another id sharing those 64 characters
    r = (await gql.ok(PUSH, {"c": "tel-2", "e": [_note(1, wo, "iki", mutationId=base + "2")]}, token=token))[
        "r"
    ]

    # then: it is not taken for the earlier one
    assert [(x["status"], x["code"]) for x in r["replies"]] == [("REJECTED", "SYNC_SEQ_REUSED")]


async def test_an_unexpected_error_in_a_command_sets_that_envelope_aside(
    gql: GQL, db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a command with a bug that fires on one note's text
    wo = str(make_work_order(db, world.manager, world.site_north, assignee=world.tech).id)
    real = wo_commands._transition

    def buggy(ctx: Any, work_order_id: Any, action: Any, text: str | None = None) -> Any:
        result = real(ctx, work_order_id, action, text)
        if text == "hata":
            raise ZeroDivisionError("a bug after the command wrote")
        return result

    monkeypatch.setattr(wo_commands, "_transition", buggy)
    batch = [_note(1, wo, "önce"), _note(2, wo, "hata"), _note(3, wo, "sonra")]

    # when
    r = (await gql.ok(PUSH, {"c": "tel-3", "e": batch}, token=world.token(world.tech)))["r"]

    # then: refused permanently (not INTERNAL), its writes undone, the rest applied
    assert [(x["status"], x["code"]) for x in r["replies"]] == [
        ("APPLIED", None),
        ("REJECTED", "SYNC_COMMAND_FAILED"),
        ("APPLIED", None),
    ]
    assert "m2" in r["replies"][1]["message"]
    assert _notes(db) == ["önce", "sonra"]
    with db.read_session() as s:
        assert s.exec(select(LedgerEntry.status).where(LedgerEntry.seq == 2)).one() == "rejected"


async def test_every_other_envelope_rejected_equals_the_good_ones_one_by_one(
    gql: GQL, db: Database, world: World
) -> None:
    # given: two work orders, one batch where every other envelope is refused
    a = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    b = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    token = world.token(world.tech)
    good = [
        ("workorder.start", {"workOrderId": str(a.id)}),
        ("workorder.addNote", {"workOrderId": str(b.id), "text": "b1"}),
        ("workorder.addNote", {"workOrderId": str(a.id), "text": "a1"}),
        ("workorder.update", {"workOrderId": str(b.id), "title": "Yeni başlık"}),
        ("workorder.submit", {"workOrderId": str(a.id), "summary": "bitti"}),
    ]
    bad = [
        ("workorder.approve", {"workOrderId": str(a.id)}),  # a technician may not approve
        ("workorder.addNote", {"workOrderId": str(b.id), "text": "x\x00"}),
        ("workorder.submit", {"workOrderId": str(b.id)}),  # b was never started
        ("workorder.addNote", {"workOrderId": "yok", "text": "t"}),
        ("workorder.start", {"workOrderId": str(a.id)}),  # a is submitted by now
    ]
    mixed = [x for pair in zip(good, bad, strict=True) for x in pair]
    envs = [{"seq": i + 1, "mutationId": f"x{i}", "name": n, "args": a_} for i, (n, a_) in enumerate(mixed)]

    # when: the mixed batch is pushed by one phone
    r = (await gql.ok(PUSH, {"c": "tel-mixed", "e": envs}, token=token))["r"]
    mixed_state = await _state(gql, token)

    # then: the good ones applied, every bad one refused
    assert [x["status"] for x in r["replies"]] == ["APPLIED", "REJECTED"] * 5
    # and: the state is what applying only the good ones, one push each, gives
    c = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    d = make_work_order(db, world.manager, world.site_north, assignee=world.tech)
    rename = {str(a.id): str(c.id), str(b.id): str(d.id)}
    for i, (name, args) in enumerate(good):
        one = {
            "seq": i + 1,
            "mutationId": f"g{i}",
            "name": name,
            "args": {**args, "workOrderId": rename[args["workOrderId"]]},
        }
        assert (await gql.ok(PUSH, {"c": "tel-one", "e": [one]}, token=token))["r"]["replies"][0][
            "status"
        ] == "APPLIED"
    state = await _state(gql, token)
    assert mixed_state[str(a.id)] == state[str(c.id)]
    assert mixed_state[str(b.id)] == state[str(d.id)]


async def _state(gql: GQL, token: str) -> dict[str, Any]:
    """Each work order as the phone pulls it: fields that do not name it, and its timeline."""
    cursor, orders, events = None, {}, {}
    while True:
        page = (await gql.ok(PULL, {"c": cursor, "l": 500}, token=token))["syncPull"]
        for ch in page["changes"]:
            if ch["entity"] == "workOrder":
                orders[ch["id"]] = ch["data"]
            elif ch["entity"] == "workOrderEvent":
                events[ch["id"]] = ch["data"]
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            break
    out: dict[str, Any] = {}
    for key, data in orders.items():
        timeline = sorted(
            (e.get("seq"), e.get("kind"), e.get("text"), e.get("fromStatus"), e.get("toStatus"))
            for e in events.values()
            if e.get("workOrderId") == key
        )
        out[key] = (
            data.get("status"),
            data.get("title"),
            data.get("version"),
            data.get("summary"),
            timeline,
        )
    return out


async def test_a_body_over_the_limit_gets_the_catalogue_code(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    big = "#" + "x" * (settings.max_request_bytes + 10) + "\n{ viewer { id } }"

    response = await client.post("/graphql", json={"query": big})

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_args_nested_100000_deep_get_the_catalogue_code_not_a_crash(
    client: AsyncTestClient[Any], world: World
) -> None:
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    body = (
        '{"query": "mutation($e: [SyncEnvelopeInput!]!) { syncPush(clientId: \\"t\\", envelopes: $e)'
        ' { __typename } }", "variables": {"e": [{"seq": 1, "mutationId": "m", "name": "n", "args": '
        + deep
        + "}]}}"
    )

    response = await client.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {world.token(world.tech)}"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


@pytest.mark.parametrize("seq", ["bir", 1.5, 2**31, None])
async def test_a_seq_that_is_not_a_whole_number_is_a_validation_error(
    gql: GQL, world: World, seq: Any
) -> None:
    env = {"seq": seq, "mutationId": "m", "name": "workorder.addNote", "args": {}}

    body = await gql(PUSH, {"c": "tel-s", "e": [env]}, token=world.token(world.tech))

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION_FAILED"]
