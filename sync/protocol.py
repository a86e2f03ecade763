"""Wire-level values of the sync protocol (see docs/sync-protocol.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from sqlmodel import Session

APPLIED = "applied"
REJECTED = "rejected"
UPSERT = "upsert"
DELETE = "delete"


@dataclass(frozen=True)
class Envelope:
    client_id: str
    seq: int
    mutation_id: str
    name: str
    # as the client sent them: checked by ``apply.envelope_problem`` before the command runs
    args: Any  # an object of command arguments, when well formed
    base_versions: Any = dc_field(default_factory=dict)  # {"<entity>:<id>": version}
    blob_refs: tuple[str, ...] = ()


class Rejected(Exception):  # noqa: N818 - it is an outcome, not a crash
    """A permanent refusal of one command: recorded, shown to the user, the queue moves on."""

    def __init__(
        self,
        code: str,
        field: str | None = None,
        params: dict[str, Any] | None = None,
        *,
        after: Callable[[Session], None] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params or {}
        # A write kept although the command was refused (e.g. a record of a refused signature):
        # it runs after the command's savepoint was rolled back, in the batch's transaction.
        self.after = after


@dataclass(frozen=True)
class Reply:
    """What the server says about one envelope; stored, and returned unchanged on replays."""

    seq: int
    mutation_id: str
    status: str
    code: str | None = None
    field: str | None = None
    params: dict[str, Any] = dc_field(default_factory=dict)
    result: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "mutation_id": self.mutation_id,
            "status": self.status,
            "code": self.code,
            "field": self.field,
            "params": self.params,
            "result": self.result,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            seq=int(data["seq"]),
            mutation_id=str(data["mutation_id"]),
            status=str(data["status"]),
            code=data.get("code"),
            field=data.get("field"),
            params=dict(data.get("params") or {}),
            result=data.get("result"),
        )


@dataclass(frozen=True)
class PushResult:
    client_id: str
    last_seq: int
    replies: list[Reply]
    expected_seq: int | None = None


@dataclass(frozen=True)
class Change:
    entity: str
    id: uuid.UUID
    version: int
    op: str
    data: dict[str, Any] | None


@dataclass(frozen=True)
class PullPage:
    changes: list[Change]
    next_cursor: str
    has_more: bool
    reset: bool = False
