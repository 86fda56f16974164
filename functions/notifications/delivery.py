"""Delivers one trámite notification to the CCF's endpoint and decides what happens next (decision 0062).

Outcomes per attempt (each one is a DELIVERY# item on the trámite and an audit entry):
- ACUSADA: 2xx whose JSON body echoes the transaction number → NOTIFICADA, the acknowledgement stored.
- REINTENTO: timeout, connection failure, 5xx, 429 (Retry-After honoured), 401 after one token refresh, a
  2xx that does not acknowledge (garbage), token endpoint trouble → the message comes back after an
  exponential backoff with jitter (SQS ChangeMessageVisibility), until the configured attempts are used.
- FALLIDA: any other 4xx, an unsafe URL, no ACTIVE notification service, or the last attempt failing →
  the trámite shows FALLIDA and the message goes to the DLQ; the Ministry can redrive it.
- OMITIDA: the trámite was acknowledged or answered already, or the message is from an older generation:
  nothing is sent (never a second delivery to a CCF that acknowledged).

A lease on the trámite item (conditional update) keeps two copies of a message from posting at once.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sat_common import audit, aws, ccf_partner, clock, tramites
from sat_common.audit import Actor
from sat_common.ccf_oauth_client import Token, TokenError, fetch_token
from sat_common.observability import logger
from sat_common.outbound_http import OutboundError, SafeHttpClient
from sat_common.settings import CommonSettings, OutboundSettings

ACTOR = Actor(subject="system:notifications")
TOKEN_MARGIN_SECONDS = 30


class NotificationSettings(CommonSettings, OutboundSettings):
    main_table_name: str
    audit_table_name: str
    notification_signing_key_id: str
    notification_queue_url: str = ""  # for the backoff (ChangeMessageVisibility); empty: no backoff change
    notification_dlq_url: str
    notification_service_name: str = "NotificacionTramite"
    notification_max_attempts: int = 5
    notification_backoff_base_seconds: float = 30.0
    notification_backoff_max_seconds: float = 900.0


class RetryLater(Exception):
    """The message must come back after `delay` seconds (its visibility was already changed)."""

    def __init__(self, delay: int) -> None:
        super().__init__(f"retry in {delay} s")
        self.delay = delay


@dataclass
class Attempt:
    outcome: str  # ACUSADA, REINTENTO, FALLIDA, OMITIDA
    reason: str | None = None
    status_code: int | None = None
    latency_ms: int | None = None
    retry_after: int | None = None
    ack: dict[str, Any] | None = None


# --------------------------------------------------------------------------- token cache
_tokens: dict[tuple[str, ...], Token] = {}


def _token_key(endpoint: ccf_partner.PartnerEndpoint) -> tuple[str, ...]:
    oauth = endpoint.oauth
    return (
        endpoint.shared_service_id,
        endpoint.revision,
        oauth.token_url if oauth else "",
        oauth.client_id if oauth else "",
    )


def token_for(endpoint: ccf_partner.PartnerEndpoint, client: SafeHttpClient, fresh: bool = False) -> Token | None:
    """The CCF's access token, cached in memory until shortly before it expires (never stored)."""
    if endpoint.oauth is None:
        return None
    key = _token_key(endpoint)
    cached = _tokens.get(key)
    if not fresh and cached and cached.expires_at - TOKEN_MARGIN_SECONDS > clock.epoch():
        return cached
    _tokens.pop(key, None)
    token = fetch_token(endpoint.oauth, endpoint.credentials, client)
    _tokens[key] = token
    return token


# --------------------------------------------------------------------------- backoff
def backoff_delay(settings: NotificationSettings, attempt: int, retry_after: int | None = None) -> int:
    """Exponential backoff with "equal jitter": half the step fixed, half random; Retry-After as a floor."""
    step = min(
        settings.notification_backoff_max_seconds, settings.notification_backoff_base_seconds * 2 ** (attempt - 1)
    )
    delay = step / 2 + random.uniform(0, step / 2)  # noqa: S311 - jitter, not a secret
    if retry_after is not None:
        delay = max(delay, min(float(retry_after), settings.notification_backoff_max_seconds))
    return max(0, min(round(delay), 43_200))  # SQS visibility timeout limit: 12 h


# --------------------------------------------------------------------------- the work
class Deliverer:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self._receive_count = 0
        self.client = SafeHttpClient(  # ALLOW_LOOPBACK_URLS: local runtime only (the sample CCF on 127.0.0.1)
            allow_loopback=settings.allow_loopback_urls,
            connect_timeout=settings.outbound_connect_timeout_seconds,
            read_timeout=settings.outbound_read_timeout_seconds,
            total_timeout=settings.outbound_total_timeout_seconds,
            max_response_bytes=settings.outbound_max_response_bytes,
        )

    @property
    def table(self) -> Any:
        return aws.table(self.settings.main_table_name)

    def handle(self, body: str, receive_count: int, receipt_handle: str, queue_url: str | None) -> str:
        """Process one SQS message; returns the outcome, raises RetryLater when it must come back."""
        message = tramites.NotificationMessage.model_validate_json(body)
        numero = message.numeroTransaccion
        item = self.table.get_item(Key=tramites.tramite_key(numero), ConsistentRead=True).get("Item")
        skip = self._skip_reason(item, message)
        if skip:
            self._record(numero, receive_count, Attempt("OMITIDA", skip), count=False)
            return "OMITIDA"
        assert item is not None
        if not self._lease(numero, message.generation):
            # Another copy of this message is being delivered right now: look again shortly.
            busy = int(self._lease_seconds() / 2) + 1
            self._visibility(queue_url, receipt_handle, busy)
            raise RetryLater(busy)
        self._receive_count = receive_count
        try:
            attempt = self._deliver(item, message)
        except Exception:
            self._release(numero)
            raise
        self._record(numero, receive_count, attempt)
        if attempt.outcome == "ACUSADA":
            self._acknowledged(numero, message.generation, attempt)
            return "ACUSADA"
        last = receive_count >= self.settings.notification_max_attempts
        if attempt.outcome == "FALLIDA" or last:
            self._failed(numero, message, attempt, receive_count)
            return "FALLIDA"
        self._release(numero)
        delay = backoff_delay(self.settings, receive_count, attempt.retry_after)
        self._visibility(queue_url, receipt_handle, delay)
        raise RetryLater(delay)

    # ----------------------------------------------------------------- steps
    @staticmethod
    def _skip_reason(item: dict[str, Any] | None, message: tramites.NotificationMessage) -> str | None:
        if item is None:
            return "TRAMITE_INEXISTENTE"
        if item.get("acknowledgement") or item.get("estado") in (tramites.NOTIFICADA, *tramites.FINAL_STATES):
            return "YA_ACUSADA"
        if int(item.get("generation", 0)) != message.generation:
            return "MENSAJE_ANTERIOR"
        if item.get("estado") != tramites.PENDIENTE:
            return f"ESTADO_{item.get('estado')}"
        return None

    def _lease(self, numero: str, generation: int) -> bool:
        from botocore.exceptions import ClientError

        now = clock.epoch()
        lease = self._lease_seconds()
        try:
            self.table.update_item(
                Key=tramites.tramite_key(numero),
                UpdateExpression="SET leaseUntil = :until",
                ConditionExpression="estado = :p AND generation = :g AND "
                "(attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
                ExpressionAttributeValues={
                    ":until": now + lease,
                    ":now": now,
                    ":p": tramites.PENDIENTE,
                    ":g": generation,
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _lease_seconds(self) -> int:
        """Long enough for the token request and two POSTs (a 401 refresh), each within the total timeout."""
        return int(self.settings.outbound_total_timeout_seconds * 3) + 5

    def _release(self, numero: str) -> None:
        self.table.update_item(Key=tramites.tramite_key(numero), UpdateExpression="REMOVE leaseUntil")

    def _deliver(self, item: dict[str, Any], message: tramites.NotificationMessage) -> Attempt:
        settings = self.settings
        try:
            endpoint = ccf_partner.notification_endpoint(str(item["ccfNit"]), settings.notification_service_name)
        except Exception as error:  # Secrets Manager / DynamoDB trouble: try again later
            logger.warning("could not load the CCF endpoint", extra={"errorType": type(error).__name__})
            return Attempt("REINTENTO", "CREDENCIALES_NO_DISPONIBLES")
        if endpoint is None:
            return Attempt("FALLIDA", "SIN_SERVICIO_NOTIFICACION")
        body = json.dumps(tramites.notification_body(item), ensure_ascii=False, separators=(",", ":")).encode()
        signature = tramites.sign_detached(settings.notification_signing_key_id, body)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            tramites.IDEMPOTENCY_HEADER: message.id,
            tramites.SIGNATURE_HEADER: signature,
        }
        refreshed = False
        while True:
            try:
                token = token_for(endpoint, self.client, fresh=refreshed)
            except TokenError as error:
                return Attempt("REINTENTO" if error.retryable else "FALLIDA", error.reason_code, error.status_code)
            request_headers = dict(headers)
            if token is not None:
                request_headers["Authorization"] = token.authorization
            started = time.monotonic()
            try:
                response = self.client.request(endpoint.operation, endpoint.url, headers=request_headers, content=body)
            except OutboundError as error:
                latency = int((time.monotonic() - started) * 1000)
                outcome = "REINTENTO" if error.retryable or error.reason_code == "PROTOCOL_ERROR" else "FALLIDA"
                return Attempt(outcome, error.reason_code, None, latency)
            latency = int((time.monotonic() - started) * 1000)
            status = response.status_code
            if status == 401 and token is not None and not refreshed:
                self._record(
                    str(item["numeroTransaccion"]),
                    self._receive_count,
                    Attempt("TOKEN_RENOVADO", "HTTP_401", 401, latency),
                    count=False,
                )
                refreshed = True
                continue
            return self._classify(status, response, latency, str(item["numeroTransaccion"]))

    @staticmethod
    def _classify(status: int, response: Any, latency: int, numero: str) -> Attempt:
        if 200 <= status < 300:
            ack = _acknowledgement(response.content, numero)
            if ack is not None:
                return Attempt("ACUSADA", None, status, latency, ack=ack)
            return Attempt("REINTENTO", "ACUSE_INVALIDO", status, latency)
        if status == 429:
            return Attempt("REINTENTO", "HTTP_429", status, latency, retry_after=_retry_after(response.headers))
        if status >= 500:
            return Attempt("REINTENTO", f"HTTP_{status}", status, latency, retry_after=_retry_after(response.headers))
        if status == 401:
            return Attempt("REINTENTO", "HTTP_401", status, latency)
        if 300 <= status < 400:
            return Attempt("FALLIDA", "REDIRECCION_NO_SEGUIDA", status, latency)
        return Attempt("FALLIDA", f"HTTP_{status}", status, latency)

    def _acknowledged(self, numero: str, generation: int, attempt: Attempt) -> None:
        from botocore.exceptions import ClientError

        now = clock.now().isoformat(timespec="milliseconds")
        try:
            self.table.update_item(
                Key=tramites.tramite_key(numero),
                UpdateExpression="SET estado = :n, acknowledgement = :ack, updatedAt = :now, GSI2PK = :gsi, "
                "GSI2SK = :now REMOVE leaseUntil",
                ConditionExpression="estado = :p AND generation = :g",
                ExpressionAttributeValues={
                    ":n": tramites.NOTIFICADA,
                    ":p": tramites.PENDIENTE,
                    ":g": generation,
                    ":now": now,
                    ":ack": {**(attempt.ack or {}), "at": now, "statusCode": attempt.status_code},
                    ":gsi": f"TRAMSTATE#{tramites.NOTIFICADA}",
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # Answered meanwhile (the CCF pulled and answered before we stored the acknowledgement): keep the
            # final state, store the acknowledgement only.
            self.table.update_item(
                Key=tramites.tramite_key(numero),
                UpdateExpression="SET acknowledgement = :ack REMOVE leaseUntil",
                ExpressionAttributeValues={
                    ":ack": {**(attempt.ack or {}), "at": now, "statusCode": attempt.status_code}
                },
            )

    def _failed(self, numero: str, message: tramites.NotificationMessage, attempt: Attempt, receive_count: int) -> None:
        from botocore.exceptions import ClientError

        now = clock.now().isoformat(timespec="milliseconds")
        # Dead letter first: if this fails, the message is retried and nothing is lost.
        aws.client("sqs").send_message(
            QueueUrl=self.settings.notification_dlq_url,
            MessageBody=message.model_dump_json(),
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": attempt.reason or "-"},
                "attempts": {"DataType": "Number", "StringValue": str(receive_count)},
            },
        )
        try:
            self.table.update_item(
                Key=tramites.tramite_key(numero),
                UpdateExpression="SET estado = :f, failedAt = :now, failureReason = :reason, updatedAt = :now, "
                "GSI2PK = :gsi, GSI2SK = :now REMOVE leaseUntil",
                ConditionExpression="estado = :p AND generation = :g",
                ExpressionAttributeValues={
                    ":f": tramites.FALLIDA,
                    ":p": tramites.PENDIENTE,
                    ":g": message.generation,
                    ":now": now,
                    ":reason": attempt.reason or "-",
                    ":gsi": f"TRAMSTATE#{tramites.FALLIDA}",
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        audit.record(
            self.settings.audit_table_name,
            tramites.audit_entity(numero),
            "NOTIFICATION_DEAD_LETTERED",
            ACTOR,
            {"reason": attempt.reason or "-", "attempts": receive_count, "generation": message.generation},
        )

    def _record(self, numero: str, receive_count: int | None, attempt: Attempt, count: bool = True) -> None:
        now = clock.now().isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {"at": now, "attempt": receive_count or 0, "outcome": attempt.outcome}
        for key, value in (
            ("statusCode", attempt.status_code),
            ("latencyMs", attempt.latency_ms),
            ("reason", attempt.reason),
        ):
            if value is not None:
                entry[key] = value
        self.table.put_item(Item={**tramites.delivery_key(numero, now, uuid.uuid4().hex[:8]), **entry})
        if count:
            self.table.update_item(
                Key=tramites.tramite_key(numero),
                UpdateExpression="SET attempts = if_not_exists(attempts, :zero) + :one, lastAttemptAt = :now",
                ExpressionAttributeValues={":zero": 0, ":one": 1, ":now": now},
            )
        audit.record(
            self.settings.audit_table_name, tramites.audit_entity(numero), "NOTIFICATION_ATTEMPT", ACTOR, entry
        )

    @staticmethod
    def _visibility(queue_url: str | None, receipt_handle: str, delay: int) -> None:
        if not queue_url:
            return
        try:
            aws.client("sqs").change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay
            )
        except Exception as error:  # the message still comes back after the queue's own visibility timeout
            logger.warning("could not change the message visibility", extra={"errorType": type(error).__name__})


def _acknowledgement(content: bytes, numero: str) -> dict[str, Any] | None:
    """The CCF acknowledges with the transaction number (numero_transaccion or NumeroTransaccion)."""
    try:
        body = json.loads(content)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    echoed = body.get("numero_transaccion", body.get("NumeroTransaccion"))
    if str(echoed) != numero:
        return None
    ack: dict[str, Any] = {"numeroTransaccion": numero}
    for key in ("estado", "Estado", "radicado", "NumeroRadicado", "numero_radicado"):
        if isinstance(body.get(key), str | int) and not isinstance(body.get(key), bool):
            ack[key] = str(body[key])[:100]
    return ack


def _retry_after(headers: Any) -> int | None:
    value = headers.get("retry-after") if headers is not None else None
    if value is None:
        return None
    try:
        return max(0, int(str(value).strip()))
    except ValueError:
        return None
