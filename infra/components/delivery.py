"""Outbound notifications: the outbox SQS queue (+ DLQ) and the delivery function's event source mapping."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.components.common import cmk
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
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=f"{config.notification_target_name}-dlq",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            data_key_reuse=Duration.minutes(5),
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.queue = sqs.Queue(
            self,
            "OutboxQueue",
            queue_name=config.notification_target_name,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            data_key_reuse=Duration.minutes(5),
            enforce_ssl=True,
            visibility_timeout=VISIBILITY_TIMEOUT,
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVE_COUNT),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def environment(self) -> dict[str, str]:
        return {"OUTBOX_QUEUE_URL": self.queue.queue_url}

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """sqs:SendMessage on the outbox queue and the key actions SQS needs for it (no wildcards)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage", "sqs:GetQueueAttributes"], resources=[self.queue.queue_arn])
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[self.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"sqs.{Stack.of(self).region}.amazonaws.com"}},
            )
        )

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
