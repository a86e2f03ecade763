"""The app's long-lived services, made once per app (on first use) and kept in its state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.domain.signing.keys import SigningKeys
from backend.http.uploads import upload_service

if TYPE_CHECKING:
    from backend.integrations.onvif.service import DiagnosticsService
    from backend.integrations.pdf.service import MinutesDocuments
    from backend.services.signing import SigningService


def minutes_documents(state: Any) -> MinutesDocuments:
    # Imported on first use: pyHanko and WeasyPrint add ~0.3 s to every server start otherwise.
    from backend.integrations.pdf.service import MinutesDocuments

    service = state.get("minutes_documents")
    if service is None:
        service = MinutesDocuments(state.db, upload_service(state), state.settings)
        state["minutes_documents"] = service
    assert isinstance(service, MinutesDocuments)
    return service


def diagnostics_service(state: Any) -> DiagnosticsService:
    from backend.integrations.onvif.service import DiagnosticsService

    service = state.get("diagnostics_service")
    if service is None:
        service = DiagnosticsService(state.db, upload_service(state), state.settings)
        state["diagnostics_service"] = service
    assert isinstance(service, DiagnosticsService)
    return service


def signing_keys(state: Any) -> SigningKeys:
    """The server's signing secrets (generated into the data folder on first use)."""
    keys = state.get("signing_keys")
    if keys is None:
        from backend.integrations.signing_keys import load_signing_keys

        keys = load_signing_keys(state.settings)
        state["signing_keys"] = keys
    assert isinstance(keys, SigningKeys)
    return keys


def signing_service(state: Any) -> SigningService:
    from backend.services.signing import SigningService

    service = state.get("signing_service")
    if service is None:
        service = SigningService(state.db, state.settings, signing_keys(state))
        state["signing_service"] = service
    assert isinstance(service, SigningService)
    return service
