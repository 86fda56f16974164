"""The httpx transport of sat_common.outbound_http: a custom httpcore network backend that connects only to the
checked addresses, and streams whose every operation waits at most the time left (decisions 0052, 0054).

Apart from outbound_http so that importing that module does not import httpx / httpcore (decision 0116).
"""

from __future__ import annotations

import ssl
from typing import Any

import httpcore
import httpx

from sat_common.outbound_http import _Deadline
from sat_common.url_safety import CheckedUrl


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write waits at most the time left before the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        wait = self._deadline.clip(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, wait), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.SyncBackend):
    """TCP connections only to the checked addresses of the one checked host:port, within the deadline."""

    def __init__(self, checked: CheckedUrl, deadline: _Deadline) -> None:
        self._checked = checked
        self._deadline = deadline
        self.connected_to: str | None = None

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        wanted = self._checked.host.strip("[]").lower()
        if host.strip("[]").lower() != wanted or port != self._checked.port:
            raise httpcore.ConnectError("connection to a host that was not checked")
        last: Exception | None = None
        for address in self._checked.addresses:
            wait = self._deadline.clip(timeout, httpcore.ConnectTimeout)
            try:
                stream = super().connect_tcp(address, port, wait, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
                continue
            self.connected_to = address
            self._deadline.watch(stream)
            return DeadlineStream(stream, self._deadline)
        raise last or httpcore.ConnectError("no address")


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with our network backend (httpx does not expose the backend as an argument)."""

    def __init__(self, checked: CheckedUrl, ssl_context: ssl.SSLContext, deadline: _Deadline) -> None:
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        self.backend = PinnedBackend(checked, deadline)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=1,
            max_keepalive_connections=0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=self.backend,
        )
