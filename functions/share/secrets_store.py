"""Secrets Manager operations of the share area: one secret per shared service (sat_common.shared_services).

Every write creates a new version with its own ClientRequestToken and returns its VersionId; the
metadata records the VersionId it refers to. Compensations (`revert_current`, `restore`,
`discard_new`) are best effort: they run after a failed metadata write and log only error codes.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sat_common import aws, clock
from sat_common.observability import logger
from sat_common.shared_services import SECRET_FIELDS, VERIFIED_STAGE, read_secret

__all__ = [
    "create",
    "discard_new",
    "mark_verified",
    "put_version",
    "read_secret",
    "restore",
    "revert_current",
    "schedule_deletion",
]


def _client() -> Any:
    return aws.client("secretsmanager")


def _value(value: dict[str, Any]) -> str:
    return json.dumps({field: value.get(field) for field in SECRET_FIELDS}, ensure_ascii=False)


def create(name: str, kms_key_arn: str, value: dict[str, Any], tags: dict[str, str]) -> str:
    response = _client().create_secret(
        Name=name,
        KmsKeyId=kms_key_arn,
        SecretString=_value(value),
        ClientRequestToken=str(uuid.uuid4()),
        Description="SAT-CCF: credenciales y llave pública de un servicio compartido por una CCF",
        Tags=[{"Key": key, "Value": tag} for key, tag in tags.items()],
    )
    return str(response["VersionId"])


def put_version(name: str, value: dict[str, Any]) -> str:
    """Write a new version (it becomes AWSCURRENT; the previous one AWSPREVIOUS); returns its VersionId."""
    token = str(uuid.uuid4())
    response = _client().put_secret_value(SecretId=name, SecretString=_value(value), ClientRequestToken=token)
    return str(response["VersionId"])


def revert_current(name: str, back_to: str, new_version: str) -> None:
    """After a failed metadata write: AWSCURRENT goes back to the version the metadata still refers to."""
    try:
        _client().update_secret_version_stage(
            SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=back_to, RemoveFromVersionId=new_version
        )
    except Exception as error:  # best effort; readers use the metadata's VersionId anyway
        logger.warning("secret stage not reverted", extra={"errorType": type(error).__name__})


def mark_verified(name: str, version_id: str) -> None:
    """Move the SAT_VERIFIED label to the version of the configuration that passed the connection test (decision
    0111): a labelled version is never deprecated, however many versions later changes write. Best effort: the
    item's `verifiedConfiguration.secretVersionId` is what deliveries read."""
    client = _client()
    try:
        try:
            holder = client.get_secret_value(SecretId=name, VersionStage=VERIFIED_STAGE)["VersionId"]
        except client.exceptions.ResourceNotFoundException:
            holder = None  # no version labelled yet (verified before decision 0111)
        if holder == version_id:
            return
        moved = {"RemoveFromVersionId": holder} if holder else {}
        client.update_secret_version_stage(
            SecretId=name, VersionStage=VERIFIED_STAGE, MoveToVersionId=version_id, **moved
        )
    except Exception as error:
        logger.warning("verified secret version not labelled", extra={"errorType": type(error).__name__})


def discard_new(name: str) -> None:
    """A secret created for a shared service that was never stored: delete it now (no recovery needed)."""
    try:
        _client().delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    except Exception as error:  # best effort; an orphan secret is never referenced
        logger.warning("orphan secret not deleted", extra={"errorType": type(error).__name__})


def schedule_deletion(name: str, recovery_days: int) -> str:
    response = _client().delete_secret(SecretId=name, RecoveryWindowInDays=recovery_days)
    deletion = response.get("DeletionDate")
    return clock.stamp(deletion) if isinstance(deletion, datetime) else str(deletion or "")


def restore(name: str) -> None:
    try:
        _client().restore_secret(SecretId=name)
    except Exception as error:  # best effort; logged for the operator
        logger.error("secret scheduled for deletion not restored", extra={"errorType": type(error).__name__})
