"""SQS worker of the notifications queue: one trámite notification per message, partial batch failures.

The rules are in delivery.py (decisions 0062, 0105). A message that must come back later had its visibility
changed to the schedule's delay and is reported as a batch item failure; a message whose schedule is over (or that
failed for good) was put on the DLQ by the worker, and one re-enqueued as a fresh copy (REENCOLADA), are reported
as done.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from notifications.config import deps
from notifications.delivery import RetryLater
from sat_common.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    receive_count = int(record.attributes.approximate_receive_count or 1)
    try:
        built = deps()
        outcome = built.deliverer.handle(
            record.body, receive_count, record.receipt_handle, built.settings.notification_queue_url
        )
    except RetryLater as retry:
        logger.info("notification will be retried", extra={"attempt": receive_count, "delaySeconds": retry.delay})
        metrics.add_metric(name="NotificationRetries", unit=MetricUnit.Count, value=1)
        raise
    logger.info("notification processed", extra={"outcome": outcome, "attempt": receive_count})
    metrics.add_metric(name=f"Notifications{outcome.capitalize()}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics(raise_on_empty_metrics=False)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
