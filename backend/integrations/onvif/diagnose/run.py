"""One diagnosis run: its state, the order of the checks, and how a check's outcome is recorded.

The checks themselves are functions of a :class:`Run` in one module per family (``reach``,
``identity``, ``clock``, ``media``, ``image``, ``recording``), listed in order in ``checks``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

from backend.integrations.onvif import _failures, _soap, _transport
from backend.integrations.onvif._failures import CallTimeoutError, FailureKind
from backend.integrations.onvif.diagnose.checks import CAMERA_CHECKS, CHECKS, GATES, RECORDER_CHECKS
from backend.integrations.onvif.diagnose.model import (
    Check,
    CheckEndedError,
    CheckResult,
    Diagnosis,
    Limits,
    Target,
    Thresholds,
    Verdict,
)
from backend.integrations.onvif.diagnose.text import host_port, num
from backend.integrations.onvif.diagnose.wsdl import ensure_wsdl

log = logging.getLogger("saha.onvif")

T = TypeVar("T")


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
    run = Run(
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


class Run:
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
        self.address = target.host  # the checked address every connection goes to (set by tcp)
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
        """The checks of ``plan`` in the table's order. Reachability and the credentials are
        gates: when one fails, the rest are skipped with the reason (after a refused password,
        the clock is still read if the device tells it without one)."""
        tcp = await self.step(Check.TCP)
        if tcp.verdict is Verdict.FAIL:
            refused = tcp.evidence.get("failure") == FailureKind.ADDRESS_REFUSED
            why = "Adres reddedildiği" if refused else "TCP bağlantısı kurulamadığı"
            self._skip_rest(plan, f"{why} için denenmedi.", "tcp")
            return
        onvif = await self.step(Check.ONVIF)
        if onvif.verdict is Verdict.FAIL:
            self._skip_rest(plan, "ONVIF hizmeti yanıt vermediği için denenmedi.", "onvif")
            return
        await ensure_wsdl()
        auth = await self.step(Check.AUTH)
        if auth.verdict is Verdict.FAIL:
            if self.budget.expired:
                self._not_reached(plan)
                return
            await self.step(Check.CLOCK)
            refused = auth.evidence.get("failure") == FailureKind.CREDENTIALS_REFUSED
            why = (
                "Kullanıcı adı/parola kabul edilmediği"
                if refused
                else "Kimlik doğrulama adımı tamamlanamadığı"
            )
            self._skip_rest(plan, f"{why} için denenmedi.", "auth")
            return
        for check in plan:
            if check in GATES:
                continue
            if self.budget.expired:
                self._not_reached(plan)
                return
            await self.step(check)

    def _not_reached(self, plan: Sequence[Check]) -> None:
        """Every check without a result: not reached, because the diagnosis ran out of time."""
        seconds = num(self.limits.deadline).replace(",0", "")
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

    async def step(self, check: Check) -> CheckResult:
        """Run one check of the table and record its result; never raises for the device."""
        started = time.perf_counter()
        self.current = check
        try:
            verdict, message, evidence = await CHECKS[check](self)
        except CheckEndedError as early:
            verdict, message, evidence = early.outcome
        except _failures.DeadlineExceededError as exc:
            return self._deadline_result(check, exc, int((time.perf_counter() - started) * 1000))
        except CallTimeoutError as timeout:
            verdict = Verdict.FAIL
            message = f"{self.noun} {timeout.what} isteğine {num(timeout.seconds)} sn içinde yanıt vermedi."
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
                    host_port(self.target.host, self.target.port),
                    check,
                    exc_info=exc,
                )
            verdict, message, evidence = Verdict.FAIL, failure.message_tr, failure.as_evidence()
        duration_ms = int((time.perf_counter() - started) * 1000)
        result = CheckResult(check, verdict, message[:1000], _soap.jsonable(evidence), duration_ms)
        self.results[check] = result
        return result

    async def call(self, awaitable: Awaitable[T], what: str, seconds: float | None = None) -> T:
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
            raise CallTimeoutError(what, limit) from exc

    async def _close(self) -> None:
        if self.cam is None:
            return
        try:
            async with asyncio.timeout(2.0):
                await self.cam.close()
        except Exception as exc:  # closing must not turn a diagnosis into an error
            log.debug("closing the ONVIF client failed: %r", exc)

    def fault(self, exc: BaseException, *, unsupported: str, failed: str) -> NoReturn:
        """Map an exception from an optional ONVIF operation to an outcome, or re-raise it."""
        evidence = _soap.describe_error(exc, secrets=self.secrets)
        if _soap.is_unsupported(exc):
            raise CheckEndedError(Verdict.NOT_SUPPORTED, unsupported, evidence) from exc
        if _soap.is_auth_error(exc):
            raise CheckEndedError(
                Verdict.WARNING,
                "Bu kullanıcının bu bilgiyi okuma yetkisi yok (cihaz isteği reddetti).",
                evidence,
            ) from exc
        if _soap.is_fault(exc):
            raise CheckEndedError(Verdict.FAIL, f"{failed}: {evidence['detail'][:200]}", evidence) from exc
        raise exc

    def services_unknown(self, what: str) -> None:
        """End a check that needs the service list when the device gave none."""
        if self.services_failure is None:
            return
        raise CheckEndedError(
            Verdict.FAIL,
            f"Cihazın hizmet listesi alınamadı (GetServices ve GetCapabilities başarısız): {what} "
            f"denetlenemedi. {self.services_failure.message_tr}",
            {"blocked_by": "services", **self.services_failure.as_evidence()},
        )
