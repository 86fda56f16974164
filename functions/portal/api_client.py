"""The portal's only door to the system: the project's own REST API over HTTP, with the person's ID token
(decision 0080). The person's address and browser travel in X-Portal-Client-Ip / X-Portal-User-Agent,
vouched for by X-Portal-Key, so lockouts, audit and consent evidence count the person, not the portal."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_SECONDS = 8.0
CLIENT_IP_HEADER = "X-Portal-Client-Ip"
USER_AGENT_HEADER = "X-Portal-User-Agent"
KEY_HEADER = "X-Portal-Key"


@dataclass(frozen=True)
class Client:
    """Who is behind the request: the person's address and browser as the portal's gateway saw them."""

    source_ip: str
    user_agent: str


@dataclass
class ApiAnswer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the body as sent, for answers that are not JSON (the audit's CSV export)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ApiUnavailable(Exception):
    """The API did not answer (network error or timeout)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class ApiClient:
    def __init__(self, base_url: str, forwarding_key: str | None = None) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("PUBLIC_API_BASE_URL must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.forwarding_key = forwarding_key

    def call(
        self,
        method: str,
        path: str,
        client: Client,
        *,
        body: dict[str, Any] | None = None,
        token: str | None = None,
        accept: str = "application/json",
    ) -> ApiAnswer:
        headers = {"Accept": accept, "Accept-Language": "es", "User-Agent": "sat-ccf-portal"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self.forwarding_key:
            headers[KEY_HEADER] = self.forwarding_key
            headers[CLIENT_IP_HEADER] = client.source_ip
            headers[USER_AGENT_HEADER] = client.user_agent
        data = json.dumps(body).encode() if body is not None else None
        # the scheme is http(s), checked in __init__
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
                return _answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.headers, error.read())
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ApiUnavailable(type(error).__name__) from None


def _answer(status: int, headers: Any, raw: bytes) -> ApiAnswer:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    lowered = {k.lower(): v for k, v in dict(headers or {}).items()}
    return ApiAnswer(status=status, body=body, headers=lowered, raw=raw)
