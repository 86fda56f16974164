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
from datetime import timedelta
from typing import Any

from delegation.common import employer_role_item, entity, iso, reference_username
from delegation.config import Deps
from delegation.repository import (
    ACTIVE,
    CHECKED_AT,
    EMPLOYER_ACCESS,
    LEGAL_REP,
    PENDING_CONFIRMATION,
    REGISTERED,
)
from sat_common import audit, clock
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError

SYSTEM = Actor(subject="system")
NOT_IN_REFERENCE = "NOT_IN_REFERENCE_SOURCE"  # revokedReason of the old representative's grant


def _checked_recently(deps: Deps, employer: dict[str, Any]) -> bool:
    checked = employer.get(CHECKED_AT)
    if not checked:
        return False
    at = clock.parse(str(checked))
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
        deps.repository.mark_representative_checked(nit, username, iso())
    except ConditionFailed:
        return False  # taken over meanwhile
    return True


def _revoke(deps: Deps, nit: str, username: str, named: str) -> None:
    details = {"legalRepresentative": username, "referenceLegalRepresentative": named, "reason": NOT_IN_REFERENCE}
    entry = audit.entry(entity(nit), "LEGAL_REPRESENTATIVE_REVOKED", SYSTEM, details)
    with suppress(ConditionFailed):  # revoked already, or taken over meanwhile: the grant no longer works
        deps.repository.revoke_representative(
            nit, username, NOT_IN_REFERENCE, iso(), deps.settings.audit_table_name, entry
        )


def holds_grant(deps: Deps, username: str, nit: str) -> bool:
    """Does `username` hold a working legal representative's grant on `nit`?"""
    grant = deps.repository.grant(username, nit) or {}
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
    status = ACTIVE if employer["status"] == REGISTERED else PENDING_CONFIRMATION
    grant = employer_role_item(username, LEGAL_REP, employer, status, now)
    action = "EMPLOYER_REPRESENTATIVE_CHANGED" if previous != username else "LEGAL_REPRESENTATIVE_RESTORED"
    details: dict[str, Any] = {"previous": previous, "current": username}
    if was_delegate:
        details["delegateRemoved"] = username
    entry = audit.entry(entity(nit), action, actor, details)
    try:
        deps.repository.take_over(
            employer, username, grant, NOT_IN_REFERENCE, now, deps.settings.audit_table_name, entry
        )
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    return {"nit": nit, "status": employer["status"], "upload": None}
