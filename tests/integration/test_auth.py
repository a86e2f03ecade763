"""Sign-in, refresh rotation, sign-out, throttling, and what an unauthenticated call gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.people.auth import issue_access_token
from backend.domain.people.models import LoginThrottle, Role
from tests.conftest import GQL
from tests.factories import PASSWORD, make_user

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


async def test_repeated_failures_are_slowed_down_even_for_the_right_password(
    gql: GQL, db: Database, settings: Settings
) -> None:
    settings.login_first_delay_seconds = 300  # long enough that the test never races the clock
    make_user(db, Role.TECHNICIAN, username="hedef")
    for _ in range(settings.login_free_attempts):
        assert (await gql.ok(SIGN_IN, {"u": "hedef", "p": "guess"}))["r"][
            "code"
        ] == "AUTH_INVALID_CREDENTIALS"

    # the next wrong guess starts a wait; during it even the right password is refused
    assert (await gql.ok(SIGN_IN, {"u": "hedef", "p": "guess"}))["r"]["code"] == "AUTH_INVALID_CREDENTIALS"
    blocked = await gql.ok(SIGN_IN, {"u": "hedef", "p": PASSWORD})

    assert blocked["r"]["code"] == "AUTH_THROTTLED"
    assert "saniye" in blocked["r"]["message"]
    with db.read_session() as session:
        row = session.get(LoginThrottle, "hedef")
    assert row is not None
    assert row.failures == settings.login_free_attempts + 1

    # once the wait is over, the right password works and the counter is cleared
    with db.write_session() as session:
        row = session.get(LoginThrottle, "hedef")
        assert row is not None
        row.blocked_until = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
    assert (await gql.ok(SIGN_IN, {"u": "hedef", "p": PASSWORD}))["r"]["__typename"] == "SessionSuccess"
    with db.read_session() as session:
        assert session.get(LoginThrottle, "hedef") is None


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
