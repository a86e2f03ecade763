"""GraphQL for one's ways of signing (docs/surveys.md, "Signatures"): the server's public signing
parameters the PWA keeps for offline use, one's passkeys, and the online set-up mutations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people import permissions as p
from backend.domain.signing import models as sm
from backend.graphql.common import OperationError, SignedIn, requires, run_command
from backend.graphql.context import ctx
from backend.services import signing_keys, signing_service

SignatureMethod = strawberry.enum(sm.SignatureMethod, name="SignatureMethod")


@strawberry.type(name="Passkey", description="One of the signed-in person's passkeys.")
class PasskeyType:
    id: strawberry.ID
    label: str
    credential_id: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    backed_up: bool = strawberry.field(description="A synced passkey (password manager), not one device.")

    @classmethod
    def of(cls, m: sm.Passkey) -> PasskeyType:
        return cls(
            id=strawberry.ID(str(m.id)),
            label=m.label,
            credential_id=m.credential_id,
            created_at=m.created_at,
            last_used_at=m.last_used_at,
            revoked_at=m.revoked_at,
            backed_up=m.backed_up,
        )


@strawberry.type(description="What a phone needs to make signatures offline (nothing secret).")
class SigningSetup:
    rp_id: str = strawberry.field(description="Passkey relying-party id.")
    pin_key_id: str = strawberry.field(description="Id of the key PINs are sealed to.")
    pin_public_key: str = strawberry.field(description="That P-256 key, uncompressed point, base64url.")
    pin_set_at: datetime | None = strawberry.field(description="When the viewer last set their PIN.")
    passkeys: list[PasskeyType]


@strawberry.type
class PasskeyOptions:
    options: JSON = strawberry.field(description="PublicKeyCredentialCreationOptionsJSON for the browser.")
    ticket: str = strawberry.field(description="Give back with the browser's answer (valid 5 minutes).")


@strawberry.type
class PasskeySuccess:
    passkey: PasskeyType


@strawberry.type
class SigningPinSuccess:
    pin_set_at: datetime


PasskeyOptionsResult = Annotated[PasskeyOptions | OperationError, strawberry.union("PasskeyOptionsResult")]
PasskeyResult = Annotated[PasskeySuccess | OperationError, strawberry.union("PasskeyResult")]
SigningPinResult = Annotated[SigningPinSuccess | OperationError, strawberry.union("SigningPinResult")]


@strawberry.type
class SigningQuery:
    @strawberry.field(permission_classes=[SignedIn])
    async def signing_setup(self, info: Info[Any, Any]) -> SigningSetup:
        c = ctx(info)
        actor = await c.require_actor()
        keys = signing_keys(c.app_state)
        user = await c.loaders.user.load(actor.id)
        rows = await signing_service(c.app_state).passkeys(actor.id)
        pin = keys.public_pin_key()
        return SigningSetup(
            rp_id=keys.rp_id,
            pin_key_id=pin["kid"],
            pin_public_key=pin["publicKey"],
            pin_set_at=user.signing_pin_set_at if user else None,
            passkeys=[PasskeyType.of(r) for r in rows],
        )


@strawberry.type
class SigningMutation:
    @strawberry.mutation(
        permission_classes=[requires(p.ACCOUNT_SIGNING)],
        description="Set or change one's signing PIN: the password again, and the PIN sealed to the "
        "server's key (`pinBox`, see docs/surveys.md).",
    )
    async def set_signing_pin(self, info: Info[Any, Any], password: str, pin_box: JSON) -> SigningPinResult:
        c = ctx(info)
        try:
            actor = await c.require_actor()
            user = await signing_service(c.app_state).set_pin(actor, password, _dict(pin_box))
        except DomainError as exc:
            return OperationError.of(exc, c.lang)
        assert user.signing_pin_set_at is not None
        return SigningPinSuccess(pin_set_at=user.signing_pin_set_at)

    @strawberry.mutation(
        permission_classes=[requires(p.ACCOUNT_SIGNING)],
        description="First step of registering a passkey on this phone (needs the password again).",
    )
    async def begin_passkey_registration(self, info: Info[Any, Any], password: str) -> PasskeyOptionsResult:
        c = ctx(info)
        try:
            actor = await c.require_actor()
            start = await signing_service(c.app_state).begin_passkey(actor, password)
        except DomainError as exc:
            return OperationError.of(exc, c.lang)
        return PasskeyOptions(options=JSON(start.options), ticket=start.ticket)

    @strawberry.mutation(
        permission_classes=[requires(p.ACCOUNT_SIGNING)],
        description="Second step: the browser's RegistrationResponseJSON and the ticket of step one.",
    )
    async def finish_passkey_registration(
        self, info: Info[Any, Any], ticket: str, credential: JSON, label: str = ""
    ) -> PasskeyResult:
        c = ctx(info)
        try:
            actor = await c.require_actor()
            row = await signing_service(c.app_state).finish_passkey(actor, ticket, _dict(credential), label)
        except DomainError as exc:
            return OperationError.of(exc, c.lang)
        return PasskeySuccess(passkey=PasskeyType.of(row))

    @strawberry.mutation(description="Remove a passkey (one's own; administrators: anyone's).")
    async def revoke_passkey(self, info: Info[Any, Any], passkey_id: strawberry.ID) -> PasskeyResult:
        return await run_command(
            info,
            "passkey.revoke",
            {"passkeyId": _uuid(passkey_id)},
            lambda m: PasskeySuccess(passkey=PasskeyType.of(m)),
        )


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DomainError(ErrorCode.VALIDATION_FAILED, params={"detail": "an object is expected"})
    return value


def _uuid(value: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)
