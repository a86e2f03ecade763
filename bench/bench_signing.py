"""Signature verification cost, with the retired scheme as the baseline measured in the same run.

1. the checks alone, per signature: a passkey assertion (py_webauthn, ES256) and a sealed PIN
   (ECDH + AES-GCM open, then Argon2id against the peppered verifier), against the retired PIN
   proof's check (one HMAC-SHA256 + SHA-256) — the price of signatures nobody can forge;
2. end to end: sealing N minutes through ``syncPush``'s core on SQLite (3 signatures each: 1 PIN,
   2 passkeys — ledger, change log, evidence, sealing), signatures/s.

    .venv/bin/python bench/bench_signing.py [N]
"""

from __future__ import annotations

import hashlib
import hmac
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.db.engine import Database  # noqa: E402
from backend.db.migrate import upgrade  # noqa: E402
from backend.domain.commands import CommandContext, execute, load_all_commands  # noqa: E402
from backend.domain.people.auth import actor_for  # noqa: E402
from backend.domain.people.models import Role  # noqa: E402
from backend.domain.signing.keys import open_pin_box  # noqa: E402
from backend.domain.signing.message import SignRequest, b64url_decode  # noqa: E402
from backend.domain.signing.pin import check_pin, make_verifier  # noqa: E402
from backend.domain.sync_adapter import command_runner, install_change_tracking  # noqa: E402
from sync import apply  # noqa: E402
from sync.protocol import Envelope  # noqa: E402
from tests.factories import (  # noqa: E402
    PIN,
    fill_survey,
    make_device,
    make_region,
    make_site,
    make_survey,
    make_user,
    minutes_hash,
    passkey_sign_args,
    register_passkey,
    set_pin,
    sign_args,
)
from tests.signing_support import TEST_KEYS, pin_proof  # noqa: E402
from tests.webauthn_soft import SoftAuthenticator  # noqa: E402


def per_call_us(fn: Callable[[], Any], n: int) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def primitives() -> None:
    from webauthn import verify_authentication_response

    user_id = uuid.uuid4()
    request = SignRequest(
        "minutes", str(uuid.uuid4()), "ab" * 32, "SECURITY", str(user_id), "2026-12-05T10:00:00Z", "cd" * 32
    )
    message = request.message()
    # retired: proof = clientKey XOR HMAC(storedKey, message); check SHA-256(proof XOR HMAC) == storedKey
    client_key = hashlib.sha256(b"k").digest()
    stored = hashlib.sha256(client_key).digest()
    proof = bytes(
        a ^ b for a, b in zip(client_key, hmac.new(stored, message, hashlib.sha256).digest(), strict=True)
    )

    def retired() -> bool:
        mac = hmac.new(stored, message, hashlib.sha256).digest()
        return hashlib.sha256(bytes(a ^ b for a, b in zip(proof, mac, strict=True))).digest() == stored

    # passkey: one registered credential, a fresh counter for every check (as in real use)
    auth = SoftAuthenticator(rp_id="localhost", origin="http://localhost:8000")
    import json

    from webauthn import generate_registration_options, options_to_json, verify_registration_response

    options = json.loads(
        options_to_json(
            generate_registration_options(
                rp_id="localhost", rp_name="b", user_name="u", user_id=user_id.bytes
            )
        )
    )
    reg = verify_registration_response(
        credential=auth.create(options),
        expected_challenge=b64url_decode(options["challenge"]),
        expected_rp_id="localhost",
        expected_origin="http://localhost:8000",
    )
    assertions = [auth.get(challenge=request.challenge()) for _ in range(600)]
    it = iter(assertions)
    count = [0]

    def passkey() -> None:
        verify_authentication_response(
            credential=next(it),
            expected_challenge=request.challenge(),
            expected_rp_id="localhost",
            expected_origin="http://localhost:8000",
            credential_public_key=reg.credential_public_key,
            credential_current_sign_count=count[0],
            require_user_verification=False,
        )
        count[0] += 1

    salt, verifier, params = make_verifier(TEST_KEYS.pepper, user_id, PIN)
    box = pin_proof(request, PIN)["box"]

    def pin() -> None:
        assert check_pin(
            TEST_KEYS.pepper, user_id, open_pin_box(TEST_KEYS, box, message), salt, verifier, params
        )

    base = per_call_us(retired, 20_000)
    pk = per_call_us(passkey, 150)
    pn = per_call_us(pin, 30)
    print("signature checks, per signature (median of 3 runs)")
    print(f"  baseline, retired PIN proof (HMAC + SHA-256): {base:8.1f} µs")
    print(f"  passkey assertion (py_webauthn, ES256):       {pk:8.1f} µs  ratio {pk / base:7.0f}x")
    print(f"  sealed PIN (ECDH+AES-GCM, Argon2id 19 MiB):   {pn:8.1f} µs  ratio {pn / base:7.0f}x")
    print(f"  → one core verifies ~{1e6 / pk:.0f} passkey or ~{1e6 / pn:.0f} PIN signatures/s")


def end_to_end(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        install_change_tracking()  # as the server does at start-up
        db = Database(url)
        load_all_commands()
        admin = make_user(db, Role.ADMIN)
        manager = make_user(db, Role.MANAGER)
        region = make_region(db)
        tech = make_user(db, Role.TECHNICIAN, region=region)
        security, head = make_user(db, Role.SECURITY), make_user(db, Role.UNIT_HEAD)
        site = make_site(db, admin, region=region, cidr="10.9.0.0/24")
        make_device(db, admin, site, ip="10.9.0.10")
        set_pin(db, security)
        phones = {
            u.id: SoftAuthenticator(rp_id="localhost", origin="http://localhost:8000") for u in (tech, head)
        }
        register_passkey(db, tech, phones[tech.id])
        register_passkey(db, head, phones[head.id])
        batch: list[Envelope] = []
        notes: list[Envelope] = []
        for i in range(n):
            survey = make_survey(db, manager, site, tech, security, head)
            for _ in range(3):  # the baseline: as many plain commands on the same work orders
                notes.append(
                    Envelope(
                        client_id="bench-notes",
                        seq=len(notes) + 1,
                        mutation_id=f"n{len(notes)}",
                        name="workorder.addNote",
                        args={"workOrderId": str(survey.work_order_id), "text": "Keşif notu"},
                    )
                )
            fill_survey(db, tech, survey.id, points=1)
            mid = uuid.uuid4()
            with db.write_session() as s:
                execute(
                    "minutes.create",
                    {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
                    CommandContext(session=s, actor=actor_for(tech), signing=TEST_KEYS),
                )
            with db.read_session() as s:
                from backend.domain.surveys.models import Minutes

                minutes = s.get(Minutes, mid)
            for role, signer, args in (
                ("TECHNICIAN", tech, passkey_sign_args(minutes, "TECHNICIAN", tech, phones[tech.id])),
                ("SECURITY", security, sign_args(minutes, "SECURITY", security)),
                ("UNIT_HEAD", head, passkey_sign_args(minutes, "UNIT_HEAD", head, phones[head.id])),
            ):
                del role, signer
                wire = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in args.items()}
                batch.append(
                    Envelope(
                        client_id="bench",
                        seq=len(batch) + 1,
                        mutation_id=f"m{len(batch)}",
                        name="minutes.sign",
                        args=wire,
                    )
                )
            del i
        actor = actor_for(tech)

        def push(client: str, envelopes: list[Envelope]) -> float:
            t0 = time.perf_counter()
            for start in range(0, len(envelopes), 30):
                now = datetime.now(UTC)
                chunk = envelopes[start : start + 30]
                result = db.run_write(
                    lambda s, c=chunk, t=now: apply.push(
                        s,
                        client_id=client,
                        user_id=actor.id,
                        envelopes=c,
                        run=command_runner(actor, t, TEST_KEYS),
                        now=t,
                    )
                )
                bad = [r for r in result.replies if r.status != "applied"]
                assert not bad, bad[:3]
            return time.perf_counter() - t0

        base = push("bench-notes", notes)
        took = push("bench", batch)
        print(f"end to end through syncPush on SQLite: {n} minutes sealed, {len(batch)} signatures (1/3 PIN)")
        print(
            f"  baseline, {len(notes)} workorder.addNote: {base:.2f} s = {len(notes) / base:.0f} commands/s"
        )
        per = took / len(batch) * 1e3
        print(
            f"  minutes.sign: {took:.2f} s = {len(batch) / took:.0f} signatures/s ({per:.1f} ms each, "
            f"sealing included); ratio {took / base:.1f}x the baseline's time"
        )
        db.dispose()


if __name__ == "__main__":
    primitives()
    end_to_end(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
