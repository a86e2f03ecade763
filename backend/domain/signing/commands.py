"""Setting up one's own ways of signing: the signing PIN and passkeys (online, after a password).

``account.setSigningPin`` and ``passkey.register`` are online-only: they need this request's
password confirmation (``CommandContext.reauthenticated``, set by ``backend.services.signing``) or
the ticket that confirmation produced, so no outbox ever holds them. ``passkey.revoke`` is an
ordinary command: removing a passkey is never dangerous.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from pydantic import StringConstraints

from backend.domain.commands import CommandContext, CommandInput, command
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.people.models import User
from backend.domain.signing import passkeys
from backend.domain.signing.keys import PinBoxError, open_pin_box
from backend.domain.signing.message import pin_set_aad
from backend.domain.signing.models import Passkey, SigningPin
from backend.domain.signing.pin import make_verifier, pin_problem
from backend.domain.signing.verify import MAX_CREDENTIAL_JSON, PinBoxInput


class SetSigningPin(CommandInput):
    pin_box: PinBoxInput


def _me(ctx: CommandContext) -> User:
    user = ctx.session.get(User, ctx.actor.id, with_for_update=True)
    if user is None or not user.is_active:
        raise DomainError(ErrorCode.NOT_FOUND)
    return user


@command("account.setSigningPin", permission=p.ACCOUNT_SIGNING, input=SetSigningPin, online_only=True)
def set_signing_pin(ctx: CommandContext, inp: SetSigningPin) -> User:
    """Set or change one's own signing PIN (six digits, not a guessable pattern). The phone seals
    the PIN to the server's key; the server keeps only a peppered Argon2id verifier. Needs the
    password of this same request. Signatures already made stay valid."""
    if not ctx.reauthenticated:
        raise DomainError(ErrorCode.AUTH_PASSWORD_CONFIRM_REQUIRED, field="password")
    keys = ctx.require_signing()
    user = _me(ctx)
    try:
        pin = open_pin_box(keys, inp.pin_box.model_dump(), pin_set_aad(str(user.id)))
    except PinBoxError as exc:
        code = ErrorCode.SIGNATURE_PIN_KEY_UNKNOWN if exc.reason == "key" else ErrorCode.SIGNING_PIN_INVALID
        raise DomainError(code, field="pinBox") from None
    problem = pin_problem(pin)
    if problem is not None:
        code = ErrorCode.SIGNING_PIN_WEAK if problem == "weak" else ErrorCode.SIGNING_PIN_INVALID
        raise DomainError(code, field="pin")
    salt, verifier, params = make_verifier(keys.pepper, user.id, pin)
    row = ctx.session.get(SigningPin, user.id, with_for_update=True) or SigningPin(
        user_id=user.id, salt=salt, verifier=verifier, params=params
    )
    row.salt, row.verifier, row.params, row.set_at = salt, verifier, params, ctx.now
    ctx.session.add(row)
    user.signing_pin_set_at = ctx.now
    ctx.session.add(user)
    return user


class RegisterPasskey(CommandInput):
    ticket: Annotated[str, StringConstraints(min_length=10, max_length=600)]
    credential: dict[str, Any]
    label: Annotated[str, StringConstraints(max_length=80)] = ""


@command("passkey.register", permission=p.ACCOUNT_SIGNING, input=RegisterPasskey, online_only=True)
def register_passkey(ctx: CommandContext, inp: RegisterPasskey) -> Passkey:
    """Register a passkey made on one's own phone (the ticket comes from the password-confirmed
    first step and expires after five minutes)."""
    if len(json.dumps(inp.credential)) > MAX_CREDENTIAL_JSON:
        raise DomainError(ErrorCode.VALIDATION_FAILED, field="credential", params={"detail": "credential"})
    user = _me(ctx)
    return passkeys.register(
        ctx.session,
        ctx.require_signing(),
        user,
        ticket=inp.ticket,
        credential=inp.credential,
        label=inp.label or "Passkey",
        now=ctx.now,
    )


class RevokePasskey(CommandInput):
    passkey_id: uuid.UUID


@command("passkey.revoke", permission=p.ACCOUNT_SIGNING, input=RevokePasskey)
def revoke_passkey(ctx: CommandContext, inp: RevokePasskey) -> Passkey:
    """Remove one of one's passkeys (a lost or replaced phone); an administrator may remove
    anyone's. Signatures it already made stay valid; new ones with it are refused."""
    row = ctx.session.get(Passkey, inp.passkey_id, with_for_update=True)
    if row is None or (row.user_id != ctx.actor.id and not ctx.actor.can(p.SIGNING_MANAGE)):
        raise DomainError(ErrorCode.NOT_FOUND, field="passkeyId")
    if row.revoked_at is None:
        row.revoked_at = ctx.now
        row.version += 1
        ctx.session.add(row)
    return row
