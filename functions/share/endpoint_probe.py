"""Is the shared service's own URL there? The second half of the connection test (decision 0054).

The probe is an `OPTIONS` request with no body, no `Authorization` header and no personal data: it proves
the URL resolves to a public address, presents a valid certificate for its name and answers HTTP, without
handing the CCF's token (or anything else) to a URL nobody has verified yet. Any 2xx, and any 4xx but 404
and 410 (an endpoint that wants a token, or refuses OPTIONS, is there), count as reachable; a redirect,
404/410, 5xx or a transport failure do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sat_common.outbound_http import OutboundError, SafeHttpClient

METHOD = "OPTIONS"
NOT_THERE = frozenset({404, 410})


@dataclass(frozen=True)
class ProbeResult:
    reachable: bool
    reason_code: str | None  # None when reachable
    http_status: int | None
    detail_es: str


def probe(url: str, client: SafeHttpClient) -> ProbeResult:
    try:
        response = client.request(METHOD, url, headers={"Accept": "*/*"})
    except OutboundError as error:
        return ProbeResult(False, f"ENDPOINT_{error.reason_code}", None, f"{error.message_es}.")
    status = response.status_code
    if response.is_redirect:
        detail = f"La URL del servicio respondió con una redirección (HTTP {status}); no se siguen redirecciones."
        return ProbeResult(False, "ENDPOINT_REDIRECT", status, detail)
    if status in NOT_THERE:
        return ProbeResult(False, "ENDPOINT_NOT_FOUND", status, f"La URL del servicio no existe (HTTP {status}).")
    if status >= 500:
        detail = f"La URL del servicio respondió con un error del servidor (HTTP {status})."
        return ProbeResult(False, "ENDPOINT_SERVER_ERROR", status, detail)
    detail = f"La URL del servicio respondió (HTTP {status}) a una prueba sin credenciales."
    return ProbeResult(True, None, status, detail)
