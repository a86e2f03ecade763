"""The device clock against the server's (``clock``): footage with a wrong clock loses its
evidential value."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from backend.integrations.onvif import _soap
from backend.integrations.onvif._failures import CallTimeoutError
from backend.integrations.onvif.diagnose.model import (
    CheckEndedError,
    Outcome,
    Verdict,
)
from backend.integrations.onvif.diagnose.text import (
    aware,
    num,
    onvif_datetime,
    span,
)

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

log = logging.getLogger("saha.onvif")


async def clock(run: Run) -> Outcome:
    source = "authless"
    if run.clock_sample is None:
        if not run.auth_ok:
            raise CheckEndedError(
                Verdict.SKIPPED,
                "Cihaz saatini parolasız vermiyor ve parola kabul edilmedi: saat okunamadı.",
                {"blocked_by": "auth"},
            )
        before = run.now()
        try:
            answer = await run.call(run.devicemgmt.GetSystemDateAndTime(), "GetSystemDateAndTime")
        except CallTimeoutError:
            raise
        except Exception as exc:
            run.fault(exc, unsupported="Cihaz saat bilgisini vermiyor.", failed="Cihaz saati okunamadı")
        run.clock_sample = (_soap.plain(answer) or {}, before, run.now())
        source = "authenticated"
    answer, before, after = run.clock_sample
    return judge_clock(run, answer, before, after, source)


def judge_clock(run: Run, answer: dict[str, Any], before: datetime, after: datetime, source: str) -> Outcome:
    server = aware(before) + (aware(after) - aware(before)) / 2
    evidence: dict[str, Any] = {
        "source": source,
        "server_time": server.isoformat(),
        "time_type": answer.get("DateTimeType"),
        "timezone": (answer.get("TimeZone") or {}).get("TZ"),
        "resolution_s": 1,
    }
    device = onvif_datetime(answer.get("UTCDateTime"))
    if device is None:
        local = onvif_datetime(answer.get("LocalDateTime"))
        if local is None:
            return Verdict.NOT_SUPPORTED, "Cihaz saat bilgisini vermiyor.", evidence
        evidence["device_local_time"] = local.replace(tzinfo=None).isoformat()
        return (
            Verdict.WARNING,
            "Cihaz UTC saatini bildirmiyor (yalnızca yerel saat): saat farkı ölçülemedi; "
            "cihazda saat dilimi ve NTP ayarı kontrol edilmeli.",
            evidence,
        )
    drift = (device - server).total_seconds()
    evidence.update(device_time=device.isoformat(), drift_s=round(drift, 1))
    magnitude = abs(drift)
    clock = "Kayıt cihazının saati" if run.target.is_recorder else "Kamera saati"
    direction = "ileri" if drift > 0 else "geri"
    if magnitude >= run.thresholds.clock_warning_s:
        verdict = Verdict.FAIL if magnitude >= run.thresholds.clock_fail_s else Verdict.WARNING
        message = (
            f"{clock} sunucudan {span(magnitude)} {direction}: kayıtların delil değeri için saat "
            "eşitlenmeli (NTP)."
        )
        if str(answer.get("DateTimeType") or "").lower() == "manual":
            message += " Saat elle ayarlanmış; cihaza NTP sunucusu tanımlanmalı."
        return verdict, message, evidence
    return Verdict.OK, f"{clock} sunucuyla uyumlu (fark {num(magnitude)} sn).", evidence
