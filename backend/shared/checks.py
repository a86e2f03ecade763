"""The diagnosis checks by name, with the labels people read (Turkish).

One table for the ONVIF client's checks (``backend.integrations.onvif.diagnose``), the
``diagnostics.record`` command that validates results by these names, the GraphQL labels and
the probe's summary on the technician's terminal.
"""

from __future__ import annotations

CHECK_LABELS_TR: dict[str, str] = {
    "tcp": "Ağ erişimi",
    "onvif": "ONVIF",
    "auth": "Kimlik doğrulama",
    "device_info": "Cihaz bilgisi",
    "firmware": "Yazılım sürümü",
    "clock": "Saat",
    "network": "Ağ arayüzleri",
    "profiles": "Görüntü profilleri",
    "stream_uri": "Yayın adresi",
    "snapshot": "Anlık görüntü",
    "image_health": "Görüntü sağlığı",
    "ptz": "PTZ",
    "retention": "Kayıt saklama süresi",
    "recording_active": "Kayıt devam ediyor mu",
}
CHECK_NAMES: frozenset[str] = frozenset(CHECK_LABELS_TR)


def check_label(check: str) -> str:
    """The Turkish label of ``check``; the name itself for a check this table does not know."""
    return CHECK_LABELS_TR.get(check, check)
