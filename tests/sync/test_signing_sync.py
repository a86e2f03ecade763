"""Signing through the offline sync: setting up one's ways of signing is online-only, a passkey
signature made offline on the signer's own phone arrives like any other command, and pausing PIN
signatures after wrong guesses holds per (signer, sending phone's owner) only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from backend.db.engine import Database
from backend.domain.people.models import User
from backend.domain.signing.models import Passkey, SignatureMethod, SigningFailure, SigningPin
from backend.domain.signing.passkeys import registration_options
from backend.domain.signing.verify import LOCK_RULES
from backend.domain.surveys.models import Minutes, MinutesSignature, MinutesStatus, Survey
from tests.factories import (
    fill_survey,
    make_survey,
    minutes_hash,
    passkey_sign_args,
    register_passkey,
    reload,
    set_pin,
    sign_args,
)
from tests.integration.conftest import World
from tests.signing_support import TEST_KEYS, pin_set_box
from tests.sync.conftest import Push, env
from tests.sync.phones import Phone
from tests.webauthn_soft import SoftAuthenticator

MAX_GUESSES = LOCK_RULES[0][0]


def _minutes(db: Database, world: World, phone: Phone) -> Minutes:
    """Minutes made on the technician's phone and pushed."""
    survey: Survey = make_survey(
        db, world.manager, world.site_north, world.tech, world.security, world.unit_head
    )
    fill_survey(db, world.tech, survey.id, points=1)
    mid = uuid.uuid4()
    create = {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)}
    [reply] = phone.send(("minutes.create", create))
    assert reply.status == "applied", reply
    minutes: Minutes = reload(db, Minutes, mid)
    return minutes


def _signatures(db: Database) -> list[MinutesSignature]:
    with db.read_session() as s:
        return list(s.exec(select(MinutesSignature)).all())


def test_setting_a_pin_or_registering_a_passkey_is_never_replayed_from_an_outbox(
    db: Database, world: World, push: Push
) -> None:
    # given a phone that queued both set-up commands (with a valid PIN box and a valid ticket)
    with db.read_session() as s:
        me = s.get(User, world.tech.id)
        assert me is not None
        start = registration_options(s, TEST_KEYS, me, datetime.now(UTC))
    credential = SoftAuthenticator().create(start.options)
    queued = [
        env("tech-phone", 1, "account.setSigningPin", {"pinBox": pin_set_box(world.tech.id, "730418")}),
        env("tech-phone", 2, "passkey.register", {"ticket": start.ticket, "credential": credential}),
    ]

    # when it pushes them
    result = push(world.tech, "tech-phone", queued)

    # then both are rejected as online-only, and nothing changed
    assert [(r.status, r.code) for r in result.replies] == [("rejected", "COMMAND_ONLINE_ONLY")] * 2
    assert reload(db, User, world.tech.id).signing_pin_set_at is None
    with db.read_session() as s:
        assert s.exec(select(SigningPin)).all() == []
        assert s.exec(select(Passkey)).all() == []


def test_revoking_a_passkey_goes_through_the_sync(db: Database, world: World, push: Push) -> None:
    # given a passkey of the security staff
    key_phone = SoftAuthenticator()
    passkey = register_passkey(db, world.security, key_phone)
    security, tech = Phone(push, world.security, "security-phone"), Phone(push, world.tech, "tech-phone")

    # when their phone revokes it offline, and the push is replayed (a lost acknowledgement)
    revoke = env("security-phone", 1, "passkey.revoke", {"passkeyId": str(passkey.id)})
    first = push(world.security, "security-phone", [revoke])
    replay = push(world.security, "security-phone", [revoke])
    security.seq = 1
    [other] = tech.send(("passkey.revoke", {"passkeyId": passkey.id}))

    # then it is revoked once; another person's phone cannot revoke it
    assert first.replies[0].status == "applied"
    assert replay.replies[0].status == "applied"
    assert (other.status, other.code) == ("rejected", "NOT_FOUND")
    revoked = reload(db, Passkey, passkey.id)
    assert revoked.revoked_at is not None
    assert revoked.version == passkey.version + 1

    # and a signature with it is refused
    minutes = _minutes(db, world, tech)
    [late] = security.send(
        ("minutes.sign", passkey_sign_args(minutes, "SECURITY", world.security, key_phone))
    )
    assert (late.status, late.code) == ("rejected", "SIGNATURE_PASSKEY_UNKNOWN")


def test_a_passkey_co_signature_made_offline_on_the_signers_phone_reaches_the_technician(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    # given minutes the technician made and the security staff's phone pulled
    key_phone = SoftAuthenticator()
    register_passkey(db, world.security, key_phone)
    minutes = _minutes(db, world, Phone(push, world.tech, "tech-phone"))
    tech_state, tech_cursor, _ = pull_all(world.tech)
    security_state, _, _ = pull_all(world.security)
    assert ("minutes", str(minutes.id)) in security_state

    # when the security staff signs offline on their own phone, which pushes later
    args = passkey_sign_args(minutes, "SECURITY", world.security, key_phone)
    [reply] = Phone(push, world.security, "security-phone").send(("minutes.sign", args))

    # then it is applied, and the technician's phone (not synced meanwhile) pulls it
    assert reply.status == "applied", reply
    state, _, _ = pull_all(world.tech, tech_cursor, state=tech_state)
    signature = state[("minutesSignature", str(args["id"]))]
    assert signature["method"] == "PASSKEY"
    assert signature["role"] == "SECURITY"
    assert signature["signerId"] == str(world.security.id)
    assert signature["capturedById"] == str(world.security.id)
    assert state[("minutes", str(minutes.id))]["status"] == "AWAITING_SIGNATURES"
    assert reload(db, MinutesSignature, args["id"]).method is SignatureMethod.PASSKEY


def test_a_pause_after_wrong_pins_holds_only_for_that_signer_from_that_sender(
    db: Database, world: World, push: Push
) -> None:
    # given the security staff has a PIN and a passkey, and three minutes await signatures
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    key_phone = SoftAuthenticator()
    register_passkey(db, world.security, key_phone)
    tech = Phone(push, world.tech, "tech-phone")
    first, second, third = (_minutes(db, world, tech) for _ in range(3))

    # when the technician's phone sends wrong PINs in the security staff's name until paused
    guesses = [
        ("minutes.sign", sign_args(first, "SECURITY", world.security, pin=f"5{i}0917"))
        for i in range(MAX_GUESSES)
    ]
    replies = tech.send(*guesses, ("minutes.sign", sign_args(second, "SECURITY", world.security)))

    # then the right PIN from that phone waits too, for any minutes
    assert [r.code for r in replies] == ["SIGNATURE_PIN_WRONG"] * MAX_GUESSES + ["MINUTES_SIGNER_LOCKED"]
    assert replies[-1].params["minutes"] >= 1
    with db.read_session() as s:
        failures = s.exec(select(SigningFailure)).all()
    assert [(f.signer_id, f.captured_by_id) for f in failures] == [
        (world.security.id, world.tech.id)
    ] * MAX_GUESSES

    # (a) the security staff's own phone signs with their PIN
    [own] = Phone(push, world.security, "security-phone").send(
        ("minutes.sign", sign_args(first, "SECURITY", world.security))
    )
    assert own.status == "applied", own

    # (b) the unit head's phone sending a PIN signature in the security staff's name is not paused
    via_head = Phone(push, world.unit_head, "head-phone").send(
        ("minutes.sign", sign_args(second, "SECURITY", world.security, pin="550123")),
        ("minutes.sign", sign_args(second, "SECURITY", world.security)),
    )
    assert [(r.status, r.code) for r in via_head] == [("rejected", "SIGNATURE_PIN_WRONG"), ("applied", None)]

    # (c) passkey signatures are unaffected, even sent from the paused phone
    [by_passkey] = tech.send(
        ("minutes.sign", passkey_sign_args(third, "SECURITY", world.security, key_phone))
    )
    assert by_passkey.status == "applied", by_passkey

    # and the technician's phone still sends PIN signatures of anyone else
    rest = tech.send(
        ("minutes.sign", sign_args(third, "UNIT_HEAD", world.unit_head)),
        ("minutes.sign", sign_args(third, "TECHNICIAN", world.tech)),
    )
    assert [r.status for r in rest] == ["applied", "applied"]
    assert reload(db, Minutes, third.id).status is MinutesStatus.SEALED
    methods = {(s.minutes_id, s.role.name): (s.method, s.captured_by_id) for s in _signatures(db)}
    assert methods[(first.id, "SECURITY")] == (SignatureMethod.PIN, world.security.id)
    assert methods[(second.id, "SECURITY")] == (SignatureMethod.PIN, world.unit_head.id)
    assert methods[(third.id, "SECURITY")] == (SignatureMethod.PASSKEY, world.tech.id)
