"""Helpers shared by the delegation modules: who may act on a company, reference comparisons, audit, e-mail."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from delegation.config import Deps
from delegation.store import (
    ACTIVE,
    DELEGATE,
    EMPLOYER_ROLE,
    LEGAL_REP,
    PENDING_CONFIRMATION,
    employer_key,
    person_key,
    role_key,
)
from sat_common import audit, clock
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.errors import DomainError, not_found
from sat_common.observability import logger
from sat_common.outbox import EmailTemplate, OutboxEmail, enqueue_email
from sat_common.reference import Person

# Grant states that let a person act on /employers/{nit}. PENDING_CONFIRMATION: named before the
# company's registration was confirmed (the role is not in /me/roles yet, but the steps can be done).
EMPLOYER_ACCESS = (ACTIVE, PENDING_CONFIRMATION)


def iso(moment: datetime | None = None) -> str:
    return (moment or clock.now()).isoformat(timespec="seconds").replace("+00:00", "Z")


def entity(nit: str) -> str:
    return f"EMPLOYER#{nit}"


def record(deps: Deps, nit: str, action: str, actor: Actor, details: dict[str, Any] | None = None) -> None:
    audit.record(deps.settings.audit_table_name, entity(nit), action, actor, details)


@dataclass(frozen=True)
class Membership:
    """The caller's stored right on one company."""

    username: str
    profile: str  # REPRESENTANTE_LEGAL | DELEGADO
    grant: dict[str, Any]
    employer: dict[str, Any]

    @property
    def nit(self) -> str:
        return str(self.employer["nit"])


def membership(deps: Deps, caller: Caller, nit: str) -> Membership:
    """The caller's grant on `nit`, from the stored ROLE item (never from the request); 404 when there is
    none, as if the company did not exist. The employer item must agree (defence in depth)."""
    grant = deps.store.get(role_key(caller.username, EMPLOYER_ROLE, nit))
    if not grant or grant.get("status") not in EMPLOYER_ACCESS:
        raise not_found()
    employer = deps.store.get(employer_key(nit))
    if not employer:
        raise not_found()
    profile = grant.get("profile")
    if profile == LEGAL_REP and employer.get("legalRepresentative") == caller.username:
        return Membership(caller.username, LEGAL_REP, grant, employer)
    if profile == DELEGATE and (employer.get("delegate") or {}).get("username") == caller.username:
        return Membership(caller.username, DELEGATE, grant, employer)
    raise not_found()


def require_legal_representative(member: Membership) -> None:
    if member.profile != LEGAL_REP:
        raise DomainError(code="LEGAL_REPRESENTATIVE_ONLY", status=403)


def fold(text: str | None) -> str:
    """Comparison form of a name: no accents, upper case, single spaces, no dots or commas."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace(".", " ").replace(",", " ").upper().split())


def same_person(person: Person, data: Any) -> bool:
    return all(
        fold(getattr(person, name)) == fold(getattr(data, name))
        for name in ("firstName", "middleName", "firstSurname", "secondSurname")
    )


def verified_person(deps: Deps, data: Any) -> Person:
    """The person as the identity reference source knows them; one generic 422 whatever differs."""
    person = deps.reference.person(data.documentType, data.documentNumber)
    if person is None or not same_person(person, data):
        raise DomainError(code="PERSON_NOT_VERIFIED", status=422)
    return person


def is_registered(deps: Deps, username: str) -> bool:
    """Registered = the registration area's ACCOUNT item is ACTIVE (password set)."""
    account = deps.store.get(person_key(username, "ACCOUNT"))
    return bool(account and account.get("status") == "ACTIVE")


def person_email(deps: Deps, username: str) -> str | None:
    profile = deps.store.get(person_key(username, "PROFILE")) or {}
    if profile.get("email"):
        return str(profile["email"])
    document_type, _, number = username.partition("-")
    person = deps.reference.person(document_type, number)
    return person.email if person else None


def display_name(first: str | None, surname: str | None) -> str:
    return " ".join(part for part in (first, surname) if part)


def send_email(deps: Deps, template: EmailTemplate, to: str, data: dict[str, str], key: str) -> bool:
    """Queue one e-mail after the state change is stored. A queue outage does not undo the change: it is
    logged (no address, no data) and reported to the caller's audit trail by the caller."""
    try:
        enqueue_email(deps.settings.outbox_queue_url, OutboxEmail(id=key, template=template, to=to, data=data))
        return True
    except Exception as error:
        logger.warning("e-mail not queued", extra={"template": template, "errorType": type(error).__name__})
        return False
