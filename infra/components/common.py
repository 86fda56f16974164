"""Small helpers shared by the components."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    try:
        return _RETENTION[days]
    except KeyError:
        raise ValueError(f"logRetentionDays must be one of {sorted(_RETENTION)}") from None


def cmk(scope: Construct, id_: str, *, alias: str, description: str) -> kms.Key:
    """A customer-managed KMS key with yearly rotation, retained when the stack is deleted."""
    return kms.Key(
        scope,
        id_,
        alias=alias,
        description=description,
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )


def queue_with_dlq(
    scope: Construct,
    *,
    name: str,
    key: kms.IKey,
    visibility_timeout: Duration,
    max_receive_count: int,
    retention_days: int = 4,
    queue_id: str = "Queue",
) -> tuple[sqs.Queue, sqs.Queue]:
    """A CMK-encrypted, SSL-only queue and its dead-letter queue (`<name>-dlq`, kept 14 days)."""

    def encrypted_queue(id_: str, queue_name: str, **extra: Any) -> sqs.Queue:
        return sqs.Queue(
            scope,
            id_,
            queue_name=queue_name,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            data_key_reuse=Duration.minutes(5),
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
            **extra,
        )

    dead_letter_queue = encrypted_queue("DeadLetterQueue", f"{name}-dlq", retention_period=Duration.days(14))
    queue = encrypted_queue(
        queue_id,
        name,
        visibility_timeout=visibility_timeout,
        retention_period=Duration.days(retention_days),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letter_queue, max_receive_count=max_receive_count),
    )
    return queue, dead_letter_queue


def grant_queue_key(scope: Construct, grantee: iam.IGrantable, key: kms.IKey) -> None:
    """The key actions SQS needs to send or receive on a CMK-encrypted queue, only through SQS."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=[key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"sqs.{Stack.of(scope).region}.amazonaws.com"}},
        )
    )
