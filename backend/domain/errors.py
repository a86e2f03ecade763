"""The one catalogue of expected failures: stable codes, Turkish and English messages.

Clients branch on ``code``; people read ``message``. Codes never change meaning once released.
Messages may use ``{placeholders}`` filled from the error's params.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

Lang = str  # "tr" | "en"


class ErrorCode(enum.StrEnum):
    AUTH_REQUIRED = "AUTH_REQUIRED"
    AUTH_INVALID_CREDENTIALS = "AUTH_INVALID_CREDENTIALS"
    AUTH_THROTTLED = "AUTH_THROTTLED"
    AUTH_SESSION_EXPIRED = "AUTH_SESSION_EXPIRED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    COMMAND_UNKNOWN = "COMMAND_UNKNOWN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    WORKORDER_ILLEGAL_TRANSITION = "WORKORDER_ILLEGAL_TRANSITION"
    WORKORDER_NOT_ASSIGNEE = "WORKORDER_NOT_ASSIGNEE"
    WORKORDER_REASON_REQUIRED = "WORKORDER_REASON_REQUIRED"
    WORKORDER_ASSIGNEE_NOT_TECHNICIAN = "WORKORDER_ASSIGNEE_NOT_TECHNICIAN"
    WORKORDER_DEVICE_NOT_ON_SITE = "WORKORDER_DEVICE_NOT_ON_SITE"
    SITE_CODE_TAKEN = "SITE_CODE_TAKEN"
    IPBLOCK_INVALID = "IPBLOCK_INVALID"
    IPBLOCK_OVERLAP = "IPBLOCK_OVERLAP"
    IPBLOCK_IN_USE = "IPBLOCK_IN_USE"
    DEVICE_IP_INVALID = "DEVICE_IP_INVALID"
    DEVICE_IP_OUTSIDE_SITE_BLOCKS = "DEVICE_IP_OUTSIDE_SITE_BLOCKS"
    DEVICE_IP_TAKEN = "DEVICE_IP_TAKEN"
    DEVICE_ASSET_TAG_TAKEN = "DEVICE_ASSET_TAG_TAKEN"
    DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS = "DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    UPLOAD_OFFSET_MISMATCH = "UPLOAD_OFFSET_MISMATCH"
    UPLOAD_BUSY = "UPLOAD_BUSY"
    BLOB_TOO_LARGE = "BLOB_TOO_LARGE"
    BLOB_TYPE_NOT_ALLOWED = "BLOB_TYPE_NOT_ALLOWED"
    BLOB_CHECKSUM_MISMATCH = "BLOB_CHECKSUM_MISMATCH"
    WORKORDER_CLOSED = "WORKORDER_CLOSED"
    CONFLICT_ALREADY_RESOLVED = "CONFLICT_ALREADY_RESOLVED"
    SYNC_CLIENT_MISMATCH = "SYNC_CLIENT_MISMATCH"
    SYNC_SEQ_REUSED = "SYNC_SEQ_REUSED"
    SYNC_BATCH_TOO_LARGE = "SYNC_BATCH_TOO_LARGE"
    INTERNAL = "INTERNAL"


MESSAGES: dict[ErrorCode, dict[Lang, str]] = {
    ErrorCode.AUTH_REQUIRED: {
        "tr": "Bu işlem için oturum açmanız gerekiyor.",
        "en": "You need to sign in for this.",
    },
    ErrorCode.AUTH_INVALID_CREDENTIALS: {
        "tr": "Kullanıcı adı veya parola hatalı.",
        "en": "Wrong username or password.",
    },
    ErrorCode.AUTH_THROTTLED: {
        "tr": "Çok fazla hatalı giriş denemesi. Lütfen {seconds} saniye sonra tekrar deneyin.",
        "en": "Too many failed sign-in attempts. Please try again in {seconds} seconds.",
    },
    ErrorCode.AUTH_SESSION_EXPIRED: {
        "tr": "Oturumunuzun süresi doldu. Lütfen yeniden giriş yapın.",
        "en": "Your session has expired. Please sign in again.",
    },
    ErrorCode.PERMISSION_DENIED: {
        "tr": "Bu işlem için yetkiniz yok ({permission}).",
        "en": "You are not allowed to do this ({permission}).",
    },
    ErrorCode.NOT_FOUND: {
        "tr": "Kayıt bulunamadı ya da erişiminiz yok.",
        "en": "Not found, or you have no access to it.",
    },
    ErrorCode.VALIDATION_FAILED: {
        "tr": "Girilen bilgi geçersiz: {detail}",
        "en": "Invalid input: {detail}",
    },
    ErrorCode.COMMAND_UNKNOWN: {
        "tr": "Bilinmeyen işlem: {name}.",
        "en": "Unknown command: {name}.",
    },
    ErrorCode.LIMIT_EXCEEDED: {
        "tr": "İstek sınırı aşıldı: {detail}",
        "en": "Request limit exceeded: {detail}",
    },
    ErrorCode.WORKORDER_ILLEGAL_TRANSITION: {
        "tr": "İş emri '{status}' durumundayken '{action}' yapılamaz.",
        "en": "A work order in status '{status}' cannot be '{action}'.",
    },
    ErrorCode.WORKORDER_NOT_ASSIGNEE: {
        "tr": "Bu iş emri size atanmamış.",
        "en": "This work order is not assigned to you.",
    },
    ErrorCode.WORKORDER_REASON_REQUIRED: {
        "tr": "İade için bir gerekçe yazmalısınız.",
        "en": "A reason is required to return a work order.",
    },
    ErrorCode.WORKORDER_ASSIGNEE_NOT_TECHNICIAN: {
        "tr": "İş emri yalnızca aktif bir teknisyene atanabilir.",
        "en": "A work order can only be assigned to an active technician.",
    },
    ErrorCode.WORKORDER_DEVICE_NOT_ON_SITE: {
        "tr": "Seçilen cihaz bu sahaya ait değil.",
        "en": "The selected device does not belong to this site.",
    },
    ErrorCode.SITE_CODE_TAKEN: {
        "tr": "Bu saha kodu zaten kullanılıyor.",
        "en": "This site code is already in use.",
    },
    ErrorCode.IPBLOCK_INVALID: {
        "tr": "Geçersiz IP bloğu: {cidr}. Örnek: 10.20.30.0/24",
        "en": "Invalid IP block: {cidr}. Example: 10.20.30.0/24",
    },
    ErrorCode.IPBLOCK_OVERLAP: {
        "tr": "IP bloğu {cidr}, kayıtlı {other} bloğu ile çakışıyor.",
        "en": "IP block {cidr} overlaps the registered block {other}.",
    },
    ErrorCode.IPBLOCK_IN_USE: {
        "tr": "Bu bloktaki adresleri kullanan cihazlar var; önce onları taşıyın.",
        "en": "Devices still use addresses in this block; move them first.",
    },
    ErrorCode.DEVICE_IP_INVALID: {
        "tr": "Geçersiz IP adresi: {ip}.",
        "en": "Invalid IP address: {ip}.",
    },
    ErrorCode.DEVICE_IP_OUTSIDE_SITE_BLOCKS: {
        "tr": "{ip} adresi sahanın kayıtlı IP bloklarının dışında (Yönerge 5(3)).",
        "en": "Address {ip} is outside the site's registered IP blocks (directive 5(3)).",
    },
    ErrorCode.DEVICE_IP_TAKEN: {
        "tr": "{ip} adresi başka bir cihazda kayıtlı.",
        "en": "Address {ip} is already registered to another device.",
    },
    ErrorCode.DEVICE_ASSET_TAG_TAKEN: {
        "tr": "Bu demirbaş numarası zaten kayıtlı.",
        "en": "This asset tag is already registered.",
    },
    ErrorCode.DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS: {
        "tr": "İzlenen alan türü yalnızca kameralar için girilir.",
        "en": "The watched area type applies to cameras only.",
    },
    ErrorCode.UPLOAD_NOT_FOUND: {
        "tr": "Yükleme bulunamadı ya da size ait değil; dosyayı yeniden yükleyin.",
        "en": "Upload not found, or not yours; upload the file again.",
    },
    ErrorCode.UPLOAD_OFFSET_MISMATCH: {
        "tr": "Yükleme {offset}. bayttan devam etmeli; gönderilen konum farklı.",
        "en": "The upload must continue at byte {offset}; a different position was sent.",
    },
    ErrorCode.UPLOAD_BUSY: {
        "tr": "Bu yükleme şu anda başka bir bağlantıdan sürüyor; biraz sonra tekrar deneyin.",
        "en": "This upload is in progress on another connection; try again shortly.",
    },
    ErrorCode.BLOB_TOO_LARGE: {
        "tr": "Dosya çok büyük: en fazla {max_bytes} bayt yüklenebilir.",
        "en": "The file is too large: at most {max_bytes} bytes can be uploaded.",
    },
    ErrorCode.BLOB_TYPE_NOT_ALLOWED: {
        "tr": "Bu dosya türü kabul edilmiyor ya da içeriği bildirilen türle uyuşmuyor ({content_type}).",
        "en": "This file type is not accepted, or its content does not match the declared type "
        "({content_type}).",
    },
    ErrorCode.BLOB_CHECKSUM_MISMATCH: {
        "tr": "Dosya eksik ya da bozuk geldi (özet değeri tutmuyor); yeniden yükleyin.",
        "en": "The file arrived incomplete or damaged (checksum mismatch); upload it again.",
    },
    ErrorCode.WORKORDER_CLOSED: {
        "tr": "Kapatılmış iş emri değiştirilemez.",
        "en": "A closed work order cannot be changed.",
    },
    ErrorCode.CONFLICT_ALREADY_RESOLVED: {
        "tr": "Bu çakışma zaten çözülmüş.",
        "en": "This conflict has already been resolved.",
    },
    ErrorCode.SYNC_CLIENT_MISMATCH: {
        "tr": "Bu cihaz kaydı başka bir kullanıcıya ait; lütfen yeniden giriş yapın.",
        "en": "This device registration belongs to another user; please sign in again.",
    },
    ErrorCode.SYNC_SEQ_REUSED: {
        "tr": "Bu sıra numarası başka bir işlem için kullanılmış; işlem uygulanmadı.",
        "en": "This sequence number was used by another operation; nothing was applied.",
    },
    ErrorCode.SYNC_BATCH_TOO_LARGE: {
        "tr": "Tek seferde en fazla {max} işlem gönderilebilir.",
        "en": "At most {max} operations can be sent at once.",
    },
    ErrorCode.INTERNAL: {
        "tr": "Beklenmeyen bir hata oluştu (istek no: {request_id}).",
        "en": "An unexpected error occurred (request id: {request_id}).",
    },
}


def render(code: ErrorCode, lang: Lang = "tr", **params: Any) -> str:
    templates = MESSAGES[code]
    template = templates.get(lang) or templates["tr"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


@dataclass
class DomainError(Exception):
    """An expected, user-facing failure. Nothing the command did is kept."""

    code: ErrorCode
    field: str | None = None
    params: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        super().__init__(self.code.value)

    def message(self, lang: Lang = "tr") -> str:
        return render(self.code, lang, **(self.params or {}))
