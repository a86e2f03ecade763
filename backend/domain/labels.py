"""Enum values as people read them, in Turkish and English: the one catalogue of labels.

The PWA shows exactly these (``make generate`` exports them to ``frontend/src/generated/rules.ts``,
whose header says so); add a label here when you add a member to one of these enums —
``tests/unit/test_generated_rules.py`` fails while one is missing. Words written into error
messages (``taslak``, ``başlatma``) are sentence forms kept beside their rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.domain.assets.models import AreaType, DeviceKind, DeviceStatus, RecordingLocation, SiteKind
from backend.domain.choices import Choice
from backend.domain.diagnostics.models import DiagnosisSource, Verdict
from backend.domain.maintenance.models import ChecklistPurpose, ChecklistStatus, ItemType
from backend.domain.people.models import Role
from backend.domain.signing.models import SignatureMethod
from backend.domain.surveys.models import Conclusion, MinutesStatus, Mounting, SignerRole, SurveyStatus
from backend.domain.workorders.models import Priority, WorkOrderEventKind, WorkOrderStatus, WorkOrderType

Label = tuple[str, str]  # (Turkish, English)
LANGS = ("tr", "en")

LABELS: dict[type[Choice], Mapping[Any, Label]] = {
    WorkOrderType: {
        WorkOrderType.SURVEY: ("Keşif", "Survey"),
        WorkOrderType.INSTALLATION: ("Kurulum", "Installation"),
        WorkOrderType.MAINTENANCE: ("Bakım ve temizlik", "Maintenance and cleaning"),
        WorkOrderType.FAULT: ("Arıza", "Fault"),
        WorkOrderType.RELOCATION: ("Yer değişikliği", "Relocation"),
        WorkOrderType.CITY_WATCH_INSTALLATION: ("Kent izleme kurulumu", "City-watch installation"),
        WorkOrderType.FOOTAGE_EXPORT: ("Görüntü kaydı verilmesi", "Footage release"),
        WorkOrderType.CLEANING: ("Bakım turu / temizlik", "Maintenance round / cleaning"),
    },
    WorkOrderStatus: {
        WorkOrderStatus.DRAFT: ("Taslak", "Draft"),
        WorkOrderStatus.ASSIGNED: ("Atandı", "Assigned"),
        WorkOrderStatus.IN_PROGRESS: ("Sürüyor", "In progress"),
        WorkOrderStatus.SUBMITTED: ("Onay bekliyor", "Awaiting approval"),
        WorkOrderStatus.APPROVED: ("Onaylandı", "Approved"),
        WorkOrderStatus.RETURNED: ("İade edildi", "Returned"),
        WorkOrderStatus.CLOSED: ("Kapatıldı", "Closed"),
    },
    Priority: {
        Priority.LOW: ("Düşük", "Low"),
        Priority.NORMAL: ("Normal", "Normal"),
        Priority.HIGH: ("Yüksek", "High"),
        Priority.URGENT: ("Acil", "Urgent"),
    },
    WorkOrderEventKind: {
        WorkOrderEventKind.CREATED: ("Oluşturuldu", "Created"),
        WorkOrderEventKind.EDITED: ("Düzenlendi", "Edited"),
        WorkOrderEventKind.ASSIGNED: ("Atandı", "Assigned"),
        WorkOrderEventKind.STARTED: ("Başlatıldı", "Started"),
        WorkOrderEventKind.NOTE: ("Not", "Note"),
        WorkOrderEventKind.SUBMITTED: ("Onaya gönderildi", "Submitted for approval"),
        WorkOrderEventKind.APPROVED: ("Onaylandı", "Approved"),
        WorkOrderEventKind.RETURNED: ("İade edildi", "Returned"),
        WorkOrderEventKind.CLOSED: ("Kapatıldı", "Closed"),
    },
    Role: {
        Role.TECHNICIAN: ("Teknisyen", "Technician"),
        Role.SECURITY: ("Koruma Güvenlik", "Protection & Security"),
        Role.UNIT_HEAD: ("Birim amiri", "Unit head"),
        Role.MANAGER: ("Müdür", "Manager"),
        Role.ZABITA: ("Zabıta", "Municipal police"),
        Role.ADMIN: ("Yönetici", "Administrator"),
    },
    SiteKind: {
        SiteKind.SERVICE_BUILDING: ("Hizmet binası", "Service building"),
        SiteKind.CAMPUS: ("Yerleşke", "Campus"),
        SiteKind.CITY_WATCH_POLE: ("Kent izleme direği", "City-watch pole"),
    },
    RecordingLocation: {
        RecordingLocation.OWN_RECORDING_ROOM: ("Kendi kayıt odası", "Own recording room"),
        RecordingLocation.OWN_CABINET: ("Kendi sistem kabini", "Own system cabinet"),
        RecordingLocation.CENTRAL_SERVER: ("Merkezi sunucu", "Central server"),
    },
    DeviceKind: {
        DeviceKind.CAMERA: ("Kamera", "Camera"),
        DeviceKind.RECORDER: ("Kayıt cihazı (NVR)", "Recorder (NVR)"),
        DeviceKind.SWITCH: ("Anahtar (switch)", "Switch"),
        DeviceKind.CABINET: ("Kabinet", "Cabinet"),
    },
    DeviceStatus: {
        DeviceStatus.PLANNED: ("Planlandı", "Planned"),
        DeviceStatus.ACTIVE: ("Çalışıyor", "Active"),
        DeviceStatus.FAULTY: ("Arızalı", "Faulty"),
        DeviceStatus.REMOVED: ("Söküldü", "Removed"),
        DeviceStatus.SCRAPPED: ("Hurdaya ayrıldı", "Scrapped"),
    },
    AreaType: {
        AreaType.ENTRANCE: ("Giriş", "Entrance"),
        AreaType.LOBBY: ("Lobi/hol", "Lobby/hall"),
        AreaType.PUBLIC_CORRIDOR: ("Ortak koridor", "Public corridor"),
        AreaType.PARKING: ("Otopark", "Parking"),
        AreaType.PERIMETER: ("Bina çevresi", "Building perimeter"),
        AreaType.STREET: ("Cadde/sokak", "Street"),
        AreaType.SQUARE: ("Meydan", "Square"),
        AreaType.PARK: ("Park", "Park"),
        AreaType.WAREHOUSE: ("Depo", "Warehouse"),
        AreaType.CASHIER: ("Vezne", "Cashier"),
        AreaType.TECHNICAL_ROOM: ("Teknik oda", "Technical room"),
        AreaType.OFFICE: ("Ofis", "Office"),
        AreaType.WORK_ROOM: ("Çalışma odası", "Work room"),
        AreaType.TOILET: ("Tuvalet/lavabo", "Toilet/lavatory"),
        AreaType.CORRIDOR_TO_PRIVATE: ("Özel alana açılan koridor", "Corridor to a private area"),
    },
    SurveyStatus: {
        SurveyStatus.DRAFT: ("Taslak", "Draft"),
        SurveyStatus.AWAITING_SIGNATURES: ("İmza bekliyor", "Awaiting signatures"),
        SurveyStatus.SEALED: ("Mühürlendi", "Sealed"),
        SurveyStatus.APPROVED: ("Olur alındı", "Approved (Olur)"),
    },
    Conclusion: {
        Conclusion.FAVOURABLE: ("Olumlu", "Favourable"),
        Conclusion.UNFAVOURABLE: ("Olumsuz", "Unfavourable"),
    },
    Mounting: {
        Mounting.WALL: ("Duvar", "Wall"),
        Mounting.CEILING: ("Tavan", "Ceiling"),
        Mounting.POLE: ("Direk", "Pole"),
        Mounting.FACADE: ("Cephe", "Facade"),
        Mounting.OTHER: ("Diğer", "Other"),
    },
    MinutesStatus: {
        MinutesStatus.AWAITING_SIGNATURES: ("İmza bekliyor", "Awaiting signatures"),
        MinutesStatus.SEALED: ("Mühürlendi", "Sealed"),
        MinutesStatus.WITHDRAWN: ("Geri çekildi", "Withdrawn"),
    },
    SignerRole: {
        SignerRole.TECHNICIAN: ("Teknisyen", "Technician"),
        SignerRole.SECURITY: ("Koruma Güvenlik Personeli", "Security staff"),
        SignerRole.UNIT_HEAD: ("Talep Eden Birim Amiri", "Requesting unit’s head"),
    },
    SignatureMethod: {
        SignatureMethod.PASSKEY: ("Passkey ile (kendi telefonunda)", "With passkey (own phone)"),
        SignatureMethod.PIN: ("PIN ile; sunucu doğruladı", "With PIN; verified by the server"),
        SignatureMethod.PIN_V1: ("PIN ile (eski yöntem)", "With PIN (retired scheme)"),
    },
    Verdict: {
        Verdict.OK: ("Sağlam", "Healthy"),
        Verdict.WARNING: ("Uyarı", "Warning"),
        Verdict.FAIL: ("Arızalı", "Faulty"),
        Verdict.NOT_SUPPORTED: ("Desteklenmiyor", "Not supported"),
        Verdict.SKIPPED: ("Yapılmadı", "Skipped"),
    },
    DiagnosisSource: {
        DiagnosisSource.REMOTE: ("Uzaktan", "Remote"),
        DiagnosisSource.PROBE: ("Sahada (probe)", "On site (probe)"),
        DiagnosisSource.NIGHTLY: ("Gece taraması", "Nightly sweep"),
        DiagnosisSource.WEEKLY: ("Haftalık kayıt kontrolü", "Weekly recording check"),
    },
    ItemType: {
        ItemType.YES_NO: ("Evet/hayır", "Yes/no"),
        ItemType.CHOICE: ("Seçim", "Choice"),
        ItemType.NUMBER: ("Sayı", "Number"),
        ItemType.TEXT: ("Metin", "Text"),
        ItemType.PHOTO: ("Fotoğraf", "Photo"),
        ItemType.SNAPSHOT: ("Görüntü ve görüntü sağlığı", "Snapshot and image health"),
    },
    ChecklistPurpose: {
        ChecklistPurpose.MONTHLY: ("Aylık bakım ve temizlik", "Monthly maintenance and cleaning"),
        ChecklistPurpose.WEEKLY_RECORDING: ("Haftalık kayıt kontrolü", "Weekly recording check"),
    },
    ChecklistStatus: {
        ChecklistStatus.TODO: ("Yapılacak", "To do"),
        ChecklistStatus.DONE: ("Tamam", "Done"),
        ChecklistStatus.PROBLEM: ("Sorunlu", "Problem"),
    },
}


def label(value: Choice, lang: str = "tr") -> str:
    """``value`` in words (``WorkOrderStatus.SUBMITTED`` → "Onay bekliyor"); Turkish unless
    ``lang`` is "en"."""
    tr, en = LABELS[type(value)][value]
    return en if lang == "en" else tr
