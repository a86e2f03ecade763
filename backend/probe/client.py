"""HTTP to the Saha server: sign-in, the inventory, tus uploads and ``syncPush``.

Errors are sorted into what the caller must do about them:

* :class:`OfflineError` — the server could not be reached or failed transiently (connection
  refused, timeout, 5xx, a GraphQL ``INTERNAL``): keep everything queued and try later;
* :class:`AuthError` — the credentials were refused, or the session could not be renewed;
* :class:`RefusedError` — the server refused this request for good (a catalogue code): not
  retried as it is.

The Saha password stays in memory only (to sign in again when the 15-minute access token runs
out during a long run).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import httpx

TUS_VERSION = "1.0.0"
CHUNK_BYTES = 4 * 1024 * 1024  # below the server's upload_chunk_bytes (8 MiB by default)
AUTH_CODES = {"AUTH_REQUIRED", "AUTH_SESSION_EXPIRED"}


class ProbeError(Exception):
    """Base of the client's errors; ``str()`` is meant for the technician."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class OfflineError(ProbeError):
    pass


class AuthError(ProbeError):
    pass


class RefusedError(ProbeError):
    pass


SIGN_IN = """
mutation ($u: String!, $p: String!) {
  signIn(username: $u, password: $p) {
    ... on SessionSuccess {
      session { accessToken viewer { user { id username fullName role } permissions } }
    }
    ... on OperationError { code message }
  }
}
"""

SITES = """
query ($search: String, $offset: Int!, $limit: Int!) {
  sites(search: $search, limit: $limit, offset: $offset) {
    total
    items {
      id code name
      ipBlocks { cidr }
      devices { id assetTag kind status ipAddress onvifPort make model firmware referenceImageSha256 }
    }
  }
}
"""

BASELINES = "query { firmwareBaselines { make model approvedFirmware } }"

SYNC_PUSH = """
mutation ($clientId: String!, $envelopes: [SyncEnvelopeInput!]!) {
  syncPush(clientId: $clientId, envelopes: $envelopes) {
    ... on SyncPushResult {
      clientId lastSeq expectedSeq
      replies { seq mutationId status code message field result }
    }
    ... on OperationError { code message field }
  }
}
"""


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


class SahaClient:
    """One server, one signed-in person (after :meth:`sign_in`)."""

    def __init__(
        self,
        server: str,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self._http = httpx.Client(
            base_url=self.server,
            timeout=timeout,
            transport=transport,
            headers={"Accept-Language": "tr", "User-Agent": "saha-probe"},
        )
        self._token: str | None = None
        self._credentials: tuple[str, str] | None = None
        self.viewer: dict[str, Any] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SahaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- transport ---------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kw: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kw)
        except httpx.TransportError as exc:  # refused, unreachable, timeout, reset
            raise OfflineError(f"sunucuya ulaşılamadı ({self.server}): {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise OfflineError(f"sunucu geçici olarak yanıt veremiyor (HTTP {response.status_code})")
        return response

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def reachable(self) -> bool:
        """Whether the server answers its health check (quickly)."""
        try:
            return self._http.get("/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    # ---- GraphQL -----------------------------------------------------------------------------

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, _retry: bool = True) -> Any:
        """``data`` of a GraphQL request; signs in again once when the session has run out."""
        response = self._send(
            "POST", "/graphql", json={"query": query, "variables": variables or {}}, headers=self._auth()
        )
        try:
            body = response.json()
        except ValueError:
            raise OfflineError(f"sunucudan anlaşılmayan yanıt (HTTP {response.status_code})") from None
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code")
            message = str(first.get("message") or code or "GraphQL hatası")
            if code in AUTH_CODES:
                if _retry and self._credentials is not None:
                    self.sign_in(*self._credentials)
                    return self.graphql(query, variables, _retry=False)
                raise AuthError(message, code)
            if code == "PERMISSION_DENIED":
                raise AuthError(message, code)
            if code == "INTERNAL" or code is None:
                raise OfflineError(f"sunucu hatası: {message}", code)
            raise RefusedError(message, code)
        if response.status_code >= 400 or not isinstance(body, dict) or "data" not in body:
            raise RefusedError(f"GraphQL isteği reddedildi (HTTP {response.status_code})")
        return body["data"]

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        self._token = None
        data = self.graphql(SIGN_IN, {"u": username, "p": password}, _retry=False)
        result = data["signIn"]
        if "session" not in result:
            raise AuthError(str(result.get("message") or "giriş reddedildi"), result.get("code"))
        self._token = str(result["session"]["accessToken"])
        self._credentials = (username, password)
        self.viewer = dict(result["session"]["viewer"])
        return self.viewer

    # ---- inventory ---------------------------------------------------------------------------

    def fetch_sites(self, site_code: str | None = None, page: int = 50) -> list[dict[str, Any]]:
        """The sites the person may see (or the one with ``site_code``), with IP blocks and devices."""
        sites: list[dict[str, Any]] = []
        offset = 0
        while True:
            data = self.graphql(SITES, {"search": site_code, "offset": offset, "limit": page})
            chunk = data["sites"]["items"]
            sites.extend(chunk)
            offset += len(chunk)
            if not chunk or offset >= int(data["sites"]["total"]):
                break
        if site_code is not None:
            wanted = site_code.strip().casefold()
            sites = [s for s in sites if str(s["code"]).casefold() == wanted]
        return sites

    def download_blob(self, sha256: str) -> bytes:
        """A blob's bytes, checked against its SHA-256 (a reference image for image health)."""
        response = self._send("GET", f"/blobs/{sha256}", headers=self._auth())
        if response.status_code != 200:
            raise self._refused(response, f"blob {sha256[:12]}")
        if hashlib.sha256(response.content).hexdigest() != sha256:
            raise ProbeError(f"blob {sha256[:12]}: içerik özeti tutmuyor")
        return response.content

    def fetch_baselines(self) -> list[dict[str, Any]]:
        return list(self.graphql(BASELINES)["firmwareBaselines"])

    # ---- tus upload --------------------------------------------------------------------------

    def _tus(self, **extra: str) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, **self._auth(), **extra}

    def _refused(self, response: httpx.Response, what: str) -> ProbeError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        text = f"{what}: {message or f'HTTP {response.status_code}'}"
        if response.status_code == 401 or code in AUTH_CODES:
            return AuthError(text, code)
        return RefusedError(text, code)

    def upload_offset(self, url: str) -> int | None:
        """The server's durable offset of an upload, or ``None`` when it does not know it."""
        response = self._send("HEAD", url, headers=self._tus())
        if response.status_code == 401 and self._credentials is not None:
            self.sign_in(*self._credentials)
            response = self._send("HEAD", url, headers=self._tus())
        if response.status_code in (404, 410):
            return None
        if response.status_code != 200:
            raise self._refused(response, "yükleme durumu alınamadı")
        return int(response.headers["Upload-Offset"])

    def upload(
        self,
        data: bytes,
        *,
        sha256: str,
        content_type: str,
        filename: str,
        resume_url: str | None = None,
        on_created: Callable[[str], None] | None = None,
    ) -> str:
        """Upload ``data`` with tus 1.0.0; resumes ``resume_url`` from the server's offset when
        it still exists. ``on_created(url)`` is called as soon as a new upload has its address,
        so that an interrupted upload can be resumed by the next run. Returns the upload URL."""
        url, offset = resume_url, None
        if url is not None:
            offset = self.upload_offset(url)
        if url is None or offset is None:
            url, offset = self._create(data, sha256, content_type, filename)
            if on_created is not None:
                on_created(url)
        refreshed = False
        while offset < len(data):
            chunk = data[offset : offset + CHUNK_BYTES]
            response = self._send(
                "PATCH",
                url,
                content=chunk,
                headers=self._tus(
                    **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
                ),
            )
            if response.status_code == 204:
                offset = int(response.headers["Upload-Offset"])
                continue
            if response.status_code == 401 and not refreshed and self._credentials is not None:
                self.sign_in(*self._credentials)
                refreshed = True
                continue
            if response.status_code in (409, 423):  # offset moved, or busy: ask where it is
                current = self.upload_offset(url)
                if current is None:
                    raise RefusedError("yükleme sunucuda kayboldu", "UPLOAD_NOT_FOUND")
                offset = current
                continue
            raise self._refused(response, "görüntü yüklenemedi")
        return url

    def _create(self, data: bytes, sha256: str, content_type: str, filename: str) -> tuple[str, int]:
        metadata = ",".join(
            f"{k} {_b64(v)}"
            for k, v in (("sha256", sha256), ("filetype", content_type), ("filename", filename))
        )
        extra = {"Upload-Length": str(len(data)), "Upload-Metadata": metadata}
        response = self._send("POST", "/uploads/", headers=self._tus(**extra))
        if response.status_code == 401 and self._credentials is not None:
            self.sign_in(*self._credentials)
            response = self._send("POST", "/uploads/", headers=self._tus(**extra))
        if response.status_code != 201:
            raise self._refused(response, "görüntü yüklemesi başlatılamadı")
        location = urljoin(self.server + "/", response.headers["Location"])
        return location, int(response.headers.get("Upload-Offset", "0"))

    # ---- sync --------------------------------------------------------------------------------

    def sync_push(self, client_id: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
        """``syncPush``: the SyncPushResult (raises RefusedError for an OperationError)."""
        result = self.graphql(SYNC_PUSH, {"clientId": client_id, "envelopes": envelopes})["syncPush"]
        if "replies" not in result:
            raise RefusedError(str(result.get("message") or "gönderim reddedildi"), result.get("code"))
        return dict(result)
