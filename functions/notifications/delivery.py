"""Delivers one trámite notification to the CCF's endpoint and decides what happens next (decisions 0062, 0105).

Outcomes per attempt (each one is a DELIVERY# item on the trámite and an audit entry):
- ACUSADA: 2xx whose JSON body echoes the transaction number → NOTIFICADA, the acknowledgement stored.
- REINTENTO: timeout, connection failure, 5xx, 408, 429 (Retry-After honoured), 401 after one token refresh, a
  2xx that does not acknowledge (garbage), token endpoint trouble → tried again on the schedule (schedule.py:
  exponential steps with full jitter, for at least 24 h); the schedule's state is on the trámite item
  (windowGeneration, windowStartedEpoch, nextAttemptEpoch / nextAttemptAt) and the message waits in SQS
  (ChangeMessageVisibility, at most 12 h at a time).
- FALLIDA: any other 4xx (410 also disables the endpoint), an unsafe URL, no ACTIVE notification service (the
  CCF's people are e-mailed, decision 0106), or an attempt failing after the whole schedule → the trámite shows
  FALLIDA, the message goes to the DLQ, and the CCF's authorized persons and the Ministry's exchange operators
  are e-mailed (notices.py); the Ministry can redrive it.
- OMITIDA: the trámite was acknowledged or answered already, or the message is from an older generation:
  nothing is sent (never a second delivery to a CCF that acknowledged).

A message that arrives before its trámite's next attempt is due (an SQS redelivery, or the local runtime's
quick redelivery) is sent back to wait without an attempt. Near the queue's maxReceiveCount the worker puts a
fresh copy on the queue instead, so a long schedule never reaches the queue's own redrive to the DLQ.
Endpoint health (sat_common.endpoint_health): every attempt without an acknowledgement counts towards disabling
the endpoint after NOTIFICATION_DISABLE_AFTER_SECONDS; a 410 Gone disables it at once.

A lease on the trámite item (conditional update) keeps two copies of a message from posting at once. The items and
their conditions: repository.py.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from notifications import schedule
from notifications.notices import Notices
from notifications.repository import DeliveryRepository
from sat_common import (
    audit,
    aws,
    ccf_partner,
    ccf_summary,
    clock,
    endpoint_health,
    keys,
    notification_signing,
    shared_services,
    tramites,
)
from sat_common.audit import Actor
from sat_common.ccf_oauth_client import Token, TokenError, fetch_token
from sat_common.observability import logger
from sat_common.outbound_http import OutboundError, SafeHttpClient

ACTOR = Actor(subject="system:notifications")
TOKEN_MARGIN_SECONDS = 30
SQS_MAX_DELAY_SECONDS = 900  # SendMessage DelaySeconds

if TYPE_CHECKING:  # notifications.config builds the Deliverer
    from notifications.config import NotificationSettings


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


@dataclass(frozen=True)
class Window:
    """The schedule's state of the trámite's current generation."""

    started: int  # epoch of the generation's first attempt
    attempt: int  # the number of the attempt being made (1-based)


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
        self.signer = notification_signing.Signer(settings.notification_signing_key_id)
        self.store = DeliveryRepository(settings.main_table_name)

    def handle(self, body: str, receive_count: int, receipt_handle: str, queue_url: str | None) -> str:
        """Process one SQS message; returns the outcome, raises RetryLater when it must come back."""
        message = tramites.NotificationMessage.model_validate_json(body)
        numero = message.numeroTransaccion
        item = self.store.tramite(numero)
        if message.replay:
            return self._replay(item, message, receive_count)
        skip = self._skip_reason(item, message)
        if skip:
            self._record(numero, receive_count, Attempt("OMITIDA", skip), count=False)
            return "OMITIDA"
        assert item is not None
        due = self._not_due_for(item, message.generation)
        if due:
            return self._wait(message, receive_count, receipt_handle, queue_url, due)
        if not self._lease(numero, message.generation):
            # Another copy of this message is being delivered right now: look again shortly.
            busy = int(self._lease_seconds() / 2) + 1
            self._visibility(queue_url, receipt_handle, busy)
            raise RetryLater(busy)
        self._receive_count = receive_count
        window = self._window(item, message.generation)
        try:
            attempt, endpoint = self._deliver(item, message)
        except Exception:
            self._release(numero)
            raise
        self._record(numero, receive_count, attempt)
        nit = str(item["ccfNit"])
        if attempt.outcome == "ACUSADA":
            self._acknowledged(numero, message.generation, attempt)
            if endpoint is not None:
                endpoint_health.note_success(self.settings.main_table_name, nit, endpoint.shared_service_id)
            return "ACUSADA"
        disabled = self._endpoint_failed(nit, endpoint, attempt) if endpoint is not None else None
        if disabled:
            attempt = Attempt("FALLIDA", disabled, attempt.status_code)
        elif attempt.outcome == "REINTENTO" and schedule.exhausted(
            window.started, clock.epoch(), self.settings.notification_retry_window_seconds
        ):
            attempt = Attempt("FALLIDA", attempt.reason, attempt.status_code)
        if attempt.outcome == "FALLIDA":
            self._failed(numero, message, attempt, window.attempt)
            self._tell_failure(nit, numero, message.generation, attempt, window.attempt, disabled)
            return "FALLIDA"
        delay = schedule.next_delay(self.settings.notification_retry_steps_seconds, window.attempt, attempt.retry_after)
        self._schedule(numero, message.generation, window, delay)
        return self._wait(message, receive_count, receipt_handle, queue_url, delay)

    def _replay(self, item: dict[str, Any] | None, message: tramites.NotificationMessage, receive_count: int) -> str:
        """A CCF's redelivery of an acknowledged notification (decision 0107): one attempt with the same
        Idempotency-Key, recorded, and nothing else — no schedule, no state change, no notice."""
        numero = message.numeroTransaccion
        generation = int(item.get("generation", 0)) if item else -1
        if item is None or item.get("estado") != tramites.NOTIFICADA or generation != message.generation:
            self._record(numero, receive_count, Attempt("OMITIDA", "REENVIO_NO_APLICA"), count=False)
            return "OMITIDA"
        self._receive_count = receive_count
        attempt, _ = self._deliver(item, message)
        self._record(numero, receive_count, Attempt(f"REENVIO_{attempt.outcome}", attempt.reason,
                                                    attempt.status_code, attempt.latency_ms), count=False)  # fmt: skip
        return "REENVIADA"

    # ----------------------------------------------------------------- the schedule
    @staticmethod
    def _not_due_for(item: dict[str, Any], generation: int) -> int:
        """Seconds until the trámite's next attempt is due (0: due now)."""
        if int(item.get("windowGeneration", -1)) != generation or "nextAttemptEpoch" not in item:
            return 0
        return max(0, int(item["nextAttemptEpoch"]) - clock.epoch())

    @staticmethod
    def _window(item: dict[str, Any], generation: int) -> Window:
        attempt = int(item.get("attempts", 0)) + 1  # reset by a redrive (a new generation)
        if int(item.get("windowGeneration", -1)) != generation or "windowStartedEpoch" not in item:
            return Window(started=clock.epoch(), attempt=attempt)
        return Window(started=int(item["windowStartedEpoch"]), attempt=attempt)

    def _schedule(self, numero: str, generation: int, window: Window, delay: int) -> None:
        """Store when the next attempt is due and release the lease (the message itself waits in SQS)."""
        due = clock.now() + timedelta(seconds=delay)
        self.store.schedule_next(numero, generation, window.started, clock.epoch(due), clock.stamp(due))

    def _wait(
        self,
        message: tramites.NotificationMessage,
        receive_count: int,
        receipt_handle: str,
        queue_url: str | None,
        delay: int,
    ) -> str:
        """Make the message come back after `delay` seconds: its visibility (at most 12 h; the due time on the
        trámite holds a longer wait), or near the queue's maxReceiveCount a fresh copy, delayed up to 15 min."""
        if queue_url and receive_count >= self.settings.notification_max_receives - 2:
            aws.client("sqs").send_message(
                QueueUrl=queue_url,
                MessageBody=message.model_dump_json(),
                DelaySeconds=min(delay, SQS_MAX_DELAY_SECONDS),
            )
            return "REENCOLADA"  # this copy is deleted; the fresh one carries on
        wait = min(delay, schedule.MAX_VISIBILITY_SECONDS)
        self._visibility(queue_url, receipt_handle, wait)
        raise RetryLater(wait)

    # ----------------------------------------------------------------- endpoint health and notices
    def _endpoint_failed(self, nit: str, endpoint: ccf_partner.PartnerEndpoint, attempt: Attempt) -> str | None:
        """The reason the endpoint is disabled when this attempt disabled it or hit it disabled (410), else None."""
        table = self.settings.main_table_name
        service_id = endpoint.shared_service_id
        if attempt.status_code == 410:
            reason: str | None = endpoint_health.GONE
            disabled = endpoint_health.disable(table, nit, service_id, endpoint_health.GONE)
        else:
            after = self.settings.notification_disable_after_seconds
            disabled = endpoint_health.note_failure(table, nit, service_id, after)
            reason = endpoint_health.PROLONGED if disabled else None
        if not disabled:
            return reason  # a 410 from an endpoint disabled meanwhile still fails the trámite, told once
        assert reason is not None
        ccf_summary.refresh_shared_services(table, nit)
        audit.record(
            self.settings.audit_table_name,
            keys.employer(nit),
            "NOTIFICATION_ENDPOINT_DISABLED",
            ACTOR,
            {"sharedServiceId": service_id, "reason": reason, "url": endpoint.url},
        )
        Notices(self.settings).endpoint_disabled(nit, self._service_name(nit, service_id), service_id, reason)
        return reason

    def _service_name(self, nit: str, shared_service_id: str) -> str:
        item = self.store.shared_service(nit, shared_service_id) or {}
        return str(item.get("name") or shared_service_id)

    def _tell_failure(
        self, nit: str, numero: str, generation: int, attempt: Attempt, attempts: int, disabled: str | None
    ) -> None:
        notices = Notices(self.settings)
        if attempt.reason in (NO_SERVICE, SERVICE_INACTIVE):
            notices.service_missing(nit, numero, attempt.reason)
        elif not disabled:  # the disabling notice already told the same people about the endpoint
            notices.delivery_failed(nit, numero, generation, attempt.reason, attempts)

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
        now = clock.epoch()
        return self.store.lease(numero, generation, now, now + self._lease_seconds())

    def _lease_seconds(self) -> int:
        """Long enough for the token request and two POSTs (a 401 refresh), each within the total timeout."""
        return int(self.settings.outbound_total_timeout_seconds * 3) + 5

    def _release(self, numero: str) -> None:
        self.store.release(numero)

    def _deliver(
        self, item: dict[str, Any], message: tramites.NotificationMessage
    ) -> tuple[Attempt, ccf_partner.PartnerEndpoint | None]:
        nit = str(item["ccfNit"])
        try:
            endpoint = ccf_partner.notification_endpoint(nit)  # purpose NOTIFICACION_TRAMITES (decision 0106)
        except Exception as error:  # Secrets Manager / DynamoDB trouble: try again later
            logger.warning("could not load the CCF endpoint", extra={"errorType": type(error).__name__})
            return Attempt("REINTENTO", "CREDENCIALES_NO_DISPONIBLES"), None
        if endpoint is None:
            # No service, or not ACTIVE (never tested, changed, DISABLED): fails at once and the CCF is told.
            registered = shared_services.notification_item(nit, table_name=self.settings.main_table_name)
            return Attempt("FALLIDA", SERVICE_INACTIVE if registered else NO_SERVICE), None
        return self._post(item, message, endpoint), endpoint

    def _post(
        self, item: dict[str, Any], message: tramites.NotificationMessage, endpoint: ccf_partner.PartnerEndpoint
    ) -> Attempt:
        body = json.dumps(tramites.notification_body(item), ensure_ascii=False, separators=(",", ":")).encode()
        # Signed at each attempt with the key current now; the header binds the receiver (aud = the CCF's NIT),
        # the moment (iat) and the Idempotency-Key (jti), so it cannot be replayed to another CCF (decision 0103).
        signature = self.signer.sign(body, audience=str(item["ccfNit"]), jti=message.id)
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
        if status in (408, 429):  # the only 4xx that are not permanent (decision 0105)
            return Attempt("REINTENTO", f"HTTP_{status}", status, latency, retry_after=_retry_after(response.headers))
        if status >= 500:
            return Attempt("REINTENTO", f"HTTP_{status}", status, latency, retry_after=_retry_after(response.headers))
        if status == 401:  # after one token refresh: the CCF can fix its token endpoint within the schedule
            return Attempt("REINTENTO", "HTTP_401", status, latency)
        if 300 <= status < 400:
            return Attempt("FALLIDA", "REDIRECCION_NO_SEGUIDA", status, latency)
        return Attempt("FALLIDA", f"HTTP_{status}", status, latency)

    def _acknowledged(self, numero: str, generation: int, attempt: Attempt) -> None:
        now = clock.stamp()
        acknowledgement = {**(attempt.ack or {}), "at": now, "statusCode": attempt.status_code}
        if not self.store.acknowledge(numero, generation, acknowledgement, now):
            # Answered meanwhile (the CCF pulled and answered before we stored the acknowledgement): keep the
            # final state, store the acknowledgement only.
            self.store.keep_acknowledgement(numero, acknowledgement)

    def _failed(self, numero: str, message: tramites.NotificationMessage, attempt: Attempt, attempts: int) -> None:
        # Dead letter first: if this fails, the message is retried and nothing is lost.
        aws.client("sqs").send_message(
            QueueUrl=self.settings.notification_dlq_url,
            MessageBody=message.model_dump_json(),
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": attempt.reason or "-"},
                "attempts": {"DataType": "Number", "StringValue": str(attempts)},
            },
        )
        # False: answered or redriven meanwhile, its state stays.
        self.store.fail(numero, message.generation, attempt.reason or "-", clock.stamp())
        audit.record(
            self.settings.audit_table_name,
            tramites.audit_entity(numero),
            "NOTIFICATION_DEAD_LETTERED",
            ACTOR,
            {"reason": attempt.reason or "-", "attempts": attempts, "generation": message.generation},
        )

    def _record(self, numero: str, receive_count: int | None, attempt: Attempt, count: bool = True) -> None:
        now = clock.stamp()
        entry: dict[str, Any] = {"at": now, "attempt": receive_count or 0, "outcome": attempt.outcome}
        for key, value in (
            ("statusCode", attempt.status_code),
            ("latencyMs", attempt.latency_ms),
            ("reason", attempt.reason),
        ):
            if value is not None:
                entry[key] = value
        self.store.record_attempt(numero, now, uuid.uuid4().hex[:8], entry)
        if count:
            nit = self.store.count_attempt(numero, attempt.outcome, now).get("ccfNit")
            if nit:  # the CCF list's "last delivery" (decision 0093)
                ccf_summary.record_delivery(self.settings.main_table_name, str(nit), numero, attempt.outcome, now)
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


NO_SERVICE = "SIN_SERVICIO_NOTIFICACION"
SERVICE_INACTIVE = "SERVICIO_NOTIFICACION_INACTIVO"


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
