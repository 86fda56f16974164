"""The CCF's test notification to one of its shared services (decision 0108).

A notification like a trámite's (product.md §5 body, `X-JWS-Signature` signed with the Ministry's current key by
sat_common.notification_signing — the same header with iat/aud/jti/typ — and `Idempotency-Key` = jti), whose
`codigo_novedad` is `PRUEBA` and whose `numero_transaccion` names no trámite, sent synchronously with the CCF's
own OAuth token (sat_common.ccf_oauth_client, as the notifications worker gets it). The answer says whether the
receiver acknowledged it the way a notification must be acknowledged: a 2xx whose JSON echoes the number.

Only to a service whose URL passed the connection test (ACTIVE, or DISABLED by the worker): the token is never
handed to a URL nobody verified (decision 0054). Rate-limited per service like the connection test, and audited.
Nothing about it is stored on the service: a test never changes its state.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from sat_common import clock, notification_signing
from sat_common.ccf_oauth_client import OAuthSettings, TokenError, fetch_token
from sat_common.errors import DomainError
from sat_common.outbound_http import OutboundError, SafeHttpClient
from sat_common.shared_services import ACTIVE, DISABLED, credentials_of
from share import logic, secrets_store

CODIGO_NOVEDAD = "PRUEBA"
ACKNOWLEDGED = "ACUSADA"
NOT_ACKNOWLEDGED = "SIN_ACUSE"
FAILED = "FALLIDA"
_signers: dict[str, notification_signing.Signer] = {}


def _signer(key_ref: str) -> notification_signing.Signer:
    if key_ref not in _signers:
        _signers[key_ref] = notification_signing.Signer(key_ref)
    return _signers[key_ref]


def _body(numero: str) -> dict[str, str]:
    now = clock.now()
    return {
        "numero_transaccion": numero,
        "codigo_novedad": CODIGO_NOVEDAD,
        "fecha_creacion": now.isoformat(timespec="milliseconds"),
        "fecha_vigencia": (now + timedelta(days=1)).date().isoformat(),
        "estado_flujo": "PRUEBA",
        "url": "",  # nothing to pull: a test is not a trámite
        "estado_afiliacion": "PRUEBA",
    }


def send(ctx: logic.Context, shared_service_id: str) -> dict[str, Any]:
    logic._authorize(ctx)
    item = logic._existing(ctx, shared_service_id)
    if item["status"] not in (ACTIVE, DISABLED) or not item.get("oauth"):
        raise DomainError(code="SHARED_SERVICE_NOT_VERIFIED", status=409)
    key_ref = ctx.settings.notification_signing_key_id
    if not key_ref:
        raise DomainError(code="SERVICE_UNAVAILABLE", status=503)
    _rate_limit(ctx, shared_service_id)

    numero = f"{clock.now():%Y%m%d%H%M%S}{logic.new_ulid()[-6:]}"  # digits and letters: never a trámite's number
    key = f"sat-prueba-{logic.new_ulid()}"
    body = json.dumps(_body(numero), ensure_ascii=False, separators=(",", ":")).encode()
    signature = _signer(key_ref).sign(body, audience=ctx.nit, jti=key)
    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    oauth = item["oauth"]
    settings = OAuthSettings(
        token_url=oauth["tokenUrl"],
        client_id=oauth["clientId"],
        username=oauth.get("username"),
        scope=oauth.get("scope"),
        token_name=oauth.get("tokenName"),
    )
    client = SafeHttpClient(
        allow_loopback=ctx.settings.allow_loopback_urls,
        connect_timeout=ctx.settings.outbound_connect_timeout_seconds,
        read_timeout=ctx.settings.outbound_read_timeout_seconds,
        total_timeout=ctx.settings.outbound_total_timeout_seconds,
        max_response_bytes=ctx.settings.outbound_max_response_bytes,
    )
    result = _deliver(client, settings, credentials_of(stored), item, body, key, signature, numero)
    logic._audit(
        ctx,
        "SHARED_SERVICE_TEST_NOTIFICATION",
        shared_service_id,
        {
            "result": result["status"],
            "httpStatus": result["httpStatus"],
            "latencyMs": result["latencyMs"],
            "reasonCode": result.pop("reasonCode"),
            "idempotencyKey": key,
            "url": item["url"],
        },
    )
    return result


def _deliver(
    client: SafeHttpClient,
    settings: OAuthSettings,
    credentials: Any,
    item: dict[str, Any],
    body: bytes,
    key: str,
    signature: str,
    numero: str,
) -> dict[str, Any]:
    try:
        token = fetch_token(settings, credentials, client)
    except TokenError as error:
        detail = (
            "Servicio de token: " + error.message_es + (f" (HTTP {error.status_code})." if error.status_code else ".")
        )
        return _result(FAILED, error.status_code, None, detail, error.reason_code)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "Authorization": token.authorization,
        "Idempotency-Key": key,
        "X-JWS-Signature": signature,
    }
    started = time.monotonic()
    try:
        response = client.request(str(item.get("operation") or "POST").upper(), item["url"], headers=headers,
                                  content=body)  # fmt: skip
    except OutboundError as error:
        latency = int((time.monotonic() - started) * 1000)
        return _result(FAILED, None, latency, f"{error.message_es}.", error.reason_code)
    latency = int((time.monotonic() - started) * 1000)
    status = response.status_code
    if not 200 <= status < 300:
        return _result(
            FAILED, status, latency, f"El servicio respondió HTTP {status}; no acusó recibo.", f"HTTP_{status}"
        )
    if _echoes(response.content, numero):
        detail = f"El servicio acusó recibo de la notificación de prueba (HTTP {status}, {latency} ms)."
        return _result(ACKNOWLEDGED, status, latency, detail, None)
    detail = (
        f"El servicio respondió HTTP {status} pero no acusó recibo: la respuesta debe ser JSON con "
        "numero_transaccion igual al de la notificación."
    )
    return _result(NOT_ACKNOWLEDGED, status, latency, detail, "ACUSE_INVALIDO")


def _echoes(content: bytes, numero: str) -> bool:
    try:
        answer = json.loads(content)
    except ValueError:
        return False
    return isinstance(answer, dict) and str(answer.get("numero_transaccion", answer.get("NumeroTransaccion"))) == numero


def _result(status: str, http_status: int | None, latency: int | None, detail: str, reason: str | None) -> dict:
    return {"status": status, "httpStatus": http_status, "latencyMs": latency, "detail": detail, "reasonCode": reason}


def _rate_limit(ctx: logic.Context, shared_service_id: str) -> None:
    """One test notification per service per TEST_NOTIFICATION interval (a conditional write, as the
    connection test's VERIFICATION_RATE_LIMITED)."""
    now = clock.epoch()
    interval = ctx.settings.test_notification_interval_seconds
    key = {"PK": f"CCF#{ctx.nit}", "SK": f"TESTNOTIFICATION#{shared_service_id}"}
    try:
        ctx.table.put_item(
            Item={**key, "notBefore": now + interval, "expiresAt": now + interval},
            ConditionExpression="attribute_not_exists(PK) OR notBefore <= :now",
            ExpressionAttributeValues={":now": now},
        )
    except ctx.table.meta.client.exceptions.ConditionalCheckFailedException:
        current = ctx.table.get_item(Key=key).get("Item") or {}
        wait = max(1, int(current.get("notBefore", now + interval)) - now)
        raise DomainError(
            code="TEST_NOTIFICATION_RATE_LIMITED",
            status=429,
            params={"seconds": wait},
            headers={"Retry-After": str(wait)},
        ) from None
