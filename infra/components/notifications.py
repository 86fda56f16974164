"""Trámite notifications to the CCFs: their own SQS queue (+ DLQ), the worker's event source mapping, and the
KMS key that signs them (decisions 0060-0062).

Separate from the e-mail outbox: the worker needs partner-facing permissions (KMS Sign, the CCFs' shared
service secrets) the e-mail worker must not have, its attempts and backoff are its own, and its DLQ means
"a trámite shows FALLIDA".
"""

from __future__ import annotations

import json

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.components.common import cmk, grant_queue_key, queue_with_dlq
from infra.config import StageConfig

# The delivery schedule (decision 0105) lasts at least 24 h and its state is on the trámite item: the worker
# dead-letters a notification itself when it gives up, and re-enqueues a fresh copy before a message reaches this
# many receives (NOTIFICATION_MAX_RECEIVES). The queue's redrive policy is only the safety net for a worker that
# keeps crashing on a message.
MAX_RECEIVE_COUNT = 50
WORKER_TIMEOUT_SECONDS = 60
# AWS guidance: visibility timeout >= 6 x the consumer's timeout.
VISIBILITY_TIMEOUT = Duration.seconds(6 * WORKER_TIMEOUT_SECONDS)


class Notifications(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.retry = config.notification_retry
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
        # Rotation (decision 0104): the worker signs with whatever key the `current` alias names; the JWKS also
        # publishes `next` and `previous`. The template creates the first two keys and points `current` and
        # `next` at them; `python -m ops signing-key rotate` moves the aliases afterwards (CloudFormation leaves
        # an alias alone while its definition here does not change: never edit the two Alias resources).
        self.signing_alias_base = f"alias/{config.prefix}-notification-signing"
        self.signing_aliases = {slot: f"{self.signing_alias_base}-{slot}" for slot in ("current", "next", "previous")}
        self.signing_key = kms.Key(
            self,
            "SigningKey",
            description=f"{config.prefix} trámite notification signing key (RS256, JWKS)",
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.next_signing_key = kms.Key(
            self,
            "SigningKeyNext",
            description=f"{config.prefix} trámite notification signing key, published before it signs (JWKS)",
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        kms.CfnAlias(
            self,
            "SigningAliasCurrent",
            alias_name=self.signing_aliases["current"],
            target_key_id=self.signing_key.key_id,
        )
        kms.CfnAlias(
            self,
            "SigningAliasNext",
            alias_name=self.signing_aliases["next"],
            target_key_id=self.next_signing_key.key_id,
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
            # the DLQ it dead-letters to, and the queue itself: a fresh copy of a long-waiting message (0105)
            iam.PolicyStatement(
                actions=["sqs:SendMessage"], resources=[self.dead_letter_queue.queue_arn, self.queue.queue_arn]
            )
        )
        grant_queue_key(self, grantee, self.key)
        grantee.grant_principal.add_to_principal_policy(
            self._through_aliases(["kms:Sign", "kms:GetPublicKey"], "current")
        )
        return {
            "NOTIFICATION_QUEUE_URL": self.queue.queue_url,
            "NOTIFICATION_DLQ_URL": self.dead_letter_queue.queue_url,
            "NOTIFICATION_SIGNING_KEY_ID": self.signing_aliases["current"],
            "NOTIFICATION_MAX_RECEIVES": str(MAX_RECEIVE_COUNT),
            "NOTIFICATION_RETRY_STEPS_SECONDS": json.dumps(list(self.retry.steps_seconds)),
            "NOTIFICATION_RETRY_WINDOW_SECONDS": str(self.retry.window_hours * 3600),
            "NOTIFICATION_DISABLE_AFTER_SECONDS": str(self.retry.disable_after_days * 86400),
        }

    def grant_public_key(self, grantee: iam.IGrantable) -> dict[str, str]:
        """The JWKS route: kms:GetPublicKey only."""
        grantee.grant_principal.add_to_principal_policy(
            self._through_aliases(["kms:GetPublicKey"], "current", "next", "previous")
        )
        return {
            "NOTIFICATION_SIGNING_KEY_ID": self.signing_aliases["current"],
            "NOTIFICATION_SIGNING_NEXT_KEY_ID": self.signing_aliases["next"],
            "NOTIFICATION_SIGNING_PREVIOUS_KEY_ID": self.signing_aliases["previous"],
        }

    def grant_sign(self, grantee: iam.IGrantable) -> dict[str, str]:
        """A CCF's test notification (share function, decision 0108): signed with `current`, nothing else."""
        grantee.grant_principal.add_to_principal_policy(
            self._through_aliases(["kms:Sign", "kms:GetPublicKey"], "current")
        )
        return {"NOTIFICATION_SIGNING_KEY_ID": self.signing_aliases["current"]}

    def _through_aliases(self, actions: list[str], *slots: str) -> iam.PolicyStatement:
        """The keys change at each rotation, the aliases do not: allow the actions on this account's keys only when
        the call names one of these aliases (kms:RequestAlias), so no other key can be used (decision 0104)."""
        # The alias ARNs grant nothing by themselves; they make a call naming an alias that does not exist yet
        # (`previous` before the first rotation) answer NotFound instead of AccessDenied.
        return iam.PolicyStatement(
            actions=actions,
            resources=[
                f"arn:{Aws.PARTITION}:kms:{Aws.REGION}:{Aws.ACCOUNT_ID}:key/*",
                f"arn:{Aws.PARTITION}:kms:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.signing_alias_base}-*",
            ],
            conditions={"StringEquals": {"kms:RequestAlias": [self.signing_aliases[slot] for slot in slots]}},
        )

    def attach_consumer(self, function: lambda_.Function) -> None:
        """One message per invocation: each makes outbound calls with their own timeouts."""
        function.add_event_source(sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True))
