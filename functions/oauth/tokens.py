"""POST /oauth2/token (RFC 6749): client_credentials (§4.4, client_secret_basic or _post) and the legacy
password grant (§4.3). The Client ID is the assignment's; the secret is the CCF's consumer password."""

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from oauth.config import OAuthSettings
from sat_common import audit, ccf_access, clock, passwords
from sat_common.audit import Actor
from sat_common.items import ConditionFailed, ItemStore
from sat_common.observability import logger

CLIENT_CREDENTIALS = "client_credentials"
PASSWORD = "password"  # noqa: S105 - a grant type name
# Same cost as a real check, so an unknown Client ID answers as slowly as a wrong password.
_DUMMY_HASH = ccf_access.hash_password("not-a-password-of-anyone", 12)


@dataclass
class OAuthError(Exception):
    """RFC 6749 §5.2 error response."""

    error: str
    status: int = 400
    description: str | None = None
    basic_challenge: bool = False
    retry_after: int | None = None


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str
    client_id: str
    secret: str
    username: str | None
    used_basic: bool


def parse(body: str, authorization: str | None, content_type: str | None) -> TokenRequest:
    if (content_type or "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", description="Content-Type must be application/x-www-form-urlencoded")
    pairs = parse_qsl(body or "", keep_blank_values=True)
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # §3.2: parameters MUST NOT be included more than once
            raise OAuthError("invalid_request", description=f"repeated parameter {name}")
        form[name] = value
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", description="grant_type is required")
    if grant_type not in (CLIENT_CREDENTIALS, PASSWORD):
        raise OAuthError("unsupported_grant_type")
    basic = _basic(authorization)
    if basic and ("client_secret" in form or ("client_id" in form and form["client_id"] != basic[0])):
        raise OAuthError("invalid_request", description="use one client authentication method")
    if grant_type == CLIENT_CREDENTIALS:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id or not secret:
            raise OAuthError("invalid_client", status=401, basic_challenge=True)
        return TokenRequest(grant_type, client_id, secret, None, bool(basic))
    client_id = basic[0] if basic else form.get("client_id", "")
    username, password = form.get("username", ""), form.get("password", "")
    if not client_id:
        raise OAuthError("invalid_client", status=401, basic_challenge=True)
    if not username or not password:
        raise OAuthError("invalid_request", description="username and password are required")
    return TokenRequest(grant_type, client_id, password, username, bool(basic))


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", status=401, basic_challenge=True) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", status=401, basic_challenge=True)
    # RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def issue(settings: OAuthSettings, request: TokenRequest, actor: Actor) -> dict[str, Any]:
    if request.grant_type == PASSWORD and not settings.oauth_password_grant_enabled:
        raise OAuthError("unsupported_grant_type")
    store = ItemStore(settings.main_table_name)
    if len(request.client_id) > 128:
        raise OAuthError("invalid_client", status=401, basic_challenge=request.used_basic)
    _check_lock(store, request.client_id, settings)
    grant = _authenticate(store, request)
    if grant is None:
        _record_failure(store, request, settings, actor)
        error = "invalid_grant" if request.grant_type == PASSWORD else "invalid_client"
        raise OAuthError(error, status=400 if error == "invalid_grant" else 401, basic_challenge=request.used_basic)
    store.delete(ccf_access.failures_key(request.client_id))
    nit, service_id = grant
    token, lifetime = ccf_access.issue_token(
        settings.token_signing_key_id,
        f"urn:sat-ccf:{settings.stage}",
        nit,
        service_id,
        request.client_id,
        settings.access_token_lifetime_seconds,
    )
    audit.record(
        settings.audit_table_name,
        f"CCF#{nit}",
        "ACCESS_TOKEN_ISSUED",
        actor,
        {"clientId": request.client_id, "serviceId": service_id, "grantType": request.grant_type},
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}


def _authenticate(store: ItemStore, request: TokenRequest) -> tuple[str, str] | None:
    """(nit, serviceId) when the Client ID's assignment and service are active and the secret matches."""
    lookup = store.get(ccf_access.client_key(request.client_id))
    if not lookup:
        ccf_access.password_matches(request.secret, _DUMMY_HASH)
        return None
    nit, service_id = str(lookup["nit"]), str(lookup["serviceId"])
    assignment = store.get(ccf_access.assignment_key(nit, service_id))
    service = store.get(ccf_access.service_key(service_id))
    stored = store.get(ccf_access.password_key(nit)) or {}
    usable = (
        assignment is not None
        and assignment.get("status") == ccf_access.ACTIVE
        and assignment.get("clientId") == request.client_id
        and service is not None
        and service.get("state") == ccf_access.ACTIVE
        and (request.username is None or request.username == nit)
    )
    secret = passwords.normalize(request.secret)
    matched = ccf_access.password_matches(secret, stored.get("current"))
    previous = stored.get("previous")
    if not matched and previous and int(previous.get("validUntil", 0)) > clock.epoch():
        matched = ccf_access.password_matches(secret, previous)
    return (nit, service_id) if usable and matched else None


def _check_lock(store: ItemStore, client_id: str, settings: OAuthSettings) -> None:
    item = store.get(ccf_access.failures_key(client_id)) or {}
    locked_until = int(item.get("lockedUntil", 0))
    now = clock.epoch()
    if locked_until > now:
        raise OAuthError(
            "slow_down",
            status=429,
            description="too many failed attempts for this client; try again later",
            retry_after=locked_until - now,
        )


def _record_failure(store: ItemStore, request: TokenRequest, settings: OAuthSettings, actor: Actor) -> None:
    """Count failures per Client ID in a fixed window; at the limit lock the client (expiresAt = TTL)."""
    now = clock.epoch()
    key = ccf_access.failures_key(request.client_id)
    window_end = now + settings.token_failure_window_seconds
    try:
        item = store.update(
            key,
            "ADD failures :one SET expiresAt = if_not_exists(expiresAt, :end)",
            "attribute_not_exists(expiresAt) OR expiresAt > :now",
            values={":one": 1, ":end": window_end, ":now": now},
        )
    except ConditionFailed:
        # The previous window is over (TTL deletes late): start a new one.
        item = {"failures": 1}
        store.put({**key, "failures": 1, "expiresAt": window_end})
    if int(item["failures"]) >= settings.token_max_failures:
        locked_until = now + settings.token_lock_seconds
        store.put({**key, "failures": 0, "lockedUntil": locked_until, "expiresAt": locked_until})
        logger.warning("client locked after failed token requests", extra={"clientId": request.client_id})
        audit.record(
            settings.audit_table_name,
            f"CLIENT#{request.client_id}",
            "TOKEN_CLIENT_LOCKED",
            actor,
            {"lockedUntil": locked_until},
        )
