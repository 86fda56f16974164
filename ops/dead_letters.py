"""`python -m ops dlq list` and `python -m ops dlq redrive NAME`: the dead-letter queues an alarm points at
(infra/components/monitoring.py, docs/deploy.md "Alarms").

A redrive moves each message back to the queue it came from, once its cause is fixed (e.g. SES was paused, a
permission was missing): received from the DLQ, sent to the source with its body and attributes, then
deleted from the DLQ, so a crash in between leaves a copy in both queues, never none (the consumers are
idempotent). Trámite notifications are not redriven here: the Ministry redrives a FALLIDA trámite through
the API (POST /admin/tramites/{numeroTransaccion}/redrive, decision 0062), which also resets its state.
"""

from __future__ import annotations

from dataclasses import dataclass

from ops.errors import USAGE, OpsError
from ops.progress import Progress
from ops.target import Target


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    dlq_output: str
    source_output: str | None  # None: not redriven by ops (see the module docstring)


QUEUES = (
    DeadLetterQueue("outbox", "OutboxDeadLetterQueueUrl", "OutboxQueueUrl"),
    DeadLetterQueue("rut-uploads", "RutUploadsDeadLetterQueueUrl", "RutUploadsQueueUrl"),
    DeadLetterQueue("email-events", "EmailEventsDeadLetterQueueUrl", "EmailEventsQueueUrl"),
    DeadLetterQueue("tramite-notifications", "NotificationDeadLetterQueueUrl", None),
)


def depths(target: Target) -> list[tuple[str, int]]:
    sqs = target.client("sqs")
    found = []
    for queue in QUEUES:
        attributes = sqs.get_queue_attributes(
            QueueUrl=target.output(queue.dlq_output), AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        found.append((queue.name, int(attributes.get("ApproximateNumberOfMessages", 0))))
    return found


def redrive(target: Target, name: str, *, dry_run: bool, quiet: bool) -> int:
    queue = next((q for q in QUEUES if q.name == name), None)
    if queue is None:
        raise OpsError(f"unknown dead-letter queue {name!r}: one of {', '.join(q.name for q in QUEUES)}", USAGE)
    if queue.source_output is None:
        raise OpsError(
            "trámite notifications are redriven per trámite by the Ministry: "
            "POST /admin/tramites/{numeroTransaccion}/redrive (docs/deploy.md)",
            USAGE,
        )
    sqs = target.client("sqs")
    dlq_url, source_url = target.output(queue.dlq_output), target.output(queue.source_output)
    if dry_run:
        return dict(depths(target))[name]
    moved = 0
    progress = Progress(f"redriving {name}", quiet=quiet)
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            attributes = message.get("MessageAttributes") or {}
            sqs.send_message(
                QueueUrl=source_url,
                MessageBody=message["Body"],
                **({"MessageAttributes": attributes} if attributes else {}),
            )
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
            progress.advance()
    progress.close()
    return moved
