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


NEW_ENTRY = "attribute_not_exists(PK)"  # the condition every entry is written with


def entry(entity: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One audit item for `entity` (e.g. "PERSON#CC-1"). Put it with NEW_ENTRY: in a transaction with the
    state change it records (so neither exists without the other), or alone through `record`."""
    now = datetime.now(UTC)
    return {
        "PK": f"AUDIT#{entity}",
        "SK": f"{now.isoformat(timespec='milliseconds')}#{uuid.uuid4().hex}",
        "action": action,
        "actor": actor.subject,
        "sourceIp": actor.source_ip or "-",
        "userAgent": (actor.user_agent or "-")[:256],
        "at": now.isoformat(timespec="milliseconds"),
        "details": details or {},
    }


def record(table_name: str, entity: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> str:
    """Write one audit entry on its own; returns its sort key."""
    item = entry(entity, action, actor, details)
    aws.table(table_name).put_item(Item=item, ConditionExpression=NEW_ENTRY)
    return str(item["SK"])
