"""Sealed minutes as PDF documents: make once, keep, verify.

The PDF of sealed minutes is made the first time someone asks for it (all photos and signature
images must have arrived by then), sealed with the institution's certificate (PAdES), stored as a
blob and recorded on the minutes; later requests get the very same file, so its SHA-256 can be
checked by the public verification.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.errors import DomainError, ErrorCode
from backend.domain.people.permissions import Actor
from backend.domain.surveys.queries import (
    PdfFacts,
    SealedMinutes,
    record_pdf,
    sealed_minutes,
    verify_code,
    verify_document,
)
from backend.integrations.pdf.minutes_pdf import SignatureBlock, render_minutes_pdf
from backend.integrations.pdf.precheck import shape_problem
from backend.integrations.pdf.seal import SealIdentity, load_seal_identity, seal_pdf, verify_pdf
from backend.services.uploads import UploadService

PDF_TYPE = "application/pdf"


@dataclass
class MinutesPdf:
    sha256: str
    content: bytes
    verification_code: str


class MinutesDocuments:
    def __init__(self, db: Database, blobs: UploadService, settings: Settings) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self._identity: SealIdentity | None = None
        self._lock = threading.Lock()

    @property
    def identity(self) -> SealIdentity:
        with self._lock:  # generating the demo certificate must happen once
            if self._identity is None:
                s = self.settings
                self._identity = load_seal_identity(
                    data_dir=s.data_dir,
                    cert_path=s.seal_cert_path,
                    key_path=s.seal_key_path,
                    pkcs12_path=s.seal_pkcs12_path,
                    password=s.seal_key_password,
                )
            return self._identity

    def verify_url(self, code: str) -> str:
        return f"{self.settings.effective_public_url}/#/verify?code={code}"

    def render(self, doc: SealedMinutes, images: dict[str, bytes]) -> bytes:
        """Render and seal (CPU work: call from a worker thread)."""
        pdf = render_minutes_pdf(
            doc.content,
            content_hash=doc.content_hash,
            verification_code=doc.verification_code,
            signatures=[
                SignatureBlock(
                    role=s.role.name,
                    name=s.name,
                    signed_at=s.signed_at,
                    recorded_at=s.recorded_at,
                    image=images.get(s.image_sha256),
                    method=s.method,
                )
                for s in doc.signatures
            ],
            photos=images,
            sealed_at=doc.sealed_at,
            verify_url=self.verify_url(doc.verification_code),
        )
        return seal_pdf(
            pdf,
            self.identity,
            metadata={
                "SahaMinutesId": str(doc.id),
                "SahaContentHash": doc.content_hash,
                "SahaVerificationCode": doc.verification_code,
            },
        )

    async def pdf(self, actor: Actor, minutes_id: uuid.UUID) -> MinutesPdf:
        doc = await self.db.read(lambda s: sealed_minutes(s, actor, minutes_id))
        if doc.pdf_sha256 is None:
            images: dict[str, bytes] = {}
            for sha in doc.blobs:
                data = await self.blobs.read_bytes(sha)
                if data is not None:
                    images[sha] = data
            missing = [sha for sha in doc.blobs if sha not in images]
            if missing:
                raise DomainError(ErrorCode.MINUTES_BLOBS_PENDING, params={"count": len(missing)})
            pdf = await anyio.to_thread.run_sync(self.render, doc, images)
            sha = await self.blobs.put_bytes(pdf, PDF_TYPE, actor.id)
            stored = await self.db.write(lambda s: record_pdf(s, minutes_id, sha))
        else:
            stored = doc.pdf_sha256
        content = await self.blobs.read_bytes(stored)
        if content is None:
            raise DomainError(ErrorCode.NOT_FOUND, field="minutesId")
        return MinutesPdf(sha256=stored, content=content, verification_code=doc.verification_code)

    async def verify_code(self, code: str) -> dict[str, Any]:
        return await self.db.read(lambda s: verify_code(s, code))

    async def shape_problem(self, data: bytes) -> str | None:
        """Why a PDF is too heavy to verify (objects, revisions), or None: a byte scan before
        anything parses it (``backend.integrations.pdf.precheck``)."""
        s = self.settings
        return await anyio.to_thread.run_sync(
            shape_problem, data, s.max_verify_pdf_objects, s.max_verify_pdf_revisions
        )

    async def verify_pdf(self, data: bytes) -> dict[str, Any]:
        check = await anyio.to_thread.run_sync(verify_pdf, data, self.identity)
        facts = PdfFacts(
            signed=check.signed,
            intact=check.intact,
            valid=check.valid,
            signer=check.signer,
            signed_at=check.signed_at,
            problem=check.problem,
            minutes_id=check.metadata.get("SahaMinutesId"),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        return await self.db.read(lambda s: verify_document(s, facts))
