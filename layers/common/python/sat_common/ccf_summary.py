"""The Ministry's summary of each CCF, kept on its activation item (`CCF#<nit>` / `ACTIVATION`) so that
GET /admin/ccfs answers a page with one Query (decision 0093). Each area updates its part where the fact changes:

    servicesAssigned   catalog: +1 / -1 in the assignment's own transaction
    sharedServices     share: rewritten after every change of a shared service or its connection test
                       ({total, notification: {sharedServiceId, name, status, connection, checkedAt} | null})
    lastDelivery       notifications: the newest delivery attempt ({numeroTransaccion, outcome, at})
    status, stateReason, stateSince, stateBy
                       catalog: PATCH /admin/ccfs/{nit} (ACTIVE / SUSPENDED)

Every update is conditioned on the activation item existing, so a summary never creates one; a summary write that
fails is logged and never fails the caller's own change (the next change writes it again).
"""

from __future__ import annotations

from typing import Any

from sat_common import aws, ccf_access
from sat_common.observability import logger

SUSPENDED = "SUSPENDED"
_EXISTS = "attribute_exists(PK)"


def _conditional_update(table_name: str, nit: str, expression: str, values: dict[str, Any], condition: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.table(table_name).update_item(
            Key=ccf_access.activation_key(nit),
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            logger.warning("CCF summary not updated", extra={"errorType": type(error).__name__})
    except BotoCoreError as error:
        logger.warning("CCF summary not updated", extra={"errorType": type(error).__name__})


def shared_services_summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """{total, notification} from the CCF's shared-service metadata items; the notification service is the one
    with purpose NOTIFICACION_TRAMITES (decision 0106; items without `purpose` by the legacy name rule)."""
    from sat_common.shared_services import NOTIFICATION_PURPOSE, purpose_of

    notification = None
    for item in items:
        if purpose_of(item) == NOTIFICATION_PURPOSE:
            connection = item.get("connection") or {}
            notification = {
                "sharedServiceId": item.get("sharedServiceId"),
                "name": item.get("name"),
                "status": item.get("status"),
                "connection": connection.get("status"),
                "checkedAt": connection.get("checkedAt"),
            }
    return {"total": len(items), "notification": notification}


def refresh_shared_services(table_name: str, nit: str) -> None:
    """Re-read the CCF's shared services (one Query) and store their summary on the activation item."""
    from boto3.dynamodb.conditions import Key

    from sat_common.items import plain

    try:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(f"EMPLOYER#{nit}") & Key("SK").begins_with("SHARED#"),
            "ConsistentRead": True,
        }
        table = aws.table(table_name)
        while True:
            page = table.query(**kwargs)
            items.extend(plain(item) for item in page.get("Items", []))
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except Exception as error:  # a summary never fails the change that triggered it
        logger.warning("CCF shared-service summary not read", extra={"errorType": type(error).__name__})
        return
    _conditional_update(
        table_name,
        nit,
        "SET sharedServices = :summary",
        {":summary": shared_services_summary(items)},
        _EXISTS,
    )


def record_delivery(table_name: str, nit: str, numero: str, outcome: str, at: str) -> None:
    """The newest delivery attempt to the CCF (an older one arriving late does not replace it)."""
    _conditional_update(
        table_name,
        nit,
        "SET lastDelivery = :delivery, lastDeliveryAt = :at",
        {":delivery": {"numeroTransaccion": numero, "outcome": outcome, "at": at}, ":at": at},
        f"{_EXISTS} AND (attribute_not_exists(lastDeliveryAt) OR lastDeliveryAt <= :at)",
    )
