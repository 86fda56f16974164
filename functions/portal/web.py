"""The API Gateway proxy event as a small request object, and the page response with the portal's headers."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

SESSION_COOKIE = "__Host-sat_sesion"
MAX_FORM_BYTES = 8 * 1024  # the WAF blocks larger bodies anyway (infra/components/waf.py)

# Pages carry personal data and per-session CSRF tokens: never cached, never framed, no referrer to other
# sites (the set-password page was reached with a token in the URL), no script at all.
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    source_ip: str
    user_agent: str

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else str(raw).encode()
        identity = (event.get("requestContext") or {}).get("identity") or {}
        return cls(
            method=str(event.get("httpMethod") or "GET").upper(),
            path=str(event.get("path") or "/"),
            query={str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()},
            headers=headers,
            body=body,
            source_ip=str(identity.get("sourceIp") or ""),
            user_agent=str(identity.get("userAgent") or headers.get("user-agent") or "")[:512],
        )

    def cookie(self, name: str) -> str | None:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except CookieError:
            return None
        morsel = jar.get(name)
        return morsel.value if morsel else None

    def form(self) -> dict[str, str]:
        """The urlencoded form (first value of each field); anything else is an empty form."""
        ctype = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded" or len(self.body) > MAX_FORM_BYTES:
            return {}
        values: dict[str, str] = {}
        for key, value in parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True):
            values.setdefault(key, value)
        return values


@dataclass
class Response:
    status: int = 200
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=lambda: dict(PAGE_HEADERS))
    cookies: list[str] = field(default_factory=list)

    def to_proxy(self) -> dict[str, Any]:
        out: dict[str, Any] = {"statusCode": self.status, "headers": dict(self.headers)}
        if self.cookies:
            out["multiValueHeaders"] = {"Set-Cookie": list(self.cookies)}
        if isinstance(self.body, bytes):
            out["body"] = base64.b64encode(self.body).decode()
            out["isBase64Encoded"] = True
        else:
            out["body"] = self.body
            out["isBase64Encoded"] = False
        return out


def redirect(location: str) -> Response:
    """303 See Other: after a POST the browser GETs the next page (no resubmission on reload)."""
    response = Response(status=303)
    response.headers["Location"] = location
    return response


def session_cookie(value: str, max_age: int) -> str:
    # __Host-: Secure, Path=/ and no Domain, so no sibling site can set or read it (decision 0080).
    return f"{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=Lax"


def expired_session_cookie() -> str:
    return f"{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"
