"""Who answers: the credentials (``auth``, confirmed with GetDeviceInformation), the
device's identity (``device_info``) and its firmware against the approved baseline (``firmware``)."""

from __future__ import annotations

import email.utils
import logging
from typing import TYPE_CHECKING, Any

from backend.integrations.onvif import _failures, _identity, _soap, _transport
from backend.integrations.onvif._failures import CallTimeoutError, FailureKind
from backend.integrations.onvif.diagnose.model import (
    Check,
    CheckEndedError,
    Outcome,
    Verdict,
)
from backend.integrations.onvif.diagnose.text import (
    aware,
    service_name,
    span,
    text,
)

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

log = logging.getLogger("saha.onvif")


async def auth(run: Run) -> Outcome:
    t = run.target
    evidence: dict[str, Any] = {"username": t.username or None}
    if run.cam is None:
        # Every request goes to the checked address only, without redirects, with capped answers;
        # nat_override pins every service address the device advertises to that address.
        limits = _transport.ClientLimits(
            run.budget, run.limits.connect_timeout, run.limits.max_response_bytes
        )
        run.cam = _transport.safe_camera_class()(
            run.address,
            t.port,
            t.username,
            t.password,
            limits=limits,
            adjust_time=True,
            no_cache=True,
            nat_override=True,
        )
    refused = await _discover_services(run, evidence)
    if refused is not None:
        return refused
    run.devicemgmt = await run.call(run.cam.create_devicemgmt_service(), "ONVIF istemcisi hazırlığı")
    try:
        info = await run.call(run.devicemgmt.GetDeviceInformation(), "GetDeviceInformation")
    except CallTimeoutError:
        raise
    except Exception as exc:
        if _soap.is_auth_error(exc):
            return _refused(run, exc, evidence)
        failure = _failures.classify(exc, what="GetDeviceInformation")
        evidence.update(failure.as_evidence())
        return (
            Verdict.FAIL,
            f"Kimlik doğrulaması denenemedi (parola sorunu değil). {failure.message_tr}",
            evidence,
        )
    run.info = _soap.plain(info) or {}
    run.auth_ok = True
    anonymous = await _answers_anonymously(run)
    evidence["anonymous_access"] = anonymous
    if not (t.username or t.password):
        return (
            Verdict.WARNING,
            "Bu cihaz için kullanıcı adı/parola tanımlı değil ve cihaz parolasız yanıt veriyor: "
            "cihaza parola konmalı, parola Saha'ya girilmeli.",
            evidence,
        )
    if anonymous:
        return (
            Verdict.WARNING,
            "Parola kabul edildi, ancak cihaz parolasız isteklere de yanıt veriyor: "
            "ONVIF kimlik doğrulaması kapalı olabilir.",
            evidence,
        )
    return Verdict.OK, "Kullanıcı adı/parola kabul edildi.", evidence


def _refused(run: Run, exc: BaseException, evidence: dict[str, Any]) -> Outcome:
    evidence.update(_soap.describe_error(exc, secrets=run.secrets))
    evidence.update(
        failure=FailureKind.CREDENTIALS_REFUSED.value, message_en="The username/password was refused."
    )
    if not (run.target.username or run.target.password):
        return (
            Verdict.FAIL,
            "Cihaz kullanıcı adı/parola istiyor, ama bu cihaz için kimlik bilgisi tanımlı değil.",
            evidence,
        )
    message = "Kullanıcı adı/parola kabul edilmedi."
    if run.http_auth_only:
        message += (
            " Cihaz ONVIF isteklerinde HTTP kimlik doğrulaması istiyor; cihazın ONVIF kimlik doğrulama "
            "ayarı WS-UsernameToken'ı da kabul edecek biçimde değiştirilmeli."
        )
    offset = _http_date_offset(run)
    if offset is not None and abs(offset) >= max(60.0, run.thresholds.clock_fail_s):
        # WS-Security tokens carry a timestamp; a device whose clock is far off refuses even the
        # right password, and one that hides its time behind the password cannot be compensated.
        evidence["http_date_offset_s"] = round(offset, 1)
        message += (
            f" Cihazın HTTP saat başlığı sunucudan {span(offset)} {'ileri' if offset > 0 else 'geri'}: "
            "saat farkı da reddedilme nedeni olabilir; cihaz saati eşitlenip yeniden denenmeli."
        )
    return Verdict.FAIL, message, evidence


def _http_date_offset(run: Run) -> float | None:
    """Device clock minus server clock from the HTTP Date header of the ONVIF probe (a hint only:
    some devices put local time there)."""
    if run.http_date is None or not run.http_date[0]:
        return None
    try:
        device = email.utils.parsedate_to_datetime(run.http_date[0])
    except (TypeError, ValueError):
        return None
    return (aware(device) - aware(run.http_date[1])).total_seconds()


async def _discover_services(run: Run, evidence: dict[str, Any]) -> Outcome | None:
    """The device's service addresses: GetServices, else GetCapabilities; an outcome only when
    the credentials were refused. When both fail, ``services_failure`` says why."""
    # Several requests (the device clock for WS-Security, GetServices, maybe GetCapabilities),
    # each bounded by the transport; the whole by three call limits and the deadline.
    seconds = 3 * run.limits.call_timeout
    try:
        await run.call(run.cam.update_xaddrs(), "GetServices", seconds)
        evidence["services_source"] = "services" if run.cam.xaddrs else None
    except CallTimeoutError:
        raise
    except Exception as exc:
        if _soap.is_auth_error(exc):
            return _refused(run, exc, evidence)
        evidence["services_error"] = _failures.classify(exc, what="GetServices").as_evidence()
        try:
            await run.call(run.cam.get_capabilities(), "GetCapabilities", seconds)
            evidence["services_source"] = "capabilities"
        except CallTimeoutError:
            raise
        except Exception as fallback:
            if _soap.is_auth_error(fallback):
                return _refused(run, fallback, evidence)
            run.services_failure = _failures.classify(fallback, what="GetCapabilities")
            evidence["capabilities_error"] = run.services_failure.as_evidence()
    if not run.cam.xaddrs and run.services_failure is None:
        run.services_failure = _failures.Failure(
            FailureKind.EMPTY_ANSWER,
            "Cihaz boş bir hizmet listesi döndürdü.",
            "The device returned an empty service list.",
        )
    evidence["services"] = sorted(service_name(ns) for ns in run.cam.xaddrs)
    return None


async def _answers_anonymously(run: Run) -> bool:
    """Whether GetDeviceInformation also works without WS-Security (authentication switched off)."""
    if not (run.target.username or run.target.password):
        return True
    try:
        await run.call(run.devicemgmt.authless_GetDeviceInformation(), "GetDeviceInformation", 2.0)
    except Exception:  # any refusal, fault or silence means "not anonymously"
        return False
    return True


async def device_info(run: Run) -> Outcome:
    identity, problems = _identity.read_identity(run.info)
    if problems:
        # Nothing of a malformed answer reaches the inventory: not even its well-formed fields.
        run.device = {}
        names = ", ".join(f"{key} ({problem})" for key, problem in sorted(problems.items()))
        return (
            Verdict.FAIL,
            "Cihazın kimlik bilgisi bozuk ya da eksik döndü (eksik alan, aşırı uzunluk ya da kontrol "
            f"karakteri: {names}); envantere yazılmadı.",
            {
                "problems": problems,
                "failure": "bad_identity",
                "message_en": "The device identity is malformed or incomplete; not written to the "
                f"inventory ({names}).",
            },
        )
    run.device = identity
    d = run.device
    if not d:
        return Verdict.WARNING, "Cihaz kimlik bilgisi (marka, model, seri no) boş döndü.", {}
    parts = [" ".join(p for p in (d.get("make"), d.get("model")) if p)]
    if d.get("serial"):
        parts.append(f"seri no {d['serial']}")
    if d.get("firmware"):
        parts.append(f"yazılım {d['firmware']}")
    return Verdict.OK, " · ".join(p for p in parts if p), dict(d)


async def firmware(run: Run) -> Outcome:
    info = run.results.get(Check.DEVICE_INFO)
    if info is not None and info.evidence.get("failure") == "bad_identity":
        raise CheckEndedError(
            Verdict.SKIPPED,
            "Cihazın kimlik bilgisi bozuk döndüğü için yazılım sürümü değerlendirilmedi.",
            {"blocked_by": "device_info"},
        )
    actual = run.device.get("firmware", "")
    approved = text(run.approved_firmware)
    evidence: dict[str, Any] = {"firmware": actual or None, "approved": approved or None}
    if not approved:
        return Verdict.SKIPPED, "Bu model için onaylı yazılım sürümü tanımlı değil.", evidence
    if not actual:
        return Verdict.WARNING, f"Cihaz yazılım sürümünü bildirmiyor; onaylı sürüm {approved}.", evidence
    if actual == approved:
        return Verdict.OK, f"Yazılım sürümü onaylı sürümle aynı ({actual}).", evidence
    where = "kayıt cihazında" if run.target.is_recorder else "kamerada"
    return Verdict.WARNING, f"Onaylı sürüm {approved}, {where} {actual}.", evidence
