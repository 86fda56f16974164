"""Helpers shared by the delegation modules: grants, reference comparisons, audit, e-mail (who may act on a
company is access.py)."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from delegation.config import Deps
from delegation.repository import EMPLOYER_ROLE, LEGAL_REP, ROLE_NAMES, role_key
from sat_common import audit, clock, keys
from sat_common.audit import Actor
from sat_common.errors import DomainError
from sat_common.observability import logger
from sat_common.outbox import EmailTemplate, OutboxEmail, enqueue_email
from sat_common.reference import Company, Person


def iso(moment: datetime | None = None) -> str:
    """The one timestamp format (sat_common.clock.stamp)."""
    return clock.stamp(moment)


def entity(nit: str) -> str:
    """The company's audit entity."""
    return keys.employer(nit)


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


def require_legal_representative(member: Membership) -> None:
    if member.profile != LEGAL_REP:
        raise DomainError(code="LEGAL_REPRESENTATIVE_ONLY", status=403)


def employer_role_item(username: str, profile: str, employer: dict[str, Any], status: str, now: str) -> dict[str, Any]:
    """The ROLE item that is a person's grant on a company (decision 0030)."""
    return {
        **role_key(username, EMPLOYER_ROLE, str(employer["nit"])),
        "role": EMPLOYER_ROLE,
        "name": ROLE_NAMES[EMPLOYER_ROLE],
        "nit": str(employer["nit"]),
        "businessName": str(employer["businessName"]),
        "profile": profile,
        "grantedAt": now,
        "status": status,
    }


def reference_username(company: Company) -> str:
    """The username (`<DOCTYPE>-<NUMBER>`) of the legal representative the business reference source names."""
    return f"{company.legalRepresentative.documentType}-{company.legalRepresentative.documentNumber}"


def reference_business_name(deps: Deps, nit: str) -> str:
    """The company's name in e-mails: the business reference source's, never the one typed at Paso 2 (with a
    RUT mismatch the typed name is anything the user wrote, and e-mails go to addresses the user typed too).
    Only the NIT when the source no longer knows the company."""
    company = deps.reference.company(nit)
    return company.businessName if company else f"NIT {nit}"


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
    account = deps.repository.person_item(username, "ACCOUNT")
    return bool(account and account.get("status") == "ACTIVE")


def person_email(deps: Deps, username: str) -> str | None:
    profile = deps.repository.person_item(username, "PROFILE") or {}
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
