"""The connection test of a shared service (POST .../verification; decisions 0050, 0054, 0111): a token from the
CCF's token service with the stored credentials, and a probe of the service's own URL without the token or any
secret (endpoint_probe). Rate-limited per service, so we are never anybody's port scanner.

Success makes the service ACTIVE (also a DISABLED one, decision 0105): its configuration becomes the verified one,
where notifications go. Failure keeps delivering to the last verified configuration, if any (decision 0111):
an ACTIVE service waits for a new test (PENDING_VERIFICATION) with its configuration kept; a DISABLED one stays so.
"""

from __future__ import annotations

from typing import Any

from sat_common import clock
from sat_common.ccf_oauth_client import OAuthSettings, TokenError, fetch_token, grant_type
from sat_common.errors import DomainError
from sat_common.outbound_http import SafeHttpClient
from sat_common.shared_services import (
    ACTIVE,
    AUTHORIZED,
    DISABLED,
    FAILED,
    INCOMPLETE,
    VERIFIED_CONFIGURATION,
    credentials_of,
)
from share import endpoint_probe, secrets_store
from share.config import ShareSettings
from share.context import Context, authorize, existing, rate_limited, record
from share.repository import ConditionFailed
from share.verified_configuration import await_verification, verified


def oauth_settings(oauth: dict[str, Any]) -> OAuthSettings:
    return OAuthSettings(
        token_url=oauth["tokenUrl"],
        client_id=oauth["clientId"],
        username=oauth.get("username"),
        scope=oauth.get("scope"),
        token_name=oauth.get("tokenName"),
    )


def outbound_client(settings: ShareSettings) -> SafeHttpClient:
    return SafeHttpClient(
        allow_loopback=settings.allow_loopback_urls,
        connect_timeout=settings.outbound_connect_timeout_seconds,
        read_timeout=settings.outbound_read_timeout_seconds,
        total_timeout=settings.outbound_total_timeout_seconds,
        max_response_bytes=settings.outbound_max_response_bytes,
    )


def verify(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    authorize(ctx)
    item = existing(ctx, shared_service_id)
    if item["status"] == INCOMPLETE or not item.get("oauth"):
        raise DomainError(code="SHARED_SERVICE_INCOMPLETE", status=409)
    wait = ctx.repository.take_verification_slot(
        ctx.nit, shared_service_id, clock.epoch(), ctx.settings.verification_interval_seconds
    )
    if wait:
        raise rate_limited("VERIFICATION_RATE_LIMITED", wait)

    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    credentials = credentials_of(stored)
    oauth = item["oauth"]
    settings = oauth_settings(oauth)
    grant = grant_type(settings, credentials)
    client = outbound_client(ctx.settings)
    reason_code, http_status = None, None
    try:
        fetch_token(settings, credentials, client)  # the token itself is dropped: a test only
        token_ok = True
        token_detail = f"Se obtuvo un token de acceso del servicio de token de la CCF (concesión {grant})."
    except TokenError as error:
        token_ok, reason_code, http_status = False, error.reason_code, error.status_code
        token_detail = error.message_es + (f" (HTTP {http_status})." if http_status else ".")
    # The service's own URL too, without the token or any secret (decision 0054): a notification goes there.
    probe = endpoint_probe.probe(item["url"], client)
    status = AUTHORIZED if token_ok and probe.reachable else FAILED
    detail = f"Servicio de token: {token_detail} Servicio: {probe.detail_es}"
    connection = {"status": status, "detail": detail, "checkedAt": clock.stamp()}
    new = dict(item)
    if status == AUTHORIZED:
        new["status"] = ACTIVE
        for stale in ("disabledAt", "disabledReason", "failingSince"):
            new.pop(stale, None)
        verified(new)
    elif item["status"] != DISABLED:  # a DISABLED endpoint stays so (with its reason) until a test succeeds (0105)
        await_verification(new, item)
    new.update(connection=connection, revision=item["revision"] + 1)
    try:
        ctx.repository.replace(new, item["revision"])
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    if status == AUTHORIZED:
        secrets_store.mark_verified(new["secretName"], new["secretVersionId"])
    record(
        ctx,
        "SHARED_SERVICE_VERIFIED",
        shared_service_id,
        {
            "result": status,
            "reasonCode": reason_code,
            "httpStatus": http_status,
            "grantType": grant,
            "tokenUrl": oauth["tokenUrl"],
            "endpointReasonCode": probe.reason_code,
            "endpointHttpStatus": probe.http_status,
            "url": item["url"],
            "status": new["status"],
            "verifiedUrl": (new.get(VERIFIED_CONFIGURATION) or {}).get("url"),
        },
    )
    return connection
