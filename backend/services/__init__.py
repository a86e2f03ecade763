"""The app's long-lived services, made once per app (on first use) and kept in its state, and
the documents' start-up check.

Heavy modules are imported on first use: pyHanko and WeasyPrint alone add ~0.3 s to every server
start otherwise."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from backend.domain.signing.keys import SigningKeys

if TYPE_CHECKING:
    from backend.config import Settings
    from backend.services.auth import AuthService
    from backend.services.diagnostics import DiagnosticsService
    from backend.services.documents import MinutesDocuments
    from backend.services.signing import SigningService
    from backend.services.uploads import UploadService

T = TypeVar("T")
log = logging.getLogger("saha.app")


def _once(state: Any, key: str, make: Callable[[], T]) -> T:
    """The app's one ``key`` service, made by ``make`` the first time it is asked for."""
    service = state.get(key)
    if service is None:
        service = make()
        state[key] = service
    return service  # type: ignore[no-any-return]


def upload_service(state: Any) -> UploadService:
    """Resumable uploads and blobs over the store the settings choose."""
    from backend.integrations.blobs.store import open_blob_store
    from backend.services.uploads import UploadService

    return _once(
        state,
        "upload_service",
        lambda: UploadService(state.db, open_blob_store(state.settings), state.settings),
    )


def minutes_documents(state: Any) -> MinutesDocuments:
    from backend.services.documents import MinutesDocuments

    return _once(
        state, "minutes_documents", lambda: MinutesDocuments(state.db, upload_service(state), state.settings)
    )


def diagnostics_service(state: Any) -> DiagnosticsService:
    from backend.services.diagnostics import DiagnosticsService

    return _once(
        state,
        "diagnostics_service",
        lambda: DiagnosticsService(state.db, upload_service(state), state.settings),
    )


def signing_keys(state: Any) -> SigningKeys:
    """The server's signing secrets (generated into the data folder on first use)."""
    from backend.integrations.signing_keys import load_signing_keys

    return _once(state, "signing_keys", lambda: load_signing_keys(state.settings))


def signing_service(state: Any) -> SigningService:
    from backend.services.signing import SigningService

    return _once(
        state, "signing_service", lambda: SigningService(state.db, state.settings, signing_keys(state))
    )


def auth_service(state: Any) -> AuthService:
    """Sign-in and refresh with rate limits, throttles and bounded password hashing."""
    from backend.services.auth import AuthService

    return _once(state, "auth_service", lambda: AuthService(state.db, state.settings))


def check_documents_at_start(settings: Settings) -> None:
    """The seal the minutes PDFs are sealed with: production refuses to start without a
    configured certificate; elsewhere a self-signed demo certificate is used, with a warning."""
    from backend.integrations.pdf.seal import check_seal_at_start, seal_configured

    check_seal_at_start(
        production=settings.production,
        data_dir=settings.data_dir,
        cert_path=settings.seal_cert_path,
        key_path=settings.seal_key_path,
        pkcs12_path=settings.seal_pkcs12_path,
        password=settings.seal_key_password,
    )
    if not settings.production and not seal_configured(
        settings.seal_cert_path, settings.seal_key_path, settings.seal_pkcs12_path
    ):
        log.warning(
            "no seal certificate configured (SAHA_SEAL_CERT_PATH / SAHA_SEAL_KEY_PATH or "
            "SAHA_SEAL_PKCS12_PATH): minutes are sealed with a self-signed demo certificate — "
            "fine for trying Saha; production mode refuses to start without one"
        )
