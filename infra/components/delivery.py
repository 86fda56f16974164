"""Outbound notifications: the outbox SQS queue (+ DLQ) and the delivery function's event source mapping."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.components.common import cmk, grant_queue_key, queue_with_dlq
from infra.config import StageConfig

MAX_RECEIVE_COUNT = 5
BATCH_SIZE = 10
# AWS guidance: visibility timeout >= 6 x the consumer's timeout (delivery function: 30 s).
VISIBILITY_TIMEOUT = Duration.seconds(180)


class Delivery(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.key: kms.Key = cmk(
            self,
            "QueueKey",
            alias=f"alias/{config.prefix}-notifications",
            description=f"SAT-CCF {config.stage}: outbound notifications queue and its DLQ",
        )
        self.queue, self.dead_letter_queue = queue_with_dlq(
            self,
            name=config.notification_target_name,
            key=self.key,
            visibility_timeout=VISIBILITY_TIMEOUT,
            max_receive_count=MAX_RECEIVE_COUNT,
            queue_id="OutboxQueue",
        )

    def environment(self) -> dict[str, str]:
        return {"OUTBOX_QUEUE_URL": self.queue.queue_url}

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """sqs:SendMessage on the outbox queue and the key actions SQS needs for it (no wildcards)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
        )
        grant_queue_key(self, grantee, self.key)

    def attach_consumer(self, function: lambda_.Function) -> None:
        """The event source mapping that feeds `function` (grants it consume + kms:Decrypt);
        it reports partial batch failures, so only failed messages are retried / dead-lettered."""
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
            )
        )
