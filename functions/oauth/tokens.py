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

from oauth import verified_secrets
from oauth.config import OAuthSettings
from oauth.repository import CcfFacts, ClientFacts, TokenRepository
from sat_common import audit, ccf_access, clock, keys, passwords
from sat_common.audit import Actor
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
    if len(request.client_id) > 128:
        raise OAuthError("invalid_client", status=401, basic_challenge=request.used_basic)
    repository = TokenRepository(settings.main_table_name)
    source = source_of(actor)
    readings = [passwords.normalize(reading) for reading in request.secret_readings]
    client, grant, ccf = _remembered(repository, request, readings, source)
    if grant is None:
        client = repository.client(request.client_id, source)
        _check_lock(client)
        lookup = client.lookup
        ccf = repository.ccf(str(lookup["nit"]) if lookup else "-", str(lookup["serviceId"]) if lookup else "-")
        grant = authenticate(request, lookup, ccf, settings.password_hash_cost, settings.token_secret_memory_seconds)
    if grant is None:
        _record_failure(repository, request, source, settings, actor)
        error = "invalid_grant" if request.grant_type == PASSWORD else "invalid_client"
        raise OAuthError(error, status=400 if error == "invalid_grant" else 401, basic_challenge=request.used_basic)
    nit, service_id, password_revision = grant
    _refuse_if_suspended(ccf, settings, request, nit, actor)
    # Only this source's failures are forgiven: a legitimate system succeeding from its own address must not
    # wipe the count of someone guessing from another one (the Client ID's overall count stays too).
    if client.source_failures is not None:
        repository.forgive(request.client_id, source)
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
        keys.ccf(nit),
        "ACCESS_TOKEN_ISSUED",
        actor,
        {"clientId": request.client_id, "serviceId": service_id, "grantType": request.grant_type},
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": service_id}


def _remembered(
    repository: TokenRepository, request: TokenRequest, readings: list[str], source: str
) -> tuple[ClientFacts, tuple[str, str, int] | None, CcfFacts]:
    """A secret this container verified a moment ago (decision 0112): one read of every item the answer depends
    on, and no scrypt, while the hash it matched is still the one stored and valid. (facts, None, facts) when
    there is no such secret, or its hash changed (then it is forgotten and checked in full)."""
    empty = CcfFacts({}, None, None, {})
    remembered = verified_secrets.recall(request.client_id, readings)
    if remembered is None:
        return ClientFacts(None, None, None), None, empty
    client, ccf = repository.client_and_ccf(request.client_id, source, remembered.nit, remembered.service_id)
    _check_lock(client)
    current, previous = _valid_hashes(ccf.password)
    revision = int(ccf.password.get("revision", 0))
    if current and verified_secrets.fingerprint(current) == remembered.fingerprint:
        matched, default = current, revision
    elif previous and verified_secrets.fingerprint(previous) == remembered.fingerprint:
        matched, default = previous, revision - 1
    else:
        verified_secrets.forget(request.client_id, readings)
        return client, None, empty
    if not _usable(request, remembered.nit, ccf):
        return client, None, empty  # refused in full below, as a failure (a revoked assignment, ...)
    return client, (remembered.nit, remembered.service_id, int(matched.get("revision", default))), ccf


def _check_scope(requested: str | None, service_id: str) -> None:
    """A Client ID's token is for its one service: the scope granted is the service's id (always stated, RFC 6749
    §5.1), and a request may ask for that scope or none; asking for another is `invalid_scope` (§5.2) rather than
    a token that silently covers less than asked (decision 0100)."""
    if requested is not None and set(requested.split(" ")) != {service_id}:
        raise OAuthError("invalid_scope", description="the scope of this client is its service's id")


def _refuse_if_suspended(ccf: CcfFacts, settings: OAuthSettings, request: TokenRequest, nit: str, actor: Actor) -> None:
    """A suspended CCF's systems get no token (decision 0093): `invalid_client` as RFC 6749 §5.2 says for a client
    that may not authenticate, told only after the secret matched (so it says nothing to a guesser), and not
    counted as a failure (the Client ID is not locked out for when the CCF is reactivated)."""
    if ccf.activation.get("status") == ccf_access.ACTIVE:
        return
    audit.record(
        settings.audit_table_name,
        keys.ccf(nit),
        "ACCESS_TOKEN_REFUSED",
        actor,
        {"clientId": request.client_id, "reason": str(ccf.activation.get("status") or "NOT_ACTIVE")},
    )
    raise OAuthError("invalid_client", status=401, description="client suspended", basic_challenge=request.used_basic)


def source_of(actor: Actor) -> str:
    """Where the request came from, as a key: a hash of the address (the address itself is not kept here)."""
    return hashlib.sha256((actor.source_ip or "-").encode()).hexdigest()[:16]


def authenticate(
    request: TokenRequest, lookup: dict[str, Any] | None, ccf: CcfFacts, hash_cost: int, remember_seconds: int = 0
) -> tuple[str, str, int] | None:
    """(nit, serviceId, password revision) when the Client ID's assignment and service are active and the
    secret matches the current password or the previous one within its overlap; the matching secret is then
    remembered for `remember_seconds` (verified_secrets, decision 0112).

    Every request runs the same two scrypt checks per reading of its secret whatever is stored (an unknown
    Client ID, no password, no previous password: the dummy hash takes the missing one's place), so the answer
    time says nothing; a Basic secret with `%` or `+` has two readings (decision 0100), both always checked."""
    nit, service_id = (str(lookup["nit"]), str(lookup["serviceId"])) if lookup else ("", "")
    revision = int(ccf.password.get("revision", 0))
    current, previous = _valid_hashes(ccf.password)
    readings = [passwords.normalize(reading) for reading in request.secret_readings]
    dummy = dummy_hash(hash_cost)
    current_reading = _matching(readings, current, dummy)
    previous_reading = _matching(readings, previous, dummy)
    if not lookup or (current_reading is None and previous_reading is None):
        return None
    if not _usable(request, nit, ccf):
        return None
    current_matches = current_reading is not None
    matched, reading = (current, current_reading) if current_matches else (previous, previous_reading)
    assert matched is not None and reading is not None
    verified_secrets.remember(request.client_id, reading, nit, service_id, matched, remember_seconds)
    # Each hash records the revision that set it; items written before decision 0041 do not.
    default = revision if current_matches else revision - 1
    return nit, service_id, int(matched.get("revision", default))


def _valid_hashes(password: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The current hash, and the previous one while its overlap lasts."""
    previous = password.get("previous")
    if previous and int(previous.get("validUntil", 0)) <= clock.epoch():
        previous = None
    return password.get("current"), previous


def _usable(request: TokenRequest, nit: str, ccf: CcfFacts) -> bool:
    """The Client ID's assignment is active and still its own, the service is active, and a password grant names
    the CCF."""
    assignment, service = ccf.assignment, ccf.service
    return (
        assignment is not None
        and assignment.get("status") == ccf_access.ACTIVE
        and assignment.get("clientId") == request.client_id
        and service is not None
        and service.get("state") == ccf_access.ACTIVE
        and (request.username is None or request.username == nit)
    )


def _matching(readings: list[str], stored: dict[str, Any] | None, dummy: dict[str, Any]) -> str | None:
    """The first reading that matches `stored`. Every reading is checked, with no early exit: how long it takes
    depends on the request alone (how many readings its secret has), never on which reading or which hash
    matched (decision 0100)."""
    results = [ccf_access.password_matches(reading, stored or dummy) for reading in readings]
    if stored is None:
        return None
    return next((reading for reading, matches in zip(readings, results, strict=True) if matches), None)


def _check_lock(client: ClientFacts) -> None:
    """Locked for this source, or for every source once the Client ID as a whole failed too often."""
    now = clock.epoch()
    for item in (client.source_failures, client.client_failures):
        locked_until = int((item or {}).get("lockedUntil", 0))
        if locked_until > now:
            raise OAuthError(
                "slow_down",
                status=429,
                description="too many failed attempts for this client; try again later",
                retry_after=locked_until - now,
            )


def _record_failure(
    repository: TokenRepository, request: TokenRequest, source: str, settings: OAuthSettings, actor: Actor
) -> None:
    """Count the failure for its source and for the Client ID, each in a fixed window; at its limit each
    locks (expiresAt = TTL): the source after TOKEN_MAX_FAILURES, every source after TOKEN_MAX_CLIENT_FAILURES."""
    limits = (
        (ccf_access.failures_key(request.client_id, source), settings.token_max_failures, "source"),
        (ccf_access.failures_key(request.client_id), settings.token_max_client_failures, "client"),
    )
    for key, limit, scope in limits:
        now = clock.epoch()
        if repository.count_failure(key, now, now + settings.token_failure_window_seconds) >= limit:
            locked_until = clock.epoch() + settings.token_lock_seconds
            repository.lock(key, locked_until)
            logger.warning("client locked after failed token requests", extra={"clientId": request.client_id})
            audit.record(
                settings.audit_table_name,
                keys.client(request.client_id),
                "TOKEN_CLIENT_LOCKED",
                actor,
                {"lockedUntil": locked_until, "scope": scope},
            )
