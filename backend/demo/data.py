"""The demo's data: people, İzmir's districts and sites, the equipment on them, last night's
findings and the work in every state — what ``backend.demo.loader`` loads through the commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.assets.models import AreaType, RecordingLocation, SiteKind
from backend.domain.people.models import Role
from backend.domain.workorders.models import WorkOrderType

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


@dataclass(frozen=True)
class DemoWork:
    """A work order and how far it got: ``steps`` in order (start, note, submit, return, approve,
    close), spread over the days since it was created ``days_ago``."""

    site: str
    type: WorkOrderType
    title: str
    description: str
    assignee: str | None  # username; None: not assigned yet
    steps: tuple[str, ...]
    days_ago: int
    priority: str = "normal"
    n_devices: int = 1  # the site's first cameras
    note: str = ""  # the text of a "note" step
    reason: str = ""  # why a "return" step sent it back


# The demo technician ("teknisyen", Merkez region): something in every state.
TECHNICIAN_WORK: list[DemoWork] = [
    DemoWork(
        site="KNK-HB-01",
        type=WorkOrderType.MAINTENANCE,
        title="Kasım ayı bakım ve temizlik",
        description="Aylık bakım-temizlik (Yönerge 12(14)): lens temizliği, bağlantı "
        "kontrolü, kayıt kontrolü.",
        assignee="teknisyen",
        steps=(),
        days_ago=2,
        n_devices=6,
    ),
    DemoWork(
        site="KNK-KI-01",
        type=WorkOrderType.FAULT,
        title="Saat Kulesi kamerası görüntü vermiyor",
        description="Kent izleme yayınında görüntü yok. Önce uzaktan müdahale denenecek (Yönerge 15).",
        assignee="teknisyen",
        steps=(),
        days_ago=1,
        priority="urgent",
    ),
    DemoWork(
        site="KNK-KP-01",
        type=WorkOrderType.MAINTENANCE,
        title="Kültürpark kamera lens temizliği",
        description="Fırtına sonrası çamur sıçraması; lensler temizlenecek.",
        assignee="teknisyen",
        steps=("start",),
        days_ago=3,
        priority="high",
        n_devices=4,
    ),
    DemoWork(
        site="KRB-HB-01",
        type=WorkOrderType.FAULT,
        title="Karabağlar NVR kayıt kontrolü",
        description="Haftalık kayıt kontrolünde 3 kamerada kayıt boşluğu görüldü (Yönerge 12(1)).",
        assignee="teknisyen",
        steps=("start", "note"),
        note="NVR diskinde SMART uyarısı var, yedek disk talep edildi.",
        days_ago=4,
    ),
    DemoWork(
        site="BLC-ZB-01",
        type=WorkOrderType.MAINTENANCE,
        title="Balçova Zabıta Amirliği aylık bakım",
        description="Aylık bakım-temizlik.",
        assignee="teknisyen",
        steps=("start", "note", "submit"),
        note="Tüm kameralar temizlendi, açılar kontrol edildi.",
        days_ago=6,
        n_devices=3,
    ),
    DemoWork(
        site="NRL-KI-01",
        type=WorkOrderType.FAULT,
        title="Sahil kamerası açısı kaymış",
        description="Rüzgâr sonrası kamera açısı değişmiş.",
        assignee="teknisyen",
        steps=("start", "submit", "return"),
        reason="Fotoğraf eklenmemiş; yeni açının fotoğrafını ekleyip tekrar gönderin.",
        days_ago=8,
    ),
    DemoWork(
        site="KNK-MS-01",
        type=WorkOrderType.MAINTENANCE,
        title="Merkez sunucu odası ekim bakımı",
        description="Aylık bakım-temizlik.",
        assignee="teknisyen",
        steps=("start", "submit", "approve"),
        days_ago=20,
        n_devices=2,
    ),
    DemoWork(
        site="KNK-KI-02",
        type=WorkOrderType.FAULT,
        title="Kemeraltı kamerası bağlantı kopması",
        description="Anahtar portu arızalı.",
        assignee="teknisyen",
        steps=("start", "note", "submit", "approve", "close"),
        note="PoE portu değiştirildi, görüntü geldi.",
        days_ago=35,
    ),
]
# Other technicians and unassigned work, for managers and row-scope demos.
OTHER_WORK: list[DemoWork] = [
    DemoWork(
        site="KSK-HB-01",
        type=WorkOrderType.MAINTENANCE,
        title="Karşıyaka Hizmet Binası aylık bakım",
        description="Aylık bakım-temizlik.",
        assignee="emre.kaya",
        steps=("start", "submit"),
        days_ago=5,
        n_devices=5,
    ),
    DemoWork(
        site="BYR-KP-01",
        type=WorkOrderType.FAULT,
        title="Otopark kamerası kırık",
        description="Araç çarpması sonucu kamera muhafazası kırık; hasar tespit tutanağı "
        "gerekecek (Yönerge 15(3)).",
        assignee="emre.kaya",
        steps=("start",),
        days_ago=2,
        priority="high",
    ),
    DemoWork(
        site="BRN-FA-01",
        type=WorkOrderType.MAINTENANCE,
        title="Fuar alanı çevre kameraları bakımı",
        description="Aylık bakım-temizlik.",
        assignee="selin.arslan",
        steps=("start", "note", "submit"),
        note="2 kamerada IR ışık zayıf.",
        days_ago=7,
        n_devices=8,
    ),
    DemoWork(
        site="BCA-SP-01",
        type=WorkOrderType.INSTALLATION,
        title="Spor salonu girişine 2 kamera kurulumu",
        description="Onaylı keşif sonrası kurulum.",
        assignee="selin.arslan",
        steps=(),
        days_ago=3,
        n_devices=0,
    ),
    DemoWork(
        site="GZM-OT-01",
        type=WorkOrderType.FAULT,
        title="Bağlantı binası kayıt cihazı uyarısı",
        description="NVR disk doluluk uyarısı.",
        assignee="burak.ucar",
        steps=("start", "submit", "approve", "close"),
        days_ago=40,
    ),
    DemoWork(
        site="TRB-HB-01",
        type=WorkOrderType.RELOCATION,
        title="Giriş kamerasının yerinin değiştirilmesi",
        description="Tadilat nedeniyle giriş kamerası taşınacak.",
        assignee=None,
        steps=(),
        days_ago=1,
        n_devices=1,
    ),
    DemoWork(
        site="MND-KI-01",
        type=WorkOrderType.CITY_WATCH_INSTALLATION,
        title="Menderes meydanına kent izleme kamerası",
        description="Vatandaş talepleri doğrultusunda; kazı izinleri alınacak (Yönerge 13).",
        assignee=None,
        steps=(),
        days_ago=0,
        n_devices=0,
        priority="low",
    ),
    DemoWork(
        site="KSK-KI-01",
        type=WorkOrderType.FOOTAGE_EXPORT,
        title="Cumhuriyet Başsavcılığı görüntü talebi",
        description="Yazılı talep üzerine 3 günlük kayıt verilecek (Yönerge 10(1)); "
        "tutanak birim amirince imzalanacak.",
        assignee="emre.kaya",
        steps=("start",),
        days_ago=1,
        priority="urgent",
    ),
]


@dataclass(frozen=True)
class DemoSurveyRequest:
    """A unit's request for cameras: a joint survey of a technician, the security staff and the
    requesting unit's head (usernames), due ``due_in_days`` after it was made ``hours_ago``."""

    site: str
    reason: str
    requesting_unit: str
    unit_head: str
    technician: str
    security: str
    due_in_days: int
    hours_ago: int = 0


SURVEY_REQUEST = DemoSurveyRequest(
    site="KNK-HB-01",
    reason="Mali hizmetler veznesi ve giriş holü için kamera talebi; Koruma Güvenlik ile "
    "ortak keşif yapılacak (Yönerge 4(3), 7(1)).",
    requesting_unit="Mali Hizmetler Dairesi Başkanlığı",
    unit_head="birimamiri",
    technician="teknisyen",
    security="guvenlik",
    due_in_days=7,
    hours_ago=3,
)


# One joint survey walked to the end — filled in on site, frozen into minutes, signed by all three
# parties on the technician's phone and so sealed (``backend.demo.survey``).
SEALED_SURVEY_SITE = "KNK-KP-01"  # Kültürpark Kampüsü (Merkez: the demo technician's region)
SEALED_SURVEY_REQUEST = {
    "reason": "Açık hava sahnesi girişi ve bilet gişesi için kamera talebi (Yönerge 4(3), 7(1)).",
    "requesting_unit": "Kültür ve Sanat Dairesi Başkanlığı",
}
SEALED_SURVEY_FINDINGS = {
    "recording_location": "OWN_RECORDING_ROOM",
    "recording_note": "Kampüs kayıt odası, mevcut NVR'da 4 kanal boş.",
    "infrastructure_needs": "Gişe önüne 1 adet PoE anahtar; kabinde 1U boş yer var.",
    "cabling_needs": "Cat6 yaklaşık 60 m, kablo kanalı ile; gişe tavanından geçiş.",
    "signs_needed": 2,
    "signs_note": "Sahne girişine ve gişe üstüne “Bu alan kamera ile izlenmektedir”.",
    "conclusion": "FAVOURABLE",
    "conclusion_note": "Giriş ve gişe için kamera uygundur; özel alan yoktur (Yönerge 7(4)).",
}
# (place, area, mounting, view direction, with a photo, latitude e6, longitude e6)
SEALED_SURVEY_POINTS: list[tuple[str, str, str, str, bool, int, int]] = [
    ("Açık hava sahnesi ana girişi", "ENTRANCE", "WALL", "Giriş kapısına", True, 38427610, 27145220),
    ("Bilet gişesi (vezne)", "CASHIER", "CEILING", "Gişe tezgâhına", False, 38427480, 27145410),
]
# (username, role): the order they sign in
SEALED_SURVEY_SIGNERS = [("teknisyen", "TECHNICIAN"), ("guvenlik", "SECURITY"), ("birimamiri", "UNIT_HEAD")]
