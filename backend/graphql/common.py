"""Shared GraphQL pieces: enums, the error result, permission checks, command running."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel
from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.domain import errors as domain_errors
from backend.domain.assets import models as am
from backend.domain.commands import CommandContext, execute
from backend.domain.errors import DomainError
from backend.domain.people import models as pm
from backend.domain.workorders import models as wm
from backend.domain.workorders.rules import Action
from backend.graphql.context import ctx

ErrorCode = strawberry.enum(domain_errors.ErrorCode, name="ErrorCode")
Role = strawberry.enum(pm.Role, name="Role")
SiteKind = strawberry.enum(am.SiteKind, name="SiteKind")
RecordingLocation = strawberry.enum(am.RecordingLocation, name="RecordingLocation")
DeviceKind = strawberry.enum(am.DeviceKind, name="DeviceKind")
DeviceStatus = strawberry.enum(am.DeviceStatus, name="DeviceStatus")
AreaType = strawberry.enum(am.AreaType, name="AreaType")
WorkOrderType = strawberry.enum(wm.WorkOrderType, name="WorkOrderType")
WorkOrderStatus = strawberry.enum(wm.WorkOrderStatus, name="WorkOrderStatus")
Priority = strawberry.enum(wm.Priority, name="Priority")
WorkOrderEventKind = strawberry.enum(wm.WorkOrderEventKind, name="WorkOrderEventKind")
WorkOrderAction = strawberry.enum(Action, name="WorkOrderAction")


@strawberry.type(description="An expected failure: a stable code and a message for people.")
class OperationError:
    code: ErrorCode  # type: ignore[valid-type]
    message: str
    field: str | None = None

    @classmethod
    def of(cls, exc: DomainError, lang: str) -> OperationError:
        return cls(code=exc.code, message=exc.message(lang), field=exc.field)


def requires(permission: str) -> type[BasePermission]:
    """Field permission: sign-in plus ``permission`` (``<area>.<verb>``)."""

    class Permission(BasePermission):
        message = permission

        async def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
            actor = await ctx(info).require_actor()
            if not actor.can(permission):
                raise DomainError(
                    domain_errors.ErrorCode.PERMISSION_DENIED, params={"permission": permission}
                )
            return True

    Permission.__name__ = f"Requires[{permission}]"
    return Permission


class SignedIn(BasePermission):
    message = "signed in"

    async def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        await ctx(info).require_actor()
        return True


R = TypeVar("R")


async def run_command(
    info: Info[Any, Any],
    name: str,
    args: dict[str, Any] | BaseModel,
    wrap: Callable[[Any], R],
) -> R | OperationError:
    """Run one domain command in its own transaction; map the outcome to the result union."""
    c = ctx(info)
    try:
        actor = await c.require_actor()
        result = await c.db.write(
            lambda session: execute(
                name,
                args,
                CommandContext(session=session, actor=actor, request_id=c.request_id, signing=c.signing),
            )
        )
    except DomainError as exc:
        if exc.keep is not None:
            await c.db.write(exc.keep)
        return OperationError.of(exc, c.lang)
    return wrap(result)


def input_args(data: Any) -> dict[str, Any]:
    """A Strawberry input object as a plain dict. Fields left out or sent as null are "not
    given" (the command's default applies); clearing a text field is done with ""."""
    return {
        k: v
        for k, v in vars(data).items()
        if v is not strawberry.UNSET and v is not None and not k.startswith("_")
    }
