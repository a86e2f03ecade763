"""Recorders only, through the ONVIF search service (Profile G): how many days are kept
(``retention``, directive 9) and whether recording advances (``recording_active``, directive
12(1)). One search serves both checks."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
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
    service_name,
    span,
    text,
)

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

log = logging.getLogger("saha.onvif")


async def _load_recordings(run: Run) -> Any:
    """One call to ``recorder_retention``, shared by the two recording checks."""
    if run.recordings_error is not None:
        raise run.recordings_error
    if run.recordings is not None:
        return run.recordings
    try:
        run.recordings = await _fetch_recordings(run)
    except BaseException as exc:
        run.recordings_error = exc
        raise
    return run.recordings


async def _fetch_recordings(run: Run) -> Any:
    unsupported = CheckEndedError(
        Verdict.NOT_SUPPORTED,
        "Cihaz ONVIF kayıt arama hizmeti (Profile G) sunmuyor: kayıtlar kayıt yazılımından elle "
        "kontrol edilmeli (md. 9, md. 12(1)).",
        {"services": sorted(service_name(ns) for ns in run.cam.xaddrs)},
    )
    if _soap.NS_SEARCH not in run.cam.xaddrs:
        run.services_unknown("kayıt arama hizmeti")
        raise unsupported
    retention = run.recorder_retention
    if retention is None:
        try:
            from backend.integrations.onvif.recording import recorder_retention as default_retention
        except ImportError as exc:
            log.error("recording module unavailable: %s", exc)
            raise CheckEndedError(
                Verdict.SKIPPED,
                "Kayıt denetimi modülü kullanılamıyor (yazılım hatası).",
                {"error": "ImportError"},
            ) from exc
        retention = functools.partial(
            default_retention,
            timeout=run.limits.call_timeout,
            stale_after=timedelta(minutes=run.thresholds.recording_stale_minutes),
        )
    # A search session takes several calls (find, poll results, end): twice the per-call limit.
    seconds = 2 * run.limits.call_timeout
    try:
        data = await run.call(retention(run.cam, run.now()), "kayıt arama", seconds)
    except CallTimeoutError:
        raise
    except Exception as exc:
        if _soap.is_unsupported(exc):
            raise CheckEndedError(
                unsupported.outcome[0],
                unsupported.outcome[1],
                _soap.describe_error(exc, secrets=run.secrets),
            ) from exc
        if type(exc).__name__ == "RecordingServiceError" and not _soap.is_auth_error(exc):
            evidence = _soap.describe_error(exc, secrets=run.secrets)
            raise CheckEndedError(
                Verdict.FAIL, f"Kayıt bilgisi alınamadı: {evidence['detail'][:200]}", evidence
            ) from exc
        run.fault(exc, unsupported=unsupported.outcome[1], failed="Kayıt bilgisi alınamadı")
    if data is None:
        raise unsupported
    return data


def _recording_evidence(data: Any) -> dict[str, Any]:
    recordings = getattr(data, "recordings", None)
    count = len(recordings) if isinstance(recordings, list | tuple) else recordings
    earliest, latest = getattr(data, "earliest", None), getattr(data, "latest", None)
    return {
        "earliest": aware(earliest).isoformat() if isinstance(earliest, datetime) else None,
        "latest": aware(latest).isoformat() if isinstance(latest, datetime) else None,
        "days": _soap.jsonable(getattr(data, "days", None)),
        "recordings": _soap.jsonable(count),
        "advancing": _soap.jsonable(getattr(data, "advancing", None)),
        "channels": [_channel(r) for r in _channels(data)[:32]],
    }


def _channels(data: Any) -> list[Any]:
    per_recording = getattr(data, "per_recording", None)
    return list(per_recording) if isinstance(per_recording, list | tuple) else []


def _channel(recording: Any) -> dict[str, Any]:
    def stamp(value: Any) -> str | None:
        return aware(value).isoformat() if isinstance(value, datetime) else None

    return {
        "token": text(getattr(recording, "token", None), 64),
        "source": text(getattr(recording, "source", None), 64) or None,
        "earliest": stamp(getattr(recording, "earliest", None)),
        "latest": stamp(getattr(recording, "latest", None)),
        "status": text(getattr(recording, "status", None), 32) or None,
    }


async def retention(run: Run) -> Outcome:
    data = await _load_recordings(run)
    evidence = _recording_evidence(data)
    minimum = run.thresholds.retention_min_days
    evidence["min_days"] = minimum
    days = getattr(data, "days", None)
    rule = f"Yönerge md. 9: en az {num(minimum, 0)} gün saklanmalı."
    if not isinstance(days, int | float):
        return Verdict.FAIL, f"Cihazda kayıt bulunamadı. {rule}", evidence
    if days < minimum:
        return Verdict.FAIL, f"Kayıtlar yalnızca {num(days)} günlük. {rule}", evidence
    return (
        Verdict.OK,
        f"Kayıtlar {num(days)} günlük (Yönerge md. 9: en az {num(minimum, 0)} gün).",
        evidence,
    )


async def recording_active(run: Run) -> Outcome:
    data = await _load_recordings(run)
    evidence = _recording_evidence(data)
    stale = run.thresholds.recording_stale_minutes
    evidence["stale_minutes"] = stale
    latest = getattr(data, "latest", None)
    if not isinstance(latest, datetime):
        return Verdict.FAIL, "Cihazda kayıt bulunamadı: kayıt ilerlemiyor.", evidence
    age = (aware(run.now()) - aware(latest)).total_seconds()
    evidence["age_minutes"] = round(age / 60, 1)
    if age > stale * 60:
        return Verdict.FAIL, f"Son kayıt {span(age)} önce: kayıt ilerlemiyor.", evidence
    if getattr(data, "advancing", None) is False:
        return Verdict.FAIL, "Son kayıt zamanı güncellenmiyor: kayıt ilerlemiyor.", evidence
    channels = _channels(data)
    now = aware(run.now())
    stopped = [
        c
        for c in channels
        if not isinstance(getattr(c, "latest", None), datetime)
        or (now - aware(c.latest)).total_seconds() > stale * 60
    ]
    if stopped and len(stopped) < len(channels):
        # A recorder can advance as a whole while one camera's channel has stopped (or was retired).
        names = ", ".join(
            text(getattr(c, "source", None) or getattr(c, "token", ""), 40) for c in stopped[:5]
        )
        more = f" (+{len(stopped) - 5})" if len(stopped) > 5 else ""
        evidence["stopped_channels"] = [text(getattr(c, "token", ""), 64) for c in stopped[:32]]
        return (
            Verdict.WARNING,
            f"Kayıt sürüyor, ama {len(channels)} kanaldan {len(stopped)} tanesinde kayıt ilerlemiyor: "
            f"{names}{more}.",
            evidence,
        )
    return Verdict.OK, f"Kayıt sürüyor (son kayıt {span(max(age, 0))} önce).", evidence
