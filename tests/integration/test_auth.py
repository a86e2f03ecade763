"""Sign-in, refresh rotation, sign-out and revocation, throttles and rate limits, bounded password
hashing, and what an unauthenticated call gets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.people.auth import HASH_GATE, change_password, issue_access_token, set_active
from backend.domain.people.models import LoginThrottle, Role
from tests.conftest import GQL
from tests.factories import PASSWORD, make_user
from tests.integration.peers import gql_from, peer_client

ATTACKER = "203.0.113.9"
PHONE = "198.51.100.7"

SIGN_IN = """mutation($u: String!, $p: String!) { r: signIn(username: $u, password: $p) {
  __typename
  ... on SessionSuccess { session { accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt
                                    viewer { user { username role } permissions } } }
  ... on OperationError { code message } } }"""
REFRESH = """mutation($t: String!) { r: refreshSession(refreshToken: $t) {
  __typename ... on SessionSuccess { session { accessToken refreshToken } }
  ... on OperationError { code message } } }"""
SIGN_OUT = (
    "mutation($t: String!) { r: signOut(refreshToken: $t) { __typename ... on SignOutSuccess { ok } } }"
)
VIEWER = "{ viewer { user { username } permissions } }"


async def test_sign_in_returns_tokens_and_viewer(gql: GQL, db: Database) -> None:
    user = make_user(db, Role.TECHNICIAN, username="ali.veli")

    data = await gql.ok(SIGN_IN, {"u": "Ali.Veli ", "p": PASSWORD})

    session = data["r"]["session"]
    assert session["viewer"]["user"] == {"username": "ali.veli", "role": "TECHNICIAN"}
    assert "workorders.work" in session["viewer"]["permissions"]
    assert "workorders.approve" not in session["viewer"]["permissions"]
    viewer = await gql.ok(VIEWER, token=session["accessToken"])
    assert viewer["viewer"]["user"]["username"] == user.username


async def test_wrong_password_and_unknown_user_get_the_same_answer(gql: GQL, db: Database) -> None:
    make_user(db, Role.TECHNICIAN, username="ayse")

    wrong = await gql.ok(SIGN_IN, {"u": "ayse", "p": "nope-nope"})
    unknown = await gql.ok(SIGN_IN, {"u": "kimse", "p": "nope-nope"})

    assert (
        wrong["r"]
        == unknown["r"]
        == {
            "__typename": "OperationError",
            "code": "AUTH_INVALID_CREDENTIALS",
            "message": "Kullanıcı adı veya parola hatalı.",
        }
    )


async def test_a_stranger_cannot_lock_a_person_out(db: Database, settings: Settings) -> None:
    settings.login_first_delay_seconds = 300  # long enough that the test never races the clock
    make_user(db, Role.TECHNICIAN, username="hedef")
    async with peer_client(settings, db) as client:
        # given someone guessing at the account from one address until it makes them wait
        guesses = [
            (await gql_from(client, ATTACKER, SIGN_IN, {"u": "hedef", "p": f"guess-{i}"}))[0]["data"]["r"][
                "code"
            ]
            for i in range(settings.login_free_attempts + 1)
        ]
        # when the guesser then has the right password, and the person signs in from their phone
        blocked, response = await gql_from(client, ATTACKER, SIGN_IN, {"u": "hedef", "p": PASSWORD})
        person, _ = await gql_from(client, PHONE, SIGN_IN, {"u": "hedef", "p": PASSWORD})

    # then the guessing address waits (told how long), the person is in
    assert guesses == ["AUTH_INVALID_CREDENTIALS"] * (settings.login_free_attempts + 1)
    assert blocked["data"]["r"]["code"] == "AUTH_THROTTLED"
    assert 290 <= int(response.headers["retry-after"]) <= 300
    assert response.headers["retry-after"] in blocked["data"]["r"]["message"]
    assert person["data"]["r"]["__typename"] == "SessionSuccess"


async def test_the_wait_ends_and_the_right_password_clears_the_counter(
    gql: GQL, db: Database, settings: Settings
) -> None:
    settings.login_first_delay_seconds = 300
    make_user(db, Role.TECHNICIAN, username="hedef")
    for _ in range(settings.login_free_attempts + 1):
        await gql.ok(SIGN_IN, {"u": "hedef", "p": "guess"})
    assert (await gql.ok(SIGN_IN, {"u": "hedef", "p": PASSWORD}))["r"]["code"] == "AUTH_THROTTLED"

    # when the wait is over, the right password works and the (account, address) counter is gone
    with db.write_session() as session:
        for row in session.exec(select(LoginThrottle)).all():
            row.blocked_until = datetime.now(UTC) - timedelta(seconds=1)
            session.add(row)
    assert (await gql.ok(SIGN_IN, {"u": "hedef", "p": PASSWORD}))["r"]["__typename"] == "SessionSuccess"
    with db.read_session() as session:
        left = {(r.scope, r.failures) for r in session.exec(select(LoginThrottle)).all()}
    assert ("account_source", settings.login_free_attempts + 1) not in left
    assert all(scope != "account_source" for scope, _ in left)


async def test_unknown_names_count_against_the_address(db: Database, settings: Settings) -> None:
    settings.login_source_free_attempts = 3
    settings.login_first_delay_seconds = 300
    make_user(db, Role.TECHNICIAN, username="gercek")
    async with peer_client(settings, db) as client:
        # given one address trying a different made-up name each time
        for i in range(settings.login_source_free_attempts + 1):
            body, _ = await gql_from(client, ATTACKER, SIGN_IN, {"u": f"yok{i}", "p": "x"})
            assert body["data"]["r"]["code"] == "AUTH_INVALID_CREDENTIALS"
        # when it tries a real account (even with its password), and the owner signs in elsewhere
        blocked, _ = await gql_from(client, ATTACKER, SIGN_IN, {"u": "gercek", "p": PASSWORD})
        other, _ = await gql_from(client, PHONE, SIGN_IN, {"u": "gercek", "p": PASSWORD})

    # then the address waits for every name; other addresses do not
    assert blocked["data"]["r"]["code"] == "AUTH_THROTTLED"
    assert other["data"]["r"]["__typename"] == "SessionSuccess"


async def test_guessing_from_many_addresses_meets_a_short_account_backoff(
    db: Database, settings: Settings
) -> None:
    settings.login_free_attempts = 100  # the per-address counters stay out of the way
    settings.login_account_free_attempts = 3
    settings.login_first_delay_seconds = 300
    settings.login_account_max_delay_seconds = 45
    make_user(db, Role.TECHNICIAN, username="hedef")
    async with peer_client(settings, db) as client:
        for i in range(settings.login_account_free_attempts + 1):
            await gql_from(client, f"203.0.113.{i + 1}", SIGN_IN, {"u": "hedef", "p": "guess"})
        waited, response = await gql_from(client, PHONE, SIGN_IN, {"u": "hedef", "p": PASSWORD})
        with db.write_session() as session:
            row = session.get(LoginThrottle, ("account", "hedef"))
            assert row is not None
            assert row.blocked_until is not None
            row.blocked_until = datetime.now(UTC) - timedelta(seconds=1)
            session.add(row)
        after, _ = await gql_from(client, PHONE, SIGN_IN, {"u": "hedef", "p": PASSWORD})

    # then the account slows down for everyone, but only briefly (capped), never a lock
    assert waited["data"]["r"]["code"] == "AUTH_THROTTLED"
    assert int(response.headers["retry-after"]) <= 45
    assert after["data"]["r"]["__typename"] == "SessionSuccess"


async def test_sign_in_and_refresh_are_rate_limited_per_address(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.graphql import mutations

    fixed = datetime.now(UTC).replace(second=1)  # one minute window for the whole test
    monkeypatch.setattr(mutations, "_now", lambda: fixed)
    settings.anonymous_rate_per_minute = 3
    make_user(db, Role.TECHNICIAN, username="hizli")
    async with peer_client(settings, db) as client:
        sessions = [
            (await gql_from(client, ATTACKER, SIGN_IN, {"u": "hizli", "p": PASSWORD}))[0]["data"]["r"]
            for _ in range(4)
        ]
        elsewhere, _ = await gql_from(client, PHONE, SIGN_IN, {"u": "hizli", "p": PASSWORD})
        token = elsewhere["data"]["r"]["session"]["refreshToken"]
        refreshes = []
        for _ in range(4):
            body, response = await gql_from(client, PHONE, REFRESH, {"t": token})
            refreshes.append(body["data"]["r"])
            if body["data"]["r"]["__typename"] == "SessionSuccess":
                token = body["data"]["r"]["session"]["refreshToken"]

    assert [s["__typename"] for s in sessions[:3]] == ["SessionSuccess"] * 3
    assert sessions[3]["code"] == "AUTH_THROTTLED"
    assert elsewhere["data"]["r"]["__typename"] == "SessionSuccess"
    # refreshes count in a bucket of their own: three fit, the fourth waits for the next minute
    assert [r["__typename"] for r in refreshes[:3]] == ["SessionSuccess"] * 3
    assert refreshes[3]["code"] == "AUTH_THROTTLED"
    assert response.headers["retry-after"] == "59"


async def test_password_hashing_is_bounded_and_health_answers_meanwhile(
    db: Database, settings: Settings
) -> None:
    settings.argon2_concurrency = 2
    settings.login_source_free_attempts = 1000
    make_user(db, Role.TECHNICIAN, username="kalabalik")
    async with peer_client(settings, db) as client:
        HASH_GATE.reset_peak()
        running = 0
        health_during: list[int] = []

        async def sign_in(i: int) -> str:
            nonlocal running
            running += 1
            try:
                name = "kalabalik" if i % 2 else f"bilinmeyen{i}"  # unknown names cost a hash too
                body, _ = await gql_from(client, f"198.51.100.{i + 1}", SIGN_IN, {"u": name, "p": PASSWORD})
                return str(body["data"]["r"]["__typename"])
            finally:
                running -= 1

        async def health() -> None:
            await asyncio.sleep(0)  # let the sign-ins start first
            while running:
                response = await client.get("/healthz")
                if running:
                    health_during.append(response.status_code)

        results, _ = await asyncio.gather(asyncio.gather(*(sign_in(i) for i in range(24))), health())

    assert sorted(set(results)) == ["OperationError", "SessionSuccess"]
    assert 1 <= HASH_GATE.peak <= 2
    assert health_during
    assert set(health_during) == {200}


async def test_refresh_rotates_and_reuse_ends_the_session(gql: GQL, db: Database) -> None:
    make_user(db, Role.MANAGER, username="sef")
    first = (await gql.ok(SIGN_IN, {"u": "sef", "p": PASSWORD}))["r"]["session"]

    # when the refresh token is used, a new pair comes back
    second = (await gql.ok(REFRESH, {"t": first["refreshToken"]}))["r"]["session"]
    assert second["refreshToken"] != first["refreshToken"]
    assert (await gql.ok(VIEWER, token=second["accessToken"]))["viewer"]["user"]["username"] == "sef"

    # when the old token is presented again (a stolen copy), the whole sign-in ends
    reused = await gql.ok(REFRESH, {"t": first["refreshToken"]})
    after = await gql.ok(REFRESH, {"t": second["refreshToken"]})

    assert reused["r"]["code"] == "AUTH_SESSION_EXPIRED"
    assert after["r"]["code"] == "AUTH_SESSION_EXPIRED"


async def test_sign_out_revokes_refresh(gql: GQL, db: Database) -> None:
    make_user(db, Role.TECHNICIAN, username="cikis")
    session = (await gql.ok(SIGN_IN, {"u": "cikis", "p": PASSWORD}))["r"]["session"]

    out = await gql.ok(SIGN_OUT, {"t": session["refreshToken"]})
    again = await gql.ok(REFRESH, {"t": session["refreshToken"]})

    assert out["r"] == {"__typename": "SignOutSuccess", "ok": True}
    assert again["r"]["code"] == "AUTH_SESSION_EXPIRED"


async def test_inactive_user_cannot_sign_in_or_use_old_token(
    gql: GQL, db: Database, settings: Settings
) -> None:
    user = make_user(db, Role.TECHNICIAN, username="ayrilan", active=False)
    token = issue_access_token(user, settings, datetime.now(UTC))[0]

    signed = await gql.ok(SIGN_IN, {"u": "ayrilan", "p": PASSWORD})
    body = await gql(VIEWER, token=token)

    assert signed["r"]["code"] == "AUTH_INVALID_CREDENTIALS"
    assert body["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"


async def test_queries_need_a_valid_token(gql: GQL, db: Database, settings: Settings) -> None:
    user = make_user(db, Role.TECHNICIAN)
    expired = issue_access_token(user, settings, datetime.now(UTC) - timedelta(hours=2))[0]

    anonymous = await gql(VIEWER)
    stale = await gql(VIEWER, token=expired)
    forged = await gql(VIEWER, token=expired[:-4] + "abcd")

    assert anonymous["data"] is None
    assert len(anonymous["errors"]) == 1
    assert anonymous["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"
    assert stale["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"
    assert forged["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"


async def test_mutations_without_sign_in_return_typed_error(gql: GQL) -> None:
    body = await gql.ok(
        'mutation { r: startWorkOrder(input: {workOrderId: "00000000-0000-0000-0000-000000000001"}) '
        "{ ... on OperationError { code } } }"
    )

    assert body["r"] == {"code": "AUTH_REQUIRED"}


async def test_sign_out_ends_the_access_token_at_once(gql: GQL, db: Database) -> None:
    make_user(db, Role.TECHNICIAN, username="cikan")
    phone = (await gql.ok(SIGN_IN, {"u": "cikan", "p": PASSWORD}))["r"]["session"]
    laptop = (await gql.ok(SIGN_IN, {"u": "cikan", "p": PASSWORD}))["r"]["session"]

    await gql.ok(SIGN_OUT, {"t": phone["refreshToken"]})
    after = await gql(VIEWER, token=phone["accessToken"])
    other = await gql.ok(VIEWER, token=laptop["accessToken"])

    # the signed-out sign-in's access token is refused long before it expires; the other stays
    assert after["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"
    assert other["viewer"]["user"]["username"] == "cikan"


async def test_a_reused_refresh_token_also_ends_the_access_token(gql: GQL, db: Database) -> None:
    make_user(db, Role.TECHNICIAN, username="calinan")
    first = (await gql.ok(SIGN_IN, {"u": "calinan", "p": PASSWORD}))["r"]["session"]
    second = (await gql.ok(REFRESH, {"t": first["refreshToken"]}))["r"]["session"]

    await gql.ok(REFRESH, {"t": first["refreshToken"]})  # the stolen copy comes back
    body = await gql(VIEWER, token=second["accessToken"])

    assert body["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"


async def test_password_change_ends_every_sign_in(gql: GQL, db: Database, settings: Settings) -> None:
    user = make_user(db, Role.TECHNICIAN, username="degisen")
    session = (await gql.ok(SIGN_IN, {"u": "degisen", "p": PASSWORD}))["r"]["session"]
    loose = issue_access_token(user, settings, datetime.now(UTC))[0]  # a token outside any sign-in

    change_password(db, user.id, "yeni-parola-123", datetime.now(UTC))

    for token in (session["accessToken"], loose):
        body = await gql(VIEWER, token=token)
        assert body["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"
    assert (await gql.ok(REFRESH, {"t": session["refreshToken"]}))["r"]["code"] == "AUTH_SESSION_EXPIRED"
    fresh = (await gql.ok(SIGN_IN, {"u": "degisen", "p": "yeni-parola-123"}))["r"]["session"]
    assert (await gql.ok(VIEWER, token=fresh["accessToken"]))["viewer"]["user"]["username"] == "degisen"


async def test_disabling_an_account_ends_its_tokens_for_good(gql: GQL, db: Database) -> None:
    user = make_user(db, Role.TECHNICIAN, username="ayrilan2")
    session = (await gql.ok(SIGN_IN, {"u": "ayrilan2", "p": PASSWORD}))["r"]["session"]

    with db.write_session() as s:
        set_active(s, user.id, False, datetime.now(UTC))
    with db.write_session() as s:
        set_active(s, user.id, True, datetime.now(UTC))  # re-enabled: old tokens stay dead

    body = await gql(VIEWER, token=session["accessToken"])
    assert body["errors"][0]["extensions"]["code"] == "AUTH_SESSION_EXPIRED"
    assert (await gql.ok(REFRESH, {"t": session["refreshToken"]}))["r"]["code"] == "AUTH_SESSION_EXPIRED"
