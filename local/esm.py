"""SQS event source mapping emulation: poll the queue, invoke the function with an SQS event.

As Lambda does: batches up to BatchSize (at most 10 per receive here), successful messages are
deleted; when the function fails the whole batch stays; with `ReportBatchItemFailures` only the
`batchItemFailures` stay (a response naming an unknown id fails the whole batch). Messages that stay
get their visibility timeout lowered to `backoff` seconds so local retries are quick; moto's redrive
policy then moves a message to the DLQ after `maxReceiveCount` receives. With IAM enforced (`iam`), the
poller acts as the function's execution role, as Lambda's does: ReceiveMessage, DeleteMessage(Batch) and
ChangeMessageVisibility (and kms:Decrypt through SQS for a queue with a customer-managed key) are checked
against that role.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local import aws
from local.iam.enforcement import Enforcement
from local.lambdas import InvocationError, function_of
from local.template import Template


@dataclass
class Mapping:
    logical_id: str
    function: str  # logical id
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    report_failures: bool = False
    enabled: bool = True


def mappings_from_template(template: Template) -> list[Mapping]:
    out = []
    queues = {template.get_att(lid, "Arn"): template.ref(lid) for lid in template.of_type("AWS::SQS::Queue")}
    for lid, res in template.of_type("AWS::Lambda::EventSourceMapping").items():
        props = res["Properties"]
        arn = template.resolve(props.get("EventSourceArn"))
        if arn not in queues:
            sys.stderr.write(f"[esm] {lid}: source {arn} is not a queue of the template; not emulated\n")
            continue
        out.append(
            Mapping(
                logical_id=lid,
                function=function_of(template, props["FunctionName"]),
                queue_url=queues[arn],
                queue_arn=arn,
                batch_size=int(template.resolve(props.get("BatchSize", 10))),
                report_failures="ReportBatchItemFailures" in template.resolve(props.get("FunctionResponseTypes", [])),
                enabled=template.resolve(props.get("Enabled", True)) not in (False, "false"),
            )
        )
    return out


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    records = []
    for m in messages:
        attrs = {}
        for name, a in (m.get("MessageAttributes") or {}).items():
            attrs[name] = {
                "stringValue": a.get("StringValue"),
                "binaryValue": a.get("BinaryValue"),
                "stringListValues": a.get("StringListValues", []),
                "binaryListValues": a.get("BinaryListValues", []),
                "dataType": a.get("DataType"),
            }
        records.append(
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": attrs,
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


@dataclass
class Poller:
    mapping: Mapping
    invoke: Any  # callable(function_logical_id, event) -> result
    endpoint: str
    region: str
    backoff: int = 1
    wait_seconds: int = 1
    iam: Enforcement | None = None  # poll as the function's execution role, checked like the function's calls
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        if self.iam is not None:
            fn = self.mapping.function
            self.sqs = self.iam.client(fn, "sqs", self.endpoint, self.region, caller="event-source-mapping")
        else:
            self.sqs = aws.client("sqs", self.endpoint, self.region)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"esm-{self.mapping.logical_id}", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=self.wait_seconds + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except (BotoCoreError, ClientError, OSError) as exc:
                if self._stop.is_set():
                    return
                sys.stderr.write(f"[esm] {self.mapping.logical_id}: {exc}\n")
                time.sleep(1)

    def poll_once(self) -> int:
        """Receive one batch and process it; returns the number of messages received."""
        m = self.mapping
        messages = self.sqs.receive_message(
            QueueUrl=m.queue_url,
            MaxNumberOfMessages=max(1, min(m.batch_size, 10)),
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        failed = self._invoke(messages)
        by_id = {msg["MessageId"]: msg for msg in messages}
        done = [msg for msg in messages if msg["MessageId"] not in failed]
        for i in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=m.queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": msg["ReceiptHandle"]} for n, msg in enumerate(done[i : i + 10])
                ],
            )
        for mid in failed:
            with contextlib.suppress(ClientError):  # the receipt may have expired meanwhile
                self.sqs.change_message_visibility(
                    QueueUrl=m.queue_url, ReceiptHandle=by_id[mid]["ReceiptHandle"], VisibilityTimeout=self.backoff
                )
        return len(messages)

    def _invoke(self, messages: list[dict[str, Any]]) -> set[str]:
        """Ids of the messages that failed."""
        ids = {msg["MessageId"] for msg in messages}
        event = sqs_event(messages, self.mapping.queue_arn, self.region)
        try:
            result = self.invoke(self.mapping.function, event)
        except InvocationError as exc:
            sys.stderr.write(
                f"[esm] {self.mapping.logical_id}: batch of {len(ids)} failed: "
                f"{exc.payload.get('errorType')}: {exc.payload.get('errorMessage')}\n"
            )
            return ids
        if not self.mapping.report_failures or not isinstance(result, dict):
            return set()
        failures = result.get("batchItemFailures") or []
        failed = {str(f.get("itemIdentifier")) for f in failures if isinstance(f, dict)}
        if not failed <= ids or any(not isinstance(f, dict) or not f.get("itemIdentifier") for f in failures):
            return ids  # Lambda treats an invalid response as a failure of the whole batch
        return failed
