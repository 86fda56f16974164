"""Append-only audit trail: who did what, when, from where. Never secrets, tokens or answers.

Functions hold only dynamodb:PutItem on the audit table, and every write is conditional on a new
key, so an entry cannot be overwritten or deleted by application code.

Each entry also carries the partition keys of the audit search's indexes (decision 0095,
infra/components/data.py AUDIT_INDEXES): `nitKey` (the company or CCF it is about), `actorDoc` (the person who
acted), `subjectDoc` (the person it is about, when another one) and `action`. Entries written before them are
not in those indexes (docs/data-model.md "Audit table", migration note).
"""

import re
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
DOCUMENT = re.compile(r"^([A-Z]{2})-([0-9A-Za-z]{3,20})$")  # a person's username, e.g. CC-1020304050
NIT = re.compile(r"^[0-9]{9}$")
_NIT_ENTITIES = ("EMPLOYER#", "CCF#")
_PERSON_ENTITIES = ("PERSON#", "CONSENT#")


def document_number(value: object) -> str | None:
    """The number of a person's username (`CC-1020304050` → `1020304050`); None for anything else."""
    match = DOCUMENT.match(str(value)) if value else None
    return match.group(2) if match else None


def index_attributes(entity: str, actor: str, details: dict[str, Any]) -> dict[str, str]:
    """The audit search's index keys of an entry (decision 0095)."""
    attributes: dict[str, str] = {}
    nit = entity.split("#", 1)[1] if entity.startswith(_NIT_ENTITIES) else None
    for candidate in (nit, details.get("nit"), details.get("ccfNit")):
        if isinstance(candidate, str) and NIT.match(candidate):
            attributes["nitKey"] = f"NIT#{candidate}"
            break
    acted_by = document_number(actor)
    if acted_by:
        attributes["actorDoc"] = f"DOC#{acted_by}"
    about = document_number(entity.split("#", 1)[1]) if entity.startswith(_PERSON_ENTITIES) else None
    if about and about != acted_by:
        attributes["subjectDoc"] = f"DOC#{about}"
    return attributes


def entry(entity: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One audit item for `entity` (e.g. "PERSON#CC-1"). Put it with NEW_ENTRY: in a transaction with the
    state change it records (so neither exists without the other), or alone through `record`."""
    now = datetime.now(UTC)
    return {
        **index_attributes(entity, actor.subject, details or {}),
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
