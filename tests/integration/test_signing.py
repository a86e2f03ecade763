"""Signatures on minutes (docs/surveys.md, "Signatures"): passkeys and PINs through the domain
commands, and setting up one's ways of signing through GraphQL."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import User
from backend.domain.signing.keys import PinTransportKey, seal_pin_box
from backend.domain.signing.message import b64url, b64url_decode
from backend.domain.signing.models import (
    Passkey,
    SignatureEvidence,
    SignatureMethod,
    SigningFailure,
    SigningPin,
)
from backend.domain.signing.passkeys import MAX_PASSKEYS, registration_options
from backend.domain.surveys.models import (
    Minutes,
    MinutesSignature,
    MinutesStatus,
    SignatureRefusal,
    Survey,
    SurveyStatus,
)
from tests.conftest import GQL
from tests.factories import (
    PASSWORD,
    make_minutes,
    passkey_sign_args,
    register_passkey,
    reload,
    run,
    set_pin,
    sign_args,
)
from tests.integration.conftest import World
from tests.signing_support import TEST_KEYS, minutes_request, pin_set_box
from tests.webauthn_soft import SoftAuthenticator, WebAuthnDOMError

EVIL_ORIGIN = "https://saha.example.evil"


# ---- helpers ---------------------------------------------------------------------------------


def _refused(code: ErrorCode, fn: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    assert info.value.code is code, info.value
    return info.value


def _sign_refused(db: Database, actor: User, args: dict[str, Any], code: ErrorCode) -> DomainError:
    """``minutes.sign`` refused with ``code``; what the refusal keeps is written like the GraphQL
    and sync layers do (``DomainError.keep`` in a transaction of its own)."""
    err = _refused(code, run, db, actor, "minutes.sign", args)
    if err.keep is not None:
        db.run_write(err.keep)
    return err


def _new_minutes(db: Database, world: World) -> Minutes:
    minutes: Minutes = make_minutes(
        db, world.manager, world.site_north, world.tech, world.security, world.unit_head
    )
    return minutes


def _rows(db: Database, model: type[Any]) -> list[Any]:
    with db.read_session() as s:
        return list(s.exec(select(model)).all())


def _phone(db: Database, user: User, **kw: Any) -> tuple[SoftAuthenticator, Passkey]:
    authenticator = SoftAuthenticator(**kw)
    passkey: Passkey = register_passkey(db, user, authenticator)
    return authenticator, passkey


def _start(db: Database, user: User, now: datetime | None = None) -> Any:
    with db.read_session() as s:
        me = s.get(User, user.id)
        assert me is not None
        return registration_options(s, TEST_KEYS, me, now or datetime.now(UTC))


def _register(db: Database, user: User, ticket: str, credential: dict[str, Any]) -> Any:
    return run(db, user, "passkey.register", {"ticket": ticket, "credential": credential, "label": "X"})


# ---- passkey signatures ----------------------------------------------------------------------


def test_a_passkey_signature_is_applied_with_its_evidence_and_three_seal_the_minutes(
    db: Database, world: World
) -> None:
    # given each party registered a passkey on their own phone
    phones = {p.id: _phone(db, p) for p in (world.tech, world.security, world.unit_head)}
    minutes = _new_minutes(db, world)
    tech_phone, tech_key = phones[world.tech.id]

    # when the technician signs their own slot on their phone
    args = passkey_sign_args(minutes, "TECHNICIAN", world.tech, tech_phone)
    signature = run(db, world.tech, "minutes.sign", args)

    # then the signature is applied, proven by the passkey, with the assertion kept as evidence
    assert signature.method is SignatureMethod.PASSKEY
    assert reload(db, MinutesSignature, args["id"]).method is SignatureMethod.PASSKEY
    request = minutes_request(
        minutes, "TECHNICIAN", world.tech.id, image=args["imageSha256"], signed_at=args["signedAt"]
    )
    [evidence] = _rows(db, SignatureEvidence)
    assert evidence.signature_id == args["id"]
    assert evidence.method is SignatureMethod.PASSKEY
    assert evidence.passkey_id == tech_key.id
    assert evidence.assertion == args["proof"]["credential"]
    assert evidence.message_sha256 == hashlib.sha256(request.message()).hexdigest()
    assert evidence.origin == "http://localhost:8000"
    assert evidence.document_kind == "minutes"
    used = reload(db, Passkey, tech_key.id)
    assert used.sign_count == 1
    assert used.last_used_at is not None
    assert used.version == tech_key.version + 1
    assert reload(db, Minutes, minutes.id).status is MinutesStatus.AWAITING_SIGNATURES

    # when the two others sign with their passkeys on their own phones
    for role, person in (("SECURITY", world.security), ("UNIT_HEAD", world.unit_head)):
        run(db, person, "minutes.sign", passkey_sign_args(minutes, role, person, phones[person.id][0]))

    # then the minutes are sealed, every signature a passkey one
    sealed = reload(db, Minutes, minutes.id)
    assert sealed.status is MinutesStatus.SEALED
    assert reload(db, Survey, sealed.survey_id).status is SurveyStatus.SEALED
    sigs = _rows(db, MinutesSignature)
    assert {(s.role.name, s.signer_id, s.captured_by_id, s.method) for s in sigs} == {
        ("TECHNICIAN", world.tech.id, world.tech.id, SignatureMethod.PASSKEY),
        ("SECURITY", world.security.id, world.security.id, SignatureMethod.PASSKEY),
        ("UNIT_HEAD", world.unit_head.id, world.unit_head.id, SignatureMethod.PASSKEY),
    }
    assert len(_rows(db, SignatureEvidence)) == 3
    assert _rows(db, SigningFailure) == []


def test_refused_passkey_signatures_say_why_are_kept_and_are_no_pin_guesses(
    db: Database, world: World
) -> None:
    # given the security staff and the unit head have passkeys, one of them revoked later
    security_phone, _ = _phone(db, world.security)
    head_phone, head_key = _phone(db, world.unit_head)
    minutes = _new_minutes(db, world)
    other = _new_minutes(db, world)
    other_request = minutes_request(
        other, "SECURITY", world.security.id, image="ce" * 32, signed_at="2026-11-22T10:05:00.000Z"
    )

    def security(**assertion: Any) -> dict[str, Any]:
        return passkey_sign_args(minutes, "SECURITY", world.security, security_phone, **assertion)

    attempts: list[tuple[str, User, dict[str, Any], ErrorCode]] = [
        # an assertion made for another minutes (replayed for this document)
        (
            "replay for another document",
            world.tech,
            {
                **security(),
                "proof": {
                    "kind": "passkey",
                    "credential": security_phone.get(challenge=other_request.challenge()),
                },
            },
            ErrorCode.SIGNATURE_PASSKEY_INVALID,
        ),
        # another person's passkey for the security slot
        (
            "someone else's passkey",
            world.tech,
            {
                **security(),
                "proof": passkey_sign_args(minutes, "UNIT_HEAD", world.unit_head, head_phone)["proof"],
            },
            ErrorCode.SIGNATURE_PASSKEY_UNKNOWN,
        ),
        (
            "phishing origin",
            world.security,
            security(origin=EVIL_ORIGIN),
            ErrorCode.SIGNATURE_PASSKEY_INVALID,
        ),
        (
            "foreign RP id",
            world.security,
            security(rp_id="evil.example"),
            ErrorCode.SIGNATURE_PASSKEY_INVALID,
        ),
        (
            "user not verified",
            world.security,
            security(user_verified=False),
            ErrorCode.SIGNATURE_PASSKEY_INVALID,
        ),
        (
            "signed with another key",
            world.tech,
            security(sign_with=ec.generate_private_key(ec.SECP256R1())),
            ErrorCode.SIGNATURE_PASSKEY_INVALID,
        ),
    ]

    # when each is sent
    for label, sender, args, code in attempts:
        err = _sign_refused(db, sender, args, code)
        assert err.field == "proof", label
        assert err.params["person"] == world.security.full_name, label

    # and the unit head's revoked passkey is used for their own slot
    run(db, world.unit_head, "passkey.revoke", {"passkeyId": head_key.id})
    _sign_refused(
        db,
        world.unit_head,
        passkey_sign_args(minutes, "UNIT_HEAD", world.unit_head, head_phone),
        ErrorCode.SIGNATURE_PASSKEY_UNKNOWN,
    )

    # then nothing was signed, each refusal is kept with its code, and none counts as a PIN guess
    assert _rows(db, MinutesSignature) == []
    assert _rows(db, SignatureEvidence) == []
    refusals = sorted(_rows(db, SignatureRefusal), key=lambda r: r.at)
    assert [r.code for r in refusals] == [code.value for *_, code in attempts] + ["SIGNATURE_PASSKEY_UNKNOWN"]
    assert [(r.minutes_id, r.signer_id, r.captured_by_id) for r in refusals] == [
        (minutes.id, world.security.id, sender.id) for _, sender, _, _ in attempts
    ] + [(minutes.id, world.unit_head.id, world.unit_head.id)]
    assert _rows(db, SigningFailure) == []
    assert reload(db, Minutes, minutes.id).status is MinutesStatus.AWAITING_SIGNATURES

    # and the genuine assertion still works afterwards (the forgeries moved no counter)
    run(db, world.security, "minutes.sign", security())
    assert {s.role.name for s in _rows(db, MinutesSignature)} == {"SECURITY"}


def test_a_passkey_cannot_sign_for_another_person_even_its_owner_sending_it(
    db: Database, world: World
) -> None:
    # given the security staff's passkey
    security_phone, _ = _phone(db, world.security)
    minutes = _new_minutes(db, world)

    # when the assertion names the unit head as signer (the phone of the security staff)
    args = passkey_sign_args(minutes, "UNIT_HEAD", world.unit_head, security_phone)

    # then it is no signature of the unit head
    _sign_refused(db, world.security, args, ErrorCode.SIGNATURE_PASSKEY_UNKNOWN)
    assert _rows(db, MinutesSignature) == []


# ---- passkey registration -------------------------------------------------------------------


def test_registration_tickets_are_personal_unforgeable_and_short_lived(db: Database, world: World) -> None:
    phone = SoftAuthenticator()

    # a ticket given to the security staff, finished by the technician
    start = _start(db, world.security)
    _refused(
        ErrorCode.PASSKEY_TICKET_INVALID, _register, db, world.tech, start.ticket, phone.create(start.options)
    )

    # a ticket whose payload or MAC was altered
    start = _start(db, world.tech)
    credential = phone.create(start.options)
    body, mac = start.ticket.split(".", 1)
    payload = json.loads(b64url_decode(body))
    longer = b64url(json.dumps({**payload, "exp": payload["exp"] + 3600}, separators=(",", ":")).encode())
    for tampered in (
        f"{longer}.{mac}",
        f"{body}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}",
        f"{body}{mac}",
        "not-a-ticket-at-all",
    ):
        _refused(ErrorCode.PASSKEY_TICKET_INVALID, _register, db, world.tech, tampered, credential)

    # a ticket older than its five minutes
    old = _start(db, world.tech, datetime.now(UTC) - timedelta(minutes=6))
    _refused(
        ErrorCode.PASSKEY_TICKET_INVALID, _register, db, world.tech, old.ticket, phone.create(old.options)
    )

    assert _rows(db, Passkey) == []


def test_registration_checks_the_origin_and_user_verification(db: Database, world: World) -> None:
    start = _start(db, world.tech)
    err = _refused(
        ErrorCode.PASSKEY_REGISTRATION_FAILED,
        _register,
        db,
        world.tech,
        start.ticket,
        SoftAuthenticator(origin=EVIL_ORIGIN).create(start.options),
    )
    assert EVIL_ORIGIN in err.params["detail"]
    start = _start(db, world.tech)
    _refused(
        ErrorCode.PASSKEY_REGISTRATION_FAILED,
        _register,
        db,
        world.tech,
        start.ticket,
        SoftAuthenticator(user_verified=False).create(start.options),
    )
    assert _rows(db, Passkey) == []


def test_one_credential_is_registered_once(db: Database, world: World) -> None:
    # given a registered passkey
    phone = SoftAuthenticator()
    start = _start(db, world.tech)
    credential = phone.create(start.options)
    _register(db, world.tech, start.ticket, credential)

    # when the same answer is sent again (within the ticket's five minutes), and by another person
    _refused(ErrorCode.PASSKEY_ALREADY_REGISTERED, _register, db, world.tech, start.ticket, credential)
    again = _start(db, world.tech)

    # then a new registration excludes it: the phone itself refuses to make a second one
    assert [d["id"] for d in again.options["excludeCredentials"]] == [credential["id"]]
    with pytest.raises(WebAuthnDOMError) as info:
        phone.create(again.options)
    assert info.value.name == "InvalidStateError"
    assert len(_rows(db, Passkey)) == 1


def test_at_most_max_passkeys_are_active(db: Database, world: World) -> None:
    # given one passkey short of the most one may have, and two registrations begun on two phones
    keys = [_phone(db, world.tech)[1] for _ in range(MAX_PASSKEYS - 1)]
    first, second = _start(db, world.tech), _start(db, world.tech)
    _register(db, world.tech, first.ticket, SoftAuthenticator().create(first.options))

    # when the second finishes, and another begins
    err = _refused(
        ErrorCode.PASSKEY_LIMIT,
        _register,
        db,
        world.tech,
        second.ticket,
        SoftAuthenticator().create(second.options),
    )
    begun = _refused(ErrorCode.PASSKEY_LIMIT, _start, db, world.tech)

    # then both are refused; revoking one makes room
    assert err.params == begun.params == {"max": MAX_PASSKEYS}
    run(db, world.tech, "passkey.revoke", {"passkeyId": keys[0].id})
    start = _start(db, world.tech)
    _register(db, world.tech, start.ticket, SoftAuthenticator().create(start.options))
    active = [p for p in _rows(db, Passkey) if p.user_id == world.tech.id and p.revoked_at is None]
    assert len(active) == MAX_PASSKEYS
    assert len(_rows(db, Passkey)) == MAX_PASSKEYS + 1


# ---- minutes.sign: proofs that are no signature --------------------------------------------------


def test_a_string_proof_of_the_retired_scheme_is_refused(db: Database, world: World) -> None:
    set_pin(db, world.tech)
    minutes = _new_minutes(db, world)
    args = {**sign_args(minutes, "TECHNICIAN", world.tech), "proof": "ab" * 32}

    err = _sign_refused(db, world.tech, args, ErrorCode.SIGNATURE_SCHEME_RETIRED)

    assert err.field == "proof"
    assert _rows(db, MinutesSignature) == []
    assert _rows(db, SigningFailure) == []


@pytest.mark.parametrize(
    "signed_at", ["2026-11-22T10:00:00", "2026-11-22 10:00", "22.11.2026 10:00", "2026-11-22T25:00:00Z"]
)
def test_signed_at_must_be_iso_with_a_time_zone(db: Database, world: World, signed_at: str) -> None:
    set_pin(db, world.tech)
    minutes = _new_minutes(db, world)

    err = _sign_refused(
        db,
        world.tech,
        sign_args(minutes, "TECHNICIAN", world.tech, signed_at=signed_at),
        ErrorCode.MINUTES_SIGNED_AT_INVALID,
    )

    assert err.field == "signedAt"
    assert _rows(db, MinutesSignature) == []


def test_a_pin_sealed_for_another_server_key_is_refused_and_no_guess(db: Database, world: World) -> None:
    set_pin(db, world.security)
    minutes = _new_minutes(db, world)
    other = PinTransportKey(private_key=ec.generate_private_key(ec.SECP256R1()))
    args = sign_args(minutes, "SECURITY", world.security)
    request = minutes_request(
        minutes, "SECURITY", world.security.id, image=args["imageSha256"], signed_at=args["signedAt"]
    )
    args["proof"] = {
        "kind": "pin",
        "box": seal_pin_box(other.public_raw, other.kid, "482916", request.message()),
    }

    _sign_refused(db, world.tech, args, ErrorCode.SIGNATURE_PIN_KEY_UNKNOWN)

    assert [r.code for r in _rows(db, SignatureRefusal)] == ["SIGNATURE_PIN_KEY_UNKNOWN"]
    assert _rows(db, SigningFailure) == []


def test_a_signer_without_a_pin_cannot_sign_with_one(db: Database, world: World) -> None:
    minutes = _new_minutes(db, world)

    _sign_refused(
        db, world.tech, sign_args(minutes, "UNIT_HEAD", world.unit_head), ErrorCode.MINUTES_SIGNER_NO_PIN
    )

    assert _rows(db, MinutesSignature) == []
    assert _rows(db, SigningFailure) == []


def test_a_wrong_pin_is_the_only_refusal_that_counts_as_a_guess(db: Database, world: World) -> None:
    set_pin(db, world.security)
    minutes = _new_minutes(db, world)

    _sign_refused(
        db,
        world.tech,
        sign_args(minutes, "SECURITY", world.security, pin="550123"),
        ErrorCode.SIGNATURE_PIN_WRONG,
    )

    [failure] = _rows(db, SigningFailure)
    assert (failure.signer_id, failure.captured_by_id) == (world.security.id, world.tech.id)
    [refusal] = _rows(db, SignatureRefusal)
    assert refusal.code == "SIGNATURE_PIN_WRONG"


# ---- GraphQL: one's ways of signing ----------------------------------------------------------

SETUP = "{ signingSetup { rpId pinKeyId pinPublicKey pinSetAt passkeys { id label credentialId lastUsedAt revokedAt backedUp } } }"
SET_PIN = """
mutation($p: String!, $box: JSON!) { r: setSigningPin(password: $p, pinBox: $box) {
  __typename ... on SigningPinSuccess { pinSetAt } ... on OperationError { code field } } }
"""
BEGIN = """
mutation($p: String!) { r: beginPasskeyRegistration(password: $p) {
  __typename ... on PasskeyOptions { options ticket } ... on OperationError { code } } }
"""
FINISH = """
mutation($t: String!, $c: JSON!, $l: String!) { r: finishPasskeyRegistration(ticket: $t, credential: $c, label: $l) {
  __typename ... on PasskeySuccess { passkey { id label credentialId revokedAt } } ... on OperationError { code } } }
"""
REVOKE = """
mutation($id: ID!) { r: revokePasskey(passkeyId: $id) {
  __typename ... on PasskeySuccess { passkey { id revokedAt } } ... on OperationError { code } } }
"""
SIGN_IN = """
mutation($u: String!, $p: String!) { r: signIn(username: $u, password: $p) {
  __typename ... on OperationError { code } } }
"""


async def test_signing_setup_gives_the_public_parameters(gql: GQL, world: World) -> None:
    setup = (await gql.ok(SETUP, token=world.token(world.tech)))["signingSetup"]

    assert setup["rpId"] == "localhost"
    assert setup["pinKeyId"] == TEST_KEYS.pin_key.kid
    assert len(setup["pinKeyId"]) == 16
    assert int(setup["pinKeyId"], 16) >= 0
    point = b64url_decode(setup["pinPublicKey"])
    assert len(point) == 65
    assert point[0] == 0x04
    assert point == TEST_KEYS.pin_key.public_raw
    assert setup["pinSetAt"] is None
    assert setup["passkeys"] == []


async def test_setting_a_pin_needs_the_password_and_a_good_pin(gql: GQL, db: Database, world: World) -> None:
    tech = world.token(world.tech)
    box = pin_set_box(world.tech.id, "730418")

    # a wrong password: refused, nothing set
    wrong = await gql.ok(SET_PIN, {"p": "not-my-password", "box": box}, token=tech)
    assert wrong["r"] == {"__typename": "OperationError", "code": "AUTH_INVALID_CREDENTIALS", "field": None}
    assert (await gql.ok(SETUP, token=tech))["signingSetup"]["pinSetAt"] is None
    assert _rows(db, SigningPin) == []

    # the password and a guessable PIN
    weak = await gql.ok(SET_PIN, {"p": PASSWORD, "box": pin_set_box(world.tech.id, "123456")}, token=tech)
    assert weak["r"]["code"] == "SIGNING_PIN_WEAK"
    assert _rows(db, SigningPin) == []

    # the password and a good PIN
    done = await gql.ok(SET_PIN, {"p": PASSWORD, "box": box}, token=tech)
    assert done["r"]["__typename"] == "SigningPinSuccess"
    setup = (await gql.ok(SETUP, token=tech))["signingSetup"]
    assert setup["pinSetAt"] == done["r"]["pinSetAt"]
    assert reload(db, User, world.tech.id).signing_pin_set_at is not None

    # then a PIN signature with that PIN verifies, and the old default PIN does not
    minutes = _new_minutes(db, world)
    _sign_refused(db, world.tech, sign_args(minutes, "TECHNICIAN", world.tech), ErrorCode.SIGNATURE_PIN_WRONG)
    signature = run(
        db, world.tech, "minutes.sign", sign_args(minutes, "TECHNICIAN", world.tech, pin="730418")
    )
    assert signature.method is SignatureMethod.PIN
    [evidence] = _rows(db, SignatureEvidence)
    assert (evidence.method, evidence.assertion, evidence.passkey_id) == (SignatureMethod.PIN, None, None)
    assert evidence.pin_set_at is not None


async def test_wrong_passwords_for_signing_count_like_sign_in(
    gql: GQL, db: Database, world: World, settings: Settings
) -> None:
    settings.login_first_delay_seconds = 300  # the test never races the clock
    tech = world.token(world.tech)
    box = pin_set_box(world.tech.id, "730418")

    # when the password is guessed through the signing set-up
    codes = [
        (await gql.ok(SET_PIN, {"p": f"guess-{i}", "box": box}, token=tech))["r"]["code"]
        for i in range(settings.login_free_attempts + 1)
    ]
    begin = await gql.ok(BEGIN, {"p": PASSWORD}, token=tech)
    right = await gql.ok(SET_PIN, {"p": PASSWORD, "box": box}, token=tech)
    sign_in = await gql.ok(SIGN_IN, {"u": world.tech.username, "p": PASSWORD})

    # then it is throttled like sign-in, on the account's counters: even the right password waits;
    # signing in (a fresh sign-in from an address, not the token holder's path) is not locked out
    assert codes == ["AUTH_INVALID_CREDENTIALS"] * (settings.login_free_attempts + 1)
    assert begin["r"]["code"] == "AUTH_THROTTLED"
    assert right["r"]["code"] == "AUTH_THROTTLED"
    assert sign_in["r"]["__typename"] == "SessionSuccess"
    assert _rows(db, SigningPin) == []


async def test_a_passkey_is_registered_through_graphql_and_then_signs(
    gql: GQL, db: Database, world: World
) -> None:
    security = world.token(world.security)
    phone = SoftAuthenticator()

    # when the security staff registers a passkey on their phone
    began = (await gql.ok(BEGIN, {"p": PASSWORD}, token=security))["r"]
    assert began["__typename"] == "PasskeyOptions"
    assert began["options"]["rp"]["id"] == "localhost"
    assert began["options"]["authenticatorSelection"]["userVerification"] == "required"
    assert b64url_decode(began["options"]["user"]["id"]) == world.security.id.bytes
    credential = phone.create(began["options"])
    finished = (
        await gql.ok(FINISH, {"t": began["ticket"], "c": credential, "l": "Samsung A54"}, token=security)
    )["r"]

    # then it is theirs, listed in their set-up and nobody else's
    assert finished["__typename"] == "PasskeySuccess"
    assert finished["passkey"]["credentialId"] == credential["id"]
    assert finished["passkey"]["label"] == "Samsung A54"
    listed = (await gql.ok(SETUP, token=security))["signingSetup"]["passkeys"]
    assert [(p["id"], p["label"], p["credentialId"], p["revokedAt"]) for p in listed] == [
        (finished["passkey"]["id"], "Samsung A54", credential["id"], None)
    ]
    assert (await gql.ok(SETUP, token=world.token(world.tech)))["signingSetup"]["passkeys"] == []

    # and the same ticket cannot register it again
    again = (await gql.ok(FINISH, {"t": began["ticket"], "c": credential, "l": "x"}, token=security))["r"]
    assert again["code"] == "PASSKEY_ALREADY_REGISTERED"

    # and it signs
    minutes = _new_minutes(db, world)
    run(db, world.security, "minutes.sign", passkey_sign_args(minutes, "SECURITY", world.security, phone))
    listed = (await gql.ok(SETUP, token=security))["signingSetup"]["passkeys"]
    assert listed[0]["lastUsedAt"] is not None


async def test_begin_passkey_registration_needs_the_password(gql: GQL, db: Database, world: World) -> None:
    wrong = await gql.ok(BEGIN, {"p": "nope"}, token=world.token(world.tech))

    assert wrong["r"] == {"__typename": "OperationError", "code": "AUTH_INVALID_CREDENTIALS"}


async def test_a_ticket_from_graphql_is_not_another_persons(gql: GQL, world: World) -> None:
    began = (await gql.ok(BEGIN, {"p": PASSWORD}, token=world.token(world.security)))["r"]
    credential = SoftAuthenticator().create(began["options"])

    stolen = await gql.ok(
        FINISH, {"t": began["ticket"], "c": credential, "l": "x"}, token=world.token(world.tech)
    )

    assert stolen["r"] == {"__typename": "OperationError", "code": "PASSKEY_TICKET_INVALID"}


async def test_revoking_someone_elses_passkey_is_for_administrators(
    gql: GQL, db: Database, world: World
) -> None:
    _, passkey = _phone(db, world.security)

    by_tech = await gql.ok(REVOKE, {"id": str(passkey.id)}, token=world.token(world.tech))
    assert by_tech["r"] == {"__typename": "OperationError", "code": "NOT_FOUND"}
    assert reload(db, Passkey, passkey.id).revoked_at is None

    by_admin = await gql.ok(REVOKE, {"id": str(passkey.id)}, token=world.token(world.admin))
    assert by_admin["r"]["__typename"] == "PasskeySuccess"
    assert by_admin["r"]["passkey"]["revokedAt"] is not None
    assert reload(db, Passkey, passkey.id).revoked_at is not None
    assert (await gql.ok(SETUP, token=world.token(world.security)))["signingSetup"]["passkeys"] == []

    # one's own
    _, own = _phone(db, world.tech)
    mine = await gql.ok(REVOKE, {"id": str(own.id)}, token=world.token(world.tech))
    assert mine["r"]["__typename"] == "PasskeySuccess"
    unknown = await gql.ok(REVOKE, {"id": "not-an-id"}, token=world.token(world.tech))
    assert unknown["r"]["code"] == "NOT_FOUND"


async def test_zabita_has_no_ways_of_signing(gql: GQL, db: Database, world: World) -> None:
    zabita = world.token(world.zabita)
    box = pin_set_box(world.zabita.id, "730418")

    for query, variables in (
        (SET_PIN, {"p": PASSWORD, "box": box}),
        (BEGIN, {"p": PASSWORD}),
        (FINISH, {"t": "x" * 20, "c": {}, "l": ""}),
    ):
        body = await gql(query, variables, token=zabita)
        assert body["data"] is None
        assert len(body["errors"]) == 1
        assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    revoke = await gql.ok(REVOKE, {"id": str(uuid.uuid4())}, token=zabita)
    assert revoke["r"] == {"__typename": "OperationError", "code": "PERMISSION_DENIED"}
    assert _rows(db, SigningPin) == []
    assert reload(db, User, world.zabita.id).signing_pin_set_at is None


async def test_signing_set_up_needs_a_sign_in(gql: GQL, world: World) -> None:
    box = pin_set_box(world.tech.id, "730418")

    for query, variables in (
        (SETUP, {}),
        (SET_PIN, {"p": PASSWORD, "box": box}),
        (BEGIN, {"p": PASSWORD}),
        (FINISH, {"t": "x" * 20, "c": {}, "l": ""}),
    ):
        body = await gql(query, variables)
        assert body["data"] is None
        assert len(body["errors"]) == 1
        assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"
    revoke = await gql.ok(REVOKE, {"id": str(uuid.uuid4())})
    assert revoke["r"] == {"__typename": "OperationError", "code": "AUTH_REQUIRED"}
