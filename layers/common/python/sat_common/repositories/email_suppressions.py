"""Addresses SES reported as undeliverable (EMAIL#<address, lower case> / SUPPRESSION, decision 0072): the
delivery function records them, GET /me and the delivery function read them, `ops email unsuppress` deletes
them."""

from typing import Any

from sat_common import aws, keys


def suppression_key(address: str) -> dict[str, str]:
    return {"PK": keys.email_address(address), "SK": keys.SUPPRESSION}


def record_suppression(table_name: str, address: str, status: str, at: str, feedback_id: str | None) -> None:
    """Upsert the address's item (a redelivered event changes nothing but updatedAt): the first time is kept."""
    aws.table(table_name).update_item(
        Key=suppression_key(address),
        UpdateExpression="SET #status = :status, updatedAt = :at, since = if_not_exists(since, :at), "
        "feedbackId = :feedback",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": status, ":at": at, ":feedback": feedback_id or "-"},
    )


def suppression(table_name: str, address: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        aws.table(table_name).get_item(Key=suppression_key(address), ConsistentRead=True).get("Item")
    )
    return item
