"""Outbound HTTP to partner (CCF) URLs: checked, pinned, bounded.

Decision docs/decisions/0052-outbound-http-pinning.md. Every request:
1. re-checks the URL with sat_common.url_safety.check_url (at request time, not only at registration);
2. connects ONLY to the addresses that check returned (sat_common.pinned_transport, an httpcore backend: the TCP
   socket goes to the checked IP, while TLS SNI, certificate verification and the Host header keep
   the hostname) - a DNS answer that changes between check and connect (rebinding) is never used;
3. never follows redirects (a 3xx is returned as is), ignores proxy environment variables;
4. has connect / read timeouts per operation and a total deadline for the whole exchange (connect, TLS,
   headers and body): every socket operation waits at most the time left, and a watchdog shuts the socket
   down when the deadline passes, so a server that dribbles bytes cannot hold the caller (decision 0054);
5. reads at most `max_response_bytes` of the body (asks for identity encoding: no decompression bombs).

Errors are `OutboundError(reason_code, message_es)`; the message never contains request data.

    client = SafeHttpClient(allow_loopback=settings.allow_loopback_urls)
    response = client.request("POST", url, headers={...}, content=b"...")   # -> OutboundResponse
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sat_common import url_safety
from sat_common.observability import trace_library
from sat_common.url_safety import CheckedUrl, Resolver, UnsafeUrl

if TYPE_CHECKING:  # httpx / httpcore load on the first request (decision 0116): most routes never send one
    import httpcore
    import httpx

DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_TOTAL_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
USER_AGENT = "SAT-CCF-MinSalud/1.0"

# reason_code -> Spanish message (shown to the CCF's authorized person and in audit details).
REASONS_ES = {
    "UNSAFE_URL": "La URL no cumple las reglas de seguridad",
    "CONNECT_FAILED": "No fue posible conectarse con el servidor",
    "TIMEOUT": "El servidor no respondió a tiempo",
    "TLS_ERROR": "Falló la conexión segura (TLS): el certificado del servidor no es válido para su nombre "
    "o no es de confianza",
    "RESPONSE_TOO_LARGE": "La respuesta del servidor supera el tamaño máximo permitido",
    "PROTOCOL_ERROR": "El servidor respondió algo que no es HTTP válido",
}


class OutboundError(Exception):
    def __init__(self, reason_code: str, message_es: str | None = None, rule: str | None = None) -> None:
        self.reason_code = reason_code
        self.rule = rule  # the url_safety rule when reason_code == "UNSAFE_URL"
        self.message_es = message_es or REASONS_ES.get(reason_code, reason_code)
        super().__init__(reason_code if not rule else f"{reason_code}: {rule}")

    @property
    def retryable(self) -> bool:
        """A later attempt may succeed (network trouble), unlike an unsafe URL or a bad certificate."""
        return self.reason_code in {"CONNECT_FAILED", "TIMEOUT"}


@dataclass(frozen=True)
class OutboundResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes
    elapsed_seconds: float
    url: str
    address: str | None = None  # the IP the connection went to (the pinned, checked one)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status_code < 400


class _Deadline:
    """The instant the whole exchange must be over, and a watchdog that enforces it on the open socket."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._timers: list[threading.Timer] = []

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0

    def clip(self, timeout: float | None, error: type[Exception]) -> float:
        """The operation's own timeout, never longer than the time left; `error` once there is none."""
        left = self.remaining()
        if left <= 0:
            raise error("total deadline passed")
        return left if timeout is None else min(timeout, left)

    def watch(self, stream: httpcore.NetworkStream) -> None:
        """Shut the socket down at the deadline: a blocked read (TLS handshake included) returns at once."""
        sock = stream.get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return
        timer = threading.Timer(max(0.0, self.remaining()), _shutdown, args=(sock,))
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: the exchange ended in time
        sock.shutdown(socket.SHUT_RDWR)


@cache
def _default_ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()  # CERT_REQUIRED + check_hostname: verified against the hostname
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class SafeHttpClient:
    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allow_loopback = allow_loopback
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes
        self._resolver = resolver  # None: url_safety.resolver (the system resolver, or a test's)
        self._ssl_context = ssl_context

    def check(self, url: str) -> CheckedUrl:
        try:
            return url_safety.check_url(url, self.allow_loopback, self._resolver)
        except UnsafeUrl as error:
            raise OutboundError("UNSAFE_URL", f"{REASONS_ES['UNSAFE_URL']}: {error.message_es}", error.rule) from None

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | str | None = None,
        data: dict[str, str] | None = None,
        json: Any = None,
    ) -> OutboundResponse:
        """Send one request to a checked, pinned address; raise OutboundError on any transport problem."""
        import httpx

        from sat_common.pinned_transport import PinnedTransport

        trace_library("httpx")  # before httpx.Client: X-Ray's patch replaces that class
        started = time.monotonic()
        checked = self.check(url)
        deadline = _Deadline(self.total_timeout - (time.monotonic() - started))
        transport = PinnedTransport(checked, self._ssl_context or _default_ssl_context(), deadline)
        timeout = httpx.Timeout(
            connect=self.connect_timeout, read=self.read_timeout, write=self.read_timeout, pool=self.connect_timeout
        )
        all_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
        try:
            with (
                httpx.Client(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False) as client,
                client.stream(method, url, headers=all_headers, content=content, data=data, json=json) as response,
            ):
                body = bytearray()
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > self.max_response_bytes:
                        raise OutboundError("RESPONSE_TOO_LARGE")
                    if deadline.passed:
                        raise OutboundError("TIMEOUT")
                return OutboundResponse(
                    status_code=response.status_code,
                    headers=response.headers,
                    content=bytes(body),
                    elapsed_seconds=time.monotonic() - started,
                    url=url,
                    address=transport.backend.connected_to,
                )
        except OutboundError:
            raise
        except httpx.TimeoutException:
            raise OutboundError("TIMEOUT") from None
        except httpx.TransportError as error:
            if deadline.passed:  # the watchdog shut the socket down: whatever broke, the time was up
                raise OutboundError("TIMEOUT") from None
            if isinstance(error, httpx.ConnectError):
                raise OutboundError("TLS_ERROR" if _is_tls_error(error) else "CONNECT_FAILED") from None
            if isinstance(error, httpx.RemoteProtocolError | httpx.LocalProtocolError):
                raise OutboundError("PROTOCOL_ERROR") from None
            raise OutboundError("CONNECT_FAILED") from None
        except httpx.DecodingError:
            raise OutboundError("PROTOCOL_ERROR") from None
        finally:
            deadline.cancel()


def _is_tls_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen) or "SSL" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
