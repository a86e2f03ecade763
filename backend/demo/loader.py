"""Loads the demo (``backend.demo.data``) into an empty database through the domain commands, in
one transaction: the demo also exercises the rules, and loads all or nothing.

Loaded by ``python -m backend init`` into an empty database only, never in production mode.
The same seed gives the same demo (ids, passwords' salts and signatures aside).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from backend.config import Settings
from backend.db.engine import Database
from backend.demo.data import (
    BUILDING_AREAS,
    CAMERA_MODELS,
    DEMO_CHECKS,
    DEMO_FINDINGS,
    DEMO_PASSWORD,
    DEMO_PIN,
    DEMO_USERS,
    EXTRA_TECHNICIANS,
    FIRMWARE_BASELINES,
    OTHER_WORK,
    POLE_AREAS,
    RECORDERS,
    REGIONS,
    SITES,
    SURVEY_REQUEST,
    TECHNICIAN_WORK,
    DemoWork,
)
from backend.demo.survey import sealed_survey
from backend.domain.assets.models import Device, DeviceKind, DeviceStatus, RecordingLocation, SiteKind
from backend.domain.blobs.models import Blob
from backend.domain.commands import CommandContext, execute, load_all_commands
from backend.domain.people.auth import actor_for, hash_password
from backend.domain.people.models import Region, Role, User
from backend.domain.people.permissions import ACCOUNT_SIGNING, Actor
from backend.domain.signing.keys import SigningKeys, seal_pin_box
from backend.domain.signing.message import pin_set_aad
from backend.integrations.blobs.store import BlobStore, open_blob_store, store_bytes
from backend.integrations.signing_keys import load_signing_keys


def _is_empty(db: Database) -> bool:
    with db.read_session() as session:
        return int((session.exec(select(func.count()).select_from(User))).one()) == 0


def create_user(settings: Settings, username: str, full_name: str, role: str, password: str) -> None:
    db = Database(settings.effective_database_url)
    try:
        with db.write_session() as session:
            session.add(
                User(
                    username=username.lower(),
                    full_name=full_name,
                    role=Role(role),
                    password_hash=hash_password(password),
                )
            )
    finally:
        db.dispose()


class _Runner:
    """Runs commands in one shared transaction: the demo loads all or nothing, quickly."""

    def __init__(self, session: Session, keys: SigningKeys) -> None:
        self.session = session
        self.keys = keys

    def __call__(
        self, actor: Actor, name: str, args: dict[str, Any], now: datetime, *, reauthenticated: bool = False
    ) -> Any:
        ctx = CommandContext(
            session=self.session, actor=actor, now=now, signing=self.keys, reauthenticated=reauthenticated
        )
        return execute(name, args, ctx)


def load_demo(settings: Settings, *, db: Database | None = None, seed: int = 20261122) -> bool:
    """Load the demo into an empty database. Returns False (and changes nothing) otherwise."""
    if settings.production:
        return False
    own = db is None
    db = db or Database(settings.effective_database_url)
    try:
        if not _is_empty(db):
            return False
        keys = load_signing_keys(settings)
        store = open_blob_store(settings)
        with db.write_session() as session:
            _load(session, random.Random(seed), keys, store)
        return True
    finally:
        if own:
            db.dispose()


@dataclass
class _Demo:
    """What the loading steps share: the command runner, the seeded randomness, the clock, and
    what earlier steps made (people by username, sites by code, their cameras)."""

    run: _Runner
    rng: random.Random
    now: datetime
    users: dict[str, User] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    site_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    cameras_by_site: dict[str, list[uuid.UUID]] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        return actor_for(self.users[username])


def _load(session: Session, rng: random.Random, keys: SigningKeys, store: BlobStore) -> None:
    load_all_commands()
    demo = _Demo(_Runner(session, keys), rng, datetime.now(UTC).replace(microsecond=0))
    _people(session, demo)
    _sites(demo)
    _diagnostics(demo, demo.actor("admin"))
    for work in TECHNICIAN_WORK:
        _work_order(demo, work)
    _survey_request(demo)
    _sealed_survey(session, demo, store)
    for work in OTHER_WORK:
        _work_order(demo, work)


def _people(session: Session, demo: _Demo) -> None:
    """The regions, the demo accounts (one per role) and more technicians; signing PINs for
    those who sign."""
    pw = hash_password(DEMO_PASSWORD)
    demo.regions = {name: Region(name=name) for name in REGIONS}
    regions, users = demo.regions, demo.users
    session.add_all(regions.values())
    for username, full_name, role in DEMO_USERS:
        region = regions["Merkez"] if role in (Role.TECHNICIAN, Role.UNIT_HEAD) else None
        users[username] = User(
            username=username,
            full_name=full_name,
            role=role,
            password_hash=pw,
            region_id=region.id if region else None,
            phone="0232 293 00 00",
        )
    for username, full_name, region_name in EXTRA_TECHNICIANS:
        users[username] = User(
            username=username,
            full_name=full_name,
            role=Role.TECHNICIAN,
            password_hash=pw,
            region_id=regions[region_name].id,
        )
    session.add_all(users.values())
    session.flush()
    for username, _name, _role in DEMO_USERS:
        if actor_for(users[username]).can(ACCOUNT_SIGNING):
            _set_demo_pin(demo.run, users[username], demo.now)


def _set_demo_pin(run: _Runner, user: User, now: datetime) -> None:
    """What a phone does when a person sets a signing PIN: seal it to the server's key, then
    ``account.setSigningPin`` (with the password confirmed)."""
    keys = run.keys
    box = seal_pin_box(keys.pin_key.public_raw, keys.pin_key.kid, DEMO_PIN, pin_set_aad(str(user.id)))
    run(actor_for(user), "account.setSigningPin", {"pinBox": box}, now, reauthenticated=True)


def _sites(demo: _Demo) -> None:
    """Every site with its camera network's IP block, its recording room (switch, cabinet,
    recorder) unless it is a city-watch pole, and its cameras."""
    run, rng, admin = demo.run, demo.rng, demo.actor("admin")
    district_region = {d: demo.regions[r] for r, ds in REGIONS.items() for d in ds}
    setup_time = demo.now - timedelta(days=400)
    for index, (code, name, kind, district, address, lat, lon, rec_loc, n_cams) in enumerate(SITES):
        site = run(
            admin,
            "site.create",
            {
                "code": code,
                "name": name,
                "kind": kind,
                "district": district,
                "address": address,
                "latitude": lat,
                "longitude": lon,
                "recording_location": rec_loc,
                "region_id": district_region[district].id,
            },
            setup_time,
        )
        demo.site_ids[code] = site.id
        subnet = f"10.{60 + index // 200}.{index % 200 + 1}"
        run(
            admin,
            "site.addIpBlock",
            {
                "site_id": site.id,
                "cidr": f"{subnet}.0/24",
                "description": "Kamera ağı (VLAN 110)",
            },
            setup_time,
        )
        host = 2
        installed = date(2021, 3, 1) + timedelta(days=rng.randint(0, 1100))
        recorder_id: uuid.UUID | None = None
        if kind is not SiteKind.CITY_WATCH_POLE:
            run(
                admin,
                "device.create",
                {
                    "site_id": site.id,
                    "kind": DeviceKind.SWITCH,
                    "asset_tag": f"DMB-{code}-SW1",
                    "make": "Cisco",
                    "model": "CBS350-24FP",
                    "serial_number": f"FOC{rng.randint(10**7, 10**8)}",
                    "firmware": "3.4.1.3",
                    "ip_address": f"{subnet}.{host}",
                    "installed_on": installed,
                    "status": DeviceStatus.ACTIVE,
                },
                setup_time,
            )
            host += 1
            run(
                admin,
                "device.create",
                {
                    "site_id": site.id,
                    "kind": DeviceKind.CABINET,
                    "asset_tag": f"DMB-{code}-KB1",
                    "make": "Rittal",
                    "model": "AE 1060.500",
                    "installed_on": installed,
                    "status": DeviceStatus.ACTIVE,
                    "notes": "Kayıt odası kabineti"
                    if rec_loc is RecordingLocation.OWN_RECORDING_ROOM
                    else "Sistem kabineti",
                },
                setup_time,
            )
            make, model, fw = rng.choice(RECORDERS)
            recorder = run(
                admin,
                "device.create",
                {
                    "site_id": site.id,
                    "kind": DeviceKind.RECORDER,
                    "asset_tag": f"DMB-{code}-NVR1",
                    "make": make,
                    "model": model,
                    "serial_number": f"NVR{rng.randint(10**8, 10**9)}",
                    "firmware": fw,
                    "ip_address": f"{subnet}.{host}",
                    "onvif_port": 80,
                    "installed_on": installed,
                    "status": DeviceStatus.ACTIVE,
                },
                setup_time,
            )
            recorder_id = recorder.id
            host += 1
        cams: list[uuid.UUID] = []
        for n in range(1, n_cams + 1):
            make, model, fw = rng.choice(CAMERA_MODELS)
            pole = kind is SiteKind.CITY_WATCH_POLE
            status = rng.choices(
                [DeviceStatus.ACTIVE, DeviceStatus.FAULTY, DeviceStatus.PLANNED], [88, 8, 4]
            )[0]
            cam = run(
                admin,
                "device.create",
                {
                    "site_id": site.id,
                    "kind": DeviceKind.CAMERA,
                    "asset_tag": f"DMB-{code}-K{n:02d}",
                    "make": make,
                    "model": model,
                    "serial_number": f"{make[:2].upper()}{rng.randint(10**9, 10**10)}",
                    "firmware": fw,
                    "ip_address": f"{subnet}.{host}",
                    "onvif_port": 80,
                    "installed_on": None if status is DeviceStatus.PLANNED else installed,
                    "status": status,
                    "is_public_city_watch": pole,
                    "area_type": rng.choice(POLE_AREAS if pole else BUILDING_AREAS),
                    "recorder_id": recorder_id,
                },
                setup_time,
            )
            cams.append(cam.id)
            host += 1
        demo.cameras_by_site[code] = cams


def _diagnostics(demo: _Demo, admin: Actor) -> None:
    """Firmware baselines and one recorded nightly sweep, so the health overview has content.
    (Demo cameras are not on any network; real results come from `diagnoseDevice` and the
    scheduled sweeps.)"""
    from backend.domain.diagnostics.commands import record_server_diagnosis
    from backend.domain.diagnostics.models import DiagnosisSource
    from backend.jobs.scheduler import SYSTEM

    run, now, rng = demo.run, demo.now, demo.rng
    for make, model, version in FIRMWARE_BASELINES:
        run(admin, "firmware.setBaseline", {"make": make, "model": model, "approved_firmware": version}, now)
    night = now.replace(hour=0, minute=0, second=0) - timedelta(hours=1)  # 02:00 in İstanbul
    approved = {(make, model): version for make, model, version in FIRMWARE_BASELINES}
    weights = [w for w, *_ in DEMO_FINDINGS]
    for cams in demo.cameras_by_site.values():
        for i, cam in enumerate(cams):
            device = run.session.get(Device, cam)
            if device is None or device.status not in (DeviceStatus.ACTIVE, DeviceStatus.FAULTY):
                continue  # cameras not in service are not swept
            _w, bad_check, verdict, message = rng.choices(DEMO_FINDINGS, weights)[0]
            started = night + timedelta(seconds=7 * i)
            results = []
            for check in DEMO_CHECKS:
                if check == bad_check:
                    results.append(
                        {"check": check, "verdict": verdict, "message": message, "evidence": {"demo": True}}
                    )
                elif bad_check == "tcp":
                    results.append(
                        {
                            "check": check,
                            "verdict": "skipped",
                            "message": "Cihaza ulaşılamadığı için yapılmadı.",
                        }
                    )
                elif check == "firmware" and device.firmware != approved.get((device.make, device.model)):
                    wanted = approved.get((device.make, device.model))
                    message_fw = (
                        f"Onaylı yazılım sürümü {wanted}, kamerada {device.firmware}: "
                        "güncellenmeli (Yönerge 6(4))."
                    )
                    results.append({"check": check, "verdict": "warning", "message": message_fw})
                elif check == "image_health":
                    results.append({"check": check, "verdict": "skipped", "message": "Referans görüntü yok."})
                else:
                    results.append(
                        {"check": check, "verdict": "ok", "message": "", "evidence": {"demo": True}}
                    )
            # a nightly run is the server's own: recorded the way the sweep records it
            record_server_diagnosis(
                CommandContext(session=run.session, actor=SYSTEM, now=started),
                {
                    "id": uuid.UUID(int=rng.getrandbits(128)),
                    "device_id": cam,
                    "started_at": started,
                    "finished_at": started + timedelta(seconds=2),
                    "results": results,
                },
                DiagnosisSource.NIGHTLY,
            )


# step → (done by the manager, not the assignee; command)
_STEPS: dict[str, tuple[bool, str]] = {
    "start": (False, "workorder.start"),
    "note": (False, "workorder.addNote"),
    "submit": (False, "workorder.submit"),
    "approve": (True, "workorder.approve"),
    "return": (True, "workorder.return"),
    "close": (True, "workorder.close"),
}


def _step_args(step: str, work: DemoWork) -> dict[str, Any]:
    if step == "note":
        return {"text": work.note}
    if step == "submit":
        return {"summary": "İş tamamlandı, kontrol edildi."}
    if step == "return":
        return {"reason": work.reason}
    return {}


def _work_order(demo: _Demo, work: DemoWork) -> None:
    """Create the work order as the manager, then walk its steps a few hours apart."""
    run, rng = demo.run, demo.rng
    manager = demo.actor("mudur")
    t = demo.now - timedelta(days=work.days_ago, hours=rng.randint(0, 8))
    wo = run(
        manager,
        "workorder.create",
        {
            "type": work.type,
            "title": work.title,
            "description": work.description,
            "site_id": demo.site_ids[work.site],
            "device_ids": demo.cameras_by_site[work.site][: work.n_devices],
            "priority": work.priority,
            "due_on": (t + timedelta(days=14)).date(),
            "assignee_id": demo.users[work.assignee].id if work.assignee else None,
        },
        t,
    )
    tech = demo.actor(work.assignee or "teknisyen")
    for step in work.steps:
        t += timedelta(hours=rng.randint(2, 30))
        by_manager, name = _STEPS[step]
        run(manager if by_manager else tech, name, {"work_order_id": wo.id, **_step_args(step, work)}, t)


def _survey_request(demo: _Demo) -> None:
    """A unit's request for cameras: a joint survey for the technician and the security staff."""
    request, users = SURVEY_REQUEST, demo.users
    demo.run(
        demo.actor("mudur"),
        "survey.request",
        {
            "site_id": demo.site_ids[request.site],
            "reason": request.reason,
            "requesting_unit": request.requesting_unit,
            "unit_head_id": users[request.unit_head].id,
            "technician_id": users[request.technician].id,
            "security_id": users[request.security].id,
            "due_on": (demo.now + timedelta(days=request.due_in_days)).date(),
        },
        demo.now - timedelta(hours=request.hours_ago),
    )


def _sealed_survey(session: Session, demo: _Demo, store: BlobStore) -> None:
    """A survey done to the end: sealed minutes to download and verify (``backend.demo.survey``)."""

    def put_blob(data: bytes, content_type: str) -> str:
        sha = store_bytes(store, data)
        if session.get(Blob, sha) is None:
            # uploaded from the technician's phone, which then references it (only content the
            # person may read can be referenced)
            uploader = demo.users["teknisyen"].id
            session.add(Blob(sha256=sha, size=len(data), content_type=content_type, created_by_id=uploader))
        return sha

    sealed_survey(
        demo.run,
        session,
        users=demo.users,
        site_ids=demo.site_ids,
        actor_for=actor_for,
        put_blob=put_blob,
        pin=DEMO_PIN,
        rng=demo.rng,
        now=demo.now,
    )
