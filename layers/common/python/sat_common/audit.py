"""Append-only audit trail: who did what, when, from where. Never secrets, tokens or answers.

Functions hold only dynamodb:PutItem on the audit table, and every write is conditional on a new
key, so an entry cannot be overwritten or deleted by application code.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sat_common import aws


@dataclass(frozen=True)
class Actor:
    subject: str  # Cognito username, "anonymous" or "system"
    source_ip: str | None = None
    user_agent: str | None = None


def record(table_name: str, entity: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> str:
    """Write one audit entry for `entity` (e.g. "REGISTRATION#<id>"); returns its sort key."""
    now = datetime.now(UTC)
    sort_key = f"{now.isoformat(timespec='milliseconds')}#{uuid.uuid4().hex}"
    aws.table(table_name).put_item(
        Item={
            "PK": f"AUDIT#{entity}",
            "SK": sort_key,
            "action": action,
            "actor": actor.subject,
            "sourceIp": actor.source_ip or "-",
            "userAgent": (actor.user_agent or "-")[:256],
            "at": now.isoformat(timespec="milliseconds"),
            "details": details or {},
        },
        ConditionExpression="attribute_not_exists(PK)",
    )
    return sort_key
