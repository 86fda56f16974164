"""POST /oauth2/token (RFC 6749): client_credentials (§4.4, client_secret_basic or _post) and the legacy
password grant (§4.3). The Client ID is the assignment's; the secret is the CCF's consumer password; the scope
granted is the assignment's service (decision 0100)."""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from oauth.config import OAuthSettings
from sat_common import audit, ccf_access, clock, passwords
from sat_common.audit import Actor
from sat_common.items import ConditionFailed, ItemStore
from sat_common.observability import logger

CLIENT_CREDENTIALS = "client_credentials"
PASSWORD = "password"  # noqa: S105 - a grant type name
GRANT_TYPES = (CLIENT_CREDENTIALS, PASSWORD)
AUTH_METHODS = ("client_secret_basic", "client_secret_post")  # RFC 8414 token_endpoint_auth_methods_supported
# RFC 6749 §3.3: space-delimited scope-tokens of %x21 / %x23-5B / %x5D-7E.
SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,128}( [\x21\x23-\x5b\x5d-\x7e]{1,128}){0,15}")


@cache
def dummy_hash(cost: int) -> dict[str, Any]:
    """A hash nobody's password matches, with the parameters real hashes get (PASSWORD_HASH_COST, the
    catalog's setting): computed once per container, checked wherever a real hash is missing, so an unknown
    Client ID costs exactly what a known one with a wrong secret costs (decision 0054)."""
    return ccf_access.hash_password("not-a-password-of-anyone", cost)


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
    # The Basic secret read without RFC 6749 §2.3.1's form-decoding, when that reading differs (decision 0100).
    other_reading: str | None = None
    scope: str | None = None

    @property
    def secret_readings(self) -> tuple[str, ...]:
        return (self.secret,) if self.other_reading is None else (self.secret, self.other_reading)


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
    if grant_type not in GRANT_TYPES:
        raise OAuthError("unsupported_grant_type")
    scope = form.get("scope") or None
    if scope is not None and not SCOPE.fullmatch(scope):
        raise OAuthError("invalid_scope")
    basic = _basic(authorization)
    if basic and ("client_secret" in form or ("client_id" in form and form["client_id"] != basic[0])):
        raise OAuthError("invalid_request", description="use one client authentication method")
    if grant_type == CLIENT_CREDENTIALS:
        client_id, secret, other = basic or (form.get("client_id", ""), form.get("client_secret", ""), None)
        if not client_id or not secret:
            raise OAuthError("invalid_client", status=401, basic_challenge=True)
        return TokenRequest(grant_type, client_id, secret, None, bool(basic), other, scope)
    client_id = basic[0] if basic else form.get("client_id", "")
    username, password = form.get("username", ""), form.get("password", "")
    if not client_id:
        raise OAuthError("invalid_client", status=401, basic_challenge=True)
    if not username or not password:
        raise OAuthError("invalid_request", description="username and password are required")
    return TokenRequest(grant_type, client_id, password, username, bool(basic), None, scope)


def _basic(header: str | None) -> tuple[str, str, str | None] | None:
    """(Client ID, secret, the secret's other reading or None) of HTTP Basic client credentials (decision 0100).

    RFC 6749 §2.3.1 form-encodes both before Basic; requests-oauthlib, Authlib and `curl -u` do not, and
    requests and Authlib send the text as ISO-8859-1 where curl sends UTF-8. So the bytes are UTF-8 when they
    are valid UTF-8 (RFC 7617 `charset="UTF-8"`, which the challenge announces), else ISO-8859-1; and the
    secret's raw text is a second reading wherever form-decoding changes it (only a secret with `%` or `+`).
    Client IDs have neither, so theirs is the form-decoded reading."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True)
    except binascii.Error:
        raise OAuthError("invalid_client", status=401, basic_challenge=True) from None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("iso-8859-1")  # every byte is a character: never fails
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", status=401, basic_challenge=True)
    form_decoded = unquote_plus(secret)
    return unquote_plus(client_id), form_decoded, (secret if secret != form_decoded else None)


def issue(settings: OAuthSettings, request: TokenRequest, actor: Actor) -> dict[str, Any]:
    if request.grant_type == PASSWORD and not settings.oauth_password_grant_enabled:
        raise OAuthError("unsupported_grant_type")
    store = ItemStore(settings.main_table_name)
    if len(request.client_id) > 128:
        raise OAuthError("invalid_client", status=401, basic_challenge=request.used_basic)
    source = source_of(actor)
    _check_lock(store, request.client_id, source)
    grant = authenticate(store, request, settings.password_hash_cost)
    if grant is None:
        _record_failure(store, request, source, settings, actor)
        error = "invalid_grant" if request.grant_type == PASSWORD else "invalid_client"
        raise OAuthError(error, status=400 if error == "invalid_grant" else 401, basic_challenge=request.used_basic)
    nit, service_id, password_revision = grant
    _refuse_if_suspended(store, settings, request, nit, actor)
    # Only this source's failures are forgiven: a legitimate system succeeding from its own address must not
    # wipe the count of someone guessing from another one (the Client ID's overall count stays too).
    store.delete(ccf_access.failures_key(request.client_id, source))
    _check_scope(request.scope, service_id)
    token, lifetime = ccf_access.issue_token(
        settings.token_signing_key_id,
        ccf_access.token_issuer(settings.public_api_base_url),
        nit,
        service_id,
        request.client_id,
        settings.access_token_lifetime_seconds,
        password_revision,
    )
    audit.record(
        settings.audit_table_name,
        f"CCF#{nit}",
        "ACCESS_TOKEN_ISSUED",
        actor,
        {"clientId": request.client_id, "serviceId": service_id, "grantType": request.grant_type},
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": service_id}


def _check_scope(requested: str | None, service_id: str) -> None:
    """A Client ID's token is for its one service: the scope granted is the service's id (always stated, RFC 6749
    §5.1), and a request may ask for that scope or none; asking for another is `invalid_scope` (§5.2) rather than
    a token that silently covers less than asked (decision 0100)."""
    if requested is not None and set(requested.split(" ")) != {service_id}:
        raise OAuthError("invalid_scope", description="the scope of this client is its service's id")


def _refuse_if_suspended(
    store: ItemStore, settings: OAuthSettings, request: TokenRequest, nit: str, actor: Actor
) -> None:
    """A suspended CCF's systems get no token (decision 0093): `invalid_client` as RFC 6749 §5.2 says for a client
    that may not authenticate, told only after the secret matched (so it says nothing to a guesser), and not
    counted as a failure (the Client ID is not locked out for when the CCF is reactivated)."""
    activation = store.get(ccf_access.activation_key(nit)) or {}
    if activation.get("status") == ccf_access.ACTIVE:
        return
    audit.record(
        settings.audit_table_name,
        f"CCF#{nit}",
        "ACCESS_TOKEN_REFUSED",
        actor,
        {"clientId": request.client_id, "reason": str(activation.get("status") or "NOT_ACTIVE")},
    )
    raise OAuthError("invalid_client", status=401, description="client suspended", basic_challenge=request.used_basic)


def source_of(actor: Actor) -> str:
    """Where the request came from, as a key: a hash of the address (the address itself is not kept here)."""
    return hashlib.sha256((actor.source_ip or "-").encode()).hexdigest()[:16]


def authenticate(store: ItemStore, request: TokenRequest, hash_cost: int) -> tuple[str, str, int] | None:
    """(nit, serviceId, password revision) when the Client ID's assignment and service are active and the
    secret matches the current password or the previous one within its overlap.

    Every request runs the same two scrypt checks per reading of its secret whatever is stored (an unknown
    Client ID, no password, no previous password: the dummy hash takes the missing one's place), so the answer
    time says nothing; a Basic secret with `%` or `+` has two readings (decision 0100), both always checked."""
    lookup = store.get(ccf_access.client_key(request.client_id))
    nit, service_id = (str(lookup["nit"]), str(lookup["serviceId"])) if lookup else ("", "")
    stored = store.get(ccf_access.password_key(nit or "-")) or {}  # the same reads, known Client ID or not
    revision = int(stored.get("revision", 0))
    current = stored.get("current")
    previous = stored.get("previous")
    if previous and int(previous.get("validUntil", 0)) <= clock.epoch():
        previous = None
    readings = [passwords.normalize(reading) for reading in request.secret_readings]
    dummy = dummy_hash(hash_cost)
    current_matches = _matches_any(readings, current, dummy)
    previous_matches = _matches_any(readings, previous, dummy)
    if not lookup or not (current_matches or previous_matches):
        return None
    assignment = store.get(ccf_access.assignment_key(nit, service_id))
    service = store.get(ccf_access.service_key(service_id))
    usable = (
        assignment is not None
        and assignment.get("status") == ccf_access.ACTIVE
        and assignment.get("clientId") == request.client_id
        and service is not None
        and service.get("state") == ccf_access.ACTIVE
        and (request.username is None or request.username == nit)
    )
    if not usable:
        return None
    matched = current if current_matches else previous
    assert matched is not None
    # Each hash records the revision that set it; items written before decision 0041 do not.
    default = revision if current_matches else revision - 1
    return nit, service_id, int(matched.get("revision", default))


def _matches_any(readings: list[str], stored: dict[str, Any] | None, dummy: dict[str, Any]) -> bool:
    """Every reading is checked, with no early exit: how long it takes depends on the request alone (how many
    readings its secret has), never on which reading or which hash matched (decision 0100)."""
    results = [ccf_access.password_matches(reading, stored or dummy) for reading in readings]
    return stored is not None and any(results)


def _check_lock(store: ItemStore, client_id: str, source: str) -> None:
    """Locked for this source, or for every source once the Client ID as a whole failed too often."""
    now = clock.epoch()
    for key in (ccf_access.failures_key(client_id, source), ccf_access.failures_key(client_id)):
        locked_until = int((store.get(key) or {}).get("lockedUntil", 0))
        if locked_until > now:
            raise OAuthError(
                "slow_down",
                status=429,
                description="too many failed attempts for this client; try again later",
                retry_after=locked_until - now,
            )


def _record_failure(
    store: ItemStore, request: TokenRequest, source: str, settings: OAuthSettings, actor: Actor
) -> None:
    """Count the failure for its source and for the Client ID, each in a fixed window; at its limit each
    locks (expiresAt = TTL): the source after TOKEN_MAX_FAILURES, every source after TOKEN_MAX_CLIENT_FAILURES."""
    limits = (
        (ccf_access.failures_key(request.client_id, source), settings.token_max_failures, "source"),
        (ccf_access.failures_key(request.client_id), settings.token_max_client_failures, "client"),
    )
    for key, limit, scope in limits:
        if _count(store, key, settings) >= limit:
            now = clock.epoch()
            locked_until = now + settings.token_lock_seconds
            store.put({**key, "failures": 0, "lockedUntil": locked_until, "expiresAt": locked_until})
            logger.warning("client locked after failed token requests", extra={"clientId": request.client_id})
            audit.record(
                settings.audit_table_name,
                f"CLIENT#{request.client_id}",
                "TOKEN_CLIENT_LOCKED",
                actor,
                {"lockedUntil": locked_until, "scope": scope},
            )


def _count(store: ItemStore, key: dict[str, str], settings: OAuthSettings) -> int:
    now = clock.epoch()
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
        store.put({**key, "failures": 1, "expiresAt": window_end})
        return 1
    return int(item["failures"])
