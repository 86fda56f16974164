"""RUT uploads: S3 "object created" notifications of the RUT bucket go to an SQS queue (+ DLQ) that feeds
the delegation function, which checks each uploaded PDF (docs/decisions/0031-rut-upload-and-check.md).

The notification is the bucket's plain CloudFormation `NotificationConfiguration`, not CDK's
`add_event_notification` (which deploys a custom-resource Lambda with inline code that the local runtime
cannot run and cdk-nag flags). The queue policy names the account, not the bucket, so the bucket can
depend on the policy without a dependency cycle.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.components.common import cmk, queue_with_dlq
from infra.config import StageConfig

KEY_PREFIX = "rut/"
KEY_SUFFIX = ".pdf"
MAX_RECEIVE_COUNT = 5
BATCH_SIZE = 5
# AWS guidance: visibility timeout >= 6 x the consumer's timeout (delegation function: 15 s).
VISIBILITY_TIMEOUT = Duration.seconds(90)


class RutUploads(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig, bucket: s3.Bucket) -> None:
        super().__init__(scope, id_)
        # Queues are CMK-encrypted like the outbox; S3 needs the key to publish (key policy below).
        self.key: kms.Key = cmk(
            self,
            "QueueKey",
            alias=f"alias/{config.prefix}-rut-uploads",
            description=f"SAT-CCF {config.stage}: RUT upload notifications queue and its DLQ",
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="S3PublishesRutUploadNotifications",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        self.queue, self.dead_letter_queue = queue_with_dlq(
            self,
            name=f"{config.prefix}-rut-uploads",
            key=self.key,
            visibility_timeout=VISIBILITY_TIMEOUT,
            max_receive_count=MAX_RECEIVE_COUNT,
        )
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="S3RutUploadNotifications",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.add_property_override(
            "NotificationConfiguration.QueueConfigurations",
            [
                {
                    "Event": "s3:ObjectCreated:*",
                    "Queue": self.queue.queue_arn,
                    "Filter": {
                        "S3Key": {
                            "Rules": [{"Name": "prefix", "Value": KEY_PREFIX}, {"Name": "suffix", "Value": KEY_SUFFIX}]
                        }
                    },
                }
            ],
        )
        # S3 validates the destination when the notification is created: the queue policy must exist first.
        policy = self.queue.node.try_find_child("Policy")
        if policy is not None:
            cfn_bucket.node.add_dependency(policy)

    def attach_consumer(self, function: lambda_.Function) -> None:
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
            )
        )
