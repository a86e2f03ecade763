"""Demo data that looks like the real unit's: İzmir districts, ~200 cameras, work in every state.

Loaded by ``python -m backend init`` into an empty database only, never in production mode.
Everything is created through the domain commands, so the demo also exercises the rules.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from backend.config import Settings
from backend.db.engine import Database
from backend.demo_survey import sealed_survey
from backend.domain.assets.models import (
    AreaType,
    Device,
    DeviceKind,
    DeviceStatus,
    RecordingLocation,
    SiteKind,
)
from backend.domain.blobs.models import Blob
from backend.domain.commands import CommandContext, execute, load_all_commands
from backend.domain.people.auth import actor_for, hash_password
from backend.domain.people.models import Region, Role, User
from backend.domain.people.permissions import ACCOUNT_SIGNING, Actor
from backend.domain.signing.keys import SigningKeys, seal_pin_box
from backend.domain.signing.message import pin_set_aad
from backend.domain.workorders.models import WorkOrderType
from backend.integrations.blobs.store import BlobStore, open_blob_store, store_bytes
from backend.integrations.signing_keys import load_signing_keys

DEMO_PASSWORD = "saha-demo"  # noqa: S105 - documented demo password, never used in production

DEMO_USERS: list[tuple[str, str, Role]] = [
    ("teknisyen", "Mehmet Yılmaz", Role.TECHNICIAN),
    ("guvenlik", "Hüseyin Çelik", Role.SECURITY),
    ("birimamiri", "Ayşe Öztürk", Role.UNIT_HEAD),
    ("mudur", "Gülşen Şahin", Role.MANAGER),
    ("zabita", "İbrahim Doğan", Role.ZABITA),
    ("admin", "Sistem Yöneticisi", Role.ADMIN),
]
# More technicians so assignment and row scope have something to show.
EXTRA_TECHNICIANS = [
    ("emre.kaya", "Emre Kaya", "Kuzey"),
    ("selin.arslan", "Selin Arslan", "Doğu"),
    ("burak.ucar", "Burak Uçar", "Güney"),
]

REGIONS: dict[str, list[str]] = {
    "Merkez": ["Konak", "Karabağlar", "Balçova", "Narlıdere"],
    "Kuzey": ["Karşıyaka", "Bayraklı", "Çiğli", "Menemen"],
    "Doğu": ["Bornova", "Buca", "Kemalpaşa"],
    "Güney": ["Gaziemir", "Torbalı", "Menderes"],
}

# (code, name, kind, district, address, lat, lon, recording location, cameras)
SITES: list[tuple[str, str, SiteKind, str, str, float, float, RecordingLocation, int]] = [
    (
        "KNK-HB-01",
        "Konak Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Konak",
        "Cumhuriyet Bulvarı No:1",
        38.4189,
        27.1287,
        RecordingLocation.OWN_RECORDING_ROOM,
        22,
    ),
    (
        "KNK-KP-01",
        "Kültürpark Kampüsü",
        SiteKind.CAMPUS,
        "Konak",
        "Kültürpark, Mimar Kemalettin Cd.",
        38.4275,
        27.1450,
        RecordingLocation.OWN_RECORDING_ROOM,
        24,
    ),
    (
        "KNK-KI-01",
        "Saat Kulesi Kent İzleme",
        SiteKind.CITY_WATCH_POLE,
        "Konak",
        "Konak Meydanı",
        38.4189,
        27.1287,
        RecordingLocation.CENTRAL_SERVER,
        2,
    ),
    (
        "KNK-KI-02",
        "Kemeraltı Girişi Kent İzleme",
        SiteKind.CITY_WATCH_POLE,
        "Konak",
        "Anafartalar Cd. girişi",
        38.4170,
        27.1340,
        RecordingLocation.CENTRAL_SERVER,
        1,
    ),
    (
        "KNK-MS-01",
        "İzmir Ulaşım Merkezi Merkez Sunucu",
        SiteKind.SERVICE_BUILDING,
        "Konak",
        "Halil Rıfat Paşa Cd.",
        38.4230,
        27.1420,
        RecordingLocation.OWN_RECORDING_ROOM,
        6,
    ),
    (
        "KRB-HB-01",
        "Karabağlar Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Karabağlar",
        "Uzundere Cd. No:12",
        38.3720,
        27.1180,
        RecordingLocation.OWN_CABINET,
        8,
    ),
    (
        "BLC-ZB-01",
        "Balçova Zabıta Amirliği",
        SiteKind.SERVICE_BUILDING,
        "Balçova",
        "Mithatpaşa Cd. No:88",
        38.3890,
        27.0500,
        RecordingLocation.OWN_CABINET,
        6,
    ),
    (
        "NRL-KI-01",
        "Narlıdere Sahil Kent İzleme",
        SiteKind.CITY_WATCH_POLE,
        "Narlıdere",
        "Sahil Yolu",
        38.3990,
        26.9990,
        RecordingLocation.CENTRAL_SERVER,
        2,
    ),
    (
        "KSK-HB-01",
        "Karşıyaka Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Karşıyaka",
        "Cemal Gürsel Cd. No:504",
        38.4600,
        27.1100,
        RecordingLocation.OWN_RECORDING_ROOM,
        12,
    ),
    (
        "KSK-KI-01",
        "Bostanlı İskele Kent İzleme",
        SiteKind.CITY_WATCH_POLE,
        "Karşıyaka",
        "Bostanlı İskelesi",
        38.4560,
        27.0970,
        RecordingLocation.CENTRAL_SERVER,
        2,
    ),
    (
        "BYR-KP-01",
        "Bayraklı Hizmet Kampüsü",
        SiteKind.CAMPUS,
        "Bayraklı",
        "Manas Bulvarı",
        38.4470,
        27.1680,
        RecordingLocation.OWN_RECORDING_ROOM,
        25,
    ),
    (
        "CGL-AT-01",
        "Çiğli Atıksu Arıtma Tesisi",
        SiteKind.CAMPUS,
        "Çiğli",
        "Harmandalı Yolu",
        38.4900,
        27.0200,
        RecordingLocation.OWN_RECORDING_ROOM,
        22,
    ),
    (
        "MNM-HB-01",
        "Menemen Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Menemen",
        "Atatürk Cd. No:21",
        38.6070,
        27.0700,
        RecordingLocation.OWN_CABINET,
        6,
    ),
    (
        "BRN-FA-01",
        "Bornova Fuar Alanı",
        SiteKind.CAMPUS,
        "Bornova",
        "Gaziemir Fuar Yolu",
        38.4620,
        27.2160,
        RecordingLocation.OWN_RECORDING_ROOM,
        18,
    ),
    (
        "BRN-HB-01",
        "Bornova Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Bornova",
        "Ankara Cd. No:9",
        38.4660,
        27.2200,
        RecordingLocation.OWN_CABINET,
        8,
    ),
    (
        "BCA-SP-01",
        "Buca Spor Tesisleri",
        SiteKind.CAMPUS,
        "Buca",
        "Menderes Cd.",
        38.3880,
        27.1750,
        RecordingLocation.OWN_RECORDING_ROOM,
        12,
    ),
    (
        "BCA-KI-01",
        "Buca Meydan Kent İzleme",
        SiteKind.CITY_WATCH_POLE,
        "Buca",
        "Buca Meydanı",
        38.3860,
        27.1700,
        RecordingLocation.CENTRAL_SERVER,
        2,
    ),
    (
        "KML-HB-01",
        "Kemalpaşa Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Kemalpaşa",
        "Cumhuriyet Cd. No:3",
        38.4270,
        27.4180,
        RecordingLocation.OWN_CABINET,
        5,
    ),
    (
        "GZM-OT-01",
        "Gaziemir Otogar Bağlantı Binası",
        SiteKind.SERVICE_BUILDING,
        "Gaziemir",
        "Akçay Cd.",
        38.3270,
        27.1350,
        RecordingLocation.OWN_RECORDING_ROOM,
        10,
    ),
    (
        "TRB-HB-01",
        "Torbalı Hizmet Binası",
        SiteKind.SERVICE_BUILDING,
        "Torbalı",
        "İnönü Cd. No:45",
        38.1560,
        27.3620,
        RecordingLocation.OWN_CABINET,
        6,
    ),
    (
        "MND-KI-01",
        "Menderes Meydan Kent İzleme",
        SiteKind.CITY_WATCH_POLE,
        "Menderes",
        "Cumhuriyet Meydanı",
        38.2530,
        27.1330,
        RecordingLocation.CENTRAL_SERVER,
        1,
    ),
]

CAMERA_MODELS = [
    ("Hikvision", "DS-2CD2143G2-I", "V5.7.3"),
    ("Hikvision", "DS-2DE4425IW-DE", "V5.6.11"),
    ("Dahua", "IPC-HFW2431S-S-S2", "V2.800.0000000.31"),
    ("Axis", "P3245-LVE", "10.12.199"),
    ("Bosch", "FLEXIDOME IP 5000i", "7.72.0021"),
]
RECORDERS = [("Hikvision", "DS-7732NI-K4", "V4.61.010"), ("Dahua", "NVR5232-4KS2", "V4.001.0000000.3")]
BUILDING_AREAS = [
    AreaType.ENTRANCE,
    AreaType.LOBBY,
    AreaType.PUBLIC_CORRIDOR,
    AreaType.PARKING,
    AreaType.PERIMETER,
    AreaType.CASHIER,
    AreaType.WAREHOUSE,
    AreaType.TECHNICAL_ROOM,
]
POLE_AREAS = [AreaType.STREET, AreaType.SQUARE, AreaType.PARK]


DEMO_PIN = "135790"  # signing PIN of every demo account (documented in README)


def _set_demo_pin(run: _Runner, user: User, now: datetime) -> None:
    """What a phone does when a person sets a signing PIN: seal it to the server's key, then
    ``account.setSigningPin`` (with the password confirmed)."""
    keys = run.keys
    box = seal_pin_box(keys.pin_key.public_raw, keys.pin_key.kid, DEMO_PIN, pin_set_aad(str(user.id)))
    run(actor_for(user), "account.setSigningPin", {"pinBox": box}, now, reauthenticated=True)


# Approved firmware per model (the newest demo version of each is the approved one, so a few
# demo cameras run older firmware and show a FIRMWARE warning).
FIRMWARE_BASELINES = [
    ("Hikvision", "DS-2CD2143G2-I", "V5.7.3"),
    ("Hikvision", "DS-2DE4425IW-DE", "V5.7.0"),
    ("Dahua", "IPC-HFW2431S-S-S2", "V2.800.0000000.31"),
    ("Axis", "P3245-LVE", "10.12.199"),
    ("Bosch", "FLEXIDOME IP 5000i", "7.72.0021"),
]
# Last night's sweep, as the demo shows it: (weight, failing check, verdict, Turkish message).
DEMO_FINDINGS = [
    (80, None, "ok", ""),
    (
        6,
        "clock",
        "warning",
        "Kamera saati sunucudan 12 sn ileri: kayıtların delil değeri için saat eşitlenmeli (NTP).",
    ),
    (5, "image_health", "warning", "Görüntü bulanık (keskinlik referansın %45'i): lens kirli olabilir."),
    (5, "tcp", "fail", "Cihaza ağdan ulaşılamıyor (bağlantı zaman aşımı, 3 sn)."),
    (4, "image_health", "fail", "Görüntünün %40'ı kapalı: lensin önünde engel var."),
]
DEMO_CHECKS = [
    "tcp",
    "onvif",
    "auth",
    "device_info",
    "firmware",
    "clock",
    "profiles",
    "snapshot",
    "image_health",
    "ptz",
]


def _demo_diagnostics(
    run: _Runner, admin: Actor, cameras_by_site: dict[str, list[uuid.UUID]], now: datetime, rng: random.Random
) -> None:
    """Firmware baselines and one recorded nightly sweep, so the health overview has content.
    (Demo cameras are not on any network; real results come from `diagnoseDevice` and the
    scheduled sweeps.)"""
    from backend.domain.diagnostics.commands import record_server_diagnosis
    from backend.domain.diagnostics.models import DiagnosisSource
    from backend.jobs.scheduler import SYSTEM

    for make, model, version in FIRMWARE_BASELINES:
        run(admin, "firmware.setBaseline", {"make": make, "model": model, "approved_firmware": version}, now)
    night = now.replace(hour=0, minute=0, second=0) - timedelta(hours=1)  # 02:00 in İstanbul
    approved = {(make, model): version for make, model, version in FIRMWARE_BASELINES}
    weights = [w for w, *_ in DEMO_FINDINGS]
    for cams in cameras_by_site.values():
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


def _load(session: Session, rng: random.Random, keys: SigningKeys, store: BlobStore) -> None:
    load_all_commands()
    run = _Runner(session, keys)
    now = datetime.now(UTC).replace(microsecond=0)
    pw = hash_password(DEMO_PASSWORD)

    regions: dict[str, Region] = {name: Region(name=name) for name in REGIONS}
    users: dict[str, User] = {}
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
            _set_demo_pin(run, users[username], now)

    admin = actor_for(users["admin"])
    manager = actor_for(users["mudur"])
    district_region = {d: regions[r] for r, ds in REGIONS.items() for d in ds}

    site_ids: dict[str, uuid.UUID] = {}
    cameras_by_site: dict[str, list[uuid.UUID]] = {}
    setup_time = now - timedelta(days=400)
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
        site_ids[code] = site.id
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
        cameras_by_site[code] = cams

    technician = actor_for(users["teknisyen"])
    techs = {u: actor_for(users[u]) for u in ("teknisyen", "emre.kaya", "selin.arslan", "burak.ucar")}

    _demo_diagnostics(run, admin, cameras_by_site, now, rng)

    def work(
        code: str,
        wo_type: WorkOrderType,
        title: str,
        description: str,
        *,
        assignee: str | None,
        steps: list[str],
        days_ago: int,
        priority: str = "normal",
        n_devices: int = 1,
        note: str = "",
        reason: str = "",
    ) -> None:
        t = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
        devices = cameras_by_site[code][:n_devices]
        wo = run(
            manager,
            "workorder.create",
            {
                "type": wo_type,
                "title": title,
                "description": description,
                "site_id": site_ids[code],
                "device_ids": devices,
                "priority": priority,
                "due_on": (t + timedelta(days=14)).date(),
                "assignee_id": users[assignee].id if assignee else None,
            },
            t,
        )
        tech = techs[assignee] if assignee else technician
        for step in steps:
            t += timedelta(hours=rng.randint(2, 30))
            ref = {"work_order_id": wo.id}
            if step == "start":
                run(tech, "workorder.start", ref, t)
            elif step == "note":
                run(tech, "workorder.addNote", {**ref, "text": note}, t)
            elif step == "submit":
                run(tech, "workorder.submit", {**ref, "summary": "İş tamamlandı, kontrol edildi."}, t)
            elif step == "approve":
                run(manager, "workorder.approve", ref, t)
            elif step == "return":
                run(manager, "workorder.return", {**ref, "reason": reason}, t)
            elif step == "close":
                run(manager, "workorder.close", ref, t)

    maint, fault = WorkOrderType.MAINTENANCE, WorkOrderType.FAULT
    # The demo technician ("teknisyen", Merkez region): something in every state.
    work(
        "KNK-HB-01",
        maint,
        "Kasım ayı bakım ve temizlik",
        "Aylık bakım-temizlik (Yönerge 12(14)): lens temizliği, bağlantı kontrolü, kayıt kontrolü.",
        assignee="teknisyen",
        steps=[],
        days_ago=2,
        n_devices=6,
    )
    work(
        "KNK-KI-01",
        fault,
        "Saat Kulesi kamerası görüntü vermiyor",
        "Kent izleme yayınında görüntü yok. Önce uzaktan müdahale denenecek (Yönerge 15).",
        assignee="teknisyen",
        steps=[],
        days_ago=1,
        priority="urgent",
    )
    work(
        "KNK-KP-01",
        maint,
        "Kültürpark kamera lens temizliği",
        "Fırtına sonrası çamur sıçraması; lensler temizlenecek.",
        assignee="teknisyen",
        steps=["start"],
        days_ago=3,
        priority="high",
        n_devices=4,
    )
    work(
        "KRB-HB-01",
        fault,
        "Karabağlar NVR kayıt kontrolü",
        "Haftalık kayıt kontrolünde 3 kamerada kayıt boşluğu görüldü (Yönerge 12(1)).",
        assignee="teknisyen",
        steps=["start", "note"],
        note="NVR diskinde SMART uyarısı var, yedek disk talep edildi.",
        days_ago=4,
    )
    work(
        "BLC-ZB-01",
        maint,
        "Balçova Zabıta Amirliği aylık bakım",
        "Aylık bakım-temizlik.",
        assignee="teknisyen",
        steps=["start", "note", "submit"],
        note="Tüm kameralar temizlendi, açılar kontrol edildi.",
        days_ago=6,
        n_devices=3,
    )
    work(
        "NRL-KI-01",
        fault,
        "Sahil kamerası açısı kaymış",
        "Rüzgâr sonrası kamera açısı değişmiş.",
        assignee="teknisyen",
        steps=["start", "submit", "return"],
        reason="Fotoğraf eklenmemiş; yeni açının fotoğrafını ekleyip tekrar gönderin.",
        days_ago=8,
    )
    work(
        "KNK-MS-01",
        maint,
        "Merkez sunucu odası ekim bakımı",
        "Aylık bakım-temizlik.",
        assignee="teknisyen",
        steps=["start", "submit", "approve"],
        days_ago=20,
        n_devices=2,
    )
    work(
        "KNK-KI-02",
        fault,
        "Kemeraltı kamerası bağlantı kopması",
        "Anahtar portu arızalı.",
        assignee="teknisyen",
        steps=["start", "note", "submit", "approve", "close"],
        note="PoE portu değiştirildi, görüntü geldi.",
        days_ago=35,
    )
    # A unit's request for cameras: a joint survey for the technician and the security staff.
    run(
        manager,
        "survey.request",
        {
            "site_id": site_ids["KNK-HB-01"],
            "reason": "Mali hizmetler veznesi ve giriş holü için kamera talebi; Koruma Güvenlik ile "
            "ortak keşif yapılacak (Yönerge 4(3), 7(1)).",
            "requesting_unit": "Mali Hizmetler Dairesi Başkanlığı",
            "unit_head_id": users["birimamiri"].id,
            "technician_id": users["teknisyen"].id,
            "security_id": users["guvenlik"].id,
            "due_on": (now + timedelta(days=7)).date(),
        },
        now - timedelta(hours=3),
    )

    # A survey done to the end: sealed minutes to download and verify (backend/demo_survey.py).
    def put_blob(data: bytes, content_type: str) -> str:
        sha = store_bytes(store, data)
        if session.get(Blob, sha) is None:
            # uploaded from the technician's phone, which then references it (only content the
            # person may read can be referenced)
            uploader = users["teknisyen"].id
            session.add(Blob(sha256=sha, size=len(data), content_type=content_type, created_by_id=uploader))
        return sha

    sealed_survey(
        run,
        session,
        users=users,
        site_ids=site_ids,
        actor_for=actor_for,
        put_blob=put_blob,
        pin=DEMO_PIN,
        rng=rng,
        now=now,
    )
    # Other technicians and unassigned work, for managers and row-scope demos.
    work(
        "KSK-HB-01",
        maint,
        "Karşıyaka Hizmet Binası aylık bakım",
        "Aylık bakım-temizlik.",
        assignee="emre.kaya",
        steps=["start", "submit"],
        days_ago=5,
        n_devices=5,
    )
    work(
        "BYR-KP-01",
        fault,
        "Otopark kamerası kırık",
        "Araç çarpması sonucu kamera muhafazası kırık; hasar tespit tutanağı gerekecek (Yönerge 15(3)).",
        assignee="emre.kaya",
        steps=["start"],
        days_ago=2,
        priority="high",
    )
    work(
        "BRN-FA-01",
        maint,
        "Fuar alanı çevre kameraları bakımı",
        "Aylık bakım-temizlik.",
        assignee="selin.arslan",
        steps=["start", "note", "submit"],
        note="2 kamerada IR ışık zayıf.",
        days_ago=7,
        n_devices=8,
    )
    work(
        "BCA-SP-01",
        WorkOrderType.INSTALLATION,
        "Spor salonu girişine 2 kamera kurulumu",
        "Onaylı keşif sonrası kurulum.",
        assignee="selin.arslan",
        steps=[],
        days_ago=3,
        n_devices=0,
    )
    work(
        "GZM-OT-01",
        fault,
        "Bağlantı binası kayıt cihazı uyarısı",
        "NVR disk doluluk uyarısı.",
        assignee="burak.ucar",
        steps=["start", "submit", "approve", "close"],
        days_ago=40,
    )
    work(
        "TRB-HB-01",
        WorkOrderType.RELOCATION,
        "Giriş kamerasının yerinin değiştirilmesi",
        "Tadilat nedeniyle giriş kamerası taşınacak.",
        assignee=None,
        steps=[],
        days_ago=1,
        n_devices=1,
    )
    work(
        "MND-KI-01",
        WorkOrderType.CITY_WATCH_INSTALLATION,
        "Menderes meydanına kent izleme kamerası",
        "Vatandaş talepleri doğrultusunda; kazı izinleri alınacak (Yönerge 13).",
        assignee=None,
        steps=[],
        days_ago=0,
        n_devices=0,
        priority="low",
    )
    work(
        "KSK-KI-01",
        WorkOrderType.FOOTAGE_EXPORT,
        "Cumhuriyet Başsavcılığı görüntü talebi",
        "Yazılı talep üzerine 3 günlük kayıt verilecek (Yönerge 10(1)); tutanak birim amirince imzalanacak.",
        assignee="emre.kaya",
        steps=["start"],
        days_ago=1,
        priority="urgent",
    )
