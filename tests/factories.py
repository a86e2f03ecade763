"""Factories: build test data through the same domain commands the app uses."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from backend.db.engine import Database
from backend.domain.assets.models import Device, DeviceKind, RecordingLocation, Site, SiteKind
from backend.domain.commands import CommandContext, execute, load_all_commands
from backend.domain.people.auth import actor_for, hash_password
from backend.domain.people.models import Region, Role, User
from backend.domain.people.permissions import Actor
from backend.domain.workorders.models import WorkOrder, WorkOrderType
from tests.signing_support import TEST_KEYS, minutes_request, pin_proof, pin_set_box
from tests.webauthn_soft import SoftAuthenticator

PASSWORD = "test-password-1"
_seq = itertools.count(1)
_HASH = hash_password(PASSWORD)  # hashing once keeps factories fast


def make_region(db: Database, name: str | None = None) -> Region:
    region = Region(name=name or f"Bölge {next(_seq)}")
    with db.write_session() as session:
        session.add(region)
    return region


def make_user(
    db: Database,
    role: Role,
    *,
    username: str | None = None,
    region: Region | None = None,
    active: bool = True,
) -> User:
    n = next(_seq)
    user = User(
        username=username or f"{role.value}{n}",
        full_name=f"Kişi Şükrü Öğüt {n}",
        role=role,
        region_id=region.id if region else None,
        password_hash=_HASH,
        is_active=active,
    )
    with db.write_session() as session:
        session.add(user)
    return user


def run(
    db: Database, actor: Actor | User, name: str, args: dict[str, Any], *, reauthenticated: bool = False
) -> Any:
    load_all_commands()
    who = actor if isinstance(actor, Actor) else actor_for(actor)
    with db.write_session() as session:
        ctx = CommandContext(
            session=session,
            actor=who,
            now=datetime.now(UTC),
            signing=TEST_KEYS,
            reauthenticated=reauthenticated,
        )
        return execute(name, args, ctx)


def make_site(
    db: Database,
    admin: User,
    *,
    region: Region | None = None,
    cidr: str | None = None,
    kind: SiteKind = SiteKind.SERVICE_BUILDING,
) -> Site:
    n = next(_seq)
    site: Site = run(
        db,
        admin,
        "site.create",
        {
            "code": f"T-{n:04d}",
            "name": f"Test Hizmet Binası {n}",
            "kind": kind,
            "district": "Konak",
            "recording_location": RecordingLocation.OWN_CABINET,
            "region_id": region.id if region else None,
        },
    )
    run(db, admin, "site.addIpBlock", {"site_id": site.id, "cidr": cidr or f"10.{n // 250}.{n % 250}.0/24"})
    return site


def make_device(
    db: Database,
    admin: User,
    site: Site,
    *,
    ip: str | None = None,
    kind: DeviceKind = DeviceKind.CAMERA,
) -> Device:
    n = next(_seq)
    device: Device = run(
        db,
        admin,
        "device.create",
        {
            "site_id": site.id,
            "kind": kind,
            "asset_tag": f"DMB-T{n:05d}",
            "ip_address": ip,
        },
    )
    return device


def make_work_order(
    db: Database,
    manager: User,
    site: Site,
    *,
    assignee: User | None = None,
    devices: list[Device] | None = None,
    steps: list[tuple[User, str, dict[str, Any]]] | None = None,
) -> WorkOrder:
    wo: WorkOrder = run(
        db,
        manager,
        "workorder.create",
        {
            "type": WorkOrderType.MAINTENANCE,
            "title": "Aylık bakım ve temizlik",
            "site_id": site.id,
            "assignee_id": assignee.id if assignee else None,
            "device_ids": [d.id for d in devices or []],
        },
    )
    for who, name, extra in steps or []:
        wo = run(db, who, name, {"work_order_id": wo.id, **extra})
    return wo


def reload(db: Database, model: type[Any], id_: uuid.UUID) -> Any:
    with db.read_session() as session:
        return (session.exec(select(model).where(model.id == id_))).one()


# ---- surveys and minutes ------------------------------------------------------------------------

PIN = "482916"


def set_pin(db: Database, user: User, pin: str = PIN) -> None:
    """What a phone does when a person sets their signing PIN (after re-entering the password)."""
    run(db, user, "account.setSigningPin", {"pinBox": pin_set_box(user.id, pin)}, reauthenticated=True)


def make_survey(db: Database, manager: User, site: Site, tech: User, security: User, unit_head: User) -> Any:
    return run(
        db,
        manager,
        "survey.request",
        {
            "siteId": site.id,
            "reason": "Vezne ve giriş holü için kamera talebi",
            "requestingUnit": "Mali Hizmetler Dairesi",
            "unitHeadId": unit_head.id,
            "technicianId": tech.id,
            "securityId": security.id,
        },
    )


def fill_survey(db: Database, tech: User, survey_id: uuid.UUID, *, points: int = 2) -> None:
    run(
        db,
        tech,
        "survey.update",
        {
            "surveyId": survey_id,
            "surveyDate": "2026-11-22",
            "recordingLocation": "OWN_CABINET",
            "infrastructureNeeds": "PoE switch",
            "cablingNeeds": "Cat6 40 m",
            "signsNeeded": 2,
            "signsNote": "Giriş ve vezne",
            "conclusion": "FAVOURABLE",
            "conclusionNote": "Uygundur",
        },
    )
    for i in range(points):
        run(
            db,
            tech,
            "survey.addPoint",
            {
                "id": uuid.uuid4(),
                "surveyId": survey_id,
                "position": i,
                "place": f"Nokta {i + 1}",
                "areaType": "CASHIER" if i == 0 else "ENTRANCE",
                "mounting": "WALL",
                "photos": ["ab" * 32],
                "latE6": 38_423_734 + i,
                "lonE6": 27_142_826,
            },
        )


def minutes_hash(db: Database, survey_id: uuid.UUID, minutes_id: uuid.UUID) -> str:
    """The hash a phone computes for the minutes it is about to make (same builder as the server)."""
    from backend.domain.surveys import signing
    from backend.domain.surveys.content import build_content, next_revision
    from backend.domain.surveys.models import Survey

    with db.read_session() as session:
        survey = session.get(Survey, survey_id)
        assert survey is not None
        rev = next_revision(session, survey_id)
        return signing.content_hash(build_content(session, survey, minutes_id=minutes_id, revision=rev))


def make_minutes(
    db: Database, manager: User, site: Site, tech: User, security: User, unit_head: User, *, points: int = 1
) -> Any:
    """A survey filled in by the technician and frozen into minutes awaiting the three signatures."""
    from backend.domain.surveys.models import Minutes

    survey = make_survey(db, manager, site, tech, security, unit_head)
    fill_survey(db, tech, survey.id, points=points)
    mid = uuid.uuid4()
    run(
        db,
        tech,
        "minutes.create",
        {"id": mid, "surveyId": survey.id, "contentHash": minutes_hash(db, survey.id, mid)},
    )
    return reload(db, Minutes, mid)


def _sign_envelope(
    minutes: Any, role: str, signer: User, image: str, signed_at: str, proof: Any
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "minutesId": minutes.id,
        "role": role,
        "signerId": signer.id,
        "imageSha256": image,
        "contentHash": minutes.content_hash,
        "signedAt": signed_at,
        "proof": proof,
    }


def sign_args(
    minutes: Any,
    role: str,
    signer: User,
    *,
    pin: str = PIN,
    image: str = "cd" * 32,
    signed_at: str = "2026-11-22T10:00:00.000Z",
) -> dict[str, Any]:
    """``minutes.sign`` arguments with the signer's PIN sealed to the server (a shared phone)."""
    request = minutes_request(minutes, role, signer.id, image=image, signed_at=signed_at)
    return _sign_envelope(minutes, role, signer, image, signed_at, pin_proof(request, pin))


def passkey_sign_args(
    minutes: Any,
    role: str,
    signer: User,
    authenticator: SoftAuthenticator,
    *,
    image: str = "ce" * 32,
    signed_at: str = "2026-11-22T10:05:00.000Z",
    **assertion: Any,
) -> dict[str, Any]:
    """``minutes.sign`` arguments with an assertion of the signer's passkey (their own phone)."""
    request = minutes_request(minutes, role, signer.id, image=image, signed_at=signed_at)
    proof = {"kind": "passkey", "credential": authenticator.get(challenge=request.challenge(), **assertion)}
    return _sign_envelope(minutes, role, signer, image, signed_at, proof)


def register_passkey(
    db: Database, user: User, authenticator: SoftAuthenticator, label: str = "Telefon"
) -> Any:
    """The two online steps of registering a passkey (password already confirmed)."""
    from backend.domain.signing.passkeys import registration_options

    with db.read_session() as session:
        me = session.get(User, user.id)
        assert me is not None
        start = registration_options(session, TEST_KEYS, me, datetime.now(UTC))
    credential = authenticator.create(start.options)
    return run(
        db, user, "passkey.register", {"ticket": start.ticket, "credential": credential, "label": label}
    )
