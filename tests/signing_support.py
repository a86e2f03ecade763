"""Signing in tests: one set of server signing keys for the whole run, and the phone's side of a
PIN signature (a sealed PIN box) and of a passkey signature (``tests.webauthn_soft``).

The app under test is configured with the same keys (``tests/conftest.py`` writes them into the
settings), so what a factory signs directly and what a test pushes through GraphQL agree.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from backend.domain.signing.keys import PinTransportKey, SigningKeys, seal_pin_box
from backend.domain.signing.message import SignRequest, b64url, pin_set_aad

ORIGIN = "http://localhost:8000"  # the test settings' public URL (host 127.0.0.1 → localhost)
_PIN_KEY = ec.generate_private_key(ec.SECP256R1())
_PEPPER = bytes(range(32))

TEST_KEYS = SigningKeys(
    rp_id="localhost",
    rp_name="Saha test",
    origins=(ORIGIN,),
    allow_localhost=True,
    pin_key=PinTransportKey(private_key=_PIN_KEY),
    pepper=_PEPPER,
    ticket_key=b"t" * 32,
)


def write_key_file(folder: Path) -> Path:
    """The PIN transport key as the PEM file settings point at."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "test_signing_pin_key.pem"
    if not path.exists():
        path.write_bytes(_PIN_KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def pepper_setting() -> str:
    return b64url(_PEPPER)


def pin_set_box(user_id: uuid.UUID, pin: str, keys: SigningKeys = TEST_KEYS) -> dict[str, Any]:
    """What a phone sends to set ``pin`` as ``user_id``'s signing PIN."""
    return seal_pin_box(keys.pin_key.public_raw, keys.pin_key.kid, pin, pin_set_aad(str(user_id)))


def minutes_request(
    minutes: Any, role: str, signer_id: uuid.UUID, *, image: str, signed_at: str
) -> SignRequest:
    return SignRequest(
        document_kind="minutes",
        document_id=str(minutes.id),
        content_hash=minutes.content_hash,
        role=role,
        signer_id=str(signer_id),
        signed_at=signed_at,
        image_sha256=image,
    )


def pin_proof(request: SignRequest, pin: str, keys: SigningKeys = TEST_KEYS) -> dict[str, Any]:
    """``{kind: "pin", box}``: the PIN sealed to the server and bound to this signature."""
    box = seal_pin_box(keys.pin_key.public_raw, keys.pin_key.kid, pin, request.message())
    return {"kind": "pin", "box": box}
