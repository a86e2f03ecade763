"""The signing PIN: what a good one is, and the verifier the server keeps of it.

The verifier needs a server-side secret (the *pepper*, ``SigningKeys.pepper``): ``argon2id(HMAC-
SHA256(pepper, context ‖ user id ‖ PIN), salt)``. Without the pepper a copy of the database cannot
test a single guess; with it (a copy of the database *and* the server's key files) each guess still
costs an Argon2id evaluation. Nothing about the PIN is ever synced to phones: a wrong PIN is found
by the server when the signature arrives.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import uuid

from argon2.low_level import Type, hash_secret_raw

from backend.domain.signing.message import b64url, b64url_decode

PIN_LENGTH = 6
_CONTEXT = b"saha-pin-verifier/2\x00"
# OWASP's minimum for Argon2id (19 MiB, 2 passes): ~25 ms here per check.
ARGON2_TIME = 2
ARGON2_MEMORY_KIB = 19_456
ARGON2_PARALLELISM = 1
PARAMS = f"argon2id$t={ARGON2_TIME}$m={ARGON2_MEMORY_KIB}$p={ARGON2_PARALLELISM}"


def pin_problem(pin: str) -> str | None:
    """None for a usable PIN; ``"format"`` (not six digits) or ``"weak"`` (a guessable pattern:
    one digit repeated, a run like 123456 or 654321, or a repeated pair/triple like 121212)."""
    if len(pin) != PIN_LENGTH or not all("0" <= c <= "9" for c in pin):
        return "format"
    digits = [int(c) for c in pin]
    steps = {(b - a) % 10 for a, b in itertools.pairwise(digits)}
    if steps in ({1}, {9}):
        return "weak"
    if pin == pin[:2] * 3 or pin == pin[:3] * 2:  # includes one digit repeated
        return "weak"
    return None


def _keyed(pepper: bytes, user_id: uuid.UUID, pin: str) -> bytes:
    return hmac.new(pepper, _CONTEXT + user_id.bytes + pin.encode("ascii"), hashlib.sha256).digest()


def _argon2(secret: bytes, salt: bytes, params: str) -> bytes:
    fields = dict(part.split("=", 1) for part in params.split("$")[1:])
    return hash_secret_raw(
        secret,
        salt,
        time_cost=int(fields["t"]),
        memory_cost=int(fields["m"]),
        parallelism=int(fields["p"]),
        hash_len=32,
        type=Type.ID,
    )


def make_verifier(pepper: bytes, user_id: uuid.UUID, pin: str) -> tuple[str, str, str]:
    """(salt, verifier, params) to store for a new PIN."""
    salt = secrets.token_bytes(16)
    return b64url(salt), _argon2(_keyed(pepper, user_id, pin), salt, PARAMS).hex(), PARAMS


def check_pin(pepper: bytes, user_id: uuid.UUID, pin: str, salt: str, verifier: str, params: str) -> bool:
    if pin_problem(pin) == "format":
        return False
    try:
        candidate = _argon2(_keyed(pepper, user_id, pin), b64url_decode(salt), params)
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(candidate.hex(), verifier)
