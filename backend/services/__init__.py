"""The app's long-lived services, made once per app (on first use) and kept in its state.

Heavy modules are imported on first use: pyHanko and WeasyPrint alone add ~0.3 s to every server
start otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from backend.domain.signing.keys import SigningKeys
from backend.http.uploads import upload_service

if TYPE_CHECKING:
    from backend.integrations.onvif.service import DiagnosticsService
    from backend.integrations.pdf.service import MinutesDocuments
    from backend.services.auth import AuthService
    from backend.services.signing import SigningService

T = TypeVar("T")


def _once(state: Any, key: str, make: Callable[[], T]) -> T:
    """The app's one ``key`` service, made by ``make`` the first time it is asked for."""
    service = state.get(key)
    if service is None:
        service = make()
        state[key] = service
    return service  # type: ignore[no-any-return]


def minutes_documents(state: Any) -> MinutesDocuments:
    from backend.integrations.pdf.service import MinutesDocuments

    return _once(
        state, "minutes_documents", lambda: MinutesDocuments(state.db, upload_service(state), state.settings)
    )


def diagnostics_service(state: Any) -> DiagnosticsService:
    from backend.integrations.onvif.service import DiagnosticsService

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
