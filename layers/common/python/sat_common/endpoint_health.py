"""Health of a CCF's notification endpoint as the deliveries see it (decision 0105), kept on its shared-service
item (`EMPLOYER#<nit>` / `SHARED#<id>`, sat_common.shared_services):

    failingSince     ISO time of the first delivery attempt without an acknowledgement since the last one that
                     was acknowledged (absent while the endpoint answers)
    status DISABLED  the endpoint answered 410 Gone, or kept failing for NOTIFICATION_DISABLE_AFTER_DAYS;
    disabledAt, disabledReason (HTTP_410 or FALLA_PROLONGADA)

Disabling bumps `revision` (the share area's optimistic lock), so a concurrent change of the service by a person
is refused and retried on the new state rather than silently re-activating it. `failingSince` does not: a change
of the service that drops it only restarts the count. A successful connection test (share area) or test
notification makes the service ACTIVE again and removes all three attributes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sat_common import aws, clock
from sat_common.shared_services import ACTIVE, DISABLED, item_key

GONE = "HTTP_410"
PROLONGED = "FALLA_PROLONGADA"


def _conditional(table_name: str, key: dict[str, str], **kwargs: Any) -> dict[str, Any] | None:
    """update_item; None when its condition does not hold."""
    from botocore.exceptions import ClientError

    try:
        return aws.table(table_name).update_item(Key=key, ReturnValues="ALL_NEW", **kwargs).get("Attributes")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return None
        raise


def note_success(table_name: str, nit: str, shared_service_id: str) -> None:
    """An acknowledged delivery: the endpoint is not failing (one write only when it was)."""
    _conditional(
        table_name,
        item_key(nit, shared_service_id),
        UpdateExpression="REMOVE failingSince",
        ConditionExpression="attribute_exists(failingSince)",
    )


def note_failure(table_name: str, nit: str, shared_service_id: str, disable_after_seconds: int) -> bool:
    """An attempt without an acknowledgement. True when it disabled the endpoint (it had been failing for
    `disable_after_seconds`); the caller tells the people concerned."""
    now = clock.now()
    started = _conditional(
        table_name,
        item_key(nit, shared_service_id),
        UpdateExpression="SET failingSince = :now",
        ConditionExpression="attribute_exists(PK) AND attribute_not_exists(failingSince)",
        ExpressionAttributeValues={":now": now.isoformat(timespec="seconds")},
    )
    if started is not None:
        return False
    item = aws.table(table_name).get_item(Key=item_key(nit, shared_service_id), ConsistentRead=True).get("Item")
    since = (item or {}).get("failingSince")
    if not since:
        return False
    if (now - datetime.fromisoformat(str(since))).total_seconds() < disable_after_seconds:
        return False
    return disable(table_name, nit, shared_service_id, PROLONGED)


def disable(table_name: str, nit: str, shared_service_id: str, reason: str) -> bool:
    """ACTIVE → DISABLED; False when it was not ACTIVE (already disabled, or changed meanwhile)."""
    done = _conditional(
        table_name,
        item_key(nit, shared_service_id),
        UpdateExpression="SET #s = :disabled, disabledAt = :now, disabledReason = :reason, revision = revision + :one",
        ConditionExpression="#s = :active",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":disabled": DISABLED,
            ":active": ACTIVE,
            ":now": clock.now().isoformat(timespec="seconds"),
            ":reason": reason,
            ":one": 1,
        },
    )
    return done is not None


def enable(table_name: str, nit: str, shared_service_id: str) -> bool:
    """DISABLED → ACTIVE after a successful test notification (the connection test does it in its own write)."""
    done = _conditional(
        table_name,
        item_key(nit, shared_service_id),
        UpdateExpression="SET #s = :active, revision = revision + :one REMOVE disabledAt, disabledReason, failingSince",
        ConditionExpression="#s = :disabled",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":disabled": DISABLED, ":active": ACTIVE, ":one": 1},
    )
    return done is not None
