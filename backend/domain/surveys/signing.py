"""The pure parts of survey minutes: canonical content, its hash, the short verification code and
the PIN-based signing proof. The PWA implements the same functions (``frontend/src/lib/minutes.ts``);
``tests/fixtures/minutes_vectors.json`` holds vectors both sides must reproduce.

The proof is SCRAM-like (RFC 5802's ClientProof): the server stores only ``storedKey =
SHA-256(clientKey)`` and never sees the PIN, so neither a database copy nor the technician's phone
holding the proof can make a signature for another document.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

TEMPLATE = "saha.survey-minutes/1"
PROOF_CONTEXT = "saha-minutes-sign/1"
CLIENT_KEY_LABEL = b"Saha signing key"
MIN_ITERATIONS = 100_000
MAX_ITERATIONS = 2_000_000


def canonical_json(content: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, non-ASCII kept as is: the same text JavaScript produces."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def verification_code(hash_hex: str) -> str:
    """Twelve base32 characters of the hash, grouped for reading aloud: ``ABCD-EFGH-JKLM``."""
    code = base64.b32encode(bytes.fromhex(hash_hex)[:10]).decode("ascii")[:12]
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}"


def normalize_code(text: str) -> str:
    """What a person typed (any case, spaces or dashes) → ``ABCD-EFGH-JKLM``, or '' if malformed."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != 12 or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in raw):
        return ""
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def proof_message(
    *, minutes_id: str, content_hash: str, role: str, signer_id: str, signed_at: str, image_sha256: str
) -> bytes:
    parts = [PROOF_CONTEXT, minutes_id, content_hash, role, signer_id, signed_at, image_sha256]
    return "\n".join(parts).encode("utf-8")


def client_key(pin: str, salt: str, iterations: int) -> bytes:
    salted = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt.encode("utf-8"), iterations, 32)
    return hmac.new(salted, CLIENT_KEY_LABEL, hashlib.sha256).digest()


def stored_key(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def make_proof(key: bytes, stored_key_hex: str, message: bytes) -> str:
    """What the signer's phone computes (here for tests and the demo data)."""
    mac = hmac.new(bytes.fromhex(stored_key_hex), message, hashlib.sha256).digest()
    return bytes(a ^ b for a, b in zip(key, mac, strict=True)).hex()


def verify_proof(stored_key_hex: str, message: bytes, proof_hex: str) -> bool:
    try:
        proof = bytes.fromhex(proof_hex)
        stored = bytes.fromhex(stored_key_hex)
    except ValueError:
        return False
    if len(proof) != 32 or len(stored) != 32:
        return False
    mac = hmac.new(stored, message, hashlib.sha256).digest()
    candidate = bytes(a ^ b for a, b in zip(proof, mac, strict=True))
    return hmac.compare_digest(hashlib.sha256(candidate).digest(), stored)
