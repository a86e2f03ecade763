"""Verifying a signature: a passkey assertion or a sealed PIN, for any signed document.

A document's command (``minutes.sign`` today) checks its own rules — who may sign in which role,
that the content hash is the document's — then calls :func:`verify_signature` with the
:class:`SignRequest` and the proof. On success it gets the evidence to store beside the signature;
on failure a :class:`SignatureRefusedError` that says why, and whether it was a PIN guess (which counts
towards pausing signing in that name from that sender: :func:`check_not_locked`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select
from webauthn import verify_authentication_response
from webauthn.helpers.exceptions import WebAuthnException

from backend.domain.commands import CommandInput
from backend.domain.errors import ErrorCode
from backend.domain.signing.keys import PinBoxError, SigningKeys, open_pin_box
from backend.domain.signing.message import SignRequest, b64url_decode
from backend.domain.signing.models import (
    Passkey,
    SignatureEvidence,
    SignatureMethod,
    SigningFailure,
    SigningPin,
)
from backend.domain.signing.pin import check_pin

MAX_CREDENTIAL_JSON = 16_000
B64 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]*$", max_length=200)]


class PinBoxInput(CommandInput):
    v: int
    kid: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    epk: B64
    iv: B64
    ct: B64


class PasskeyProof(CommandInput):
    """A WebAuthn assertion (AuthenticationResponseJSON) over the signing message's challenge."""

    kind: Literal["passkey"]
    credential: dict[str, Any]

    @field_validator("credential")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value)) > MAX_CREDENTIAL_JSON:
            raise ValueError(f"at most {MAX_CREDENTIAL_JSON} bytes")
        return value


class PinProof(CommandInput):
    """The signer's PIN, sealed to the server's key and bound to the signing message."""

    kind: Literal["pin"]
    box: PinBoxInput


Proof = Annotated[PasskeyProof | PinProof, Field(discriminator="kind")]


@dataclass
class SignatureRefusedError(Exception):
    """Not the signer's signature. ``guess``: a wrong PIN (counts towards the pause)."""

    code: ErrorCode
    params: dict[str, Any] = field(default_factory=dict)
    guess: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.code.value)


@dataclass(frozen=True)
class Verified:
    method: SignatureMethod
    evidence: SignatureEvidence  # without signature_id yet


# Online guessing from one sender: this many wrong PINs in the window pause signing in that name
# from that sender (the signer's own phone, passkeys and other senders are unaffected).
LOCK_RULES = ((5, timedelta(minutes=15)), (20, timedelta(hours=24)))


def check_not_locked(
    session: Session, signer_id: uuid.UUID, captured_by_id: uuid.UUID, now: datetime
) -> int | None:
    """None, or the minutes until PIN signatures for ``signer_id`` from ``captured_by_id`` resume."""
    for limit, window in LOCK_RULES:
        rows = session.exec(
            select(func.count(), func.min(SigningFailure.at)).where(
                SigningFailure.signer_id == signer_id,
                SigningFailure.captured_by_id == captured_by_id,
                col(SigningFailure.at) > now - window,
            )
        ).one()
        count, oldest = rows
        if count >= limit and oldest is not None:
            return max(1, int((oldest + window - now).total_seconds() // 60) + 1)
    return None


def failure(signer_id: uuid.UUID, captured_by_id: uuid.UUID, now: datetime) -> SigningFailure:
    return SigningFailure(signer_id=signer_id, captured_by_id=captured_by_id, at=now)


def verify_signature(
    session: Session,
    keys: SigningKeys,
    request: SignRequest,
    proof: PasskeyProof | PinProof,
    *,
    captured_by_id: uuid.UUID,
    now: datetime,
) -> Verified:
    signer_id = uuid.UUID(request.signer_id)
    digest = hashlib.sha256(request.message()).hexdigest()
    if isinstance(proof, PasskeyProof):
        return _passkey(session, keys, request, proof, signer_id, digest, now)
    return _pin(session, keys, request, proof, signer_id, captured_by_id, digest, now)


def _passkey(
    session: Session,
    keys: SigningKeys,
    request: SignRequest,
    proof: PasskeyProof,
    signer_id: uuid.UUID,
    digest: str,
    now: datetime,
) -> Verified:
    cred = proof.credential
    credential_id = cred.get("id") if isinstance(cred.get("id"), str) else ""
    passkey = session.exec(
        select(Passkey)
        .where(
            Passkey.credential_id == credential_id,
            Passkey.user_id == signer_id,
            col(Passkey.revoked_at).is_(None),
        )
        .with_for_update()
    ).first()
    if passkey is None:
        raise SignatureRefusedError(ErrorCode.SIGNATURE_PASSKEY_UNKNOWN)
    try:
        response = cred["response"]
        client_data = json.loads(b64url_decode(response["clientDataJSON"]))
        origin = client_data["origin"]
        handle = response.get("userHandle")
        if handle and b64url_decode(handle) != signer_id.bytes:
            raise ValueError("user handle")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SignatureRefusedError(ErrorCode.SIGNATURE_PASSKEY_INVALID, {"detail": "format"}) from None
    if not isinstance(origin, str) or not keys.origin_allowed(origin):
        raise SignatureRefusedError(ErrorCode.SIGNATURE_PASSKEY_INVALID, {"detail": f"origin {origin}"})
    try:
        verified = verify_authentication_response(
            credential=cred,
            expected_challenge=request.challenge(),
            expected_rp_id=keys.rp_id,
            expected_origin=origin,
            credential_public_key=b64url_decode(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise SignatureRefusedError(ErrorCode.SIGNATURE_PASSKEY_INVALID, {"detail": str(exc)[:200]}) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # malformed parts it does not wrap
        raise SignatureRefusedError(
            ErrorCode.SIGNATURE_PASSKEY_INVALID, {"detail": type(exc).__name__}
        ) from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    passkey.version += 1
    session.add(passkey)
    return Verified(
        method=SignatureMethod.PASSKEY,
        evidence=SignatureEvidence(
            document_kind=request.document_kind,
            signature_id=uuid.UUID(int=0),
            method=SignatureMethod.PASSKEY,
            passkey_id=passkey.id,
            assertion=cred,
            message_sha256=digest,
            origin=origin,
            verified_at=now,
        ),
    )


def _pin(
    session: Session,
    keys: SigningKeys,
    request: SignRequest,
    proof: PinProof,
    signer_id: uuid.UUID,
    captured_by_id: uuid.UUID,
    digest: str,
    now: datetime,
) -> Verified:
    row = session.get(SigningPin, signer_id)
    if row is None:
        raise SignatureRefusedError(ErrorCode.MINUTES_SIGNER_NO_PIN)
    wait = check_not_locked(session, signer_id, captured_by_id, now)
    if wait is not None:
        raise SignatureRefusedError(ErrorCode.MINUTES_SIGNER_LOCKED, {"minutes": wait})
    try:
        pin = open_pin_box(keys, proof.box.model_dump(), request.message())
    except PinBoxError as exc:
        if exc.reason == "key":
            raise SignatureRefusedError(ErrorCode.SIGNATURE_PIN_KEY_UNKNOWN) from None
        raise SignatureRefusedError(ErrorCode.MINUTES_SIGNATURE_INVALID) from None
    if not check_pin(keys.pepper, signer_id, pin, row.salt, row.verifier, row.params):
        raise SignatureRefusedError(ErrorCode.SIGNATURE_PIN_WRONG, guess=True)
    return Verified(
        method=SignatureMethod.PIN,
        evidence=SignatureEvidence(
            document_kind=request.document_kind,
            signature_id=uuid.UUID(int=0),
            method=SignatureMethod.PIN,
            message_sha256=digest,
            pin_set_at=row.set_at,
            verified_at=now,
        ),
    )
