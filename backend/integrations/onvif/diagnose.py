"""Diagnose one ONVIF device — a camera or a recorder — and say in plain Turkish what is wrong.

Remote first (directive 15(1)): the server, or the on-site probe on a technician's laptop, runs
:func:`diagnose` against one address. The checks run in a fixed order; each yields a
:class:`CheckResult` with a verdict, a message a technician can act on, JSON-able evidence and
its duration. A check that an earlier failure makes impossible is ``SKIPPED`` with the reason
(no TCP connection → nothing else is tried; credentials refused → only the clock, if the device
told it without a password). An unexpected exception inside one check becomes ``FAIL`` for that
check, with the exception class in the evidence; :func:`diagnose` itself does not raise for
device problems.

What is checked, and why:

* ``tcp``, ``onvif`` — reachability; ``authless GetSystemDateAndTime`` also gives the clock.
* ``auth`` — confirmed with ``GetDeviceInformation`` (``update_xaddrs`` alone succeeds with a
  wrong password on many devices); a device that also answers *without* a password is a warning.
* ``device_info``, ``firmware`` — identity, and the firmware against the approved baseline.
* ``clock`` — drift against the server: footage with a wrong clock loses evidential value.
* ``network``, ``profiles``, ``stream_uri``, ``snapshot``, ``image_health``, ``ptz``.
* recorders only: ``retention`` (directive 9: at least 20 days) and ``recording_active``
  (directive 12(1): the weekly "is it recording" check).

Every network call is bounded by :class:`Limits`. Nothing is shared between calls but the parsed
WSDLs (once per process, see :func:`warm_up`): each diagnosis owns its ONVIF client and HTTP
sessions and closes them, so many can run at once (the caller limits how many).

The password is never put into evidence, messages, ``repr`` or JSON; URLs are reported without
credentials, and the device is never allowed to steer requests to another host (service
addresses and snapshot URLs are pinned to the target's address).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import hashlib
import inspect
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from backend.integrations.onvif import _failures, _identity, _probe, _snapshot, _soap, _transport
from backend.integrations.onvif._failures import FailureKind

log = logging.getLogger("saha.onvif")

T = TypeVar("T")


class Verdict(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAIL = "fail"
    NOT_SUPPORTED = "not_supported"  # the device does not offer it; not a fault
    SKIPPED = (
        "skipped"  # not tried: an earlier check failed, or a prerequisite (baseline, reference) is missing
    )


class Check(StrEnum):
    TCP = "tcp"
    ONVIF = "onvif"
    AUTH = "auth"
    DEVICE_INFO = "device_info"
    FIRMWARE = "firmware"
    CLOCK = "clock"
    NETWORK = "network"
    PROFILES = "profiles"
    STREAM_URI = "stream_uri"
    SNAPSHOT = "snapshot"
    IMAGE_HEALTH = "image_health"
    PTZ = "ptz"
    RETENTION = "retention"
    RECORDING_ACTIVE = "recording_active"


RECORDER_ONLY = (Check.RETENTION, Check.RECORDING_ACTIVE)
CAMERA_CHECKS: tuple[Check, ...] = tuple(c for c in Check if c not in RECORDER_ONLY)
RECORDER_CHECKS: tuple[Check, ...] = tuple(Check)
_SEVERITY = {Verdict.OK: 0, Verdict.WARNING: 1, Verdict.FAIL: 2}


@dataclass(frozen=True)
class Target:
    host: str
    port: int = 80
    username: str = ""
    password: str = field(default="", repr=False)
    is_recorder: bool = False

    def to_json(self) -> dict[str, Any]:
        """Everything but the password."""
        return {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "is_recorder": self.is_recorder,
        }


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 3.0
    call_timeout: float = 8.0  # each SOAP call, the snapshot download, the image analysis
    max_snapshot_bytes: int = 8 * 1024 * 1024
    max_response_bytes: int = _transport.DEFAULT_MAX_RESPONSE_BYTES  # each SOAP answer
    deadline: float = 25.0  # the whole diagnosis; checks not reached by then say so
    allow_loopback: bool = False  # development and tests only: devices never live on loopback


@dataclass(frozen=True)
class Thresholds:
    clock_warning_s: float = 5.0
    clock_fail_s: float = 30.0
    retention_min_days: float = 20.0  # directive 9: recordings are kept at least 20 days
    recording_stale_minutes: float = 30.0


@dataclass(frozen=True)
class CheckResult:
    check: Check
    verdict: Verdict
    message_tr: str
    evidence: dict[str, Any]  # JSON-able only
    duration_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check.value,
            "verdict": self.verdict.value,
            "message_tr": self.message_tr,
            "evidence": self.evidence,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class Diagnosis:
    target: Target
    started_at: datetime
    finished_at: datetime
    results: list[CheckResult]
    device: dict[str, str] = field(default_factory=dict)  # make, model, serial, firmware, hardware_id
    snapshot: bytes | None = field(default=None, repr=False)
    snapshot_type: str | None = None

    @property
    def overall(self) -> Verdict:
        """The worst of ok < warning < fail; not_supported and skipped do not make it worse."""
        worst = Verdict.OK
        for result in self.results:
            if _SEVERITY.get(result.verdict, 0) > _SEVERITY[worst]:
                worst = result.verdict
        return worst

    def result(self, check: Check) -> CheckResult | None:
        return next((r for r in self.results if r.check is check), None)

    def to_json(self) -> dict[str, Any]:
        """Everything except the snapshot bytes (their size and SHA-256 instead) and the password."""
        return {
            "target": self.target.to_json(),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "overall": self.overall.value,
            "results": [r.to_json() for r in self.results],
            "device": dict(self.device),
            "snapshot_type": self.snapshot_type,
            "snapshot_bytes": len(self.snapshot) if self.snapshot is not None else None,
            "snapshot_sha256": hashlib.sha256(self.snapshot).hexdigest()
            if self.snapshot is not None
            else None,
        }


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def diagnose(
    target: Target,
    *,
    approved_firmware: str | None = None,
    reference_image: bytes | None = None,
    now: Callable[[], datetime] = _utcnow,
    limits: Limits = Limits(),
    thresholds: Thresholds = Thresholds(),
    assess_image: Callable[[bytes, bytes], Any] | None = None,
    recorder_retention: Callable[[Any, datetime], Awaitable[Any]] | None = None,
) -> Diagnosis:
    """Run every check against ``target``; never raises for anything the device does.

    ``assess_image(reference, snapshot)`` defaults to ``backend.integrations.imaging.health.assess``
    and ``recorder_retention(camera, now)`` to ``backend.integrations.onvif.recording
    .recorder_retention`` (both imported only when needed). ``now`` is the server clock the device
    clock is compared with, and stamps ``started_at``/``finished_at``.
    """
    run = _Run(
        target,
        approved_firmware=approved_firmware,
        reference_image=reference_image,
        now=now,
        limits=limits,
        thresholds=thresholds,
        assess_image=assess_image,
        recorder_retention=recorder_retention,
    )
    return await run.execute()


async def warm_up() -> None:
    """Parse the ONVIF WSDLs once (~0.2-0.3 s of CPU), e.g. at server start.

    onvif-zeep-async caches parsed WSDLs per process, but does not share a parse in progress: a
    burst of concurrent first diagnoses would each parse them. Contacts no device.
    """
    camera_class = _soap.onvif_camera_class()
    camera = camera_class("127.0.0.1", 9, "", "", no_cache=True)
    camera.xaddrs = dict.fromkeys(
        (_soap.NS_MEDIA, _soap.NS_PTZ, _soap.NS_SEARCH, _soap.NS_RECORDING), "http://127.0.0.1:9/onvif/unused"
    )
    try:
        await camera.create_devicemgmt_service()
        await camera.create_media_service()
        await camera.create_ptz_service()
        await camera.create_search_service()
        await camera.create_recording_service()
    finally:
        await camera.close()


# The one process-wide state: whether the WSDLs are parsed. onvif-zeep-async keeps parsed WSDLs
# in a module-level cache but lets concurrent first users each parse them (measured: 10 cold
# diagnoses at once took 3.4 s instead of 0.5 s, and the parse runs inside a call's timeout).
# The first diagnosis parses them once, in a worker thread, whichever event loop it runs on.
_WSDL_READY = threading.Event()
_WSDL_LOCK = threading.Lock()


def _warm_up_once() -> None:
    with _WSDL_LOCK:
        if not _WSDL_READY.is_set():
            asyncio.run(warm_up())
            _WSDL_READY.set()


async def _ensure_wsdl() -> None:
    if _WSDL_READY.is_set():
        return
    try:
        await asyncio.to_thread(_warm_up_once)
    except Exception as exc:  # the checks will meet the same problem and report it
        log.warning("parsing the ONVIF WSDLs failed: %r", exc)


# ---- internals -------------------------------------------------------------------------------------

Outcome = tuple[Verdict, str, dict[str, Any]]


class _CheckEndedError(Exception):
    """Ends a check with a given outcome (skipped, not supported, or a mapped failure)."""

    def __init__(self, verdict: Verdict, message: str, evidence: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.outcome: Outcome = (verdict, message, evidence or {})


_CallTimeoutError = _failures.CallTimeoutError  # a per-call limit, or (subclass) the overall deadline


def _num(value: float, digits: int = 1) -> str:
    """Turkish decimal comma: 12.5 → "12,5"."""
    return f"{value:.{digits}f}".replace(".", ",")


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} sn"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} dk"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} sa {minutes} dk" if minutes else f"{hours} sa"
    days, hours = divmod(hours, 24)
    return f"{days} gün {hours} sa"


def _text(value: Any, limit: int = 120) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _Run:
    """The state of one diagnosis (nothing here outlives it)."""

    def __init__(
        self,
        target: Target,
        *,
        approved_firmware: str | None,
        reference_image: bytes | None,
        now: Callable[[], datetime],
        limits: Limits,
        thresholds: Thresholds,
        assess_image: Callable[[bytes, bytes], Any] | None,
        recorder_retention: Callable[[Any, datetime], Awaitable[Any]] | None,
    ) -> None:
        self.target = target
        self.approved_firmware = approved_firmware
        self.reference_image = reference_image
        self.now = now
        self.limits = limits
        self.thresholds = thresholds
        self.assess_image = assess_image
        self.recorder_retention = recorder_retention
        self.secrets = (target.password,) if target.password else ()
        self.noun = "Kayıt cihazı" if target.is_recorder else "Kamera"
        self.results: dict[Check, CheckResult] = {}
        self.cam: Any = None
        self.devicemgmt: Any = None
        self.media: Any = None
        self.clock_sample: tuple[dict[str, Any], datetime, datetime] | None = None
        self.http_date: tuple[str | None, datetime] | None = None
        self.http_auth_only = False
        self.info: dict[str, Any] = {}
        self.device: dict[str, str] = {}
        self.auth_ok = False
        self.profiles: list[dict[str, Any]] = []
        self.snapshot: bytes | None = None
        self.snapshot_type: str | None = None
        self.recordings: Any = None
        self.recordings_error: BaseException | None = None
        self.budget = _transport.Budget(limits.deadline, limits.call_timeout)
        self.address = target.host  # the checked address every connection goes to (set by _tcp)
        self.services_failure: _failures.Failure | None = None  # GetServices and GetCapabilities both failed
        self.current: Check | None = None

    # ---- orchestration ---------------------------------------------------------------------------

    async def execute(self) -> Diagnosis:
        plan = RECORDER_CHECKS if self.target.is_recorder else CAMERA_CHECKS
        started = self.now()
        try:
            # A backstop: every call is bounded by the budget already, this ends whatever is not.
            async with asyncio.timeout(self.limits.deadline + 1.0):
                await self._sequence(plan)
        except TimeoutError:
            if self.current is not None and self.current not in self.results:
                ended = _failures.DeadlineExceededError("", self.limits.deadline)
                self._deadline_result(self.current, ended, 0)
            self._not_reached(plan)
        finally:
            await self._close()
        finished = self.now()
        results = [
            self.results.get(c)
            or CheckResult(c, Verdict.SKIPPED, "Denetim çalıştırılmadı.", {"reason": "not_run"}, 0)
            for c in plan
        ]
        return Diagnosis(
            target=self.target,
            started_at=started,
            finished_at=finished,
            results=results,
            device=dict(self.device),
            snapshot=self.snapshot,
            snapshot_type=self.snapshot_type,
        )

    async def _sequence(self, plan: Sequence[Check]) -> None:
        tcp = await self._step(Check.TCP, self._tcp)
        if tcp.verdict is Verdict.FAIL:
            refused = tcp.evidence.get("failure") == FailureKind.ADDRESS_REFUSED
            why = "Adres reddedildiği" if refused else "TCP bağlantısı kurulamadığı"
            self._skip_rest(plan, f"{why} için denenmedi.", "tcp")
            return
        onvif = await self._step(Check.ONVIF, self._onvif)
        if onvif.verdict is Verdict.FAIL:
            self._skip_rest(plan, "ONVIF hizmeti yanıt vermediği için denenmedi.", "onvif")
            return
        await _ensure_wsdl()
        auth = await self._step(Check.AUTH, self._auth)
        if auth.verdict is Verdict.FAIL:
            if self.budget.expired:
                self._not_reached(plan)
                return
            await self._step(Check.CLOCK, self._clock)
            refused = auth.evidence.get("failure") == FailureKind.CREDENTIALS_REFUSED
            why = (
                "Kullanıcı adı/parola kabul edilmediği"
                if refused
                else "Kimlik doğrulama adımı tamamlanamadığı"
            )
            self._skip_rest(plan, f"{why} için denenmedi.", "auth")
            return
        steps: list[tuple[Check, Callable[[], Coroutine[Any, Any, Outcome]]]] = [
            (Check.DEVICE_INFO, self._device_info),
            (Check.FIRMWARE, self._firmware),
            (Check.CLOCK, self._clock),
            (Check.NETWORK, self._network),
            (Check.PROFILES, self._profiles),
            (Check.STREAM_URI, self._stream_uri),
            (Check.SNAPSHOT, self._snapshot),
            (Check.IMAGE_HEALTH, self._image_health),
            (Check.PTZ, self._ptz),
            (Check.RETENTION, self._retention),
            (Check.RECORDING_ACTIVE, self._recording_active),
        ]
        for check, run in steps:
            if check in plan:
                if self.budget.expired:
                    self._not_reached(plan)
                    return
                await self._step(check, run)

    def _not_reached(self, plan: Sequence[Check]) -> None:
        """Every check without a result: not reached, because the diagnosis ran out of time."""
        seconds = _num(self.limits.deadline).replace(",0", "")
        self._skip_rest(
            plan,
            f"Ulaşılamadı: teşhis için ayrılan {seconds} sn doldu (not reached: deadline).",
            "deadline",
        )

    def _deadline_result(self, check: Check, exc: _failures.FailureError, duration_ms: int) -> CheckResult:
        failure = _failures.classify(exc)
        result = CheckResult(check, Verdict.FAIL, failure.message_tr, failure.as_evidence(), duration_ms)
        self.results[check] = result
        return result

    def _skip_rest(self, plan: Sequence[Check], message: str, blocked_by: str) -> None:
        if blocked_by != "deadline" and self.budget.expired:
            self._not_reached(plan)
            return
        for check in plan:
            if check not in self.results:
                self.results[check] = CheckResult(
                    check, Verdict.SKIPPED, message, {"blocked_by": blocked_by}, 0
                )

    async def _step(self, check: Check, run: Callable[[], Coroutine[Any, Any, Outcome]]) -> CheckResult:
        started = time.perf_counter()
        self.current = check
        try:
            verdict, message, evidence = await run()
        except _CheckEndedError as early:
            verdict, message, evidence = early.outcome
        except _failures.DeadlineExceededError as exc:
            return self._deadline_result(check, exc, int((time.perf_counter() - started) * 1000))
        except _CallTimeoutError as timeout:
            verdict = Verdict.FAIL
            message = f"{self.noun} {timeout.what} isteğine {_num(timeout.seconds)} sn içinde yanıt vermedi."
            evidence = {
                "error": "TimeoutError",
                "call": timeout.what,
                "timeout_s": timeout.seconds,
                "failure": FailureKind.TIMEOUT.value,
                "message_en": f"The device did not answer {timeout.what} within {timeout.seconds:g} s.",
            }
        except Exception as exc:  # one check's surprise must not stop the others
            failure = _failures.classify(exc)
            if failure.kind is FailureKind.UNEXPECTED:
                log.warning(
                    "diagnose %s: %s check failed unexpectedly",
                    _address(self.target.host, self.target.port),
                    check,
                    exc_info=exc,
                )
            verdict, message, evidence = Verdict.FAIL, failure.message_tr, failure.as_evidence()
        duration_ms = int((time.perf_counter() - started) * 1000)
        result = CheckResult(check, verdict, message[:1000], _soap.jsonable(evidence), duration_ms)
        self.results[check] = result
        return result

    async def _call(self, awaitable: Awaitable[T], what: str, seconds: float | None = None) -> T:
        """``awaitable`` within the per-call limit (or ``seconds``) and the overall deadline."""
        if self.budget.expired:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise _failures.DeadlineExceededError(what, self.limits.deadline)
        limit, by_deadline = self.budget.cap(seconds)
        try:
            async with asyncio.timeout(limit):
                return await awaitable
        except TimeoutError as exc:
            if by_deadline:
                raise _failures.DeadlineExceededError(what, self.limits.deadline) from exc
            raise _CallTimeoutError(what, limit) from exc

    async def _close(self) -> None:
        if self.cam is None:
            return
        try:
            async with asyncio.timeout(2.0):
                await self.cam.close()
        except Exception as exc:  # closing must not turn a diagnosis into an error
            log.debug("closing the ONVIF client failed: %r", exc)

    def _fault(self, exc: BaseException, *, unsupported: str, failed: str) -> NoReturn:
        """Map an exception from an optional ONVIF operation to an outcome, or re-raise it."""
        evidence = _soap.describe_error(exc, secrets=self.secrets)
        if _soap.is_unsupported(exc):
            raise _CheckEndedError(Verdict.NOT_SUPPORTED, unsupported, evidence) from exc
        if _soap.is_auth_error(exc):
            raise _CheckEndedError(
                Verdict.WARNING,
                "Bu kullanıcının bu bilgiyi okuma yetkisi yok (cihaz isteği reddetti).",
                evidence,
            ) from exc
        if _soap.is_fault(exc):
            raise _CheckEndedError(Verdict.FAIL, f"{failed}: {evidence['detail'][:200]}", evidence) from exc
        raise exc

    # ---- reachability ----------------------------------------------------------------------------

    async def _tcp(self) -> Outcome:
        t = self.target
        address = _address(t.host, t.port)
        evidence: dict[str, Any] = {"address": address, "timeout_s": self.limits.connect_timeout}
        started = time.perf_counter()
        policy = _transport.AddressPolicy(allow_loopback=self.limits.allow_loopback)
        try:
            seconds, _ = self.budget.cap(self.limits.connect_timeout)
            self.address = await _transport.guard_address(t.host, t.port, policy, seconds)
            async with asyncio.timeout(seconds):
                _reader, writer = await asyncio.open_connection(self.address, t.port)
        except _failures.FailureError as refused:
            failure = _failures.classify(refused)
            evidence.update(failure.as_evidence())
            return Verdict.FAIL, failure.message_tr, evidence
        except TimeoutError:
            evidence["error"] = "TimeoutError"
            return (
                Verdict.FAIL,
                f"{address} adresine {_num(self.limits.connect_timeout)} sn içinde bağlanılamadı: "
                "cihaz kapalı, ağ bağlantısı kopuk ya da bir güvenlik duvarı engelliyor olabilir.",
                evidence,
            )
        except ConnectionRefusedError:
            evidence["error"] = "ConnectionRefusedError"
            return (
                Verdict.FAIL,
                f"{address} bağlantıyı reddetti: cihaz ağda ama bu portta hizmet yok "
                "(port yanlış ya da ONVIF kapalı).",
                evidence,
            )
        except socket.gaierror as exc:
            evidence.update(error="gaierror", detail=str(exc)[:200])
            return (
                Verdict.FAIL,
                f"{t.host} adresi çözümlenemedi: adres yanlış ya da DNS erişilemiyor.",
                evidence,
            )
        except OSError as exc:
            evidence.update(
                error=type(exc).__name__, errno=exc.errno, detail=(exc.strerror or str(exc))[:200]
            )
            return (
                Verdict.FAIL,
                f"{address} adresine bağlanılamadı ({exc.strerror or type(exc).__name__}).",
                evidence,
            )
        connect_ms = round((time.perf_counter() - started) * 1000, 1)
        peer = writer.get_extra_info("peername")
        writer.close()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()
        evidence.update(connect_ms=connect_ms, peer=peer[0] if isinstance(peer, tuple) and peer else None)
        return Verdict.OK, f"{address} adresine bağlanıldı ({_num(connect_ms, 0)} ms).", evidence

    async def _onvif(self) -> Outcome:
        t = self.target
        endpoint = f"http://{_transport.url_host(self.address)}:{t.port}/onvif/device_service"
        evidence: dict[str, Any] = {"endpoint": endpoint}
        before = self.now()
        started = time.perf_counter()
        try:
            answer = await self._call(
                _probe.probe(
                    endpoint,
                    connect_timeout=self.limits.connect_timeout,
                    total_timeout=self.budget.cap()[0],
                    max_body=self.limits.max_response_bytes,
                ),
                "GetSystemDateAndTime",
            )
        except _CallTimeoutError:
            raise
        except (OSError, aiohttp.ClientError, _failures.FailureError) as exc:
            failure = _failures.classify(exc, what="GetSystemDateAndTime")
            evidence.update(failure.as_evidence())
            return Verdict.FAIL, f"ONVIF isteğine yanıt alınamadı. {failure.message_tr}", evidence
        after = self.now()
        self.http_date = (answer.http_date, before + (after - before) / 2)
        evidence.update(
            http_status=answer.status,
            response_ms=round((time.perf_counter() - started) * 1000, 1),
            http_date=answer.http_date,
        )
        if answer.time is not None:
            self.clock_sample = (answer.time, before, after)
            evidence["authless_time"] = True
            return Verdict.OK, "ONVIF hizmeti yanıt veriyor.", evidence
        evidence["authless_time"] = False
        if answer.soap:
            evidence["fault"] = _soap.jsonable(answer.fault)
            return (
                Verdict.OK,
                "ONVIF hizmeti yanıt veriyor; cihaz saat sorgusu için de parola istiyor "
                "(saat, kimlik doğrulamasından sonra okunacak).",
                evidence,
            )
        if answer.status in (401, 403):
            self.http_auth_only = True
            return (
                Verdict.OK,
                f"ONVIF adresi HTTP kimlik doğrulaması istiyor (HTTP {answer.status}); "
                "saat, kimlik doğrulamasından sonra okunacak.",
                evidence,
            )
        evidence["content_type"] = answer.content_type
        if answer.bad_xml:
            failure = _failures.classify(
                _failures.FailureError(FailureKind.BAD_XML, reason="syntax", http_status=answer.status)
            )
            evidence.update(failure.as_evidence())
            return Verdict.FAIL, f"ONVIF isteğine geçerli yanıt alınamadı. {failure.message_tr}", evidence
        what = f"HTTP {answer.status}" if answer.status != 200 else "SOAP olmayan yanıt"
        return (
            Verdict.FAIL,
            f"{_address(t.host, t.port)} adresinde ONVIF hizmeti bulunamadı ({what}): "
            "port yanlış ya da cihazda ONVIF kapalı olabilir.",
            evidence,
        )

    # ---- identity ------------------------------------------------------------------------------

    def _refused(self, exc: BaseException, evidence: dict[str, Any]) -> Outcome:
        evidence.update(_soap.describe_error(exc, secrets=self.secrets))
        evidence.update(
            failure=FailureKind.CREDENTIALS_REFUSED.value, message_en="The username/password was refused."
        )
        if not (self.target.username or self.target.password):
            return (
                Verdict.FAIL,
                "Cihaz kullanıcı adı/parola istiyor, ama bu cihaz için kimlik bilgisi tanımlı değil.",
                evidence,
            )
        message = "Kullanıcı adı/parola kabul edilmedi."
        if self.http_auth_only:
            message += (
                " Cihaz ONVIF isteklerinde HTTP kimlik doğrulaması istiyor; cihazın ONVIF kimlik doğrulama "
                "ayarı WS-UsernameToken'ı da kabul edecek biçimde değiştirilmeli."
            )
        offset = self._http_date_offset()
        if offset is not None and abs(offset) >= max(60.0, self.thresholds.clock_fail_s):
            # WS-Security tokens carry a timestamp; a device whose clock is far off refuses even the
            # right password, and one that hides its time behind the password cannot be compensated.
            evidence["http_date_offset_s"] = round(offset, 1)
            message += (
                f" Cihazın HTTP saat başlığı sunucudan {_span(offset)} {'ileri' if offset > 0 else 'geri'}: "
                "saat farkı da reddedilme nedeni olabilir; cihaz saati eşitlenip yeniden denenmeli."
            )
        return Verdict.FAIL, message, evidence

    def _http_date_offset(self) -> float | None:
        """Device clock minus server clock from the HTTP Date header of the ONVIF probe (a hint only:
        some devices put local time there)."""
        if self.http_date is None or not self.http_date[0]:
            return None
        try:
            device = email.utils.parsedate_to_datetime(self.http_date[0])
        except (TypeError, ValueError):
            return None
        return (_aware(device) - _aware(self.http_date[1])).total_seconds()

    async def _auth(self) -> Outcome:
        t = self.target
        evidence: dict[str, Any] = {"username": t.username or None}
        if self.cam is None:
            # Every request goes to the checked address only, without redirects, with capped answers;
            # nat_override pins every service address the device advertises to that address.
            limits = _transport.ClientLimits(
                self.budget, self.limits.connect_timeout, self.limits.max_response_bytes
            )
            self.cam = _transport.safe_camera_class()(
                self.address,
                t.port,
                t.username,
                t.password,
                limits=limits,
                adjust_time=True,
                no_cache=True,
                nat_override=True,
            )
        refused = await self._discover_services(evidence)
        if refused is not None:
            return refused
        self.devicemgmt = await self._call(self.cam.create_devicemgmt_service(), "ONVIF istemcisi hazırlığı")
        try:
            info = await self._call(self.devicemgmt.GetDeviceInformation(), "GetDeviceInformation")
        except _CallTimeoutError:
            raise
        except Exception as exc:
            if _soap.is_auth_error(exc):
                return self._refused(exc, evidence)
            failure = _failures.classify(exc, what="GetDeviceInformation")
            evidence.update(failure.as_evidence())
            return (
                Verdict.FAIL,
                f"Kimlik doğrulaması denenemedi (parola sorunu değil). {failure.message_tr}",
                evidence,
            )
        self.info = _soap.plain(info) or {}
        self.auth_ok = True
        anonymous = await self._answers_anonymously()
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

    async def _discover_services(self, evidence: dict[str, Any]) -> Outcome | None:
        """The device's service addresses: GetServices, else GetCapabilities; an outcome only when
        the credentials were refused. When both fail, ``services_failure`` says why."""
        # Several requests (the device clock for WS-Security, GetServices, maybe GetCapabilities),
        # each bounded by the transport; the whole by three call limits and the deadline.
        seconds = 3 * self.limits.call_timeout
        try:
            await self._call(self.cam.update_xaddrs(), "GetServices", seconds)
            evidence["services_source"] = "services" if self.cam.xaddrs else None
        except _CallTimeoutError:
            raise
        except Exception as exc:
            if _soap.is_auth_error(exc):
                return self._refused(exc, evidence)
            evidence["services_error"] = _failures.classify(exc, what="GetServices").as_evidence()
            try:
                await self._call(self.cam.get_capabilities(), "GetCapabilities", seconds)
                evidence["services_source"] = "capabilities"
            except _CallTimeoutError:
                raise
            except Exception as fallback:
                if _soap.is_auth_error(fallback):
                    return self._refused(fallback, evidence)
                self.services_failure = _failures.classify(fallback, what="GetCapabilities")
                evidence["capabilities_error"] = self.services_failure.as_evidence()
        if not self.cam.xaddrs and self.services_failure is None:
            self.services_failure = _failures.Failure(
                FailureKind.EMPTY_ANSWER,
                "Cihaz boş bir hizmet listesi döndürdü.",
                "The device returned an empty service list.",
            )
        evidence["services"] = sorted(_service_name(ns) for ns in self.cam.xaddrs)
        return None

    def _services_unknown(self, what: str) -> None:
        """End a check that needs the service list when the device gave none."""
        if self.services_failure is None:
            return
        raise _CheckEndedError(
            Verdict.FAIL,
            f"Cihazın hizmet listesi alınamadı (GetServices ve GetCapabilities başarısız): {what} "
            f"denetlenemedi. {self.services_failure.message_tr}",
            {"blocked_by": "services", **self.services_failure.as_evidence()},
        )

    async def _answers_anonymously(self) -> bool:
        """Whether GetDeviceInformation also works without WS-Security (authentication switched off)."""
        if not (self.target.username or self.target.password):
            return True
        try:
            await self._call(self.devicemgmt.authless_GetDeviceInformation(), "GetDeviceInformation", 2.0)
        except Exception:  # any refusal, fault or silence means "not anonymously"
            return False
        return True

    async def _device_info(self) -> Outcome:
        identity, problems = _identity.read_identity(self.info)
        if problems:
            # Nothing of a malformed answer reaches the inventory: not even its well-formed fields.
            self.device = {}
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
        self.device = identity
        d = self.device
        if not d:
            return Verdict.WARNING, "Cihaz kimlik bilgisi (marka, model, seri no) boş döndü.", {}
        parts = [" ".join(p for p in (d.get("make"), d.get("model")) if p)]
        if d.get("serial"):
            parts.append(f"seri no {d['serial']}")
        if d.get("firmware"):
            parts.append(f"yazılım {d['firmware']}")
        return Verdict.OK, " · ".join(p for p in parts if p), dict(d)

    async def _firmware(self) -> Outcome:
        info = self.results.get(Check.DEVICE_INFO)
        if info is not None and info.evidence.get("failure") == "bad_identity":
            raise _CheckEndedError(
                Verdict.SKIPPED,
                "Cihazın kimlik bilgisi bozuk döndüğü için yazılım sürümü değerlendirilmedi.",
                {"blocked_by": "device_info"},
            )
        actual = self.device.get("firmware", "")
        approved = _text(self.approved_firmware)
        evidence: dict[str, Any] = {"firmware": actual or None, "approved": approved or None}
        if not approved:
            return Verdict.SKIPPED, "Bu model için onaylı yazılım sürümü tanımlı değil.", evidence
        if not actual:
            return Verdict.WARNING, f"Cihaz yazılım sürümünü bildirmiyor; onaylı sürüm {approved}.", evidence
        if actual == approved:
            return Verdict.OK, f"Yazılım sürümü onaylı sürümle aynı ({actual}).", evidence
        where = "kayıt cihazında" if self.target.is_recorder else "kamerada"
        return Verdict.WARNING, f"Onaylı sürüm {approved}, {where} {actual}.", evidence

    # ---- clock ---------------------------------------------------------------------------------

    async def _clock(self) -> Outcome:
        source = "authless"
        if self.clock_sample is None:
            if not self.auth_ok:
                raise _CheckEndedError(
                    Verdict.SKIPPED,
                    "Cihaz saatini parolasız vermiyor ve parola kabul edilmedi: saat okunamadı.",
                    {"blocked_by": "auth"},
                )
            before = self.now()
            try:
                answer = await self._call(self.devicemgmt.GetSystemDateAndTime(), "GetSystemDateAndTime")
            except _CallTimeoutError:
                raise
            except Exception as exc:
                self._fault(exc, unsupported="Cihaz saat bilgisini vermiyor.", failed="Cihaz saati okunamadı")
            self.clock_sample = (_soap.plain(answer) or {}, before, self.now())
            source = "authenticated"
        answer, before, after = self.clock_sample
        return self._judge_clock(answer, before, after, source)

    def _judge_clock(self, answer: dict[str, Any], before: datetime, after: datetime, source: str) -> Outcome:
        server = _aware(before) + (_aware(after) - _aware(before)) / 2
        evidence: dict[str, Any] = {
            "source": source,
            "server_time": server.isoformat(),
            "time_type": answer.get("DateTimeType"),
            "timezone": (answer.get("TimeZone") or {}).get("TZ"),
            "resolution_s": 1,
        }
        device = _onvif_datetime(answer.get("UTCDateTime"))
        if device is None:
            local = _onvif_datetime(answer.get("LocalDateTime"))
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
        clock = "Kayıt cihazının saati" if self.target.is_recorder else "Kamera saati"
        direction = "ileri" if drift > 0 else "geri"
        if magnitude >= self.thresholds.clock_warning_s:
            verdict = Verdict.FAIL if magnitude >= self.thresholds.clock_fail_s else Verdict.WARNING
            message = (
                f"{clock} sunucudan {_span(magnitude)} {direction}: kayıtların delil değeri için saat "
                "eşitlenmeli (NTP)."
            )
            if str(answer.get("DateTimeType") or "").lower() == "manual":
                message += " Saat elle ayarlanmış; cihaza NTP sunucusu tanımlanmalı."
            return verdict, message, evidence
        return Verdict.OK, f"{clock} sunucuyla uyumlu (fark {_num(magnitude)} sn).", evidence

    # ---- network and media ---------------------------------------------------------------------

    async def _network(self) -> Outcome:
        try:
            answer = await self._call(self.devicemgmt.GetNetworkInterfaces(), "GetNetworkInterfaces")
        except _CallTimeoutError:
            raise
        except Exception as exc:
            self._fault(
                exc,
                unsupported="Cihaz ağ arayüzü bilgisini vermiyor (GetNetworkInterfaces desteklenmiyor).",
                failed="Ağ arayüzü bilgisi alınamadı",
            )
        interfaces = [_interface(i) for i in (_soap.plain(answer) or [])][:16]
        if not interfaces:
            return Verdict.NOT_SUPPORTED, "Cihaz ağ arayüzü listesini boş döndürdü.", {"interfaces": []}
        summary = "; ".join(
            " ".join(
                p
                for p in (
                    i["name"] or i["token"] or "?",
                    i["mac"],
                    ", ".join(i["ipv4"]),
                    "(DHCP)" if i["dhcp"] else "(sabit IP)",
                )
                if p
            )
            for i in interfaces
        )
        return Verdict.OK, f"{len(interfaces)} ağ arayüzü: {summary}.", {"interfaces": interfaces}

    async def _media_service(self) -> Any:
        if self.media is None:
            self._services_unknown("medya profilleri ve görüntü")
            try:
                self.media = await self._call(self.cam.create_media_service(), "medya hizmeti hazırlığı")
            except _CallTimeoutError:
                raise
            except Exception as exc:
                self._fault(
                    exc, unsupported="Cihaz ONVIF medya hizmeti sunmuyor.", failed="Medya hizmeti kurulamadı"
                )
        return self.media

    async def _profiles(self) -> Outcome:
        media = await self._media_service()
        try:
            answer = await self._call(media.GetProfiles(), "GetProfiles")
        except _CallTimeoutError:
            raise
        except Exception as exc:
            self._fault(
                exc, unsupported="Cihaz medya profillerini vermiyor.", failed="Medya profilleri alınamadı"
            )
        self.profiles = [_profile(p) for p in (_soap.plain(answer) or [])]
        evidence = {"profiles": self.profiles[:16], "count": len(self.profiles)}
        if not self.profiles:
            return Verdict.FAIL, "Cihazda görüntü profili yok: görüntü akışı alınamaz.", evidence
        summary = "; ".join(_profile_summary(p) for p in self.profiles[:4])
        more = f" (+{len(self.profiles) - 4})" if len(self.profiles) > 4 else ""
        return Verdict.OK, f"{len(self.profiles)} profil: {summary}{more}.", evidence

    def _first_profile(self, what: str) -> str:
        if not self.profiles or not self.profiles[0].get("token"):
            raise _CheckEndedError(
                Verdict.SKIPPED,
                f"Görüntü profili olmadığı için {what} istenmedi.",
                {"blocked_by": "profiles"},
            )
        token: str = self.profiles[0]["token"]
        return token

    async def _stream_uri(self) -> Outcome:
        token = self._first_profile("yayın adresi")
        request = {
            "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
            "ProfileToken": token,
        }
        try:
            answer = await self._call(self.media.GetStreamUri(request), "GetStreamUri")
        except _CallTimeoutError:
            raise
        except Exception as exc:
            self._fault(exc, unsupported="Cihaz RTSP yayın adresi vermiyor.", failed="Yayın adresi alınamadı")
        uri = _text((_soap.plain(answer) or {}).get("Uri"), 1000)
        if not uri:
            return Verdict.FAIL, "Cihaz yayın adresini boş döndürdü.", {"profile": token}
        safe = _soap.strip_credentials(uri)
        parts = urlsplit(safe)
        evidence: dict[str, Any] = {
            "profile": token,
            "uri": safe,
            "scheme": parts.scheme.lower(),
            "host_matches_target": _same_address(parts.hostname, self.target.host),
        }
        if parts.scheme.lower() not in ("rtsp", "rtsps"):
            return Verdict.WARNING, f"Yayın adresi RTSP değil: {safe}", evidence
        return Verdict.OK, f"Yayın adresi: {safe}", evidence

    async def _snapshot(self) -> Outcome:
        token = self._first_profile("anlık görüntü")
        try:
            answer = await self._call(self.media.GetSnapshotUri({"ProfileToken": token}), "GetSnapshotUri")
        except _CallTimeoutError:
            raise
        except Exception as exc:
            if _soap.is_fault(exc):  # snapshots are optional in ONVIF Profile S
                raise _CheckEndedError(
                    Verdict.NOT_SUPPORTED,
                    "Cihaz anlık görüntü adresi vermiyor.",
                    _soap.describe_error(exc, secrets=self.secrets),
                ) from exc
            raise
        uri = _text((_soap.plain(answer) or {}).get("Uri"), 1000)
        if not uri:
            return Verdict.NOT_SUPPORTED, "Cihaz anlık görüntü adresini boş döndürdü.", {"profile": token}
        url, rewritten = self._pin_to_target(uri)
        evidence: dict[str, Any] = {"profile": token, "uri": _soap.strip_credentials(url)}
        if rewritten:
            evidence["advertised_host"] = urlsplit(uri).hostname
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return Verdict.FAIL, "Anlık görüntü adresi HTTP değil.", evidence
        seconds, by_deadline = self.budget.cap()
        try:
            fetched = await _snapshot.fetch(
                url,
                host=self.address,
                username=self.target.username,
                password=self.target.password,
                connect_timeout=self.limits.connect_timeout,
                total_timeout=seconds,
                max_bytes=self.limits.max_snapshot_bytes,
            )
        except TimeoutError as exc:
            if by_deadline:
                raise _failures.DeadlineExceededError("anlık görüntü", self.limits.deadline) from exc
            raise _CallTimeoutError("anlık görüntü", seconds) from exc
        except _snapshot.SnapshotError as exc:
            evidence.update(error=exc.reason, **exc.details)
            limit_mb = _num(self.limits.max_snapshot_bytes / 2**20)
            messages = {
                "too_large": f"Anlık görüntü {limit_mb} MB sınırını aşıyor.",
                "too_many_redirects": "Anlık görüntü adresi çok fazla yönlendirme yapıyor.",
                "other_host": "Anlık görüntü adresi başka bir cihaza yönlendiriyor; güvenlik için izlenmedi.",
            }
            return Verdict.FAIL, messages.get(exc.reason, "Anlık görüntü alınamadı."), evidence
        evidence.update(
            http_status=fetched.status,
            auth_scheme=fetched.scheme,
            content_type=fetched.declared_type,
            redirects=fetched.redirects,
        )
        if fetched.status in (401, 403):
            return (
                Verdict.FAIL,
                f"Anlık görüntü için kullanıcı adı/parola kabul edilmedi (HTTP {fetched.status}).",
                evidence,
            )
        if fetched.status != 200:
            return Verdict.FAIL, f"Anlık görüntü alınamadı (HTTP {fetched.status}).", evidence
        kind = _snapshot.image_type(fetched.body)
        evidence["bytes"] = len(fetched.body)
        if kind is None:
            return (
                Verdict.FAIL,
                f"Anlık görüntü adresi görüntü yerine başka bir şey döndürdü ({fetched.declared_type}, "
                f"{len(fetched.body)} bayt).",
                evidence,
            )
        self.snapshot, self.snapshot_type = fetched.body, kind
        size = _snapshot.image_size(fetched.body)
        evidence.update(image_type=kind, sha256=hashlib.sha256(fetched.body).hexdigest())
        if size:
            evidence.update(width=size[0], height=size[1])
        label = "JPEG" if kind == "image/jpeg" else "PNG"
        dims = f", {size[0]}×{size[1]}" if size else ""
        if fetched.scheme == "none":
            return (
                Verdict.WARNING,
                f"Anlık görüntü alındı ({label}{dims}), ama parola sorulmadan veriliyor: görüntüye yetkisiz "
                "erişilebilir (izleme yetkisi, md. 11).",
                evidence,
            )
        scheme = "Digest" if fetched.scheme == "digest" else "Basic"
        kib = _num(len(fetched.body) / 1024, 0)
        return (
            Verdict.OK,
            f"Anlık görüntü alındı ({kib} KB {label}{dims}, {scheme} kimlik doğrulaması).",
            evidence,
        )

    def _pin_to_target(self, uri: str) -> tuple[str, bool]:
        """The snapshot URL without user-info, on the target's host: the device must not send us elsewhere."""
        parts = urlsplit(uri.strip())
        port = parts.port
        host = self.address
        rewritten = not _same_address(parts.hostname, self.target.host) and not _same_address(
            parts.hostname, host
        )
        netloc_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        netloc = f"{netloc_host}:{port}" if port else netloc_host
        return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), rewritten

    async def _image_health(self) -> Outcome:
        if self.snapshot is None:
            raise _CheckEndedError(
                Verdict.SKIPPED,
                "Anlık görüntü alınamadığı için görüntü sağlığı değerlendirilemedi.",
                {"blocked_by": "snapshot"},
            )
        if not self.reference_image:
            raise _CheckEndedError(
                Verdict.SKIPPED,
                "Referans görüntü yok: kabulde ya da temizlikten sonra referans belirleyin.",
                {"reason": "no_reference"},
            )
        assess = self.assess_image
        if assess is None:
            try:
                from backend.integrations.imaging.health import assess as default_assess
            except ImportError as exc:
                log.error("image health module unavailable: %s", exc)
                raise _CheckEndedError(
                    Verdict.SKIPPED,
                    "Görüntü sağlığı modülü kullanılamıyor (yazılım hatası).",
                    {"error": "ImportError"},
                ) from exc
            assess = default_assess
        reference, snapshot = self.reference_image, self.snapshot
        if inspect.iscoroutinefunction(assess):
            report = await self._call(assess(reference, snapshot), "görüntü analizi")
        else:
            report = await self._call(asyncio.to_thread(assess, reference, snapshot), "görüntü analizi")
        if inspect.isawaitable(report):
            report = await self._call(report, "görüntü analizi")
        raw = getattr(report, "verdict", "")
        verdict_text = str(getattr(raw, "value", raw)).lower()
        evidence = {
            "verdict": verdict_text,
            "problems": _soap.jsonable(getattr(report, "problems", None)),
            "metrics": _soap.jsonable(getattr(report, "metrics", None)),
        }
        mapped = {"ok": Verdict.OK, "warning": Verdict.WARNING, "fail": Verdict.FAIL}.get(verdict_text)
        message = _text(getattr(report, "message_tr", ""), 1000)
        if mapped is None:
            return Verdict.FAIL, f"Görüntü sağlığı sonucu anlaşılamadı ({verdict_text or 'boş'}).", evidence
        defaults = {
            Verdict.OK: "Görüntü referansla uyumlu.",
            Verdict.WARNING: "Görüntüde referansa göre bozulma var.",
            Verdict.FAIL: "Görüntü referanstan belirgin biçimde farklı.",
        }
        return mapped, message or defaults[mapped], evidence

    async def _ptz(self) -> Outcome:
        xaddrs = self.cam.xaddrs
        if _soap.NS_PTZ not in xaddrs:
            if self.services_failure is not None or not xaddrs:
                raise _CheckEndedError(
                    Verdict.SKIPPED,
                    "Cihaz hizmet listesini vermediği için PTZ belirlenemedi.",
                    {"ptz": None, "blocked_by": "services"},
                )
            return Verdict.OK, f"{self.noun} PTZ (döndürme/eğme/yakınlaştırma) desteklemiyor.", {"ptz": False}
        evidence: dict[str, Any] = {"ptz": True}
        try:
            service = await self._call(self.cam.create_ptz_service(), "PTZ hizmeti hazırlığı")
            nodes = _soap.plain(await self._call(service.GetNodes(), "GetNodes")) or []
        except _CallTimeoutError:
            raise
        except Exception as exc:
            evidence.update(_soap.describe_error(exc, secrets=self.secrets))
            return Verdict.WARNING, "PTZ hizmeti var, ama PTZ düğümleri okunamadı.", evidence
        evidence["nodes"] = [
            {
                "token": _text(n.get("token")),
                "name": _text(n.get("Name")),
                "max_presets": n.get("MaximumNumberOfPresets"),
                "home_supported": n.get("HomeSupported"),
            }
            for n in nodes[:8]
            if isinstance(n, dict)
        ]
        names = ", ".join(n["name"] or n["token"] for n in evidence["nodes"]) or "düğüm yok"
        return Verdict.OK, f"PTZ var ({names}).", evidence

    # ---- recorders -----------------------------------------------------------------------------

    async def _load_recordings(self) -> Any:
        """One call to ``recorder_retention``, shared by the two recording checks."""
        if self.recordings_error is not None:
            raise self.recordings_error
        if self.recordings is not None:
            return self.recordings
        try:
            self.recordings = await self._fetch_recordings()
        except BaseException as exc:
            self.recordings_error = exc
            raise
        return self.recordings

    async def _fetch_recordings(self) -> Any:
        unsupported = _CheckEndedError(
            Verdict.NOT_SUPPORTED,
            "Cihaz ONVIF kayıt arama hizmeti (Profile G) sunmuyor: kayıtlar kayıt yazılımından elle "
            "kontrol edilmeli (md. 9, md. 12(1)).",
            {"services": sorted(_service_name(ns) for ns in self.cam.xaddrs)},
        )
        if _soap.NS_SEARCH not in self.cam.xaddrs:
            self._services_unknown("kayıt arama hizmeti")
            raise unsupported
        retention = self.recorder_retention
        if retention is None:
            try:
                from backend.integrations.onvif.recording import recorder_retention as default_retention
            except ImportError as exc:
                log.error("recording module unavailable: %s", exc)
                raise _CheckEndedError(
                    Verdict.SKIPPED,
                    "Kayıt denetimi modülü kullanılamıyor (yazılım hatası).",
                    {"error": "ImportError"},
                ) from exc
            retention = functools.partial(
                default_retention,
                timeout=self.limits.call_timeout,
                stale_after=timedelta(minutes=self.thresholds.recording_stale_minutes),
            )
        # A search session takes several calls (find, poll results, end): twice the per-call limit.
        seconds = 2 * self.limits.call_timeout
        try:
            data = await self._call(retention(self.cam, self.now()), "kayıt arama", seconds)
        except _CallTimeoutError:
            raise
        except Exception as exc:
            if _soap.is_unsupported(exc):
                raise _CheckEndedError(
                    unsupported.outcome[0],
                    unsupported.outcome[1],
                    _soap.describe_error(exc, secrets=self.secrets),
                ) from exc
            if type(exc).__name__ == "RecordingServiceError" and not _soap.is_auth_error(exc):
                evidence = _soap.describe_error(exc, secrets=self.secrets)
                raise _CheckEndedError(
                    Verdict.FAIL, f"Kayıt bilgisi alınamadı: {evidence['detail'][:200]}", evidence
                ) from exc
            self._fault(exc, unsupported=unsupported.outcome[1], failed="Kayıt bilgisi alınamadı")
        if data is None:
            raise unsupported
        return data

    def _recording_evidence(self, data: Any) -> dict[str, Any]:
        recordings = getattr(data, "recordings", None)
        count = len(recordings) if isinstance(recordings, list | tuple) else recordings
        earliest, latest = getattr(data, "earliest", None), getattr(data, "latest", None)
        return {
            "earliest": _aware(earliest).isoformat() if isinstance(earliest, datetime) else None,
            "latest": _aware(latest).isoformat() if isinstance(latest, datetime) else None,
            "days": _soap.jsonable(getattr(data, "days", None)),
            "recordings": _soap.jsonable(count),
            "advancing": _soap.jsonable(getattr(data, "advancing", None)),
            "channels": [_channel(r) for r in self._channels(data)[:32]],
        }

    @staticmethod
    def _channels(data: Any) -> list[Any]:
        per_recording = getattr(data, "per_recording", None)
        return list(per_recording) if isinstance(per_recording, list | tuple) else []

    async def _retention(self) -> Outcome:
        data = await self._load_recordings()
        evidence = self._recording_evidence(data)
        minimum = self.thresholds.retention_min_days
        evidence["min_days"] = minimum
        days = getattr(data, "days", None)
        rule = f"Yönerge md. 9: en az {_num(minimum, 0)} gün saklanmalı."
        if not isinstance(days, int | float):
            return Verdict.FAIL, f"Cihazda kayıt bulunamadı. {rule}", evidence
        if days < minimum:
            return Verdict.FAIL, f"Kayıtlar yalnızca {_num(days)} günlük. {rule}", evidence
        return (
            Verdict.OK,
            f"Kayıtlar {_num(days)} günlük (Yönerge md. 9: en az {_num(minimum, 0)} gün).",
            evidence,
        )

    async def _recording_active(self) -> Outcome:
        data = await self._load_recordings()
        evidence = self._recording_evidence(data)
        stale = self.thresholds.recording_stale_minutes
        evidence["stale_minutes"] = stale
        latest = getattr(data, "latest", None)
        if not isinstance(latest, datetime):
            return Verdict.FAIL, "Cihazda kayıt bulunamadı: kayıt ilerlemiyor.", evidence
        age = (_aware(self.now()) - _aware(latest)).total_seconds()
        evidence["age_minutes"] = round(age / 60, 1)
        if age > stale * 60:
            return Verdict.FAIL, f"Son kayıt {_span(age)} önce: kayıt ilerlemiyor.", evidence
        if getattr(data, "advancing", None) is False:
            return Verdict.FAIL, "Son kayıt zamanı güncellenmiyor: kayıt ilerlemiyor.", evidence
        channels = self._channels(data)
        now = _aware(self.now())
        stopped = [
            c
            for c in channels
            if not isinstance(getattr(c, "latest", None), datetime)
            or (now - _aware(c.latest)).total_seconds() > stale * 60
        ]
        if stopped and len(stopped) < len(channels):
            # A recorder can advance as a whole while one camera's channel has stopped (or was retired).
            names = ", ".join(
                _text(getattr(c, "source", None) or getattr(c, "token", ""), 40) for c in stopped[:5]
            )
            more = f" (+{len(stopped) - 5})" if len(stopped) > 5 else ""
            evidence["stopped_channels"] = [_text(getattr(c, "token", ""), 64) for c in stopped[:32]]
            return (
                Verdict.WARNING,
                f"Kayıt sürüyor, ama {len(channels)} kanaldan {len(stopped)} tanesinde kayıt ilerlemiyor: "
                f"{names}{more}.",
                evidence,
            )
        return Verdict.OK, f"Kayıt sürüyor (son kayıt {_span(max(age, 0))} önce).", evidence


# ---- parsing helpers ---------------------------------------------------------------------------------


def _channel(recording: Any) -> dict[str, Any]:
    def stamp(value: Any) -> str | None:
        return _aware(value).isoformat() if isinstance(value, datetime) else None

    return {
        "token": _text(getattr(recording, "token", None), 64),
        "source": _text(getattr(recording, "source", None), 64) or None,
        "earliest": stamp(getattr(recording, "earliest", None)),
        "latest": stamp(getattr(recording, "latest", None)),
        "status": _text(getattr(recording, "status", None), 32) or None,
    }


def _service_name(namespace: str) -> str:
    # "http://www.onvif.org/ver10/media/wsdl" → "media"
    parts = [p for p in namespace.split("/") if p]
    return parts[-2] if len(parts) >= 2 and parts[-1] == "wsdl" else namespace


def _same_address(a: str | None, b: str) -> bool:
    if not a:
        return False
    a, b = a.strip("[]").lower(), b.strip("[]").lower()
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


def _onvif_datetime(value: Any) -> datetime | None:
    if not isinstance(value, dict):
        return None
    d, t = value.get("Date") or {}, value.get("Time") or {}
    try:
        return datetime(
            int(d["Year"]),
            int(d["Month"]),
            int(d["Day"]),
            int(t["Hour"]),
            int(t["Minute"]),
            int(t["Second"]),
            tzinfo=UTC,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _interface(item: Any) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {}
    info = item.get("Info") or {}
    ipv4 = item.get("IPv4") or {}
    config = ipv4.get("Config") or {}
    addresses = [
        f"{a.get('Address')}/{a.get('PrefixLength')}"
        for a in (config.get("Manual") or [])
        if isinstance(a, dict) and a.get("Address")
    ]
    from_dhcp = config.get("FromDHCP")
    if isinstance(from_dhcp, dict) and from_dhcp.get("Address"):
        addresses.append(f"{from_dhcp.get('Address')}/{from_dhcp.get('PrefixLength')}")
    return {
        "token": _text(item.get("token")),
        "name": _text(info.get("Name")),
        "mac": _text(info.get("HwAddress")),
        "enabled": item.get("Enabled"),
        "ipv4_enabled": ipv4.get("Enabled"),
        "ipv4": addresses[:8],
        "dhcp": bool(config.get("DHCP")),
    }


def _profile(item: Any) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {}
    encoder = item.get("VideoEncoderConfiguration") or {}
    resolution = encoder.get("Resolution") or {}
    rate = encoder.get("RateControl") or {}
    width, height = resolution.get("Width"), resolution.get("Height")
    return {
        "name": _text(item.get("Name")),
        "token": _text(item.get("token")),
        "encoding": _text(encoder.get("Encoding")) or None,
        "width": width,
        "height": height,
        "resolution": f"{width}x{height}" if width and height else None,
        "frame_rate": rate.get("FrameRateLimit"),
        "bitrate_kbps": rate.get("BitrateLimit"),
        "ptz": item.get("PTZConfiguration") is not None,
    }


def _profile_summary(p: dict[str, Any]) -> str:
    parts = [p["name"] or p["token"], p["encoding"]]
    if p["width"] and p["height"]:
        parts.append(f"{p['width']}×{p['height']}")
    if p["frame_rate"]:
        parts.append(f"{p['frame_rate']} fps")
    return " ".join(str(x) for x in parts if x)


__all__ = [
    "CAMERA_CHECKS",
    "RECORDER_CHECKS",
    "Check",
    "CheckResult",
    "Diagnosis",
    "Limits",
    "Target",
    "Thresholds",
    "Verdict",
    "diagnose",
    "warm_up",
]
