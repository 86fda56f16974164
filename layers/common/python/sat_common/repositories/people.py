"""A person's items that other areas than registration read."""

from sat_common import aws, keys

# PERSON#<username> / MFA_TOTP: the person's TOTP enrolment (functions/registration writes it).
MFA_SORT_KEY = "MFA_TOTP"


def totp_status(table_name: str, username: str) -> str | None:
    """The TOTP enrolment's status only (`PENDING`/`ENABLED`), never the encrypted secret; None without one."""
    item = (
        aws.table(table_name)
        .get_item(
            Key={"PK": keys.person(username), "SK": MFA_SORT_KEY},
            ConsistentRead=True,
            ProjectionExpression="#status",
            ExpressionAttributeNames={"#status": "status"},
        )
        .get("Item")
    )
    return str(item["status"]) if item and "status" in item else None
