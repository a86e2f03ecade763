"""Attacks on signatures that the retired PIN scheme (2026-11) did not withstand, and that these
tests would have caught: testing a co-signer's PIN offline from what a phone pulls, making
signatures from a copy of the database, and locking another party out of signing.

The attackers here are the survey's own parties and other signed-in people, working from what
their phone holds (a full pull) or from a copy of every table — but never the server's key files.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from backend.db.engine import Database
from backend.domain.signing.message import b64url, b64url_decode
from backend.domain.signing.models import SigningFailure
from backend.domain.signing.pin import check_pin
from backend.domain.signing.verify import LOCK_RULES
from backend.domain.surveys.models import Minutes, MinutesSignature, MinutesStatus, Survey
from tests.factories import (
    PIN,
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
from tests.signing_support import TEST_KEYS, minutes_request, pin_proof
from tests.sync.conftest import Push
from tests.sync.phones import Phone
from tests.webauthn_soft import SoftAuthenticator, SoftCredential

SECRET_KEY = re.compile(
    r"salt|iteration|verifier|proof|storedKey|signingKey|pepper|publicKey|box|assertion", re.IGNORECASE
)
HEX32 = re.compile(r"^[0-9a-f]{64}$")
RETIRED_COLUMNS = {"proof", "signing_key", "signing_salt", "signing_iterations", "stored_key"}


def _minutes(db: Database, world: World, tech: Phone) -> Minutes:
    survey: Survey = make_survey(
        db, world.manager, world.site_north, world.tech, world.security, world.unit_head
    )
    fill_survey(db, world.tech, survey.id, points=1)
    mid = uuid.uuid4()
    [reply] = tech.send(
        (
            "minutes.create",
            {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
        )
    )
    assert reply.status == "applied", reply
    minutes: Minutes = reload(db, Minutes, mid)
    return minutes


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, leaf value) in nested dicts and lists; JSON text is opened too."""
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k), v if not isinstance(v, dict | list) else None
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)
    else:
        yield key, value


def _strings(value: Any) -> list[str]:
    return [v for _, v in _walk(value) if isinstance(v, str)]


def _copy(db: Database) -> dict[str, list[dict[str, Any]]]:
    """A copy of the database: every row of every table (what a stolen backup holds)."""
    meta = sa.MetaData()
    with db.engine.connect() as conn:
        meta.reflect(conn)
        return {
            name: [dict(row) for row in conn.execute(sa.select(table)).mappings().all()]
            for name, table in meta.tables.items()
        }


def _signed_world(db: Database, world: World, push: Push) -> dict[str, Any]:
    """PINs set, passkeys registered, minutes signed both ways, a refused guess: a busy database."""
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    security_key, head_key = SoftAuthenticator(), SoftAuthenticator()
    register_passkey(db, world.security, security_key)
    register_passkey(db, world.unit_head, head_key)
    phones = {
        "tech": Phone(push, world.tech, "tech-phone"),
        "security": Phone(push, world.security, "security-phone"),
        "head": Phone(push, world.unit_head, "head-phone"),
    }
    sealed, open_ = _minutes(db, world, phones["tech"]), _minutes(db, world, phones["tech"])
    replies = [
        *phones["tech"].send(
            ("minutes.sign", sign_args(sealed, "TECHNICIAN", world.tech)),
            ("minutes.sign", sign_args(open_, "SECURITY", world.security, pin="550123")),  # refused
            ("minutes.sign", sign_args(open_, "TECHNICIAN", world.tech)),
        ),
        *phones["security"].send(
            ("minutes.sign", passkey_sign_args(sealed, "SECURITY", world.security, security_key))
        ),
        *phones["head"].send(
            ("minutes.sign", passkey_sign_args(sealed, "UNIT_HEAD", world.unit_head, head_key))
        ),
    ]
    assert [r.status for r in replies] == ["applied", "rejected", "applied", "applied", "applied"], replies
    assert reload(db, Minutes, sealed.id).status is MinutesStatus.SEALED
    return {"sealed": sealed, "open": open_, "phones": phones, "keys": (security_key, head_key)}


# ---- what a party's phone holds ---------------------------------------------------------------


def test_from_a_full_pull_no_party_has_any_input_to_an_offline_pin_test(
    db: Database, world: World, push: Push, pull_all: Any
) -> None:
    # given PINs and passkeys in use
    _signed_world(db, world, push)
    copy = _copy(db)
    secrets = {
        *(row["salt"] for row in copy["signing_pins"]),
        *(row["verifier"] for row in copy["signing_pins"]),
        *(row["public_key"] for row in copy["passkeys"]),
        b64url(TEST_KEYS.pepper),
        TEST_KEYS.pepper.hex(),
    }
    for row in copy["signature_evidence"]:
        if row["assertion"] is not None:
            response = _as_dict(row["assertion"])["response"]
            secrets |= {v for v in response.values() if isinstance(v, str) and v}
    assert len(copy["signing_pins"]) == 3
    assert len(copy["passkeys"]) == 2
    assert len(copy["signature_evidence"]) == 4
    assert all(len(s) >= 16 for s in secrets)

    for person in (world.tech, world.security, world.unit_head, world.zabita, world.tech_south):
        # when the person's phone pulls everything it may
        state, _, pages = pull_all(person)
        pulled = [ch.data for page in pages for ch in page.changes if ch.data is not None]
        assert pulled, person.username

        # then no entity has a field of a secret kind, and no value is or holds a stored secret
        keys = {k for data in pulled for k, _ in _walk(data)}
        assert not {k for k in keys if SECRET_KEY.search(k)}, person.username
        for text in _strings(pulled):
            leaked = [s for s in secrets if s in text]
            assert not leaked, (person.username, leaked)
        dump = json.dumps(pulled, default=str)
        assert not [s for s in secrets if s in dump], person.username

        # the user entity says only when a PIN was set; passkeys reach only their owner
        for (entity, _), data in state.items():
            if entity == "user":
                assert {k for k in data if re.search(r"pin|sign|key|salt", k, re.I)} == {"signingPinSetAt"}
            if entity == "passkey":
                assert data["userId"] == str(person.id), person.username
        own = [d for (e, _), d in state.items() if e == "passkey"]
        assert len(own) == (1 if person.id in (world.security.id, world.unit_head.id) else 0)
        assert not [e for e, _ in state if e in ("signingPin", "signatureEvidence", "signingFailure")]


def _id(value: Any) -> uuid.UUID:
    """A copied id: a UUID (PostgreSQL) or its 32 hex digits (SQLite)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_dict(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


# ---- what a copy of the database holds ------------------------------------------------------


def _old_message(
    minutes_id: str, content_hash: str, role: str, signer_id: str, signed_at: str, image: str
) -> bytes:
    """The retired scheme's signed message (saha-minutes-sign/1)."""
    return "\n".join(
        ["saha-minutes-sign/1", minutes_id, content_hash, role, signer_id, signed_at, image]
    ).encode()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def test_from_a_database_copy_the_retired_proofs_cannot_be_reconstructed_or_used(
    db: Database, world: World, push: Push
) -> None:
    # given a copy of the database after signatures were made
    signed = _signed_world(db, world, push)
    copy = _copy(db)

    # then the retired scheme's stored parts are gone: no proof, no stored key, no salt
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in inspector.get_table_names():
            assert not {c["name"] for c in inspector.get_columns(name)} & RETIRED_COLUMNS, name

    # and the old reconstruction finds nothing: for every 32-byte value a and b in the copy,
    # clientKey = a XOR HMAC(b, message) never has H(clientKey) = b (nor any other stored value)
    values = sorted({v for rows in copy.values() for row in rows for v in _strings(row) if HEX32.match(v)})
    assert len(values) >= 8
    stored = set(values)
    raw = [bytes.fromhex(v) for v in values]
    messages = [
        _old_message(
            str(_id(s["minutes_id"])),
            s["content_hash"],
            str(s["role"]).upper(),
            str(_id(s["signer_id"])),
            s["signed_at"],
            s["image_sha256"],
        )
        for s in copy["minutes_signatures"]
    ]
    assert len(messages) == 4

    def reconstruct(pool: list[bytes]) -> list[bytes]:
        found = []
        for message in messages:
            for a in pool:
                for b in pool:
                    client_key = _xor(a, _hmac(b, message))
                    if hashlib.sha256(client_key).hexdigest() in stored | {x.hex() for x in pool}:
                        found.append(client_key)
        return found

    assert reconstruct(raw) == []
    # (the search does find a key where the retired scheme left its stored key and a proof)
    legacy_client_key = bytes(range(32))
    legacy_stored = hashlib.sha256(legacy_client_key).digest()
    legacy_proof = _xor(legacy_client_key, _hmac(legacy_stored, messages[0]))
    assert legacy_client_key in reconstruct([*raw, legacy_stored, legacy_proof])

    # and any proof string made the old way is refused as retired, whatever it was made from
    target = signed["open"]
    image, signed_at = "cd" * 32, "2026-11-22T10:00:00.000Z"
    new = _old_message(
        str(target.id), target.content_hash, "UNIT_HEAD", str(world.unit_head.id), signed_at, image
    )
    legacy_key = hmac.new(
        hashlib.pbkdf2_hmac("sha256", PIN.encode(), b"any-salt", 100_000, 32),
        b"Saha signing key",
        hashlib.sha256,
    ).digest()  # even with the right PIN
    proofs = [_xor(legacy_key, _hmac(hashlib.sha256(legacy_key).digest(), new)).hex()]
    proofs += [_xor(_xor(a, _hmac(b, messages[0])), _hmac(b, new)).hex() for a in raw[:5] for b in raw]
    base = sign_args(target, "UNIT_HEAD", world.unit_head, image=image, signed_at=signed_at)
    replies = signed["phones"]["tech"].send(
        *(("minutes.sign", {**base, "id": uuid.uuid4(), "proof": proof}) for proof in proofs)
    )
    assert {(r.status, r.code) for r in replies} == {("rejected", "SIGNATURE_SCHEME_RETIRED")}
    assert len(replies) == len(proofs)
    with db.read_session() as s:
        assert [
            x.role.name
            for x in s.exec(select(MinutesSignature).where(MinutesSignature.minutes_id == target.id))
        ] == ["TECHNICIAN"]


def test_from_a_database_copy_the_right_pin_cannot_be_confirmed_offline(
    db: Database, world: World, push: Push
) -> None:
    # given a copy of the database, and an attacker who even knows the security staff's PIN
    _signed_world(db, world, push)
    copy = _copy(db)
    [row] = [r for r in copy["signing_pins"] if _id(r["user_id"]) == world.security.id]
    salt = b64url_decode(row["salt"])
    user_id = world.security.id

    def confirms(pepper: bytes, pin: str) -> bool:
        return check_pin(pepper, user_id, pin, row["salt"], row["verifier"], row["params"])

    # the server's pepper is not in the copy, in any spelling
    text = json.dumps(copy, default=str)
    for spelling in (b64url(TEST_KEYS.pepper), TEST_KEYS.pepper.hex(), TEST_KEYS.pepper.decode("latin-1")):
        assert spelling not in text

    # when every pepper the attacker could try is used to recompute the verifier of the right PIN
    of_signing = [*copy["signing_pins"], *copy["passkeys"], *copy["signature_evidence"]]
    of_user = [r for r in copy["users"] if _id(r["id"]) == user_id]
    guesses: set[bytes] = {b"", bytes(32), salt, row["salt"].encode(), user_id.bytes, str(user_id).encode()}
    for value in _strings([*of_signing, *of_user]):
        guesses.add(value.encode())
    for rows in copy.values():
        for value in _strings(rows):
            if HEX32.match(value):
                guesses |= {bytes.fromhex(value), value.encode()}
    assert len(guesses) > 20
    matches = [g for g in guesses if confirms(g, PIN)]

    # then none confirms it: without the server's pepper a PIN cannot be tested at all
    assert matches == []
    assert confirms(TEST_KEYS.pepper, PIN)  # (the server can, with its pepper)
    assert not confirms(TEST_KEYS.pepper, "550123")


def test_from_a_database_copy_no_passkey_signature_can_be_made_or_replayed(
    db: Database, world: World, push: Push
) -> None:
    # given a copy of the database with the security staff's passkey and a signature it made
    signed = _signed_world(db, world, push)
    copy = _copy(db)
    target = signed["open"]
    [passkey] = [p for p in copy["passkeys"] if _id(p["user_id"]) == world.security.id]
    [evidence] = [
        e
        for e in copy["signature_evidence"]
        if e["passkey_id"] is not None and _id(e["passkey_id"]) == _id(passkey["id"])
    ]
    stored_assertion = _as_dict(evidence["assertion"])
    tech = signed["phones"]["tech"]

    # when an attacker makes an authenticator with the stored credential id and a key of their own
    forged = SoftAuthenticator()
    forged.credentials.append(
        SoftCredential(
            credential_id=b64url_decode(passkey["credential_id"]),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id="localhost",
            user_handle=world.security.id.bytes,
            sign_count=int(passkey["sign_count"]) + 100,
        )
    )
    # and replays the stored assertion for other minutes, another role, or other details
    base = sign_args(
        target, "SECURITY", world.security, image="ce" * 32, signed_at="2026-11-22T10:05:00.000Z"
    )
    stored_proof = {"kind": "passkey", "credential": stored_assertion}
    attempts = [
        (
            {
                **base,
                "proof": {
                    "kind": "passkey",
                    "credential": _assert(forged, target, "SECURITY", world.security.id),
                },
            },
            "SIGNATURE_PASSKEY_INVALID",
        ),
        ({**base, "proof": stored_proof}, "SIGNATURE_PASSKEY_INVALID"),
        (
            {**base, "signedAt": "2026-11-23T09:00:00.000Z", "proof": stored_proof},
            "SIGNATURE_PASSKEY_INVALID",
        ),
        (
            {
                **sign_args(
                    target,
                    "UNIT_HEAD",
                    world.unit_head,
                    image="ce" * 32,
                    signed_at="2026-11-22T10:05:00.000Z",
                ),
                "proof": stored_proof,
            },
            "SIGNATURE_PASSKEY_UNKNOWN",
        ),
    ]
    replies = tech.send(*(("minutes.sign", {**args, "id": uuid.uuid4()}) for args, _ in attempts))

    # then every one is refused, and nothing is signed
    assert [(r.status, r.code) for r in replies] == [("rejected", code) for _, code in attempts]
    with db.read_session() as s:
        roles = [
            x.role.name
            for x in s.exec(select(MinutesSignature).where(MinutesSignature.minutes_id == target.id))
        ]
        assert roles == ["TECHNICIAN"]
        assert len(s.exec(select(SigningFailure)).all()) == 1  # only the one wrong PIN of the setup


def _assert(
    authenticator: SoftAuthenticator, minutes: Minutes, role: str, signer_id: uuid.UUID
) -> dict[str, Any]:
    request = minutes_request(minutes, role, signer_id, image="ce" * 32, signed_at="2026-11-22T10:05:00.000Z")
    return authenticator.get(challenge=request.challenge())


def test_a_pin_box_made_without_the_pin_is_a_wrong_pin_and_counts_towards_the_senders_pause(
    db: Database, world: World, push: Push
) -> None:
    # given an attacker's phone (the technician's) and minutes awaiting the security staff
    signed = _signed_world(db, world, push)
    target, tech = signed["open"], signed["phones"]["tech"]
    limit = LOCK_RULES[0][0]

    # when it seals guesses to the server's public key (all it has) for the security staff
    guesses = [
        ("minutes.sign", sign_args(target, "SECURITY", world.security, pin=f"{n:06d}"))
        for n in (13579, 246801, 975310, 864209)
    ][: limit - 1]  # the setup already made one wrong guess from this phone
    request_args = sign_args(target, "SECURITY", world.security)
    replies = tech.send(*guesses, ("minutes.sign", request_args))

    # then each is a wrong PIN, counted for (security staff, technician), and then the right PIN waits
    assert [r.code for r in replies] == ["SIGNATURE_PIN_WRONG"] * (limit - 1) + ["MINUTES_SIGNER_LOCKED"]
    with db.read_session() as s:
        failures = s.exec(select(SigningFailure)).all()
    assert [(f.signer_id, f.captured_by_id) for f in failures] == [(world.security.id, world.tech.id)] * limit
    # while a box of the right PIN from the security staff's own phone is a signature
    request = minutes_request(
        target,
        "SECURITY",
        world.security.id,
        image=request_args["imageSha256"],
        signed_at=request_args["signedAt"],
    )
    [own] = signed["phones"]["security"].send(
        ("minutes.sign", {**request_args, "proof": pin_proof(request, PIN)})
    )
    assert own.status == "applied", own


# ---- one party cannot lock another out -------------------------------------------------------


def test_one_party_cannot_lock_another_out_of_signing(db: Database, world: World, push: Push) -> None:
    # given minutes awaiting the unit head, who has a PIN and a passkey
    signed = _signed_world(db, world, push)
    first = signed["open"]
    second = _minutes(db, world, signed["phones"]["tech"])
    security = signed["phones"]["security"]
    head_key = signed["keys"][1]

    # when the security staff's phone sends 25 wrong PINs in the unit head's name, in rounds of five
    # (after each round its failures move 16 minutes back, as if the short pause had passed)
    codes: list[str | None] = []
    replies = []
    for round_ in range(5):
        replies = security.send(
            *(
                ("minutes.sign", sign_args(first, "UNIT_HEAD", world.unit_head, pin=f"{round_}{n}7193"))
                for n in range(5)
            )
        )
        codes += [r.code for r in replies]
        with db.write_session() as s:
            for failure in s.exec(
                select(SigningFailure).where(SigningFailure.captured_by_id == world.security.id)
            ):
                failure.at -= timedelta(minutes=16)
                s.add(failure)

    # then it was refused, and then paused from that phone for the day …
    assert codes == ["SIGNATURE_PIN_WRONG"] * 20 + ["MINUTES_SIGNER_LOCKED"] * 5
    assert replies[-1].params["minutes"] > 20 * 60  # the day-long pause, not the short one
    with db.read_session() as s:
        failures = s.exec(select(SigningFailure).where(SigningFailure.signer_id == world.unit_head.id)).all()
    assert len(failures) == 20
    assert {f.captured_by_id for f in failures} == {world.security.id}
    assert all(f.at > datetime.now(UTC) - timedelta(hours=24) for f in failures)

    # … and the unit head signs on their own phone, with their PIN and with their passkey
    head = signed["phones"]["head"]
    replies = head.send(
        ("minutes.sign", sign_args(first, "UNIT_HEAD", world.unit_head)),
        ("minutes.sign", passkey_sign_args(second, "UNIT_HEAD", world.unit_head, head_key)),
    )
    assert [(r.status, r.code) for r in replies] == [("applied", None), ("applied", None)]
    with db.read_session() as s:
        mine = s.exec(select(MinutesSignature).where(MinutesSignature.signer_id == world.unit_head.id)).all()
    assert {(m.minutes_id, m.method.name) for m in mine} >= {(first.id, "PIN"), (second.id, "PASSKEY")}
