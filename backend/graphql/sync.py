"""GraphQL face of the sync protocol: ``syncPush`` and ``syncPull`` (see docs/sync-protocol.md)."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.domain.errors import DomainError, ErrorCode, render
from backend.graphql.common import ErrorCode as ErrorCodeEnum
from backend.graphql.common import OperationError, SignedIn
from backend.graphql.context import ctx
from backend.services import sync as sync_service
from sync.protocol import APPLIED, UPSERT, Change, Envelope, PullPage, Reply


@strawberry.enum(name="SyncStatus")
class SyncStatus(enum.Enum):
    APPLIED = "applied"
    REJECTED = "rejected"


@strawberry.enum(name="SyncOp")
class SyncOp(enum.Enum):
    UPSERT = "upsert"
    DELETE = "delete"


@strawberry.input
class SyncEnvelopeInput:
    seq: int
    mutation_id: str
    name: str
    args: JSON
    base_versions: JSON | None = None
    blob_refs: list[str] | None = None


def _envelope_from_input(cls: type[SyncEnvelopeInput], value: Any, _context: Any) -> SyncEnvelopeInput:
    """graphql-core has already checked each field's type (Int, String, JSON, [String!]); every
    field is a leaf, so the input is built directly rather than field by field through
    Strawberry's generic conversion, which was most of the time of a 500-envelope replay."""
    return cls(
        seq=value["seq"],
        mutation_id=value["mutationId"],
        name=value["name"],
        args=value["args"],
        base_versions=value.get("baseVersions"),
        blob_refs=list(refs) if (refs := value.get("blobRefs")) is not None else None,
    )


SyncEnvelopeInput.__strawberry_definition__.from_input = _envelope_from_input  # type: ignore[attr-defined]


@strawberry.type
class SyncReply:
    seq: int
    mutation_id: str
    status: SyncStatus
    code: ErrorCodeEnum | None  # type: ignore[valid-type]
    message: str | None
    field: str | None
    result: JSON | None

    @classmethod
    def of(cls, reply: Reply, lang: str) -> SyncReply:
        record = _reply_record(reply, lang)
        return cls(
            seq=reply.seq,
            mutation_id=reply.mutation_id,
            status=SyncStatus[record["status"]],
            code=ErrorCode(reply.code) if reply.code else None,
            message=record["message"],
            field=reply.field,
            result=JSON(reply.result) if reply.result is not None else None,
        )


def _reply_record(reply: Reply, lang: str) -> dict[str, Any]:
    """A reply as the PWA reads it: ``SyncReply``'s fields and spellings, as plain JSON."""
    code = ErrorCode(reply.code) if reply.code else None
    return {
        "seq": reply.seq,
        "mutationId": reply.mutation_id,
        "status": "APPLIED" if reply.status == APPLIED else "REJECTED",
        "code": code.name if code else None,
        "message": render(code, lang, **reply.params) if code else None,
        "field": reply.field,
        "result": reply.result,
    }


@strawberry.type
class SyncPushResult:
    client_id: str
    last_seq: int
    expected_seq: int | None
    core: strawberry.Private[list[Reply]]
    lang: strawberry.Private[str]

    @strawberry.field(description="One reply per envelope, field by field.")
    def replies(self) -> list[SyncReply]:
        return [SyncReply.of(r, self.lang) for r in self.core]

    @strawberry.field(
        description="The same replies as one JSON list of `{seq, mutationId, status, code, message, "
        "field, result}` objects (spelt as in `SyncReply`). What the PWA asks for: a batch of 500 "
        "replies is several times cheaper to produce as one value than field by field."
    )
    def outcomes(self) -> JSON:
        return JSON([_reply_record(r, self.lang) for r in self.core])


SyncPushOutcome = Annotated[SyncPushResult | OperationError, strawberry.union("SyncPushOutcome")]


@strawberry.type
class SyncChange:
    entity: str
    id: strawberry.ID
    version: int
    op: SyncOp
    data: JSON | None


@strawberry.type
class SyncPullResult:
    next_cursor: str
    has_more: bool
    reset: bool
    page: strawberry.Private[PullPage]

    @strawberry.field(description="The page's changes, field by field.")
    def changes(self) -> list[SyncChange]:
        return [
            SyncChange(
                entity=r["entity"],
                id=strawberry.ID(r["id"]),
                version=r["version"],
                op=SyncOp[r["op"]],
                data=JSON(r["data"]) if r["data"] is not None else None,
            )
            for r in map(_change_record, self.page.changes)
        ]

    @strawberry.field(
        description="The same changes as one JSON list of `{entity, id, version, op, data}` objects "
        "(`op` spelt as in `SyncOp`). What the PWA asks for: a page of thousands of records is "
        "several times cheaper to produce as one value than field by field."
    )
    def records(self) -> JSON:
        return JSON([_change_record(ch) for ch in self.page.changes])


def _change_record(change: Change) -> dict[str, Any]:
    """A pulled change as the PWA reads it: ``SyncChange``'s fields and spellings, as plain JSON."""
    return {
        "entity": change.entity,
        "id": str(change.id),
        "version": change.version,
        "op": "UPSERT" if change.op == UPSERT else "DELETE",
        "data": change.data,
    }


def _envelope(client_id: str, e: SyncEnvelopeInput) -> Envelope:
    """The envelope as sent; the sync core refuses a malformed one alone (``envelope_problem``)."""
    return Envelope(
        client_id=client_id,
        seq=e.seq,
        mutation_id=e.mutation_id,
        name=e.name,
        args=e.args,
        base_versions={} if e.base_versions is None else e.base_versions,
        blob_refs=tuple(e.blob_refs or ()),
    )


@strawberry.type
class SyncMutation:
    @strawberry.mutation(description="Apply queued commands exactly once, in seq order.")
    async def sync_push(
        self, info: Info[Any, Any], client_id: str, envelopes: list[SyncEnvelopeInput]
    ) -> SyncPushOutcome:
        c = ctx(info)
        try:
            actor = await c.require_actor()
            batch = [_envelope(client_id, e) for e in envelopes]
            result = await sync_service.push(c.db, actor, client_id, batch, c.signing)
        except DomainError as exc:
            return OperationError.of(exc, c.lang)
        return SyncPushResult(
            client_id=result.client_id,
            last_seq=result.last_seq,
            expected_seq=result.expected_seq,
            core=list(result.replies),
            lang=c.lang,
        )


@strawberry.type
class SyncQuery:
    @strawberry.field(
        permission_classes=[SignedIn],
        description="A snapshot, then the changes since `cursor`, of what the signed-in person may see.",
    )
    async def sync_pull(
        self, info: Info[Any, Any], cursor: str | None = None, limit: int = 500
    ) -> SyncPullResult:
        c = ctx(info)
        actor = await c.require_actor()
        page = await sync_service.pull(c.db, actor, cursor, limit)
        return SyncPullResult(
            next_cursor=page.next_cursor, has_more=page.has_more, reset=page.reset, page=page
        )
