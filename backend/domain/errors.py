"""The one catalogue of expected failures: stable codes, Turkish and English messages.

Clients branch on ``code``; people read ``message``. Codes never change meaning once released.
Messages may use ``{placeholders}`` filled from the error's params.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

Lang = str  # "tr" | "en"


class ErrorCode(enum.StrEnum):
    AUTH_REQUIRED = "AUTH_REQUIRED"
    AUTH_INVALID_CREDENTIALS = "AUTH_INVALID_CREDENTIALS"
    AUTH_THROTTLED = "AUTH_THROTTLED"
    RATE_LIMITED = "RATE_LIMITED"
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
    IPBLOCK_RESERVED_RANGE = "IPBLOCK_RESERVED_RANGE"
    DEVICE_IP_INVALID = "DEVICE_IP_INVALID"
    DEVICE_IP_OUTSIDE_SITE_BLOCKS = "DEVICE_IP_OUTSIDE_SITE_BLOCKS"
    DEVICE_IP_TAKEN = "DEVICE_IP_TAKEN"
    DEVICE_IP_RESERVED_RANGE = "DEVICE_IP_RESERVED_RANGE"
    DEVICE_ASSET_TAG_TAKEN = "DEVICE_ASSET_TAG_TAKEN"
    DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS = "DEVICE_AREA_TYPE_ONLY_FOR_CAMERAS"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    UPLOAD_OFFSET_MISMATCH = "UPLOAD_OFFSET_MISMATCH"
    UPLOAD_BUSY = "UPLOAD_BUSY"
    BLOB_TOO_LARGE = "BLOB_TOO_LARGE"
    BLOB_TYPE_NOT_ALLOWED = "BLOB_TYPE_NOT_ALLOWED"
    BLOB_CHECKSUM_MISMATCH = "BLOB_CHECKSUM_MISMATCH"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    UPLOAD_QUOTA_EXCEEDED = "UPLOAD_QUOTA_EXCEEDED"
    WORKORDER_CLOSED = "WORKORDER_CLOSED"
    CONFLICT_ALREADY_RESOLVED = "CONFLICT_ALREADY_RESOLVED"
    SYNC_CLIENT_MISMATCH = "SYNC_CLIENT_MISMATCH"
    SYNC_SEQ_REUSED = "SYNC_SEQ_REUSED"
    SYNC_BATCH_TOO_LARGE = "SYNC_BATCH_TOO_LARGE"
    SYNC_COMMAND_FAILED = "SYNC_COMMAND_FAILED"
    SURVEY_PRIVATE_AREA = "SURVEY_PRIVATE_AREA"
    SURVEY_NOT_PARTY = "SURVEY_NOT_PARTY"
    SURVEY_LOCKED = "SURVEY_LOCKED"
    SURVEY_INCOMPLETE = "SURVEY_INCOMPLETE"
    SURVEY_WRONG_ROLE = "SURVEY_WRONG_ROLE"
    SURVEY_NOT_SEALED = "SURVEY_NOT_SEALED"
    SURVEY_NOT_FAVOURABLE = "SURVEY_NOT_FAVOURABLE"
    MINUTES_SEALED = "MINUTES_SEALED"
    MINUTES_WITHDRAWN = "MINUTES_WITHDRAWN"
    MINUTES_CONTENT_MISMATCH = "MINUTES_CONTENT_MISMATCH"
    MINUTES_WRONG_SIGNER = "MINUTES_WRONG_SIGNER"
    MINUTES_ALREADY_SIGNED = "MINUTES_ALREADY_SIGNED"
    MINUTES_SIGNER_NO_PIN = "MINUTES_SIGNER_NO_PIN"
    MINUTES_SIGNATURE_INVALID = "MINUTES_SIGNATURE_INVALID"
    MINUTES_NOT_SEALED = "MINUTES_NOT_SEALED"
    MINUTES_BLOBS_PENDING = "MINUTES_BLOBS_PENDING"
    SIGNING_PIN_INVALID = "SIGNING_PIN_INVALID"
    MINUTES_SIGNER_LOCKED = "MINUTES_SIGNER_LOCKED"
    MINUTES_SIGNED_AT_INVALID = "MINUTES_SIGNED_AT_INVALID"
    SIGNATURE_PASSKEY_UNKNOWN = "SIGNATURE_PASSKEY_UNKNOWN"
    SIGNATURE_PASSKEY_INVALID = "SIGNATURE_PASSKEY_INVALID"
    SIGNATURE_PIN_WRONG = "SIGNATURE_PIN_WRONG"
    SIGNATURE_PIN_KEY_UNKNOWN = "SIGNATURE_PIN_KEY_UNKNOWN"
    SIGNATURE_SCHEME_RETIRED = "SIGNATURE_SCHEME_RETIRED"
    SIGNING_PIN_WEAK = "SIGNING_PIN_WEAK"
    SIGNING_NOT_CONFIGURED = "SIGNING_NOT_CONFIGURED"
    PASSKEY_TICKET_INVALID = "PASSKEY_TICKET_INVALID"
    PASSKEY_REGISTRATION_FAILED = "PASSKEY_REGISTRATION_FAILED"
    PASSKEY_ALREADY_REGISTERED = "PASSKEY_ALREADY_REGISTERED"
    PASSKEY_LIMIT = "PASSKEY_LIMIT"
    AUTH_PASSWORD_CONFIRM_REQUIRED = "AUTH_PASSWORD_CONFIRM_REQUIRED"  # noqa: S105 (a code, not a password)
    COMMAND_ONLINE_ONLY = "COMMAND_ONLINE_ONLY"
    DIAGNOSTICS_NOT_A_CAMERA = "DIAGNOSTICS_NOT_A_CAMERA"
    DIAGNOSTICS_TARGET_REFUSED = "DIAGNOSTICS_TARGET_REFUSED"
    DIAGNOSTICS_NO_CREDENTIALS = "DIAGNOSTICS_NO_CREDENTIALS"
    DIAGNOSTICS_BUSY = "DIAGNOSTICS_BUSY"
    DIAGNOSTICS_NOTHING_TO_REPORT = "DIAGNOSTICS_NOTHING_TO_REPORT"
    WORKORDER_FROZEN = "WORKORDER_FROZEN"
    DEVICE_PROPOSAL_DECIDED = "DEVICE_PROPOSAL_DECIDED"
    DEVICE_PROPOSAL_STALE = "DEVICE_PROPOSAL_STALE"
    CHECKLIST_UNKNOWN_ITEM = "CHECKLIST_UNKNOWN_ITEM"
    CHECKLIST_BAD_VALUE = "CHECKLIST_BAD_VALUE"
    CHECKLIST_INCOMPLETE = "CHECKLIST_INCOMPLETE"
    CHECKLIST_HAS_FAILED_ITEMS = "CHECKLIST_HAS_FAILED_ITEMS"
    CHECKLIST_NOTE_REQUIRED = "CHECKLIST_NOTE_REQUIRED"
    CHECKLIST_NO_TEMPLATE = "CHECKLIST_NO_TEMPLATE"
    CHECKLIST_NOT_A_RECORDER = "CHECKLIST_NOT_A_RECORDER"
    CHECKLIST_TEMPLATE_INVALID = "CHECKLIST_TEMPLATE_INVALID"
    CHECKLIST_TEMPLATE_SUPERSEDED = "CHECKLIST_TEMPLATE_SUPERSEDED"
    CLEANING_NOTHING_TO_CLEAN = "CLEANING_NOTHING_TO_CLEAN"
    INTERNAL = "INTERNAL"


MESSAGES: dict[ErrorCode, dict[Lang, str]] = {
    ErrorCode.CHECKLIST_UNKNOWN_ITEM: {
        "tr": "Bu kontrol listesinde '{item}' maddesi yok.",
        "en": "This checklist has no item '{item}'.",
    },
    ErrorCode.CHECKLIST_BAD_VALUE: {
        "tr": "'{item}' maddesinin cevabı bu madde türüne uymuyor.",
        "en": "The answer to '{item}' does not fit the item's type.",
    },
    ErrorCode.CHECKLIST_INCOMPLETE: {
        "tr": "Zorunlu maddeler cevaplanmadı: {items}.",
        "en": "Required items are not answered: {items}.",
    },
    ErrorCode.CHECKLIST_HAS_FAILED_ITEMS: {
        "tr": "Beklenenden farklı cevaplanan maddeler var ({items}); liste 'sorunlu' olarak, notla "
        "kapatılmalı.",
        "en": "Some items differ from the expected answer ({items}); mark the checklist as a problem, "
        "with a note.",
    },
    ErrorCode.CHECKLIST_NOTE_REQUIRED: {
        "tr": "Sorunlu olarak işaretlemek için ne olduğunu yazın.",
        "en": "Say what is wrong to mark it as a problem.",
    },
    ErrorCode.CHECKLIST_NO_TEMPLATE: {
        "tr": "Bu cihaz türü için kontrol listesi şablonu yok.",
        "en": "There is no checklist template for this kind of device.",
    },
    ErrorCode.CHECKLIST_NOT_A_RECORDER: {
        "tr": "Haftalık kayıt kontrolü yalnızca kayıt cihazları (NVR) için yapılır.",
        "en": "The weekly recording check is done for recorders (NVRs) only.",
    },
    ErrorCode.CHECKLIST_TEMPLATE_INVALID: {
        "tr": "Şablon geçersiz: {detail}.",
        "en": "The template is invalid: {detail}.",
    },
    ErrorCode.CHECKLIST_TEMPLATE_SUPERSEDED: {
        "tr": "Şablonun daha yeni bir sürümü var; değişikliği son sürüm üzerinde yapın.",
        "en": "The template has a newer version; make the change on the latest one.",
    },
    ErrorCode.CLEANING_NOTHING_TO_CLEAN: {
        "tr": "Bu sahada hizmette olan cihaz yok; bakım turu açılmadı.",
        "en": "This site has no device in service; no maintenance round was opened.",
    },
    ErrorCode.WORKORDER_FROZEN: {
        "tr": "İş emri '{status}' durumunda; onaya gönderildikten sonra alanları değiştirilemez. "
        "Değişiklik gerekiyorsa yönetici iş emrini gerekçesiyle iade etmeli.",
        "en": "The work order is '{status}'; its fields cannot change once it is submitted. If a "
        "change is needed, a manager must return it with a reason.",
    },
    ErrorCode.DEVICE_PROPOSAL_DECIDED: {
        "tr": "Bu envanter değişikliği önerisi zaten karara bağlanmış.",
        "en": "This inventory change proposal has already been decided.",
    },
    ErrorCode.DEVICE_PROPOSAL_STALE: {
        "tr": "Öneri yapıldığından beri cihazın {field} bilgisi değişti; öneri kabul edilemez, reddedin.",
        "en": "The device's {field} changed since this proposal was made; it cannot be accepted, reject it.",
    },
    ErrorCode.DIAGNOSTICS_NOT_A_CAMERA: {
        "tr": "Teşhis yalnızca kamera ve kayıt cihazları (NVR) için yapılır.",
        "en": "Only cameras and recorders (NVRs) can be diagnosed.",
    },
    ErrorCode.DIAGNOSTICS_TARGET_REFUSED: {
        "tr": "Bu cihaza bağlanılmaz: {reason}. Yalnızca envanterde kayıtlı ve adresi sahasının IP "
        "bloklarında olan cihazlar teşhis edilir.",
        "en": "Saha will not connect to this device: {reason}. Only registered devices whose address is "
        "inside their site's IP blocks are diagnosed.",
    },
    ErrorCode.DIAGNOSTICS_NO_CREDENTIALS: {
        "tr": "Bu cihazın ONVIF kullanıcı bilgileri tanımlı değil; yönetici cihaz sayfasından girmeli.",
        "en": "No ONVIF credentials are set for this device; an administrator must enter them.",
    },
    ErrorCode.DIAGNOSTICS_BUSY: {
        "tr": "Bu cihaz için zaten bir teşhis sürüyor; birazdan sonuçlara bakın.",
        "en": "A diagnosis of this device is already running; check the results shortly.",
    },
    ErrorCode.DIAGNOSTICS_NOTHING_TO_REPORT: {
        "tr": "Bu teşhiste sorun bulunmadı; arıza iş emri açılmaz.",
        "en": "This diagnosis found no problem; no fault work order is opened.",
    },
    ErrorCode.MINUTES_SIGNER_LOCKED: {
        "tr": "Bu telefondan {person} adına çok sayıda hatalı PIN denendi; {minutes} dakika boyunca buradan "
        "bu kişi adına PIN ile imza alınmıyor. {person} kendi telefonundan imzalayabilir.",
        "en": "Too many wrong PINs were tried for {person} from this sender; PIN signatures for them from "
        "here are paused for {minutes} minutes. {person} can still sign on their own phone.",
    },
    ErrorCode.MINUTES_SIGNED_AT_INVALID: {
        "tr": "İmza zamanı geçersiz: saat dilimli ISO 8601 bir zaman olmalı.",
        "en": "The signing time is invalid: it must be an ISO 8601 time with a time zone.",
    },
    ErrorCode.SIGNATURE_PASSKEY_UNKNOWN: {
        "tr": "Bu imzadaki passkey {person} adına kayıtlı değil ya da kaldırılmış. İmza reddedildi.",
        "en": "The passkey of this signature is not registered to {person}, or was removed. It was rejected.",
    },
    ErrorCode.SIGNATURE_PASSKEY_INVALID: {
        "tr": "{person} adına atılan passkey imzası doğrulanamadı ({detail}). İmza reddedildi; yeniden "
        "imzalayın.",
        "en": "The passkey signature made for {person} could not be verified ({detail}). It was rejected; "
        "sign again.",
    },
    ErrorCode.SIGNATURE_PIN_WRONG: {
        "tr": "{person} için girilen PIN yanlış. İmza reddedildi; {person} doğru PIN ile yeniden imzalamalı.",
        "en": "The PIN entered for {person} is wrong. The signature was rejected; {person} must sign again "
        "with the right PIN.",
    },
    ErrorCode.SIGNATURE_PIN_KEY_UNKNOWN: {
        "tr": "PIN, sunucunun artık kullanmadığı bir anahtarla şifrelenmiş. Uygulamayı çevrimiçi açıp "
        "yeniden imzalayın.",
        "en": "The PIN was encrypted for a key the server no longer uses. Open the app online and sign "
        "again.",
    },
    ErrorCode.SIGNATURE_SCHEME_RETIRED: {
        "tr": "Bu imza artık kullanılmayan eski PIN yöntemiyle yapılmış. Uygulamayı güncelleyip yeniden "
        "imzalayın.",
        "en": "This signature uses the retired PIN scheme. Update the app and sign again.",
    },
    ErrorCode.SIGNING_PIN_WEAK: {
        "tr": "Bu PIN kolay tahmin edilir (tek rakam tekrarı, 123456 gibi sıra ya da 121212 gibi tekrar). "
        "Başka bir PIN seçin.",
        "en": "This PIN is easy to guess (one digit repeated, a run like 123456, or a repeat like 121212). "
        "Choose another.",
    },
    ErrorCode.SIGNING_NOT_CONFIGURED: {
        "tr": "Sunucuda imza anahtarları yüklenmemiş; sistem yöneticisine bildirin.",
        "en": "The server has no signing keys loaded; tell the system administrator.",
    },
    ErrorCode.PASSKEY_TICKET_INVALID: {
        "tr": "Passkey kaydının süresi doldu ya da kayıt geçersiz; baştan başlayın.",
        "en": "The passkey registration expired or is invalid; start again.",
    },
    ErrorCode.PASSKEY_REGISTRATION_FAILED: {
        "tr": "Passkey kaydedilemedi ({detail}).",
        "en": "The passkey could not be registered ({detail}).",
    },
    ErrorCode.PASSKEY_ALREADY_REGISTERED: {
        "tr": "Bu passkey zaten kayıtlı.",
        "en": "This passkey is already registered.",
    },
    ErrorCode.PASSKEY_LIMIT: {
        "tr": "En fazla {max} passkey kaydedilebilir; önce kullanmadığınız birini kaldırın.",
        "en": "At most {max} passkeys can be registered; remove one you no longer use first.",
    },
    ErrorCode.AUTH_PASSWORD_CONFIRM_REQUIRED: {
        "tr": "Bu işlem için parolanızı yeniden girmeniz gerekiyor.",
        "en": "Enter your password again to do this.",
    },
    ErrorCode.COMMAND_ONLINE_ONLY: {
        "tr": "“{name}” yalnızca çevrimiçiyken, doğrudan yapılabilir; eşitleme kuyruğundan uygulanmaz.",
        "en": "“{name}” can only be done online, directly; it is not applied from the sync queue.",
    },
    ErrorCode.SURVEY_PRIVATE_AREA: {
        "tr": (
            "Bu noktaya kamera konulamaz: {area} özel alandır. Yönerge md. 7(4) uyarınca ofis, "
            "çalışma odası, tuvalet/lavabo ve bunlara açılan koridorlara kamera konulmaz (vezne "
            "alanları hariç)."
        ),
        "en": (
            "No camera may be placed here: {area} is a private area. Directive 7(4) forbids cameras "
            "in offices, work rooms, toilets and corridors opening onto them (cashier areas "
            "excepted)."
        ),
    },
    ErrorCode.SURVEY_NOT_PARTY: {
        "tr": (
            "Bu keşfin tarafı değilsiniz; yalnızca atanan teknisyen ve koruma güvenlik personeli "
            "düzenleyebilir."
        ),
        "en": "You are not a party to this survey; only its technician and security staff may edit it.",
    },
    ErrorCode.SURVEY_LOCKED: {
        "tr": "Keşif tutanağa bağlandı ve imza bekliyor; değiştirmek için önce tutanağı geri çekin.",
        "en": "The survey is frozen into minutes awaiting signatures; withdraw the minutes to change it.",
    },
    ErrorCode.SURVEY_INCOMPLETE: {
        "tr": "Tutanak oluşturulamıyor: {missing} eksik.",
        "en": "The minutes cannot be made; missing: {missing}.",
    },
    ErrorCode.SURVEY_WRONG_ROLE: {
        "tr": "{person} bu görev için uygun değil: {role} olmalı.",
        "en": "{person} cannot take this part: must be {role}.",
    },
    ErrorCode.SURVEY_NOT_SEALED: {
        "tr": "Keşif tutanağı henüz tüm taraflarca imzalanıp mühürlenmedi.",
        "en": "The survey minutes are not sealed yet.",
    },
    ErrorCode.SURVEY_NOT_FAVOURABLE: {
        "tr": "Keşif sonucu olumsuz; Olur kaydedilemez.",
        "en": "The survey was unfavourable; no approval can be recorded.",
    },
    ErrorCode.MINUTES_SEALED: {
        "tr": (
            "Tutanak imzalanıp mühürlendi; artık değiştirilemez. Düzeltme için yeni bir tutanak düzenleyin."
        ),
        "en": (
            "The minutes are signed and sealed and can no longer change. Make a correcting minutes "
            "document instead."
        ),
    },
    ErrorCode.MINUTES_WITHDRAWN: {
        "tr": "Bu tutanak geri çekildi.",
        "en": "These minutes were withdrawn.",
    },
    ErrorCode.MINUTES_CONTENT_MISMATCH: {
        "tr": (
            "Tutanak içeriği sunucudaki keşifle uyuşmuyor (keşif başka biri tarafından değiştirilmiş "
            "olabilir). Tutanağı yeniden oluşturun."
        ),
        "en": (
            "The minutes' content does not match the survey on the server (someone else may have "
            "changed it). Make the minutes again."
        ),
    },
    ErrorCode.MINUTES_WRONG_SIGNER: {
        "tr": "{person}, bu tutanağı “{role}” olarak imzalayamaz.",
        "en": "{person} cannot sign these minutes as “{role}”.",
    },
    ErrorCode.MINUTES_ALREADY_SIGNED: {
        "tr": "Bu tutanak “{role}” olarak zaten imzalandı.",
        "en": "These minutes are already signed as “{role}”.",
    },
    ErrorCode.MINUTES_SIGNER_NO_PIN: {
        "tr": "{person} henüz imza PIN'i belirlememiş; önce kendi hesabından (Hesap → İmza) PIN "
        "belirlemeli ya da kendi telefonunda passkey ile imzalamalı.",
        "en": "{person} has not set a signing PIN yet; they must set one in their account (Account → "
        "Signing) or sign with a passkey on their own phone.",
    },
    ErrorCode.MINUTES_SIGNATURE_INVALID: {
        "tr": (
            "{person} adına atılan imza doğrulanamadı (imza bozuk ya da başka bir belgeye ait). "
            "İmza reddedildi; yeniden imzalayın."
        ),
        "en": (
            "The signature made for {person} could not be verified (damaged, or it belongs to another "
            "document). It was rejected; sign again."
        ),
    },
    ErrorCode.MINUTES_NOT_SEALED: {
        "tr": "Tutanak henüz mühürlenmedi; PDF tüm imzalardan sonra hazırlanır.",
        "en": "The minutes are not sealed yet; the PDF comes after every signature.",
    },
    ErrorCode.MINUTES_BLOBS_PENDING: {
        "tr": "Tutanağın fotoğraf veya imza görüntüleri henüz yüklenmedi ({count} dosya bekleniyor).",
        "en": "Some photos or signature images of the minutes have not been uploaded yet ({count} waiting).",
    },
    ErrorCode.SIGNING_PIN_INVALID: {
        "tr": "İmza PIN'i 6 rakam olmalı.",
        "en": "The signing PIN must be 6 digits.",
    },
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
    ErrorCode.RATE_LIMITED: {
        "tr": "Bu adresten çok fazla istek geldi. Lütfen {seconds} saniye sonra tekrar deneyin.",
        "en": "Too many requests from this address. Please try again in {seconds} seconds.",
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
        "en": "A work order in status '{status}' does not allow '{action}'.",
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
    ErrorCode.IPBLOCK_RESERVED_RANGE: {
        "tr": "IP bloğu {cidr}, hiçbir cihazın bulunmadığı {range} adres aralığına giriyor (geri döngü, "
        "bağlantı-yerel, çok noktaya yayın ya da ayrılmış adresler kabul edilmez).",
        "en": "IP block {cidr} reaches into the {range} address range, where no device lives (loopback, "
        "link-local, multicast and reserved addresses are refused).",
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
    ErrorCode.DEVICE_IP_RESERVED_RANGE: {
        "tr": "{ip} adresi {range} aralığında; bir kamera ya da kayıt cihazı bu aralıkta olamaz (geri "
        "döngü, bağlantı-yerel, çok noktaya yayın ya da ayrılmış adres).",
        "en": "Address {ip} is in the {range} range; a camera or recorder cannot live there (loopback, "
        "link-local, multicast or reserved address).",
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
    ErrorCode.IMAGE_TOO_LARGE: {
        "tr": "Görüntü çok büyük ({size}): en fazla {max_megapixels} megapiksel kabul edilir. Fotoğrafı "
        "daha küçük bir çözünürlükte kaydedip yeniden yükleyin.",
        "en": "The image is too large ({size}): at most {max_megapixels} megapixels are accepted. Save "
        "it at a lower resolution and upload it again.",
    },
    ErrorCode.UPLOAD_QUOTA_EXCEEDED: {
        "tr": "Yükleme kotanız doldu: henüz hiçbir kayda bağlanmamış dosyalarınız ve yarım kalan "
        "yüklemeleriniz {quota_bytes} baytı aşamaz (şu an {used_bytes} bayt). Bekleyen dosyaları "
        "kayıtlara ekleyin ya da yarım kalan yüklemeleri tamamlayın.",
        "en": "Your upload quota is full: your files not yet attached to anything and your unfinished "
        "uploads may not exceed {quota_bytes} bytes (now {used_bytes} bytes). Attach the waiting files "
        "or finish the unfinished uploads.",
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
    ErrorCode.SYNC_COMMAND_FAILED: {
        "tr": "Sunucu bu işlemi uygulayamadı; işlem kenara ayrıldı ve kaydedildi, tekrar "
        "denenmeyecek. Birim yöneticisine bildirin (işlem no: {mutationId}).",
        "en": "The server could not apply this operation; it was set aside and recorded and will "
        "not be retried. Please tell the unit's administrator (operation id: {mutationId}).",
    },
    ErrorCode.INTERNAL: {
        "tr": "Beklenmeyen bir hata oluştu (istek no: {request_id}).",
        "en": "An unexpected error occurred (request id: {request_id}).",
    },
}


# The HTTP status of a refusal where the transport speaks HTTP statuses (uploads, files,
# verification); GraphQL answers refusals in its body. Codes not listed here: 400.
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.AUTH_REQUIRED: 401,
    ErrorCode.AUTH_SESSION_EXPIRED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.UPLOAD_NOT_FOUND: 404,
    ErrorCode.UPLOAD_OFFSET_MISMATCH: 409,
    ErrorCode.UPLOAD_BUSY: 423,
    ErrorCode.BLOB_TOO_LARGE: 413,
    ErrorCode.UPLOAD_QUOTA_EXCEEDED: 413,
    ErrorCode.IMAGE_TOO_LARGE: 422,
    ErrorCode.LIMIT_EXCEEDED: 413,
    ErrorCode.BLOB_TYPE_NOT_ALLOWED: 415,
    ErrorCode.BLOB_CHECKSUM_MISMATCH: 460,  # tus checksum extension's "Checksum Mismatch"
    ErrorCode.MINUTES_NOT_SEALED: 409,
    ErrorCode.MINUTES_BLOBS_PENDING: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL: 500,
}


def http_status(code: ErrorCode) -> int:
    return HTTP_STATUS.get(code, 400)


# The choices messages name, in each language: placeholder -> stored value -> words. A command
# passes the value (``wo.status``, ``Action.SUBMIT``, ``AreaType.OFFICE``), never words: a
# message is rendered when it is read, in the reader's language, and a sync reply stored in the
# ledger is rendered again for each replay. A placeholder may name several values
# (comma-separated); words may use the message's other parameters. A value without words here
# (e.g. a ledger row from before) is shown as it is.
TERMS: dict[str, dict[Lang, dict[str, str]]] = {
    "status": {  # WorkOrderStatus
        "tr": {
            "draft": "taslak",
            "assigned": "atandı",
            "in_progress": "devam ediyor",
            "submitted": "onay bekliyor",
            "approved": "onaylandı",
            "returned": "iade edildi",
            "closed": "kapatıldı",
        },
        "en": {
            "draft": "draft",
            "assigned": "assigned",
            "in_progress": "in progress",
            "submitted": "awaiting approval",
            "approved": "approved",
            "returned": "returned",
            "closed": "closed",
        },
    },
    "action": {  # workorders.rules.Action
        "tr": {
            "assign": "atama",
            "start": "başlatma",
            "add_note": "not ekleme",
            "submit": "onaya gönderme",
            "approve": "onaylama",
            "return": "iade",
            "close": "kapatma",
        },
        "en": {
            "assign": "assign",
            "start": "start",
            "add_note": "add a note",
            "submit": "submit for approval",
            "approve": "approve",
            "return": "return",
            "close": "close",
        },
    },
    "area": {  # the private AreaTypes (directive 7(4))
        "tr": {
            "office": "ofis",
            "work_room": "çalışma odası",
            "toilet": "tuvalet / lavabo",
            "corridor_to_private": "ofis, çalışma odası veya tuvalete açılan koridor",
        },
        "en": {
            "office": "an office",
            "work_room": "a work room",
            "toilet": "a toilet / lavatory",
            "corridor_to_private": "a corridor opening onto an office, work room or toilet",
        },
    },
    "role": {  # people.Role (a survey's parties and a minutes' signers: SignerRole, same values)
        "tr": {
            "technician": "teknisyen",
            "security": "koruma güvenlik personeli",
            "unit_head": "talep eden birim amiri",
            "manager": "şef / müdür",
            "zabita": "zabıta",
            "admin": "sistem yöneticisi",
        },
        "en": {
            "technician": "technician",
            "security": "protection and security staff",
            "unit_head": "head of the requesting unit",
            "manager": "manager",
            "zabita": "municipal police",
            "admin": "administrator",
        },
    },
    "missing": {  # what minutes need from a survey (surveys.commands)
        "tr": {
            "survey_date": "keşif tarihi",
            "conclusion": "keşif sonucu",
            "points": "en az bir kamera noktası",
            "recording_location": "kayıt yeri",
            "sign_count": "“izlenen alan” levhası sayısı",
        },
        "en": {
            "survey_date": "the survey date",
            "conclusion": "the conclusion",
            "points": "at least one camera point",
            "recording_location": "the recording location",
            "sign_count": "the number of “monitored area” signs",
        },
    },
    "reason": {  # why a diagnosis does not connect (diagnostics.queries.guard_target)
        "tr": {
            "out_of_service": "cihaz hizmette değil",
            "no_address": "cihazın IP adresi kayıtlı değil",
            "outside_blocks": "{ip} adresi sahanın IP bloklarında değil",
        },
        "en": {
            "out_of_service": "the device is not in service",
            "no_address": "the device has no registered IP address",
            "outside_blocks": "its address {ip} is outside the site's IP blocks",
        },
    },
}


def render(code: ErrorCode, lang: Lang = "tr", **params: Any) -> str:
    templates = MESSAGES[code]
    lang = lang if lang in templates else "tr"
    words = {name: _words(name, value, lang, params) for name, value in params.items()}
    try:
        return templates[lang].format(**words)
    except (KeyError, IndexError):
        return templates[lang]


def _words(name: str, value: Any, lang: Lang, params: dict[str, Any]) -> Any:
    """A parameter as the message shows it: a choice's words in ``lang`` (:data:`TERMS`)."""
    terms = TERMS.get(name, {}).get(lang)
    if terms is None or value is None:
        return value
    parts = [str(part) for part in str(value).split(", ")]
    if not all(part in terms for part in parts):
        return value
    try:
        return ", ".join(terms[part].format(**params) for part in parts)
    except (KeyError, IndexError):
        return value


@dataclass
class DomainError(Exception):
    """An expected, user-facing failure. Nothing the command did is kept."""

    code: ErrorCode
    field: str | None = None
    params: dict[str, Any] | None = None
    # A write to keep even though the command is refused (a record of a refused signature, so
    # the person it was made for learns of it); run in a fresh unit after the rollback.
    keep: Callable[[Any], None] | None = dc_field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        super().__init__(self.code.value)

    def message(self, lang: Lang = "tr") -> str:
        return render(self.code, lang, **(self.params or {}))
