"""Trámite notifications to the CCFs: their own SQS queue (+ DLQ), the worker's event source mapping, and the
KMS key that signs them (decisions 0060-0062).

Separate from the e-mail outbox: the worker needs partner-facing permissions (KMS Sign, the CCFs' shared
service secrets) the e-mail worker must not have, its attempts and backoff are its own, and its DLQ means
"a trámite shows FALLIDA".
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.components.common import cmk, grant_queue_key, queue_with_dlq
from infra.config import StageConfig

# Attempts the worker makes before it dead-letters a notification itself (NOTIFICATION_MAX_ATTEMPTS); the
# queue's redrive policy is only the safety net for a worker that crashes, so it allows a few more receives.
MAX_ATTEMPTS = 6
MAX_RECEIVE_COUNT = MAX_ATTEMPTS + 3
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 900
WORKER_TIMEOUT_SECONDS = 60
# AWS guidance: visibility timeout >= 6 x the consumer's timeout.
VISIBILITY_TIMEOUT = Duration.seconds(6 * WORKER_TIMEOUT_SECONDS)


class Notifications(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.key: kms.Key = cmk(
            self,
            "QueueKey",
            alias=f"alias/{config.prefix}-tramite-notifications",
            description=f"SAT-CCF {config.stage}: trámite notifications queue and its DLQ",
        )
        self.queue, self.dead_letter_queue = queue_with_dlq(
            self,
            name=f"{config.prefix}-tramite-notifications",
            key=self.key,
            visibility_timeout=VISIBILITY_TIMEOUT,
            max_receive_count=MAX_RECEIVE_COUNT,
            retention_days=14,
        )
        # Signs the notifications (RS256, detached JWS); the public key is served at /.well-known/jwks.json.
        # Separate from the CCF access-token key: different audiences, rotated independently (decision 0062).
        self.signing_key = kms.Key(
            self,
            "SigningKey",
            description=f"{config.prefix} trámite notification signing key (RS256, JWKS)",
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=RemovalPolicy.RETAIN,
        )

    # --- grants -----------------------------------------------------------------------------
    def grant_send(self, grantee: iam.IGrantable) -> dict[str, str]:
        """The exchange function files and redrives: sqs:SendMessage on the queue."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
        )
        grant_queue_key(self, grantee, self.key)
        return {"NOTIFICATION_QUEUE_URL": self.queue.queue_url}

    def grant_worker(self, grantee: iam.IGrantable) -> dict[str, str]:
        """The worker: its backoff (ChangeMessageVisibility), the DLQ it dead-letters to, and the signing key."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sqs:ChangeMessageVisibility"], resources=[self.queue.queue_arn])
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dead_letter_queue.queue_arn])
        )
        grant_queue_key(self, grantee, self.key)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:Sign", "kms:GetPublicKey"], resources=[self.signing_key.key_arn])
        )
        return {
            "NOTIFICATION_QUEUE_URL": self.queue.queue_url,
            "NOTIFICATION_DLQ_URL": self.dead_letter_queue.queue_url,
            "NOTIFICATION_SIGNING_KEY_ID": self.signing_key.key_id,
            "NOTIFICATION_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
            "NOTIFICATION_BACKOFF_BASE_SECONDS": str(BACKOFF_BASE_SECONDS),
            "NOTIFICATION_BACKOFF_MAX_SECONDS": str(BACKOFF_MAX_SECONDS),
        }

    def grant_public_key(self, grantee: iam.IGrantable) -> dict[str, str]:
        """The JWKS route: kms:GetPublicKey only."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:GetPublicKey"], resources=[self.signing_key.key_arn])
        )
        return {"NOTIFICATION_SIGNING_KEY_ID": self.signing_key.key_id}

    def attach_consumer(self, function: lambda_.Function) -> None:
        """One message per invocation: each makes outbound calls with their own timeouts."""
        function.add_event_source(sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True))
