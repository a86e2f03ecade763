"""The server side of the vectors the PWA reproduces too (frontend/src/lib/{minutes,signing}.test.ts):
canonical minutes content, signing messages and challenges, PIN boxes and the weak-PIN rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from backend.domain.signing.keys import PinBoxError, PinTransportKey, SigningKeys, open_pin_box, seal_pin_box
from backend.domain.signing.message import SignRequest, b64url, b64url_decode
from backend.domain.signing.pin import pin_problem
from backend.domain.surveys import signing

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "minutes_vectors.json").read_text(encoding="utf-8")
)
SIGNING = VECTORS["signing"]


def _server_keys() -> SigningKeys:
    scalar = int.from_bytes(b64url_decode(SIGNING["serverKey"]["privateValue"]), "big")
    key = PinTransportKey(private_key=ec.derive_private_key(scalar, ec.SECP256R1()))
    return SigningKeys(
        rp_id="localhost",
        rp_name="test",
        origins=(),
        allow_localhost=True,
        pin_key=key,
        pepper=b"p" * 32,
        ticket_key=b"t" * 32,
    )


@pytest.mark.parametrize("vector", VECTORS["canonical"])
def test_canonical_content_hash_and_code(vector: dict[str, Any]) -> None:
    # given the content / when canonicalised and hashed / then the pinned text, hash and code
    assert signing.canonical_json(vector["content"]) == vector["json"]
    assert signing.content_hash(vector["content"]) == vector["contentHash"]
    assert signing.verification_code(vector["contentHash"]) == vector["verificationCode"]


@pytest.mark.parametrize("vector", SIGNING["messages"])
def test_signing_message_and_passkey_challenge(vector: dict[str, Any]) -> None:
    # given
    request = SignRequest(
        document_kind=vector["documentKind"],
        document_id=vector["documentId"],
        content_hash=vector["contentHash"],
        role=vector["role"],
        signer_id=vector["signerId"],
        signed_at=vector["signedAt"],
        image_sha256=vector["imageSha256"],
    )
    # when / then
    assert request.message().decode() == vector["message"]
    assert b64url(request.challenge()) == vector["challenge"]


def test_the_vector_server_key_is_the_published_one() -> None:
    keys = _server_keys()
    assert keys.public_pin_key() == {
        "kid": SIGNING["serverKey"]["kid"],
        "publicKey": SIGNING["serverKey"]["publicKey"],
    }


@pytest.mark.parametrize("vector", SIGNING["pinBoxes"])
def test_pin_boxes_are_reproduced_and_open_only_with_their_aad(vector: dict[str, Any]) -> None:
    # given the phone's fixed ephemeral key and IV of the vector
    keys = _server_keys()
    eph = ec.derive_private_key(
        int.from_bytes(b64url_decode(vector["ephemeral"]["d"]), "big"), ec.SECP256R1()
    )
    # when
    box = seal_pin_box(
        keys.pin_key.public_raw,
        keys.pin_key.kid,
        vector["pin"],
        vector["aad"].encode(),
        ephemeral=eph,
        iv=b64url_decode(vector["iv"]),
    )
    # then the same bytes, and only the server opens it, only for this AAD
    assert box == vector["box"]
    assert open_pin_box(keys, vector["box"], vector["aad"].encode()) == vector["pin"]
    with pytest.raises(PinBoxError) as info:
        open_pin_box(keys, vector["box"], vector["aad"].encode() + b"x")
    assert info.value.reason == "tampered"


@pytest.mark.parametrize(("pin", "problem"), SIGNING["pinProblems"])
def test_weak_and_malformed_pins(pin: str, problem: str | None) -> None:
    assert pin_problem(pin) == problem
