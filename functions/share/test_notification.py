"""The CCF's test notification to one of its shared services (decision 0108).

A notification like a trámite's (product.md §5 body, `X-JWS-Signature` signed with the Ministry's current key by
sat_common.notification_signing — the same header with iat/aud/jti/typ — and `Idempotency-Key` = jti), whose
`codigo_novedad` is `PRUEBA` and whose `numero_transaccion` names no trámite, sent synchronously with the CCF's
own OAuth token (sat_common.ccf_oauth_client, as the notifications worker gets it). The answer says whether the
receiver acknowledged it the way a notification must be acknowledged: a 2xx whose JSON echoes the number.

Only to a service whose URL passed the connection test (ACTIVE, or DISABLED by the worker): the token is never
handed to a URL nobody verified (decision 0054). Rate-limited per service like the connection test, and audited.
The one change it makes: an acknowledged test of a DISABLED service makes it ACTIVE again (decision 0105,
sat_common.endpoint_health.enable), audited as NOTIFICATION_ENDPOINT_ENABLED and said in the answer's detail.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from sat_common import ccf_summary, clock, endpoint_health, notification_signing
from sat_common.ccf_oauth_client import OAuthSettings, TokenError, fetch_token
from sat_common.errors import DomainError
from sat_common.ids import new_ulid
from sat_common.outbound_http import OutboundError, SafeHttpClient
from sat_common.shared_services import ACTIVE, DISABLED, credentials_of
from share import secrets_store
from share.connection_test import oauth_settings, outbound_client
from share.context import Context, authorize, existing, rate_limited, record

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


def send(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    authorize(ctx)
    item = existing(ctx, shared_service_id)
    if item["status"] not in (ACTIVE, DISABLED) or not item.get("oauth"):
        raise DomainError(code="SHARED_SERVICE_NOT_VERIFIED", status=409)
    key_ref = ctx.settings.notification_signing_key_id
    if not key_ref:
        raise DomainError(code="SERVICE_UNAVAILABLE", status=503)
    _rate_limit(ctx, shared_service_id)

    numero = f"{clock.now():%Y%m%d%H%M%S}{new_ulid()[-6:]}"  # digits and letters: never a trámite's number
    key = f"sat-prueba-{new_ulid()}"
    body = json.dumps(_body(numero), ensure_ascii=False, separators=(",", ":")).encode()
    signature = _signer(key_ref).sign(body, audience=ctx.nit, jti=key)
    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    settings = oauth_settings(item["oauth"])
    client = outbound_client(ctx.settings)
    result = _deliver(client, settings, credentials_of(stored), item, body, key, signature, numero)
    if result["status"] == ACKNOWLEDGED and item["status"] == DISABLED:
        _enable(ctx, item, result)
    record(
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


def _enable(ctx: Context, item: dict[str, Any], result: dict[str, Any]) -> None:
    """The endpoint acknowledged like a trámite notification: deliveries may resume (decision 0105)."""
    table = ctx.settings.main_table_name
    if not endpoint_health.enable(table, ctx.nit, item["sharedServiceId"]):
        return  # enabled meanwhile (a connection test), or changed: nothing to tell
    ccf_summary.refresh_shared_services(table, ctx.nit)
    record(
        ctx,
        "NOTIFICATION_ENDPOINT_ENABLED",
        item["sharedServiceId"],
        {"reason": "NOTIFICACION_DE_PRUEBA", "previousReason": item.get("disabledReason"), "url": item["url"]},
    )
    result["detail"] += (
        " El servicio estaba deshabilitado y quedó activo de nuevo: los próximos trámites se le notificarán."
    )


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


def _rate_limit(ctx: Context, shared_service_id: str) -> None:
    """One test notification per service per TEST_NOTIFICATION interval (a conditional write, as the
    connection test's VERIFICATION_RATE_LIMITED)."""
    interval = ctx.settings.test_notification_interval_seconds
    wait = ctx.repository.take_test_notification_slot(ctx.nit, shared_service_id, clock.epoch(), interval)
    if wait:
        raise rate_limited("TEST_NOTIFICATION_RATE_LIMITED", wait)
