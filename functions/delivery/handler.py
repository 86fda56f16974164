"""SQS worker: sends each outbox message once, reports the failed ones so only they are retried.

A message that keeps failing is moved to the DLQ by the queue's redrive policy; a redelivered
message that was already sent is recognised by its idempotency key and not sent twice.

It also reads the e-mail events queue (SES bounces and complaints, decision 0072): those addresses get a
suppression item (sat_common.email_status) and outbox messages to them are dropped, not sent.
"""

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from delivery.config import settings
from sat_common import email_status, keys
from sat_common.observability import logger, metrics, tracer
from sat_common.outbox import OutboxEmail, send_email

processor = BatchProcessor(event_type=EventType.SQS)

SENT_RECORD_DAYS = 7  # longer than the queue's retention: a redelivery is always recognised
idempotency = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=SENT_RECORD_DAYS * 86400)


@cache
def _send_once() -> Any:
    # Built on first use: the persistence layer creates a boto3 client.
    persistence = DynamoDBPersistenceLayer(
        table_name=settings().main_table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=keys.idempotency("delivery"),
        expiry_attr="expiresAt",
    )

    @idempotent_function(data_keyword_argument="message", config=idempotency, persistence_store=persistence)
    def send(message: dict[str, Any]) -> str:
        config = settings()
        return send_email(config.sender_email, config.email_template_prefix, OutboxEmail.model_validate(message))

    return send


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    if isinstance(body, dict) and email_status.is_ses_event(body):  # from the e-mail events queue (decision 0072)
        _record_ses_event(body)
        return
    message = OutboxEmail.model_validate(body)
    if email_status.status_of(settings().main_table_name, message.to) != "OK":
        # SES would refuse it too (account suppression list); sending would only hurt the sender's reputation.
        logger.info("e-mail suppressed", extra={"template": message.template, "outboxId": message.id})
        metrics.add_metric(name="EmailsSuppressed", unit=MetricUnit.Count, value=1)
        return
    _send_once()(message=message.model_dump(mode="json"))
    logger.info("e-mail sent", extra={"template": message.template, "outboxId": message.id})
    metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)


def _record_ses_event(event: dict[str, Any]) -> None:
    """A permanent bounce or a complaint: the address gets its suppression item (never logged: personal data)."""
    found = email_status.undeliverable(event)
    details = event.get("bounce") or event.get("complaint") or {}
    at = str(details.get("timestamp") or (event.get("mail") or {}).get("timestamp") or "")
    table = settings().main_table_name
    for address, status in found:
        email_status.record(table, address, status, at, details.get("feedbackId"))
        metrics.add_metric(name=f"Emails{status.capitalize()}", unit=MetricUnit.Count, value=1)
    logger.info(
        "ses event",
        extra={"eventType": event.get("eventType") or event.get("notificationType"), "suppressed": len(found)},
    )


@logger.inject_lambda_context
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency.register_lambda_context(context)  # in-progress records expire with the invocation
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
