"""Running diagnoses on the server: remote first (directive 15(1)), and the scheduled sweeps.

``plan`` (the domain's target guard) resolves a device id to an address — never an address from a
request; the password is decrypted only here, just before connecting; at most
``diagnostics_concurrency`` devices are diagnosed at once, and one device only once at a time.
The outcome is recorded through the ``diagnostics.record`` command, like the probe's.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.assets.models import DeviceKind
from backend.domain.commands import CommandContext, execute
from backend.domain.diagnostics import commands as dc
from backend.domain.diagnostics import queries as dq
from backend.domain.diagnostics.models import Diagnosis, DiagnosisSource
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor
from backend.integrations.credentials import CredentialCipher, CredentialError, load_key
from backend.integrations.onvif.record import build_record_args
from backend.services.uploads import UploadService

log = logging.getLogger("saha.diagnostics")

Diagnose = Callable[..., Awaitable[Any]]


def _default_diagnose() -> Diagnose:
    from backend.integrations.onvif.diagnose import diagnose

    fn: Diagnose = diagnose
    return fn


class DiagnosticsService:
    def __init__(
        self, db: Database, blobs: UploadService, settings: Settings, *, diagnose: Diagnose | None = None
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self.cipher = CredentialCipher(load_key(settings.credentials_key or None, settings.data_dir))
        self._diagnose = diagnose
        self._slots = asyncio.Semaphore(settings.diagnostics_concurrency)
        self._running: set[uuid.UUID] = set()

    # ---- credentials ----------------------------------------------------------------------------

    async def set_credentials(self, actor: Actor, device_id: uuid.UUID, username: str, password: str) -> None:
        """Encrypt the password for this device and store it through ``device.setCredentials``,
        which checks (with this cipher, handed over in the session) that the secret is ours."""
        problem = dc.credential_text_problem(password, dc.PASSWORD_MAX_CHARS, dc.PASSWORD_MAX_BYTES)
        if problem is not None:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, field="password", params={"detail": f"password: {problem}"}
            )
        secret = self.cipher.encrypt(device_id, password)
        args = {"device_id": device_id, "username": username, "secret": secret}

        def store(s: Session) -> Any:
            s.info[dc.CREDENTIAL_CIPHER_KEY] = self.cipher
            try:
                return execute("device.setCredentials", args, CommandContext(session=s, actor=actor))
            finally:
                s.info.pop(dc.CREDENTIAL_CIPHER_KEY, None)

        await self.db.write(store)

    # ---- one device --------------------------------------------------------------------------

    async def run(
        self,
        actor: Actor,
        device_id: uuid.UUID,
        *,
        source: DiagnosisSource = DiagnosisSource.REMOTE,
        work_order_id: uuid.UUID | None = None,
    ) -> Diagnosis:
        plan = await self.db.read(lambda s: dq.plan_diagnosis(s, actor, device_id))
        if plan.device_id in self._running:
            raise DomainError(ErrorCode.DIAGNOSTICS_BUSY, field="deviceId")
        self._running.add(plan.device_id)
        try:
            async with self._slots:
                outcome = await self._run_plan(plan)
        finally:
            self._running.discard(plan.device_id)
        snapshot_sha = None
        if outcome.snapshot:
            snapshot_sha = await self.blobs.put_bytes(
                outcome.snapshot,
                outcome.snapshot_type or "image/jpeg",
                actor.id if source is DiagnosisSource.REMOTE else None,
            )
        args = build_record_args(
            outcome.to_json(),
            diagnosis_id=str(uuid.uuid4()),
            device_id=str(plan.device_id),
            snapshot_sha256=snapshot_sha,
            work_order_id=str(work_order_id) if work_order_id else None,
            reference_sha256=plan.reference_sha256,
            source=source.name,
        )
        # the server ran it: the source is this server's decision (dc.record_server_diagnosis)
        result: Diagnosis = await self.db.write(
            lambda s: dc.record_server_diagnosis(CommandContext(session=s, actor=actor), args, source)
        )
        return result

    async def _run_plan(self, plan: dq.DiagnosisPlan) -> Any:
        from backend.integrations.onvif.diagnose import Limits, Target, Thresholds

        try:
            password = self.cipher.decrypt(plan.device_id, plan.secret)
        except CredentialError:
            raise DomainError(ErrorCode.DIAGNOSTICS_NO_CREDENTIALS, field="deviceId") from None
        reference = await self.blobs.read_bytes(plan.reference_sha256) if plan.reference_sha256 else None
        diagnose = self._diagnose or _default_diagnose()
        return await diagnose(
            Target(
                host=plan.host,
                port=plan.port,
                username=plan.username,
                password=password,
                is_recorder=plan.is_recorder,
            ),
            approved_firmware=plan.approved_firmware,
            reference_image=reference,
            limits=Limits(
                connect_timeout=self.settings.diagnostics_connect_timeout,
                call_timeout=self.settings.diagnostics_call_timeout,
                max_response_bytes=self.settings.onvif_max_response_bytes,
                deadline=self.settings.onvif_diagnosis_deadline_s,
                allow_loopback=self.settings.onvif_allow_loopback,
            ),
            thresholds=Thresholds(retention_min_days=plan.retention_days_expected(datetime.now(UTC).date())),
        )

    # ---- sweeps ------------------------------------------------------------------------------

    async def sweep(self, system: Actor, source: DiagnosisSource) -> tuple[int, int]:
        """Diagnose every device in service of the sweep's kind; (devices, failures to run)."""
        kind = DeviceKind.RECORDER if source is DiagnosisSource.WEEKLY else DeviceKind.CAMERA
        targets = await self.db.read(lambda s: dq.sweep_targets(s, kind))
        failures = 0

        async def one(device_id: uuid.UUID) -> None:
            nonlocal failures
            try:
                await self.run(system, device_id, source=source)
            except DomainError as exc:
                failures += 1
                log.warning("%s sweep: device %s not diagnosed: %s", source.value, device_id, exc.code.value)
            except Exception:  # one device must not stop the sweep
                failures += 1
                log.exception("%s sweep: device %s failed", source.value, device_id)

        await asyncio.gather(*(one(d) for d in targets))
        return len(targets), failures
