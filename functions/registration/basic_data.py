"""Manual §5 Paso 2, "Ingrese sus datos básicos": the typed data is compared with the reference source and,
when it matches, a registration starts with the first set of identity questions (Paso 3, decision 0026)."""

import hmac
import json
import secrets
import unicodedata
import uuid
from datetime import date
from typing import Any

from registration import questions
from registration.config import Deps
from registration.flow import ACTIVE, PASSWORD_PENDING, QUESTIONS_PENDING, document_locked, entity, log_ref, stamp
from registration.flow import username_of as username_for
from registration.identity_lock import active_lock
from registration.models import BasicData
from registration.repositories import identity_checks, registrations
from registration.repositories.people import person_items
from sat_common import audit, clock, keys
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError
from sat_common.observability import logger
from sat_common.reference import IdentityFacts, Person

# Compared with the submitted data when the document is unknown, so both "no" paths do the same work.
_NOBODY = Person(
    documentType="CC",
    documentNumber="0",
    firstName="-",
    firstSurname="-",
    birthDate=date(1900, 1, 1),
    expeditionDate=date(1900, 1, 2),
    facts=IdentityFacts(eps="-", affiliationYear=1900, municipalityCode="00000"),
)


def start(deps: Deps, data: BasicData, actor: Actor, lang: str) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    username = username_for(data.documentType, data.documentNumber)
    # The same reads whatever the outcome: an unknown person and a mismatch take the same path and time.
    person = deps.reference.person(data.documentType, data.documentNumber)
    items = person_items(store, username)
    user_status = deps.pool.user_status(username)
    if not _same_person(data, person):
        audit.record(settings.audit_table_name, entity(username), "REGISTRATION_REJECTED", actor)
        raise DomainError(code="REGISTRATION_NOT_VERIFIED", status=422)
    assert person is not None  # _same_person is False for None
    now = clock.epoch()
    until = active_lock(items.get(keys.IDENTITY_CHECK), now)
    if until is not None:
        raise document_locked(until, now)
    if _registered(items.get(keys.ACCOUNT), user_status):
        audit.record(settings.audit_table_name, entity(username), "REGISTRATION_REFUSED_ALREADY_REGISTERED", actor)
        raise DomainError(code="ALREADY_REGISTERED", status=409)

    bank = _question_bank(deps, username, person, items.get(keys.QUESTION_SEED))
    if not bank:  # nothing to ask (no catalog, no population): never a registration without questions
        logger.error("no identity question can be built for a person")
        raise DomainError(code="REGISTRATION_NOT_VERIFIED", status=422)
    question_set = questions.new_set(bank)
    registration_id = uuid.uuid4().hex
    session_end = now + settings.registration_session_minutes * 60
    registration = {
        "registrationId": registration_id,
        "username": username,
        "documentType": data.documentType,
        "documentNumber": data.documentNumber,
        "firstName": person.firstName,
        "middleName": person.middleName,
        "firstSurname": person.firstSurname,
        "secondSurname": person.secondSurname,
        "status": QUESTIONS_PENDING,
        # JSON strings: opaque to DynamoDB, cheap to (de)serialize, never filtered on.
        "bank": json.dumps(bank, ensure_ascii=False),
        "questionSetId": question_set["setId"],
        "questionSet": json.dumps(question_set, ensure_ascii=False),
        "createdAt": stamp(now),
        "updatedAt": stamp(now),
        "expiresAt": session_end,
    }
    started = audit.entry(entity(username), "REGISTRATION_STARTED", actor, {"registrationId": registration_id})
    try:
        registrations.start_registration(store, registration, now, settings.audit_table_name, started)
    except ConditionFailed:
        claim = registrations.get_claim(store, username) or {}
        wait = max(60, int(claim.get("expiresAt", now)) - now)
        raise DomainError(
            code="REGISTRATION_IN_PROGRESS",
            status=409,
            params={"minutes": -(-wait // 60)},
            headers={"Retry-After": str(wait)},
        ) from None
    logger.info("registration started", extra={"registrationRef": log_ref(registration_id)})
    return {
        "registrationId": registration_id,
        "status": QUESTIONS_PENDING,
        "questions": questions.public_questions(question_set, lang),
        "expiresAt": stamp(session_end),
    }


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join((text or "").split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _fingerprint(names: tuple[str | None, ...], born: date, issued: date) -> bytes:
    return "|".join([*(_fold(name) for name in names), born.isoformat(), issued.isoformat()]).encode()


def _same_person(data: BasicData, person: Person | None) -> bool:
    reference = person or _NOBODY
    submitted = _fingerprint(
        (data.firstName, data.middleName, data.firstSurname, data.secondSurname), data.birthDate, data.expeditionDate
    )
    expected = _fingerprint(
        (reference.firstName, reference.middleName, reference.firstSurname, reference.secondSurname),
        reference.birthDate,
        reference.expeditionDate,
    )
    return hmac.compare_digest(submitted, expected) and person is not None


def _registered(account: dict[str, Any] | None, user_status: str | None) -> bool:
    """Registered: the account is active, or a Cognito user exists that this flow did not leave pending.

    A user this flow created whose password was never set (FORCE_CHANGE_PASSWORD with our ACCOUNT item
    PASSWORD_PENDING) may register again: the manual's advice when the e-mail did not arrive.
    """
    if account and account.get("status") == ACTIVE:
        return True
    if user_status is None:
        return False
    return not (user_status == "FORCE_CHANGE_PASSWORD" and account and account.get("status") == PASSWORD_PENDING)


def _question_bank(deps: Deps, username: str, person: Person, item: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The person's questions with their options, drawn once and kept on the QUESTION_SEED item (decision
    0026): the same options in every set and registration, even after the populations are reloaded."""
    stored = item or identity_checks.claim_question_seed(deps.store, username, secrets.token_hex(16))
    previous = json.loads(stored.get("bank") or "[]")
    bank = questions.build_bank(
        person,
        deps.populations.population,
        str(stored["seed"]),
        clock.now().date(),
        deps.settings.identity_options,
        previous,
    )
    if bank != previous:  # the same for concurrent requests: the draw is repeatable from the seed
        identity_checks.save_question_bank(deps.store, username, json.dumps(bank, ensure_ascii=False))
    return bank
