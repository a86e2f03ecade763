"""The app's long-lived services, made once per app (on first use) and kept in its state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.http.uploads import upload_service

if TYPE_CHECKING:
    from backend.integrations.onvif.service import DiagnosticsService


def diagnostics_service(state: Any) -> DiagnosticsService:
    from backend.integrations.onvif.service import DiagnosticsService

    service = state.get("diagnostics_service")
    if service is None:
        service = DiagnosticsService(state.db, upload_service(state), state.settings)
        state["diagnostics_service"] = service
    assert isinstance(service, DiagnosticsService)
    return service
