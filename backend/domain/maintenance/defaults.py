"""The checklist templates Saha ships (directive 7(5), 9, 12(1), 12(14), 16), seeded once:
:func:`ensure_default_templates` adds a template whose key is missing and never touches one that
exists (an administrator may have edited it since)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from backend.domain.assets.models import DeviceKind
from backend.domain.maintenance.models import ChecklistPurpose, ChecklistTemplate, ItemType


def _yes(key: str, tr: str, en: str, article: str = "", *, expected: bool = True) -> dict[str, Any]:
    return {
        "key": key,
        "type": ItemType.YES_NO.value,
        "labelTr": tr,
        "labelEn": en,
        "expected": expected,
        "required": True,
        "article": article,
    }


def _photo(key: str, tr: str, en: str, *, required: bool) -> dict[str, Any]:
    return {
        "key": key,
        "type": ItemType.PHOTO.value,
        "labelTr": tr,
        "labelEn": en,
        "expected": None,
        "required": required,
        "article": "",
    }


_CAMERA = [
    _yes("lens_clean", "Lens / dome ve gövde temizlendi", "Lens / dome and housing cleaned", "12(14), 16(1)"),
    _yes("mount_angle", "Montaj ve görüş açısı kontrol edildi", "Mount and view angle checked", "16(1)"),
    _yes("cabling", "Kablolama ve konnektörler sağlam", "Cabling and connectors sound", "16(1)"),
    _yes("ir_night", "IR / gece görüntüsü çalışıyor", "IR / night image works", "16(1)"),
    _yes("power_poe", "Enerji / PoE normal", "Power / PoE normal", "16(1)"),
    _yes("sign_present", '"İzlenen alan" levhası yerinde', '"Monitored area" sign present', "7(5)"),
    {
        "key": "image_vs_reference",
        "type": ItemType.SNAPSHOT.value,
        "labelTr": "Görüntü referansla karşılaştırıldı",
        "labelEn": "Image compared with the reference",
        "expected": "ok",
        "required": True,
        "article": "16(1)",
    },
    _photo("photo_before", "Temizlik öncesi fotoğraf", "Photo before cleaning", required=False),
    _photo("photo_after", "Temizlik sonrası fotoğraf", "Photo after cleaning", required=False),
]

_RECORDER = [
    _yes("recording_running", "Kayıt sürüyor", "Recording running", "12(1)"),
    {
        "key": "retention_days",
        "type": ItemType.NUMBER.value,
        "labelTr": "Kayıt saklama süresi",
        "labelEn": "Recording retention",
        "expected": 20,
        "unit": "gün",
        "min": 20,
        "max": 365,
        "required": True,
        "article": "9",
    },
    {
        "key": "disk_health",
        "type": ItemType.CHOICE.value,
        "labelTr": "Disk sağlığı",
        "labelEn": "Disk health",
        "expected": "ok",
        "required": True,
        "article": "16(1)",
        "choices": [
            {"key": "ok", "labelTr": "Sağlam", "labelEn": "Healthy"},
            {"key": "warning", "labelTr": "Uyarı", "labelEn": "Warning"},
            {"key": "failed", "labelTr": "Arızalı", "labelEn": "Failed"},
        ],
    },
    _yes("time_sync", "Saat senkronize", "Time synchronised", "16(1)"),
    _yes("cleaned", "Cihaz ve havalandırma temizlendi", "Device and ventilation cleaned", "16(1)"),
]

_WEEKLY = [
    _yes("recording_running", "Tüm kameralar kayıtta", "All cameras are recording", "12(1)"),
    _yes(
        "playback_checked",
        "Son kayıttan örnek izlendi",
        "A sample of the latest recording played back",
        "12(1)",
    ),
    {
        "key": "note",
        "type": ItemType.TEXT.value,
        "labelTr": "Not",
        "labelEn": "Note",
        "expected": "",
        "required": False,
        "article": "",
    },
]

_SWITCH = [
    _yes("cleaned", "Cihaz ve havalandırma temizlendi", "Device and ventilation cleaned", "16(1)"),
    _yes("ports_links", "Port bağlantıları ve ışıkları normal", "Port links and lights normal", "16(1)"),
    _yes("poe_budget", "PoE beslemesi normal", "PoE supply normal", "16(1)"),
    _yes("cabling", "Kablolama ve etiketler düzenli", "Cabling and labels in order", "16(1)"),
]

_CABINET = [
    _yes("cleaned", "Kabin içi temizlendi", "Cabinet interior cleaned", "16(1)"),
    _yes("lock", "Kilit ve kapı sağlam", "Lock and door sound", "16(1)"),
    _yes("ventilation", "Havalandırma / fan çalışıyor", "Ventilation / fan works", "16(1)"),
    _yes("power_ups", "Enerji ve UPS normal", "Power and UPS normal", "16(1)"),
    _yes("no_moisture", "Nem / su girişi yok", "No moisture or water ingress", "16(2)"),
]

# key → (device kind, city watch, purpose, title tr, title en, items)
DEFAULTS: dict[str, tuple[DeviceKind, bool, ChecklistPurpose, str, str, list[dict[str, Any]]]] = {
    "camera.monthly": (
        DeviceKind.CAMERA,
        False,
        ChecklistPurpose.MONTHLY,
        "Kamera aylık bakım ve temizlik",
        "Camera monthly maintenance and cleaning",
        _CAMERA,
    ),
    "city_watch_camera.monthly": (
        DeviceKind.CAMERA,
        True,
        ChecklistPurpose.MONTHLY,
        "Kent izleme kamerası aylık bakım ve temizlik",
        "City-watch camera monthly maintenance and cleaning",
        _CAMERA,
    ),
    "recorder.monthly": (
        DeviceKind.RECORDER,
        False,
        ChecklistPurpose.MONTHLY,
        "Kayıt cihazı aylık bakım",
        "Recorder monthly maintenance",
        _RECORDER,
    ),
    "recorder.weekly": (
        DeviceKind.RECORDER,
        False,
        ChecklistPurpose.WEEKLY_RECORDING,
        "Haftalık kayıt kontrolü",
        "Weekly recording check",
        _WEEKLY,
    ),
    "switch.monthly": (
        DeviceKind.SWITCH,
        False,
        ChecklistPurpose.MONTHLY,
        "Anahtar (switch) aylık bakım",
        "Switch monthly maintenance",
        _SWITCH,
    ),
    "cabinet.monthly": (
        DeviceKind.CABINET,
        False,
        ChecklistPurpose.MONTHLY,
        "Sistem kabini aylık bakım",
        "Cabinet monthly maintenance",
        _CABINET,
    ),
}


def ensure_default_templates(session: Session) -> int:
    """Adds the shipped templates that are missing (by key); the number added. Idempotent."""
    present = set(session.exec(select(col(ChecklistTemplate.key)).distinct()).all())
    added = 0
    for key, (kind, city_watch, purpose, title_tr, title_en, items) in DEFAULTS.items():
        if key in present:
            continue
        session.add(
            ChecklistTemplate(
                key=key,
                device_kind=kind,
                city_watch=city_watch,
                purpose=purpose,
                title_tr=title_tr,
                title_en=title_en,
                items=items,
            )
        )
        added += 1
    session.flush()
    return added
