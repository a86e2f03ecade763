"""Registering a passkey on one's own phone (WebAuthn, platform authenticator, user verification).

Two steps, both online: :func:`registration_options` (after the person re-entered their password)
gives the browser its options and a short-lived *ticket* — the challenge and the person, signed
by the server — and :func:`register` checks the browser's answer against that ticket. The ticket
is the proof of a recent password sign-in, so nothing here is kept between the two steps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select
from webauthn import generate_registration_options, options_to_json, verify_registration_response
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.models import User
from backend.domain.signing.keys import SigningKeys
from backend.domain.signing.message import b64url, b64url_decode
from backend.domain.signing.models import Passkey

TICKET_TTL = timedelta(minutes=5)
MAX_PASSKEYS = 10


def active_passkeys(session: Session, user_id: uuid.UUID) -> list[Passkey]:
    return list(
        session.exec(
            select(Passkey)
            .where(Passkey.user_id == user_id, col(Passkey.revoked_at).is_(None))
            .order_by(col(Passkey.created_at))
        ).all()
    )


@dataclass(frozen=True)
class RegistrationStart:
    options: dict[str, Any]  # PublicKeyCredentialCreationOptionsJSON
    ticket: str


def _sign(keys: SigningKeys, payload: bytes) -> str:
    return b64url(hmac.new(keys.ticket_key, payload, hashlib.sha256).digest())


def registration_options(session: Session, keys: SigningKeys, user: User, now: datetime) -> RegistrationStart:
    existing = active_passkeys(session, user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise DomainError(ErrorCode.PASSKEY_LIMIT, params={"max": MAX_PASSKEYS})
    challenge = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=keys.rp_id,
        rp_name=keys.rp_name,
        user_name=user.username,
        user_id=user.id.bytes,
        user_display_name=user.full_name,
        challenge=challenge,
        timeout=120_000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            authenticator_attachment=AuthenticatorAttachment.PLATFORM,
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=b64url_decode(p.credential_id)) for p in existing
        ],
    )
    payload = json.dumps(
        {"u": str(user.id), "c": b64url(challenge), "exp": int((now + TICKET_TTL).timestamp())},
        separators=(",", ":"),
    ).encode()
    ticket = f"{b64url(payload)}.{_sign(keys, payload)}"
    return RegistrationStart(options=json.loads(options_to_json(options)), ticket=ticket)


def _ticket_challenge(keys: SigningKeys, ticket: str, user_id: uuid.UUID, now: datetime) -> bytes:
    try:
        body, mac = ticket.split(".", 1)
        payload = b64url_decode(body)
        if not hmac.compare_digest(mac, _sign(keys, payload)):
            raise ValueError("mac")
        data = json.loads(payload)
        if data["u"] != str(user_id):
            raise ValueError("user")
        expired = now.timestamp() > int(data["exp"])
        challenge = b64url_decode(data["c"])
    except (ValueError, KeyError, TypeError):
        raise DomainError(ErrorCode.PASSKEY_TICKET_INVALID, field="ticket") from None
    if expired:
        raise DomainError(ErrorCode.PASSKEY_TICKET_INVALID, field="ticket")
    return challenge


def register(
    session: Session,
    keys: SigningKeys,
    user: User,
    *,
    ticket: str,
    credential: dict[str, Any],
    label: str,
    now: datetime,
) -> Passkey:
    challenge = _ticket_challenge(keys, ticket, user.id, now)
    try:
        client_data = json.loads(b64url_decode(credential["response"]["clientDataJSON"]))
        origin = client_data["origin"]
    except (KeyError, TypeError, ValueError):
        raise DomainError(ErrorCode.PASSKEY_REGISTRATION_FAILED, params={"detail": "format"}) from None
    if not isinstance(origin, str) or not keys.origin_allowed(origin):
        raise DomainError(ErrorCode.PASSKEY_REGISTRATION_FAILED, params={"detail": f"origin {origin}"})
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=keys.rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise DomainError(ErrorCode.PASSKEY_REGISTRATION_FAILED, params={"detail": str(exc)[:200]}) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DomainError(
            ErrorCode.PASSKEY_REGISTRATION_FAILED, params={"detail": type(exc).__name__}
        ) from None
    credential_id = b64url(verified.credential_id)
    if session.exec(select(Passkey.id).where(Passkey.credential_id == credential_id)).first():
        raise DomainError(ErrorCode.PASSKEY_ALREADY_REGISTERED)
    if len(active_passkeys(session, user.id)) >= MAX_PASSKEYS:
        raise DomainError(ErrorCode.PASSKEY_LIMIT, params={"max": MAX_PASSKEYS})
    transports = credential.get("response", {}).get("transports") or []
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=b64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        aaguid=str(verified.aaguid),
        transports=[str(t)[:20] for t in transports if isinstance(t, str)][:8],
        label=label,
        backed_up=bool(verified.credential_backed_up),
        created_at=now,
    )
    session.add(passkey)
    return passkey
