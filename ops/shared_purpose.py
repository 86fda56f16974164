"""`python -m ops shared-services migrate-purpose`: give the shared services written before `purpose` existed
(decision 0106) their purpose, and the notification service its claim. Idempotent; Query only (the CCF list's
GSI1 partition, then each CCF's SHARED# items), never Scan.

An item without `purpose` gets what the read-time default already reads it as (sat_common.shared_services
.purpose_of: NOTIFICACION_TRAMITES when named NotificacionTramite, any case; else OTRO). The notification service's
claim (`SHAREDPURPOSE#NOTIFICACION_TRAMITES`) is written first, conditionally: a CCF whose claim already names
another service keeps that one (it is the one notified), and the old item is written as OTRO and counted as a
conflict, for a person of the CCF to look at.
"""

from __future__ import annotations

from typing import Any

from ops import target as outputs
from ops.backoffice_reindex import _query_all
from ops.target import Target


def migrate(target: Target, *, dry_run: bool) -> dict[str, int]:
    from boto3.dynamodb.conditions import Key
    from botocore.exceptions import ClientError

    from sat_common import shared_services

    table = target.table(target.output(outputs.MAIN_TABLE))
    counts = {"services": 0, "notification": 0, "conflicts": 0}
    for activation in _query_all(table, IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq("CCFS")):
        nit = str(activation["nit"])
        items = _query_all(
            table, KeyConditionExpression=Key("PK").eq(f"EMPLOYER#{nit}") & Key("SK").begins_with("SHARED#")
        )
        for item in items:
            if "purpose" in item:
                continue
            purpose = shared_services.purpose_of(item)
            counts["services"] += 1
            if dry_run:
                continue
            if purpose == shared_services.NOTIFICATION_PURPOSE and not _claim(table, nit, item, ClientError):
                counts["conflicts"] += 1  # another service holds the claim: that one is notified, this one is not
                purpose = shared_services.OTHER_PURPOSE
            counts["notification"] += purpose == shared_services.NOTIFICATION_PURPOSE
            try:
                table.update_item(
                    Key={"PK": item["PK"], "SK": item["SK"]},
                    UpdateExpression="SET purpose = :purpose",
                    ConditionExpression="attribute_exists(PK) AND attribute_not_exists(purpose)",
                    ExpressionAttributeValues={":purpose": purpose},
                )
            except ClientError as error:  # changed or deleted meanwhile: its own write decided
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
    return counts


def _claim(table: Any, nit: str, item: dict[str, Any], client_error: type[Exception]) -> bool:
    from sat_common import shared_services

    try:
        table.put_item(
            Item={**shared_services.purpose_key(nit), "sharedServiceId": item["sharedServiceId"]},
            ConditionExpression="attribute_not_exists(PK) OR sharedServiceId = :id",
            ExpressionAttributeValues={":id": item["sharedServiceId"]},
        )
    except client_error as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True
