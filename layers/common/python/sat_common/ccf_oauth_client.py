"""Get an access token from a CCF's own OAuth 2.0 token endpoint (the Ministry as the client).

Decision docs/decisions/0053-outbound-oauth-client.md:
- grant: `password` when the CCF registered a username and password, `client_credentials` otherwise;
- client authentication: `client_secret_basic` only (RFC 6749 §2.3.1: servers MUST support it; client
  id and secret are form-urlencoded before Base64). No fallback to `client_secret_post`: a second try
  would send the secret again in another form and hide a misconfiguration;
- the token request goes through sat_common.outbound_http (URL re-checked, connection pinned, no
  redirects, timeouts, size cap);
- every failure is `TokenError(reason_code, message_es)`; messages never include the credentials or
  the server's body.

Part B (delivery worker) caches the token until `expires_at` minus a margin; this module never caches.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sat_common import clock
from sat_common.outbound_http import OutboundError, SafeHttpClient

DEFAULT_EXPIRES_IN = 300  # seconds, when the server omits expires_in (RFC 6749 §5.1 makes it optional)
MAX_EXPIRES_IN = 24 * 3600

REASONS_ES = {
    "TOKEN_URL_UNSAFE": "La URL del token no cumple las reglas de seguridad",
    "TOKEN_UNREACHABLE": "No fue posible conectarse con el servicio de token de la CCF",
    "TOKEN_TIMEOUT": "El servicio de token de la CCF no respondió a tiempo",
    "TOKEN_TLS": "Falló la conexión segura (TLS) con el servicio de token: el certificado no es válido para "
    "su nombre o no es de confianza",
    "TOKEN_INVALID_CLIENT": "El servicio de token rechazó el Client ID o el Client Secret (invalid_client). "
    "Verifique las credenciales y que el servidor acepte client_secret_basic",
    "TOKEN_INVALID_GRANT": "El servicio de token rechazó el usuario o la contraseña (invalid_grant)",
    "TOKEN_UNAUTHORIZED_CLIENT": "El cliente no está autorizado para este tipo de concesión (unauthorized_client)",
    "TOKEN_UNSUPPORTED_GRANT": "El servicio de token no admite el tipo de concesión usado (unsupported_grant_type)",
    "TOKEN_INVALID_SCOPE": "El servicio de token rechazó el scope solicitado (invalid_scope)",
    "TOKEN_REJECTED": "El servicio de token rechazó la solicitud",
    "TOKEN_REDIRECT": "El servicio de token respondió con una redirección; no se siguen redirecciones",
    "TOKEN_RATE_LIMITED": "El servicio de token respondió 429 (demasiadas solicitudes)",
    "TOKEN_SERVER_ERROR": "El servicio de token respondió con un error del servidor",
    "TOKEN_HTTP_ERROR": "El servicio de token respondió con un estado HTTP inesperado",
    "TOKEN_NOT_JSON": "La respuesta del servicio de token no es un JSON válido",
    "TOKEN_MISSING_ACCESS_TOKEN": "La respuesta del servicio de token no contiene access_token",
    "TOKEN_TYPE_UNSUPPORTED": "El servicio de token entregó un token que no es de tipo Bearer",
    "TOKEN_RESPONSE_TOO_LARGE": "La respuesta del servicio de token es demasiado grande",
    "TOKEN_PROTOCOL_ERROR": "El servicio de token respondió algo que no es HTTP válido",
}
_OUTBOUND_REASONS = {
    "UNSAFE_URL": "TOKEN_URL_UNSAFE",
    "CONNECT_FAILED": "TOKEN_UNREACHABLE",
    "TIMEOUT": "TOKEN_TIMEOUT",
    "TLS_ERROR": "TOKEN_TLS",
    "RESPONSE_TOO_LARGE": "TOKEN_RESPONSE_TOO_LARGE",
    "PROTOCOL_ERROR": "TOKEN_PROTOCOL_ERROR",
}
_OAUTH_ERRORS = {
    "invalid_client": "TOKEN_INVALID_CLIENT",
    "invalid_grant": "TOKEN_INVALID_GRANT",
    "unauthorized_client": "TOKEN_UNAUTHORIZED_CLIENT",
    "unsupported_grant_type": "TOKEN_UNSUPPORTED_GRANT",
    "invalid_scope": "TOKEN_INVALID_SCOPE",
}
RETRYABLE = frozenset({"TOKEN_UNREACHABLE", "TOKEN_TIMEOUT", "TOKEN_RATE_LIMITED", "TOKEN_SERVER_ERROR"})


@dataclass(frozen=True)
class OAuthSettings:
    """The non-secret part of a CCF's OAuth registration (DynamoDB metadata)."""

    token_url: str
    client_id: str
    username: str | None = None
    scope: str | None = None
    token_name: str | None = None  # a label for people; not sent


@dataclass(frozen=True)
class Credentials:
    """The secret part (Secrets Manager). repr never shows the values."""

    password: str | None = None
    client_secret: str | None = None
    public_key: str | None = None  # PEM; not used for tokens, kept here so one read gives everything

    def __repr__(self) -> str:
        return (
            f"Credentials(password={'***' if self.password else None}, "
            f"client_secret={'***' if self.client_secret else None}, public_key={'PEM' if self.public_key else None})"
        )


@dataclass(frozen=True)
class Token:
    access_token: str
    token_type: str
    expires_at: int  # epoch seconds (sat_common.clock)

    def __repr__(self) -> str:
        return f"Token(access_token=***, token_type={self.token_type!r}, expires_at={self.expires_at})"

    @property
    def authorization(self) -> str:
        return f"Bearer {self.access_token}"


class TokenError(Exception):
    def __init__(self, reason_code: str, message_es: str | None = None, status_code: int | None = None) -> None:
        self.reason_code = reason_code
        self.message_es = message_es or REASONS_ES.get(reason_code, reason_code)
        self.status_code = status_code
        super().__init__(reason_code)

    @property
    def retryable(self) -> bool:
        """Network trouble, 429 or 5xx: a later attempt may work. Rejected credentials will not."""
        return self.reason_code in RETRYABLE


def grant_type(oauth: OAuthSettings, secrets: Credentials) -> str:
    return "password" if oauth.username and secrets.password else "client_credentials"


def fetch_token(oauth: OAuthSettings, secrets: Credentials, client: SafeHttpClient) -> Token:
    """POST the token request (application/x-www-form-urlencoded) and parse RFC 6749 §5.1; TokenError otherwise."""
    form = {"grant_type": grant_type(oauth, secrets)}
    if form["grant_type"] == "password":
        form["username"] = oauth.username or ""
        form["password"] = secrets.password or ""
    if oauth.scope:
        form["scope"] = oauth.scope
    basic = f"{quote(oauth.client_id, safe='')}:{quote(secrets.client_secret or '', safe='')}"
    headers = {
        "Authorization": "Basic " + base64.b64encode(basic.encode()).decode(),
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        response = client.request("POST", oauth.token_url, headers=headers, data=form)
    except OutboundError as error:
        code = _OUTBOUND_REASONS.get(error.reason_code, "TOKEN_UNREACHABLE")
        message = error.message_es if code == "TOKEN_URL_UNSAFE" else None
        raise TokenError(code, message) from None

    status = response.status_code
    if response.is_redirect:
        raise TokenError("TOKEN_REDIRECT", status_code=status)
    if status != 200:
        raise TokenError(_error_code(status, response.content), status_code=status)
    try:
        body = response.json()
    except ValueError:
        raise TokenError("TOKEN_NOT_JSON", status_code=status) from None
    if not isinstance(body, dict):
        raise TokenError("TOKEN_NOT_JSON", status_code=status)
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token.strip():
        raise TokenError("TOKEN_MISSING_ACCESS_TOKEN", status_code=status)
    token_type = body.get("token_type") or "Bearer"
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise TokenError("TOKEN_TYPE_UNSUPPORTED", status_code=status)
    return Token(access_token, "Bearer", clock.epoch() + _expires_in(body))


def _expires_in(body: dict[str, Any]) -> int:
    raw = body.get("expires_in")
    try:
        value = int(raw) if raw is not None and not isinstance(raw, bool) else DEFAULT_EXPIRES_IN
    except (TypeError, ValueError):
        value = DEFAULT_EXPIRES_IN
    return max(0, min(value, MAX_EXPIRES_IN))


def _error_code(status: int, content: bytes) -> str:
    if status == 429:
        return "TOKEN_RATE_LIMITED"
    if status >= 500:
        return "TOKEN_SERVER_ERROR"
    error = None
    try:
        body = json.loads(content)
        error = body.get("error") if isinstance(body, dict) else None
    except ValueError:
        error = None
    if isinstance(error, str) and error in _OAUTH_ERRORS:
        return _OAUTH_ERRORS[error]
    if status == 401:
        return "TOKEN_INVALID_CLIENT"
    if 400 <= status < 500:
        return "TOKEN_REJECTED"
    return "TOKEN_HTTP_ERROR"
