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

from sat_common import clock, keys
from sat_common.repositories.audit_trail import NEW_ENTRY, append


@dataclass(frozen=True)
class Actor:
    subject: str  # Cognito username, "anonymous" or "system"
    source_ip: str | None = None
    user_agent: str | None = None


__all__ = ["NEW_ENTRY", "Actor", "entry", "record"]  # NEW_ENTRY: sat_common.repositories.audit_trail
DOCUMENT = re.compile(r"^([A-Z]{2})-([0-9A-Za-z]{3,20})$")  # a person's username, e.g. CC-1020304050
NIT = re.compile(r"^[0-9]{9}$")
_NIT_ENTITIES = (keys.EMPLOYER, keys.CCF)
_PERSON_ENTITIES = (keys.PERSON, keys.consent(""))


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
            attributes["nitKey"] = keys.audit_nit(candidate)
            break
    acted_by = document_number(actor)
    if acted_by:
        attributes["actorDoc"] = keys.audit_document(acted_by)
    about = document_number(entity.split("#", 1)[1]) if entity.startswith(_PERSON_ENTITIES) else None
    if about and about != acted_by:
        attributes["subjectDoc"] = keys.audit_document(about)
    return attributes


def entry(entity: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One audit item for `entity` (e.g. "PERSON#CC-1"). Put it with NEW_ENTRY: in a transaction with the
    state change it records (so neither exists without the other), or alone through `record`."""
    # The real time, not sat_common.clock's (tests move that one): entries keep the order they were written in.
    # clock.stamp's form; entries written before it end in `+00:00`, which sorts just before the `Z` form of the
    # same millisecond, so the trail stays in time order.
    now = clock.stamp(datetime.now(UTC))
    return {
        **index_attributes(entity, actor.subject, details or {}),
        "PK": keys.audit(entity),
        "SK": f"{now}#{uuid.uuid4().hex}",
        "action": action,
        "actor": actor.subject,
        "sourceIp": actor.source_ip or "-",
        "userAgent": (actor.user_agent or "-")[:256],
        "at": now,
        "details": details or {},
    }


def record(table_name: str, entity: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> str:
    """Write one audit entry on its own; returns its sort key."""
    item = entry(entity, action, actor, details)
    append(table_name, item)
    return str(item["SK"])
