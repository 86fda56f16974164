"""May this person act for CCF <nit> on /ccfs/{nit}/...? One rule for the catalog and share areas,
read on every request so a revocation takes effect on the next one:
1. main-table item `PERSON#<username>` / `ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit>` with status ACTIVE, and
   `CCF#<nit>` / `ACTIVATION` with status ACTIVE; otherwise 404 NOT_FOUND (another CCF's objects are
   answered as if they did not exist), except a SUSPENDED CCF: 403 CCF_SUSPENDED with the Ministry's reason
   (its own authorized persons may know; decision 0093);
2. the person's terms decision `CCF#<nit>` / `TERMS#<username>` is ACCEPT of the current version;
   otherwise 403 TERMS_NOT_ACCEPTED.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sat_common import ccf_access, keys
from sat_common.auth import Caller
from sat_common.errors import DomainError
from sat_common.items import ItemStore
from sat_common.repositories import ccf_people

# The terms text is functions/catalog/terms/<version>.md; a new file + this constant = a new acceptance.
TERMS_VERSION = "2026-01"
ACCEPT = "ACCEPT"


def terms_key(nit: str, username: str) -> dict[str, str]:
    return {"PK": keys.ccf(nit), "SK": keys.terms_decision(username)}


def require_authorized(table_name: str, caller: Caller, nit: str) -> dict[str, Any]:
    """The CCF's activation item when the caller holds the ACTIVE authorized role for it; 404 otherwise."""
    store = ItemStore(table_name)
    role = store.get(ccf_access.role_key(caller.username, nit))
    if not role or role.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="NOT_FOUND", status=404)
    return check_access(role, store.get(ccf_access.activation_key(nit)))


def check_access(role: dict[str, Any] | None, activation: dict[str, Any] | None) -> dict[str, Any]:
    """Rule 1 on items the caller already read (the role item and `CCF#<nit>` / `ACTIVATION`), for a route that
    reads them together with its own items in one call (decision 0113): the activation item, or the error."""
    if not role or role.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="NOT_FOUND", status=404)
    if activation and activation.get("status") == SUSPENDED:
        raise suspended(activation)
    if not activation or activation.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="NOT_FOUND", status=404)
    return activation


def check_terms(decision: dict[str, Any] | None) -> None:
    """Rule 2 on the person's terms decision item already read: 403 TERMS_NOT_ACCEPTED unless it accepts the
    current version."""
    if (decision or {}).get("version") != TERMS_VERSION or (decision or {}).get("decision") != ACCEPT:
        raise DomainError(code="TERMS_NOT_ACCEPTED", status=403, params={"version": TERMS_VERSION})


SUSPENDED = "SUSPENDED"


def suspended(activation: dict[str, Any]) -> DomainError:
    """403 CCF_SUSPENDED for the CCF's own authorized persons: the Ministry's reason and since when, in `detail`
    and as members of the problem, so the portal can say why (decision 0093)."""
    since = str(activation.get("stateSince") or "")
    reason = str(activation.get("stateReason") or "-")
    return DomainError(
        code="CCF_SUSPENDED",
        status=403,
        params={"nit": activation.get("nit") or "", "since": since, "reason": reason},
        extra={"state": SUSPENDED, "reason": reason, "since": since or None},
    )


def require_authorized_with_terms(table_name: str, caller: Caller, nit: str) -> dict[str, Any]:
    """As require_authorized, and the current terms accepted (403 TERMS_NOT_ACCEPTED otherwise)."""
    activation = require_authorized(table_name, caller, nit)
    check_terms(ItemStore(table_name).get(terms_key(nit, caller.username)))
    return activation


DEFAULT_NAME = "Usuario autorizado"


@dataclass(frozen=True)
class AuthorizedPerson:
    username: str
    email: str | None
    name: str


def authorized_people(table_name: str, nit: str) -> list[AuthorizedPerson]:
    """Everyone holding the ACTIVE authorized role for CCF <nit>, with the e-mail and name of their profile:
    the recipients of the notices about the CCF's credentials (catalog, share and delegation areas). Role
    items carry GSI1PK ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit> (delegation area, docs/data-model.md)."""
    active = [
        username for username, grant in ccf_people.grants(table_name, nit) if grant.get("status") == ccf_access.ACTIVE
    ]
    people = []
    for username, profile in zip(active, ccf_people.profiles(table_name, active), strict=True):
        name = " ".join(str(profile[key]) for key in ("firstName", "firstSurname") if profile.get(key))
        email = profile.get("email")
        people.append(AuthorizedPerson(username, str(email) if email else None, name or DEFAULT_NAME))
    return sorted(people, key=lambda person: person.username)
