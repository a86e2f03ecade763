"""What the backend hands to the pure sync core: its entities, their scope, its commands.

``sync/`` knows envelopes, ledgers, change logs, cursors and conflicts; this module knows Saha's
tables and rules. Entities are serialised with the GraphQL field names and enum spellings, so the
PWA keeps one shape for what it queried and what it pulled.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import ColumnElement, TypeDecorator
from sqlmodel import Session, SQLModel, col, select

from backend.domain.assets.models import Device, IpBlock, Site
from backend.domain.commands import CommandContext, execute, prepare_run
from backend.domain.diagnostics.models import DeviceHealth, DeviceReference, Diagnosis
from backend.domain.errors import DomainError
from backend.domain.maintenance.models import Checklist, ChecklistAnswer, ChecklistTemplate
from backend.domain.people.models import Region, User
from backend.domain.people.permissions import Actor
from backend.domain.scope import companions, hidden_fields, hidden_value, pull_scope, scope_for
from backend.domain.signing.keys import SigningKeys
from backend.domain.signing.models import Passkey
from backend.domain.surveys.models import Minutes, MinutesSignature, SignatureRefusal, Survey, SurveyPoint
from backend.domain.surveys.seal import install_seal_guard
from backend.domain.workorders.models import (
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderDevice,
    WorkOrderEvent,
)
from sync.changes import ChangeTracker, TrackedEntity
from sync.models import Conflict
from sync.protocol import Envelope, Rejected

ENTITIES: list[TrackedEntity] = [
    TrackedEntity("region", Region),
    TrackedEntity("user", User),
    TrackedEntity("site", Site),
    TrackedEntity("device", Device),
    TrackedEntity("workOrder", WorkOrder, revoke_field="assignee_id"),
    TrackedEntity("workOrderEvent", WorkOrderEvent),
    TrackedEntity("workOrderAttachment", WorkOrderAttachment),
    TrackedEntity("conflict", Conflict),
    TrackedEntity("survey", Survey),
    TrackedEntity("surveyPoint", SurveyPoint, parent=("survey", "survey_id")),
    TrackedEntity("minutes", Minutes),
    TrackedEntity("minutesSignature", MinutesSignature),
    TrackedEntity("signatureRefusal", SignatureRefusal),
    TrackedEntity("diagnosis", Diagnosis),
    TrackedEntity("deviceHealth", DeviceHealth),
    TrackedEntity("deviceReference", DeviceReference),
    TrackedEntity("passkey", Passkey),
    TrackedEntity("checklistTemplate", ChecklistTemplate),
    TrackedEntity("checklist", Checklist),
    TrackedEntity("checklistAnswer", ChecklistAnswer, parent=("checklist", "checklist_id")),
]
MODELS: dict[str, type[SQLModel]] = {e.name: e.model for e in ENTITIES}
tracker = ChangeTracker(ENTITIES)

# Never sent to devices. (PIN verifiers, signature evidence and failed attempts live in tables
# that are not synced at all: backend.domain.signing.models.)
PRIVATE_FIELDS = {"password_hash", "phone", "is_active", "public_key", "sign_count", "aaguid"}


_installed = False


def install_change_tracking() -> None:
    """From now on, in this process, every write through any session lands in the change log,
    and writes to sealed minutes are refused before they get there (SQLAlchemy session events).

    Process-wide, so it is an explicit step of every entry point's start-up — ``create_app``,
    the CLI's database commands, the test fixtures, the benchmarks — never a side effect of
    opening a database. Idempotent."""
    global _installed
    install_seal_guard()
    tracker.install()
    _installed = True


def change_tracking_installed() -> bool:
    return _installed


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.name  # GraphQL spelling: IN_PROGRESS
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _isoformat(value: datetime | date) -> str:
    return value.isoformat()


def _enum_name(value: Enum) -> str:
    return value.name


def _converter(column: Any) -> Callable[[Any], Any] | None:
    """How a column's (non-null) values are written into a pulled record; None: as they are.
    Chosen once per column, not per value: a first pull converts millions of values."""
    kind = column.type
    if isinstance(kind, TypeDecorator):  # AutoString, UTCDateTime: values of their impl's type
        kind = kind.impl_instance
    try:
        python_type = kind.python_type
    except NotImplementedError:  # a type that does not declare its Python type: per value
        return _value
    if python_type in (str, int, bool, float):
        return None
    if issubclass(python_type, Enum):
        return _enum_name
    if issubclass(python_type, datetime | date):
        return _isoformat
    if issubclass(python_type, uuid.UUID):
        return str
    return _value


_COLUMNS: dict[str, list[tuple[str, str]]] = {
    name: [(c.key, to_camel(c.key)) for c in model.__table__.columns if c.key not in PRIVATE_FIELDS]  # type: ignore[attr-defined]
    for name, model in MODELS.items()
}
_CONVERTERS: dict[str, list[Callable[[Any], Any] | None]] = {
    name: [_converter(model.__table__.columns[key]) for key, _ in _COLUMNS[name]]  # type: ignore[attr-defined]
    for name, model in MODELS.items()
}


class PersonSource:
    """The sync core's view of the data, as one person may see it."""

    order: Sequence[str] = [e.name for e in ENTITIES]

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.user_id = actor.id

    def _scope(self, entity: str) -> ColumnElement[bool]:
        return pull_scope(entity, self.actor)

    def companions(self, session: Session, entity: str, data: dict[str, Any]) -> list[tuple[str, uuid.UUID]]:
        return companions(session, self.actor, entity, lambda attribute: data.get(to_camel(attribute)))

    def snapshot_ids(
        self, session: Session, entity: str, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        model: Any = MODELS[entity]
        stmt = select(model.id).where(self._scope(entity))
        if after is not None:
            stmt = stmt.where(model.id > after)
        return list(session.exec(stmt.order_by(model.id).limit(limit)).all())

    def load(
        self, session: Session, entity: str, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[int, dict[str, Any]]]:
        if not ids:
            return {}
        model: Any = MODELS[entity]
        columns = _COLUMNS[entity]
        table = model.__table__
        # Core rows, not ORM objects: a first pull reads tens of thousands of them
        rows = (
            session.connection()
            .execute(
                select(*(table.c[key] for key, _ in columns)).where(table.c.id.in_(ids), self._scope(entity))
            )
            .all()
        )
        extra = _EXTRAS.get(entity)
        extras = extra(session, self.actor, [r.id for r in rows]) if extra else {}
        hidden = hidden_fields(entity, self.actor)
        out: dict[uuid.UUID, tuple[int, dict[str, Any]]] = {}
        converters = _CONVERTERS[entity]
        for row in rows:
            data = {
                camel: hidden_value(entity, key)
                if key in hidden
                else (value if convert is None or value is None else convert(value))
                for (key, camel), convert, value in zip(columns, converters, row, strict=True)
            }
            data.update(extras.get(row.id, {}))
            out[row.id] = (int(data.get("version") or 0), data)
        return out


def _work_order_extras(
    session: Session, actor: Actor, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    out: dict[uuid.UUID, dict[str, Any]] = {i: {"deviceIds": []} for i in ids}
    links = session.exec(
        select(WorkOrderDevice).where(
            col(WorkOrderDevice.work_order_id).in_(ids),
            col(WorkOrderDevice.device_id).in_(select(Device.id).where(scope_for("device", actor))),
        )
    ).all()
    for link in links:
        out[link.work_order_id]["deviceIds"].append(str(link.device_id))
    return out


def _site_extras(session: Session, actor: Actor, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    blocks: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for b in session.exec(
        select(IpBlock)
        .where(col(IpBlock.site_id).in_(ids), scope_for("ipBlock", actor))
        .order_by(col(IpBlock.cidr))
    ).all():
        blocks[b.site_id].append({"id": str(b.id), "cidr": b.cidr, "description": b.description})
    return {i: {"ipBlocks": blocks.get(i, [])} for i in ids}


_EXTRAS: dict[str, Callable[[Session, Actor, Sequence[uuid.UUID]], dict[uuid.UUID, dict[str, Any]]]] = {
    "workOrder": _work_order_extras,
    "site": _site_extras,
}

_RESULT_ENTITY = {model: name for name, model in MODELS.items()}


class CommandRunner:
    """The sync core's way to run one envelope: a domain command, DomainError → Rejected."""

    def __init__(self, actor: Actor, now: datetime, signing: SigningKeys | None = None) -> None:
        self.actor = actor
        self.now = now
        self.signing = signing

    def _context(self, session: Session, env: Envelope | None = None) -> CommandContext:
        return CommandContext(
            session=session,
            actor=self.actor,
            now=self.now,
            base_versions=dict(env.base_versions) if env else {},
            mutation_id=env.mutation_id if env else "",
            signing=self.signing,
            via_sync=True,
        )

    def prepare(self, session: Session, envelopes: Sequence[Envelope]) -> None:
        """Before a run: the rows its commands will load, read in one statement per command."""
        prepare_run(self._context(session), [(env.name, env.args) for env in envelopes])

    def __call__(self, session: Session, env: Envelope) -> dict[str, Any] | None:
        try:
            result = execute(env.name, env.args, self._context(session, env))
        except DomainError as exc:
            raise Rejected(exc.code.value, exc.field, exc.params, after=exc.keep) from None
        entity = _RESULT_ENTITY.get(type(result))
        if entity is None:
            return None
        return {"entity": entity, "id": str(result.id), "version": int(getattr(result, "version", 0) or 0)}


def command_runner(actor: Actor, now: datetime, signing: SigningKeys | None = None) -> CommandRunner:
    return CommandRunner(actor, now, signing)
