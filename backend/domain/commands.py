"""The command layer: every write in Saha is a named command.

A command is a typed input (a pydantic model), the permission it needs, and a handler that
checks the rules and writes through a synchronous ``Session`` (``backend.db.engine`` says why).
GraphQL mutations call :func:`execute`; the offline sync replays envelopes through the same
registry, by name, with plain JSON arguments. Commands marked ``batched`` write through the
session's write batch (``ctx.batch``, :class:`sync.changes.WriteBatch`): alone, it is flushed when
the command ends; in a sync push, once for the whole run.

:func:`execute` runs the handler in the caller's transaction and never commits. A GraphQL
mutation runs one command per transaction, so a :class:`DomainError` rolls all of it back; the
sync push runs many and gives each its own SAVEPOINT (``sync.apply``), so a refused command undoes
only itself and the batch moves on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from sqlmodel import Session

from backend.db.types import utcnow
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor
from sync.changes import ACTOR_KEY, WriteBatch, batch_of

if TYPE_CHECKING:
    from backend.domain.signing.keys import SigningKeys

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out")


class CommandInput(BaseModel):
    """Base of every command input: unknown fields are refused, strings are trimmed.

    Fields are snake_case in Python and accepted in camelCase too (the wire spelling of GraphQL
    and of sync envelopes: ``workOrderId``)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


@dataclass
class CommandContext:
    session: Session
    actor: Actor
    now: datetime = field(default_factory=utcnow)
    request_id: str = ""
    # offline edits: {"<entity>:<id>": version the edit started from}; see sync.conflicts
    base_versions: dict[str, int] = field(default_factory=dict)
    mutation_id: str = ""
    # the server's signing secrets (signatures, PINs, passkeys); None where nothing is signed
    signing: SigningKeys | None = None
    # the person re-entered their password for this very request (online-only commands)
    reauthenticated: bool = False
    # the command arrived through syncPush (replayed from a device's outbox)
    via_sync: bool = False

    @property
    def batch(self) -> WriteBatch:
        """Where a ``batched`` command reads the rows it changes and writes (sync.changes)."""
        return batch_of(self.session)

    def require_signing(self) -> SigningKeys:
        if self.signing is None:
            raise DomainError(ErrorCode.SIGNING_NOT_CONFIGURED)
        return self.signing

    def base_version(self, entity: str, key: uuid.UUID) -> int | None:
        value = self.base_versions.get(f"{entity}:{key}")
        return int(value) if value is not None else None


Handler = Callable[[CommandContext, In], Out]


@dataclass(frozen=True)
class Command(Generic[In, Out]):
    name: str
    permission: str
    input_model: type[In]
    handler: Handler[In, Out]
    description: str = ""
    # Never replayed from an outbox (it needs the password of this request, or a server round
    # trip): syncPush refuses it with COMMAND_ONLINE_ONLY.
    online_only: bool = False
    # Writes only through ``ctx.batch`` and checks its rules before its first write: a run of
    # such commands (a sync push) is written set-based, once, and a refusal needs no rollback.
    batched: bool = False
    # Given the arguments of every envelope of a run naming this command, reads in one
    # statement the rows they will load (``WriteBatch.preload``). Only an optimisation: it must
    # accept any arguments, valid or not.
    preload: Callable[[CommandContext, Sequence[Mapping[str, Any]]], None] | None = None


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command[Any, Any]] = {}

    def register(self, cmd: Command[Any, Any]) -> None:
        if cmd.name in self._commands:
            raise ValueError(f"command {cmd.name!r} registered twice")
        self._commands[cmd.name] = cmd

    def get(self, name: str) -> Command[Any, Any]:
        try:
            return self._commands[name]
        except KeyError:
            raise DomainError(ErrorCode.COMMAND_UNKNOWN, params={"name": name}) from None

    def names(self) -> list[str]:
        return sorted(self._commands)

    def __contains__(self, name: object) -> bool:
        return name in self._commands


registry = CommandRegistry()


def command(
    name: str,
    *,
    permission: str,
    input: type[In],
    online_only: bool = False,
    batched: bool = False,
    preload: Callable[[CommandContext, Sequence[Mapping[str, Any]]], None] | None = None,
) -> Callable[[Handler[In, Out]], Handler[In, Out]]:
    """Register ``handler`` as the command ``name`` (``<area>.<verb>``)."""

    def decorate(handler: Handler[In, Out]) -> Handler[In, Out]:
        registry.register(
            Command(
                name=name,
                permission=permission,
                input_model=input,
                handler=handler,
                description=(handler.__doc__ or "").strip(),
                online_only=online_only,
                batched=batched,
                preload=preload,
            )
        )
        return handler

    return decorate


def parse_input(model: type[In], args: Mapping[str, Any] | BaseModel) -> In:
    if isinstance(args, model):
        return args
    raw = args.model_dump() if isinstance(args, BaseModel) else dict(args)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            field=loc or None,
            params={"detail": f"{loc}: {first.get('msg', '')}" if loc else first.get("msg", "")},
        ) from None


def execute(
    name: str,
    args: Mapping[str, Any] | BaseModel,
    ctx: CommandContext,
) -> Any:
    """Validate, authorise and run one command in ``ctx.session``'s transaction."""
    cmd = registry.get(name)
    if cmd.online_only and ctx.via_sync:
        raise DomainError(ErrorCode.COMMAND_ONLINE_ONLY, params={"name": name})
    # permission before the input: who may not run a command learns nothing of its arguments
    if not ctx.actor.can(cmd.permission):
        raise DomainError(ErrorCode.PERMISSION_DENIED, params={"permission": cmd.permission})
    inp = parse_input(cmd.input_model, args)
    ctx.session.info[ACTOR_KEY] = ctx.actor.id  # the change log records who
    batch = ctx.batch
    if cmd.batched and batch.deferred:  # one of a run: written when the runner flushes
        result = cmd.handler(ctx, inp)
        batch.cut()
        ctx.session.flush()  # what it wrote through the ORM (a conflict record), if anything
        return result
    batch.flush()  # this command reads the database as the run before it left it
    batch.forget()
    try:
        result = cmd.handler(ctx, inp)
        batch.flush()
    except BaseException:
        batch.discard()  # the caller rolls back what was written
        raise
    batch.forget()
    ctx.session.flush()  # constraint violations surface here, inside the caller's unit
    return result


def prepare_run(ctx: CommandContext, runs: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Before a run of commands (a sync push): each batched command the actor may run reads the
    rows its envelopes will load, in one statement per command."""
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for name, args in runs:
        if isinstance(name, str) and isinstance(args, Mapping):
            by_name.setdefault(name, []).append(args)
    for name, args_list in by_name.items():
        cmd = registry._commands.get(name)
        if cmd is not None and cmd.batched and cmd.preload is not None and ctx.actor.can(cmd.permission):
            cmd.preload(ctx, args_list)


def load_all_commands() -> CommandRegistry:
    """Import every area's commands module so the registry is complete."""
    from backend.domain.assets import commands as _assets  # noqa: F401
    from backend.domain.conflicts import commands as _conflicts  # noqa: F401
    from backend.domain.diagnostics import commands as _diagnostics  # noqa: F401
    from backend.domain.maintenance import commands as _maintenance  # noqa: F401
    from backend.domain.signing import commands as _signing  # noqa: F401
    from backend.domain.surveys import commands as _surveys  # noqa: F401
    from backend.domain.workorders import commands as _workorders  # noqa: F401

    return registry
