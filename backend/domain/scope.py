"""Row scope, enforced once: which rows of every entity a person may see, and which fields.

Every GraphQL field that returns a row (root fields, related objects, loaders), every sync pull
(snapshot, changes and deletions) and every command that loads a row by id goes through
:func:`scope_for`, the one table of rules below. A row outside the scope answers NOT_FOUND, the
same as a row that does not exist, so scope never leaks what exists.

Who sees what (``docs/access.md`` has the same table for people):

- managers and admins: everything;
- technicians: work orders assigned to them; sites of their region and sites of their work,
  with their devices; the unit's staff directory;
- security staff and unit heads: the survey work orders they are party to, those surveys' sites
  and the devices there as places (no addresses, serials, firmware or notes); the people on
  those surveys and work orders;
- Zabıta: sites and cameras as places (no addresses, serials, firmware, notes, recorder
  links or reference images); themselves;
- passkeys: their owner only (administrators with ``signing.manage`` may revoke any by id).

A device keeps less than its person may look up online (:func:`pull_scope`): of the nightly and
weekly diagnoses only each device's latest. And for people from outside the unit, a row can bring
others along (:func:`companions`): the people, the site and the devices of the work they became
party to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import Session, SQLModel, col, select

from backend.domain.assets.models import Device, DeviceKind, IpBlock, Site
from backend.domain.diagnostics.models import DeviceHealth, DeviceReference, Diagnosis, DiagnosisSource
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.maintenance.models import Checklist, ChecklistAnswer, ChecklistTemplate
from backend.domain.people.models import Region, Role, User
from backend.domain.people.permissions import CHECKLISTS_WORK, DEVICES_TECHNICAL, Actor
from backend.domain.signing.models import Passkey
from backend.domain.surveys.models import Minutes, MinutesSignature, SignatureRefusal, Survey, SurveyPoint
from backend.domain.workorders.models import WorkOrder, WorkOrderAttachment, WorkOrderEvent
from sync.models import Conflict

M = TypeVar("M", bound=SQLModel)
Rule = Callable[[Actor], ColumnElement[bool]]

# Roles from outside the unit: they see the survey work they are party to, nothing more.
OUTSIDE_PARTY = (Role.SECURITY, Role.UNIT_HEAD)


def work_order_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return true()
    if actor.role is Role.TECHNICIAN:
        return col(WorkOrder.assignee_id) == actor.id
    if actor.role in OUTSIDE_PARTY:
        party = col(Survey.security_id) if actor.role is Role.SECURITY else col(Survey.unit_head_id)
        return col(WorkOrder.id).in_(select(col(Survey.work_order_id)).where(party == actor.id))
    return false()


def _child_of(parent: str, fk: Any) -> Rule:
    """Rows whose ``fk`` points at a row of ``parent`` the actor sees (the parent's own rule)."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        if actor.sees_everything:
            return true()
        model: Any = model_of(parent)
        return col(fk).in_(select(col(model.id)).where(scope_for(parent, actor)))

    return rule


def survey_scope(actor: Actor) -> ColumnElement[bool]:
    """Surveys whose work order the actor sees."""
    return _child_of("workOrder", col(Survey.work_order_id))(actor)


def site_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything or actor.role is Role.ZABITA:
        return true()
    if actor.role in OUTSIDE_PARTY:
        return col(Site.id).in_(select(col(WorkOrder.site_id)).where(work_order_scope(actor)))
    if actor.role is not Role.TECHNICIAN:
        return false()
    assigned_here = exists(
        select(col(WorkOrder.id)).where(
            and_(col(WorkOrder.site_id) == col(Site.id), col(WorkOrder.assignee_id) == actor.id)
        )
    )
    if actor.region_id is None:
        return assigned_here
    return or_(col(Site.region_id) == actor.region_id, assigned_here)


def device_scope(actor: Actor) -> ColumnElement[bool]:
    if actor.sees_everything:
        return true()
    at_visible_site = col(Device.site_id).in_(select(col(Site.id)).where(site_scope(actor)))
    if actor.role is Role.ZABITA:
        return and_(col(Device.kind) == DeviceKind.CAMERA, at_visible_site)
    return at_visible_site


def _technical(rule: Rule) -> Rule:
    """Rows that only people who see the technical side of the inventory may see at all."""
    return lambda actor: rule(actor) if actor.can(DEVICES_TECHNICAL) else false()


def passkey_scope(actor: Actor) -> ColumnElement[bool]:
    """One's own passkeys. Not even managers list other people's: nothing there is theirs."""
    return col(Passkey.user_id) == actor.id


def conflict_scope(actor: Actor) -> ColumnElement[bool]:
    """Managers see every conflict; others those they are part of."""
    if actor.sees_everything:
        return true()
    return or_(col(Conflict.client_actor_id) == actor.id, col(Conflict.server_actor_id) == actor.id)


def user_scope(actor: Actor) -> ColumnElement[bool]:
    """The staff directory (names and roles) for the unit's own people; for people from outside
    the unit, themselves and the people on the work they are party to."""
    if actor.sees_everything or actor.role is Role.TECHNICIAN:
        return true()
    me = col(User.id) == actor.id
    if actor.role not in OUTSIDE_PARTY:
        return me
    surveys = select(Survey).where(survey_scope(actor)).subquery()
    orders = select(WorkOrder).where(work_order_scope(actor)).subquery()
    events = select(col(WorkOrderEvent.actor_id)).where(
        _child_of("workOrder", col(WorkOrderEvent.work_order_id))(actor)
    )
    return or_(
        me,
        col(User.id).in_(select(surveys.c.technician_id)),
        col(User.id).in_(select(surveys.c.security_id)),
        col(User.id).in_(select(surveys.c.unit_head_id)),
        col(User.id).in_(select(orders.c.assignee_id)),
        col(User.id).in_(select(orders.c.created_by_id)),
        col(User.id).in_(events),
    )


def _everyone(_actor: Actor) -> ColumnElement[bool]:
    return true()


def template_scope(actor: Actor) -> ColumnElement[bool]:
    """Checklist templates: for the people who do or review checklists."""
    return true() if actor.sees_everything or actor.can(CHECKLISTS_WORK) else false()


def checklist_scope(actor: Actor) -> ColumnElement[bool]:
    """A round's checklists go with its work order; a weekly recording check done without one
    (remotely) with its recorder, for the people who do checklists."""
    if actor.sees_everything:
        return true()
    in_work = _child_of("workOrder", col(Checklist.work_order_id))(actor)
    if not actor.can(CHECKLISTS_WORK):
        return in_work
    on_device = and_(
        col(Checklist.work_order_id).is_(None),
        col(Checklist.device_id).in_(select(col(Device.id)).where(device_scope(actor))),
    )
    return or_(in_work, on_device)


# entity name (as synced) → (model, rule). One line per entity; a new entity adds its line here.
SCOPES: dict[str, tuple[type[SQLModel], Rule]] = {
    "region": (Region, _everyone),
    "user": (User, user_scope),
    "site": (Site, site_scope),
    "ipBlock": (
        IpBlock,
        _technical(lambda a: col(IpBlock.site_id).in_(select(col(Site.id)).where(site_scope(a)))),
    ),
    "device": (Device, device_scope),
    "workOrder": (WorkOrder, work_order_scope),
    "workOrderEvent": (WorkOrderEvent, _child_of("workOrder", col(WorkOrderEvent.work_order_id))),
    "workOrderAttachment": (
        WorkOrderAttachment,
        _child_of("workOrder", col(WorkOrderAttachment.work_order_id)),
    ),
    "conflict": (Conflict, conflict_scope),
    "survey": (Survey, survey_scope),
    "surveyPoint": (SurveyPoint, _child_of("survey", col(SurveyPoint.survey_id))),
    "minutes": (Minutes, _child_of("survey", col(Minutes.survey_id))),
    "minutesSignature": (MinutesSignature, _child_of("minutes", col(MinutesSignature.minutes_id))),
    # the person it was made for, whoever's phone sent it, and the survey's parties
    "signatureRefusal": (
        SignatureRefusal,
        lambda a: or_(
            col(SignatureRefusal.signer_id) == a.id,
            col(SignatureRefusal.captured_by_id) == a.id,
            _child_of("minutes", col(SignatureRefusal.minutes_id))(a),
        ),
    ),
    "diagnosis": (Diagnosis, _technical(_child_of("device", col(Diagnosis.device_id)))),
    "deviceHealth": (DeviceHealth, _child_of("device", col(DeviceHealth.device_id))),
    "deviceReference": (DeviceReference, _technical(_child_of("device", col(DeviceReference.device_id)))),
    "passkey": (Passkey, passkey_scope),
    "checklistTemplate": (ChecklistTemplate, template_scope),
    "checklist": (Checklist, checklist_scope),
    "checklistAnswer": (ChecklistAnswer, _child_of("checklist", col(ChecklistAnswer.checklist_id))),
}

# Fields of the technical side of the inventory: shown only with ``devices.technical``. The
# others see sites and devices as places (what, where, in what state), never how to reach them.
TECHNICAL_FIELDS: dict[str, frozenset[str]] = {
    "device": frozenset(
        {"make", "model", "serial_number", "firmware", "ip_address", "onvif_port", "recorder_id", "notes"}
    ),
}


def scope_for(entity: str, actor: Actor) -> ColumnElement[bool]:
    """The condition selecting the rows of ``entity`` that ``actor`` may see."""
    return SCOPES[entity][1](actor)


def model_of(entity: str) -> type[SQLModel]:
    return SCOPES[entity][0]


def hidden_fields(entity: str, actor: Actor) -> frozenset[str]:
    """Attribute names of ``entity`` that ``actor`` sees as empty."""
    if actor.can(DEVICES_TECHNICAL):
        return frozenset()
    return TECHNICAL_FIELDS.get(entity, frozenset())


def hidden_value(entity: str, field: str) -> Any:
    """What a hidden field reads as, over GraphQL and in pulls alike: null where the column may
    be null, else empty text."""
    column = model_of(entity).__table__.columns[field]  # type: ignore[attr-defined]
    return None if column.nullable else ""


def _latest_or_started_by_people() -> ColumnElement[bool]:
    """What people started (remote, probe) and each device's latest result; not every nightly
    run, which would grow phones by tens of thousands of rows a year."""
    latest = col(Diagnosis.id).in_(select(DeviceHealth.last_diagnosis_id))
    personal = col(Diagnosis.source).in_([DiagnosisSource.REMOTE, DiagnosisSource.PROBE])
    return or_(personal, latest)


# entity → what a device keeps of the rows its person sees (sync pulls); others: all of them.
PULL_LIMITS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "diagnosis": _latest_or_started_by_people,
}


def pull_scope(entity: str, actor: Actor) -> ColumnElement[bool]:
    """The rows of ``entity`` that ``actor``'s devices receive in a sync pull."""
    visible = scope_for(entity, actor)
    limit = PULL_LIMITS.get(entity)
    return visible if limit is None else and_(visible, limit())


# The people a row names (attribute names): someone from outside the unit sees them with it.
PEOPLE_FIELDS: dict[str, tuple[str, ...]] = {
    "survey": ("technician_id", "security_id", "unit_head_id"),
    "workOrder": ("assignee_id", "created_by_id"),
    "workOrderEvent": ("actor_id",),
}


def companions(
    session: Session, actor: Actor, entity: str, value_of: Callable[[str], Any]
) -> list[tuple[str, uuid.UUID]]:
    """Rows (entity, id) that become visible to ``actor`` together with a row of ``entity``.

    People from outside the unit see the people, the site and its devices of their work only:
    becoming party to a survey changes none of those rows, so they come along with it.
    ``value_of(attribute)`` reads the row (an id, as a UUID or its text, or None)."""
    if actor.role not in OUTSIDE_PARTY:
        return []
    out = [("user", uuid.UUID(str(v))) for f in PEOPLE_FIELDS.get(entity, ()) if (v := value_of(f))]
    if entity in ("survey", "workOrder") and (site := value_of("site_id")):
        site_id = uuid.UUID(str(site))
        out.append(("site", site_id))
        devices = session.exec(select(Device.id).where(col(Device.site_id) == site_id)).all()
        out += [("device", d) for d in devices]
    return out


def find_in_scope(
    session: Session, model: type[M], key: uuid.UUID, scope: ColumnElement[bool], *, for_update: bool = False
) -> M | None:
    """The row with primary key ``key`` if ``scope`` lets the actor see it, else None."""
    stmt = select(model).where(model.id == key, scope)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def load_in_scope(
    session: Session,
    model: type[M],
    key: uuid.UUID,
    scope: ColumnElement[bool],
    *,
    field: str,
    for_update: bool = False,
) -> M:
    """Like :func:`find_in_scope`, but a missing or invisible row is NOT_FOUND on ``field``
    (the same answer for both, so scope does not leak what exists)."""
    row = find_in_scope(session, model, key, scope, for_update=for_update)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, field=field)
    return row


def replay_of(session: Session, model: type[M], key: uuid.UUID | None, actor: Actor, entity: str) -> M | None:
    """For creates with a client-chosen id (idempotent retries): the existing row with that id
    when the actor may see it (a retry), None when the id is free, and NOT_FOUND on ``id`` when
    it belongs to a row the actor may not see — never that row."""
    if key is None or session.get(model, key) is None:
        return None
    row = find_in_scope(session, model, key, scope_for(entity, actor))
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, field="id")
    return row
