"""The legal representative, re-checked against the business reference source (manual §5 "El registro debe
hacerlo el representante legal"; docs/decisions/0033-legal-representative-recheck.md).

Whoever registered a company keeps the legal representative's rights only while the business reference
source still names them. The source is asked at most every `representative_recheck_hours` (24) per company;
when it was last asked is kept on the company item (`legalRepresentativeCheckedAt`). When the source names
someone else:

- the old representative's grant is revoked (their next request is a 404, as for anyone else);
- the person the source names takes the company over with POST /employers (200, audit
  `EMPLOYER_REPRESENTATIVE_CHANGED` naming both), without waiting for the old one to be noticed;
- the delegate and the authorizations stay: they are the company's acts, not the person's (decision 0033).
"""

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from delegation.common import EMPLOYER_ACCESS, employer_role_item, entity, iso, reference_username
from delegation.config import Deps
from delegation.store import (
    ACTIVE,
    EMPLOYER_ROLE,
    LEGAL_REP,
    PENDING_CONFIRMATION,
    REGISTERED,
    REVOKED,
    employer_key,
    role_key,
)
from sat_common import audit, clock
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError

CHECKED_AT = "legalRepresentativeCheckedAt"
SYSTEM = Actor(subject="system")
NOT_IN_REFERENCE = "NOT_IN_REFERENCE_SOURCE"  # revokedReason of the old representative's grant


def _checked_recently(deps: Deps, employer: dict[str, Any]) -> bool:
    checked = employer.get(CHECKED_AT)
    if not checked:
        return False
    at = datetime.fromisoformat(str(checked).replace("Z", "+00:00"))
    return clock.now() - at < timedelta(hours=deps.settings.representative_recheck_hours)


def still_represents(deps: Deps, employer: dict[str, Any], username: str) -> bool:
    """Is `username`, the company's stored legal representative, still the one the reference source names?

    A representative the source no longer names loses the grant at once. A company the source does not know
    any more denies this request and changes nothing (the source may be mid-update): the next request asks
    again. The version is not touched, so a step in progress does not fail with CONCURRENT_UPDATE."""
    if _checked_recently(deps, employer):
        return True
    nit = str(employer["nit"])
    company = deps.reference.company(nit)
    if company is None:
        return False
    named = reference_username(company)
    if named != username:
        _revoke(deps, nit, username, named)
        return False
    try:
        deps.store.update(
            employer_key(nit),
            f"SET {CHECKED_AT} = :now",
            condition="legalRepresentative = :me",
            values={":now": iso(), ":me": username},
        )
    except ConditionFailed:
        return False  # taken over meanwhile
    return True


def _revoke(deps: Deps, nit: str, username: str, named: str) -> None:
    tx = deps.store.tx()
    tx.update(
        role_key(username, EMPLOYER_ROLE, nit),
        "SET #status = :revoked, revokedAt = :now, revokedReason = :reason",
        condition="profile = :legal AND #status IN (:active, :pending)",
        names={"#status": "status"},
        values={
            ":revoked": REVOKED,
            ":now": iso(),
            ":reason": NOT_IN_REFERENCE,
            ":legal": LEGAL_REP,
            ":active": ACTIVE,
            ":pending": PENDING_CONFIRMATION,
        },
    )
    details = {"legalRepresentative": username, "referenceLegalRepresentative": named, "reason": NOT_IN_REFERENCE}
    tx.audit(deps.settings.audit_table_name, audit.entry(entity(nit), "LEGAL_REPRESENTATIVE_REVOKED", SYSTEM, details))
    with suppress(ConditionFailed):  # revoked already, or taken over meanwhile: the grant no longer works
        tx.commit()


def holds_grant(deps: Deps, username: str, nit: str) -> bool:
    """Does `username` hold a working legal representative's grant on `nit`?"""
    grant = deps.store.get(role_key(username, EMPLOYER_ROLE, nit)) or {}
    return grant.get("profile") == LEGAL_REP and grant.get("status") in EMPLOYER_ACCESS


def take_over(deps: Deps, username: str, employer: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """POST /employers by the person the reference source names, for a company registered already: they
    become its legal representative, in one transaction with the previous one's revocation and the audit
    entry. The company's data, state, delegate and authorizations stay as they are; only a delegate who is
    the new representative stops being the delegate (one grant per person and company, decision 0030)."""
    nit = str(employer["nit"])
    previous = str(employer["legalRepresentative"])
    now = iso()
    was_delegate = (employer.get("delegate") or {}).get("username") == username
    expression = f"SET legalRepresentative = :new, {CHECKED_AT} = :now, updatedAt = :now, version = version + :one"
    tx = deps.store.tx()
    tx.update(
        employer_key(nit),
        expression + (" REMOVE delegate" if was_delegate else ""),
        condition="version = :v AND legalRepresentative = :old",
        values={":new": username, ":now": now, ":one": 1, ":v": employer["version"], ":old": previous},
    )
    status = ACTIVE if employer["status"] == REGISTERED else PENDING_CONFIRMATION
    tx.put(employer_role_item(username, LEGAL_REP, employer, status, now))
    if previous != username:
        tx.update(
            role_key(previous, EMPLOYER_ROLE, nit),
            "SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :now), revokedReason = :reason",
            condition="attribute_exists(PK)",
            names={"#status": "status"},
            values={":revoked": REVOKED, ":now": now, ":reason": NOT_IN_REFERENCE},
        )
    action = "EMPLOYER_REPRESENTATIVE_CHANGED" if previous != username else "LEGAL_REPRESENTATIVE_RESTORED"
    details: dict[str, Any] = {"previous": previous, "current": username}
    if was_delegate:
        details["delegateRemoved"] = username
    tx.audit(deps.settings.audit_table_name, audit.entry(entity(nit), action, actor, details))
    try:
        tx.commit()
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    return {"nit": nit, "status": employer["status"], "upload": None}
