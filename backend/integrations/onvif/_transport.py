"""The ONVIF client's own HTTP edge: where it may connect, for how long, and how much it reads.

onvif-zeep-async posts SOAP with aiohttp's defaults: redirects followed to any host (a 307
re-POSTs the authenticated envelope), the whole answer read into memory, parsed by zeep on the
event loop in lxml's "recover" mode with huge trees allowed. Here instead:

* :func:`guard_address` — the target is resolved once and every resolved address checked against
  the refused ranges (``backend.shared.addresses``: loopback, link-local,
  multicast ...); loopback only when :attr:`AddressPolicy.allow_loopback` (development, tests).
  The diagnosis then connects to that one checked address only.
* :class:`Budget` — one overall deadline per diagnosis plus the per-call limit; every request
  gets the smaller of the two.
* :class:`SoapTransport` — what zeep posts through: no redirects (a 3xx is
  ``redirect_refused``), the body streamed and cut at ``max_bytes`` (``answer_too_large``),
  only the pinned host and port, and the answer checked off the event loop
  (``asyncio.to_thread``) by a strict parser without DTDs, entities or network access before zeep
  sees it (``bad_xml``, ``empty_answer``). zeep itself then parses with DTDs and entities
  forbidden and without lxml's huge-tree mode.
* :func:`safe_camera_class` — ``onvif.ONVIFCamera`` whose every service uses that transport.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from backend.integrations.onvif import _soap
from backend.integrations.onvif._failures import (
    CallTimeoutError,
    DeadlineExceededError,
    FailureError,
    FailureKind,
)
from backend.shared.addresses import AddressPolicy, refusal

DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_CHUNK = 64 * 1024
_RETRY_ON = ("ServerDisconnectedError", "ClientConnectionResetError")


# ---- where ---------------------------------------------------------------------------------------


async def guard_address(host: str, port: int, policy: AddressPolicy, seconds: float) -> str:
    """Resolve ``host`` and return the address to connect to; every resolved address must pass.

    Raises ``FailureError(ADDRESS_REFUSED)`` when any address lies in a refused range (a name
    that resolves to loopback among others is refused as a whole), ``socket.gaierror`` when the
    name does not resolve, ``TimeoutError`` when resolving takes longer than ``seconds``.
    """
    bare = host.strip("[]")
    try:
        addresses = [str(ipaddress.ip_address(bare))]
    except ValueError:
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(seconds):
            infos = await loop.getaddrinfo(bare, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    for address in addresses:
        name = refusal(address, policy)
        if name is not None:
            raise FailureError(FailureKind.ADDRESS_REFUSED, address=address, range=name)
    return addresses[0]


def url_host(address: str) -> str:
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


# ---- how long ------------------------------------------------------------------------------------


class Budget:
    """One diagnosis' overall deadline, and the per-call limit under it."""

    def __init__(
        self, deadline: float, call_timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.deadline = deadline
        self.call_timeout = call_timeout
        self._clock = clock
        self._ends = clock() + deadline

    def remaining(self) -> float:
        return self._ends - self._clock()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def cap(self, seconds: float | None = None) -> tuple[float, bool]:
        """(the seconds a call may take, whether the overall deadline is what limits it)."""
        wanted = self.call_timeout if seconds is None else seconds
        left = self.remaining()
        return (left, True) if left < wanted else (wanted, False)

    def check(self, what: str) -> None:
        if self.expired:
            raise DeadlineExceededError(what, self.deadline)


# ---- how much ------------------------------------------------------------------------------------


async def read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, streamed; ``FailureError(TOO_LARGE)`` as soon as it passes ``max_bytes``
    (declared or read): the rest is never read, the connection is dropped."""
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        response.close()
        raise FailureError(FailureKind.TOO_LARGE, limit=max_bytes, declared=declared)
    buffer = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        buffer += chunk
        if len(buffer) > max_bytes:
            response.close()
            raise FailureError(FailureKind.TOO_LARGE, limit=max_bytes)
    return bytes(buffer)


def check_xml(content: bytes) -> None:
    """Refuse what is not one well-formed XML document without a DTD (run in a worker thread).

    The parser resolves no entities, loads no DTD, never touches the network and keeps lxml's
    size limits; a document that declares a DOCTYPE (entity bombs live there) is refused.
    """
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=False,
        remove_comments=True,
        remove_pis=True,
    )
    head = content[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in content.upper():
        raise FailureError(FailureKind.BAD_XML, reason="dtd")
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise FailureError(FailureKind.BAD_XML, reason="syntax") from None
    if root is None:
        raise FailureError(FailureKind.BAD_XML, reason="syntax")
    if root.getroottree().docinfo.doctype:
        raise FailureError(FailureKind.BAD_XML, reason="dtd")


def _action(headers: dict[str, str]) -> str:
    """The SOAP operation name from SOAPAction or the SOAP 1.2 Content-Type ``action``."""
    action = headers.get("SOAPAction", "")
    if not action:
        content_type = headers.get("Content-Type", "")
        _, _, action = content_type.partition('action="')
    return action.strip('"').rsplit("/", 1)[-1][:60] or "SOAP"


class SoapTransport:
    """zeep's transport for one ONVIF service: pinned, bounded, no redirects, checked XML."""

    cache = None

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        host: str,
        port: int,
        budget: Budget,
        connect_timeout: float,
        max_bytes: int,
    ) -> None:
        self.session = session
        self.host = host.strip("[]").lower()
        self.port = port
        self.budget = budget
        self.connect_timeout = connect_timeout
        self.max_bytes = max_bytes

    def _pinned(self, address: str) -> None:
        parts = urlsplit(address)
        host = (parts.hostname or "").lower()
        default = 443 if parts.scheme == "https" else 80
        if parts.scheme not in ("http", "https") or host != self.host or (parts.port or default) != self.port:
            raise FailureError(FailureKind.ADDRESS_REFUSED, address=host or "?", range="other_host")

    async def _request(
        self, method: str, address: str, data: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        self._pinned(address)
        what = _action(headers)
        self.budget.check(what)
        seconds, by_deadline = self.budget.cap()
        headers = {**headers, "Accept-Encoding": "identity"}
        timeout = aiohttp.ClientTimeout(total=None, connect=min(self.connect_timeout, seconds))
        for attempt in (1, 2):
            try:
                async with asyncio.timeout(seconds):
                    return await self._once(method, address, data, headers, timeout)
            except TimeoutError:
                if by_deadline:
                    raise DeadlineExceededError(what, self.budget.deadline) from None
                raise CallTimeoutError(what, seconds) from None
            except aiohttp.ClientError as exc:
                # A kept-alive connection the device closed before we wrote (RFC 9112 9.3.1): once more.
                if attempt == 2 or type(exc).__name__ not in _RETRY_ON:
                    raise
                self.budget.check(what)
                seconds, by_deadline = self.budget.cap()
        raise AssertionError("unreachable")

    async def _once(
        self,
        method: str,
        address: str,
        data: bytes | None,
        headers: dict[str, str],
        limits: aiohttp.ClientTimeout,
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        async with self.session.request(
            method, address, data=data, headers=headers, allow_redirects=False, timeout=limits
        ) as response:
            status = response.status
            if 300 <= status < 400:
                location = urlsplit(response.headers.get("Location", "")).hostname
                response.close()
                raise FailureError(
                    FailureKind.REDIRECT_REFUSED,
                    http_status=status,
                    location_host=(location or "")[:100],
                )
            content = await read_capped(response, self.max_bytes)
            answer_headers = {k: v for k, v in response.headers.items() if k.lower() != "content-encoding"}
            charset = response.charset
        if not content.strip():
            if status == 200:
                raise FailureError(FailureKind.EMPTY_ANSWER, http_status=status)
            if status in (401, 403):
                raise FailureError(FailureKind.CREDENTIALS_REFUSED, http_status=status)
            if status not in (201, 202):
                raise FailureError(FailureKind.HTTP_ERROR, http_status=status)
            return status, answer_headers, content, charset
        try:
            await asyncio.to_thread(check_xml, content)
        except FailureError as failure:
            if status in (401, 403):  # an HTML login page, say
                raise FailureError(FailureKind.CREDENTIALS_REFUSED, http_status=status) from None
            if status != 200:
                raise FailureError(FailureKind.HTTP_ERROR, http_status=status) from None
            failure.details["http_status"] = status
            raise
        return status, answer_headers, content, charset

    @staticmethod
    def _response(status: int, headers: dict[str, str], content: bytes, charset: str | None) -> Any:
        from requests import Response
        from requests.structures import CaseInsensitiveDict

        response = Response()
        response._content = content
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = charset
        return response

    async def post_xml(self, address: str, envelope: Any, headers: dict[str, str]) -> Any:
        from zeep.wsdl.utils import etree_to_string

        message = etree_to_string(envelope)  # type: ignore[no-untyped-call]
        return self._response(*await self._request("POST", address, message, dict(headers or {})))

    async def post(self, address: str, message: str | bytes, headers: dict[str, str]) -> Any:
        data = message.encode("utf-8") if isinstance(message, str) else message
        return self._response(*await self._request("POST", address, data, dict(headers or {})))

    async def get(
        self, address: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        return self._response(*await self._request("GET", address, None, dict(headers or {})))

    def load(self, url: str) -> bytes:
        raise FailureError(FailureKind.BAD_XML, reason="external")

    async def aclose(self) -> None:
        """The session belongs to the service, which closes it."""

    def close(self) -> None:
        """As :meth:`aclose`."""


# ---- the camera ----------------------------------------------------------------------------------


@functools.cache
def _safe_settings() -> Any:
    from zeep.settings import Settings

    return Settings(
        strict=False,  # lenient about schema details (devices differ); the XML was checked strictly
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


@dataclass(frozen=True)
class ClientLimits:
    budget: Budget
    connect_timeout: float
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@functools.cache
def safe_camera_class() -> Any:
    """``onvif.ONVIFCamera`` whose services post through :class:`SoapTransport`.

    Construct it as ``cls(host, port, user, password, limits=ClientLimits(...), **kwargs)``;
    ``host`` must be the address :func:`guard_address` returned.
    """
    base = _soap.onvif_camera_class()
    zeep_aiohttp = sys.modules.get("onvif.zeep_aiohttp")
    assert zeep_aiohttp is not None  # imported by onvif.client

    class SafeONVIFCamera(base):  # type: ignore[misc, valid-type]
        def __init__(self, host: str, port: int, user: str, passwd: str, *, limits: ClientLimits, **kw: Any):
            super().__init__(host, port, user, passwd, **kw)
            self._saha_limits = limits

        async def create_onvif_service(self, name: str, *args: Any, **kwargs: Any) -> Any:
            service = await super().create_onvif_service(name, *args, **kwargs)
            if not getattr(service, "_saha_safe", False):
                limits: ClientLimits = self._saha_limits
                transport = SoapTransport(
                    service._session,
                    host=self.host,
                    port=self.port,
                    budget=limits.budget,
                    connect_timeout=limits.connect_timeout,
                    max_bytes=limits.max_bytes,
                )
                service.transport = transport
                for client in (service.zeep_client, service.zeep_client_authless):
                    client.transport = transport
                    client.settings = _safe_settings()
                service._saha_safe = True
            return service

        async def get_snapshot(self, *args: Any, **kwargs: Any) -> Any:
            raise FailureError(FailureKind.UNEXPECTED, reason="use _snapshot.fetch")

    return SafeONVIFCamera


__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "AddressPolicy",
    "Budget",
    "ClientLimits",
    "SoapTransport",
    "check_xml",
    "guard_address",
    "read_capped",
    "refusal",
    "safe_camera_class",
    "url_host",
]
