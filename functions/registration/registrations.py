"""Citizen registration, manual §5 Pasos 2–4: basic data, identity questions, contact data and consents.

States of a registration: QUESTIONS_PENDING → IDENTITY_VERIFIED → PASSWORD_PENDING → COMPLETED
(accounts.py), or LOCKED after too many failed question sets.
"""

import hashlib
import hmac
import json
import secrets
import unicodedata
import uuid
from datetime import UTC, date, datetime
from typing import Any

from registration import guards, notices, questions
from registration.config import Deps
from registration.models import BasicData, Contact
from registration.store import (
    ACCOUNT,
    CLAIM,
    IDENTITY_CHECK,
    PROFILE,
    QUESTION_SEED,
    person_key,
    registration_key,
    token_key,
)
from registration.store import username_of as username_for
from sat_common import audit, clock, tokens
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError
from sat_common.observability import logger
from sat_common.reference import IdentityFacts, Person

QUESTIONS_PENDING = "QUESTIONS_PENDING"
IDENTITY_VERIFIED = "IDENTITY_VERIFIED"
PASSWORD_PENDING = "PASSWORD_PENDING"  # noqa: S105 (a state, not a password)
COMPLETED = "COMPLETED"
LOCKED = "LOCKED"
ACTIVE = "ACTIVE"

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
CONSENT_QUESTIONS = {
    "EMAIL": "¿Autoriza que el Ministerio de Salud y Protección Social le envíe información a su correo electrónico?",
    "SMS": "¿Autoriza que el Ministerio de Salud y Protección Social le envíe información a su teléfono móvil?",
}


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def log_ref(registration_id: str) -> str:
    """What logs carry instead of the registration id, which works as the bearer of an unfinished flow."""
    return hashlib.sha256(registration_id.encode()).hexdigest()[:12]


def entity(username: str) -> str:
    return f"PERSON#{username}"


# --- Paso 2 -------------------------------------------------------------------------------------


def start(deps: Deps, data: BasicData, actor: Actor, lang: str) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    username = username_for(data.documentType, data.documentNumber)
    # The same reads whatever the outcome: an unknown person and a mismatch take the same path and time.
    person = deps.reference.person(data.documentType, data.documentNumber)
    items = store.person_items(username)
    user_status = deps.pool.user_status(username)
    if not _same_person(data, person):
        audit.record(settings.audit_table_name, entity(username), "REGISTRATION_REJECTED", actor)
        raise DomainError(code="REGISTRATION_NOT_VERIFIED", status=422)
    assert person is not None  # _same_person is False for None
    now = clock.epoch()
    _refuse_locked(items.get(IDENTITY_CHECK), now)
    if _registered(items.get(ACCOUNT), user_status):
        audit.record(settings.audit_table_name, entity(username), "REGISTRATION_REFUSED_ALREADY_REGISTERED", actor)
        raise DomainError(code="ALREADY_REGISTERED", status=409)

    bank = _question_bank(deps, username, person, items.get(QUESTION_SEED))
    if not bank:  # nothing to ask (no catalog, no population): never a registration without questions
        logger.error("no identity question can be built for a person")
        raise DomainError(code="REGISTRATION_NOT_VERIFIED", status=422)
    question_set = questions.new_set(bank)
    registration_id = uuid.uuid4().hex
    session_end = now + settings.registration_session_minutes * 60
    try:
        store.tx().put(
            {**person_key(username, CLAIM), "registrationId": registration_id, "expiresAt": session_end},
            "attribute_not_exists(PK) OR expiresAt < :now",
            values={":now": now},
        ).put(
            {
                **registration_key(registration_id),
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
                "createdAt": iso(now),
                "updatedAt": iso(now),
                "expiresAt": session_end,
            },
            "attribute_not_exists(PK)",
        ).audit(
            settings.audit_table_name,
            audit.entry(entity(username), "REGISTRATION_STARTED", actor, {"registrationId": registration_id}),
        ).commit()
    except ConditionFailed:
        claim = store.get(person_key(username, CLAIM)) or {}
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
        "expiresAt": iso(session_end),
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


def _refuse_locked(identity_check: dict[str, Any] | None, now: int) -> None:
    until = guards.active_lock(identity_check, now)
    if until is not None:
        raise DomainError(
            code="DOCUMENT_LOCKED",
            status=423,
            params={"lockedUntil": iso(until)},
            headers={"Retry-After": str(until - now)},
            extra={"lockedUntil": iso(until)},
        )


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


def _question_seed(deps: Deps, username: str, item: dict[str, Any] | None) -> dict[str, Any]:
    if item:
        return item
    seed = secrets.token_hex(16)
    try:
        deps.store.put({**person_key(username, QUESTION_SEED), "seed": seed}, condition="attribute_not_exists(PK)")
        return {"seed": seed}
    except ConditionFailed:  # a concurrent request wrote it first: use theirs
        return deps.store.get(person_key(username, QUESTION_SEED)) or {}


def _question_bank(deps: Deps, username: str, person: Person, item: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The person's questions with their options, drawn once and kept on the QUESTION_SEED item (decision
    0026): the same options in every set and registration, even after the populations are reloaded."""
    stored = _question_seed(deps, username, item)
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
        deps.store.update(
            person_key(username, QUESTION_SEED),
            "SET bank = :bank",
            values={":bank": json.dumps(bank, ensure_ascii=False)},
        )
    return bank


def load_registration(deps: Deps, registration_id: str) -> dict[str, Any]:
    item = deps.store.get(registration_key(registration_id))
    if not item or int(item["expiresAt"]) <= clock.epoch():
        raise DomainError(code="REGISTRATION_NOT_FOUND", status=404)
    return item


def resume(deps: Deps, registration_id: str, actor: Actor, lang: str) -> dict[str, Any]:
    """GET /registrations/{id}: the state of an interrupted registration and, while questions are pending,
    the open set as it was sent: a reload never draws new questions (each set answers once, decision 0026).
    The id is the bearer of the flow: unknown, expired and locked ids are one 404, and logs carry log_ref."""
    registration = load_registration(deps, registration_id)
    status = registration["status"]
    if status == LOCKED:
        raise DomainError(code="REGISTRATION_NOT_FOUND", status=404)
    open_set = json.loads(registration.get("questionSet") or "{}") if status == QUESTIONS_PENDING else {}
    audit.record(
        deps.settings.audit_table_name,
        entity(registration["username"]),
        "REGISTRATION_RESUMED",
        actor,
        {"registrationId": registration_id, "status": status},
    )
    logger.info("registration resumed", extra={"registrationRef": log_ref(registration_id)})
    return {
        "registrationId": registration_id,
        "status": status,
        "questions": questions.public_questions(open_set, lang) if open_set else [],
        "expiresAt": iso(int(registration["expiresAt"])),
    }


def _wrong_step(status: str) -> DomainError:
    return DomainError(code="REGISTRATION_STEP_NOT_ALLOWED", status=409, params={"status": status})


# --- Paso 3 -------------------------------------------------------------------------------------


def answer(deps: Deps, registration_id: str, answers: list[tuple[str, str]], actor: Actor, lang: str) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    registration = load_registration(deps, registration_id)
    username = registration["username"]
    now = clock.epoch()
    _refuse_locked(store.get(person_key(username, IDENTITY_CHECK)), now)
    status = registration["status"]
    if status == LOCKED:  # locked by an earlier attempt whose lock has ended: start again
        raise DomainError(code="REGISTRATION_NOT_FOUND", status=404)
    current = json.loads(registration.get("questionSet") or "{}")
    if status != QUESTIONS_PENDING:
        raise _wrong_step(status)
    set_ids = {question_id.split(".")[0] for question_id, _ in answers}
    if set_ids and set_ids != {current.get("setId")}:
        raise DomainError(code="QUESTIONS_ALREADY_ANSWERED", status=409)
    expected = {question["questionId"] for question in current["questions"]}
    chosen = dict(answers)
    if len(chosen) != len(answers) or set(chosen) != expected:
        raise DomainError(code="VALIDATION_FAILED", status=422, errors=[FieldError("answers", "answers_not_current")])

    right = questions.score(current, chosen)
    key = registration_key(registration_id)
    consume = "questionSetId = :set AND #status = :pending"
    names = {"#status": "status"}
    if current["questions"] and right == len(current["questions"]):  # every answer right (decision 0026)
        session_end = now + settings.registration_session_minutes * 60
        try:
            store.update(
                key,
                "SET #status = :verified, verifiedAt = :at, updatedAt = :at, expiresAt = :end "
                "REMOVE questionSet, questionSetId",
                values={
                    ":verified": IDENTITY_VERIFIED,
                    ":at": iso(now),
                    ":end": session_end,
                    ":set": current["setId"],
                    ":pending": QUESTIONS_PENDING,
                },
                condition=consume,
                names=names,
            )
        except ConditionFailed:
            raise DomainError(code="QUESTIONS_ALREADY_ANSWERED", status=409) from None
        store.update(person_key(username, CLAIM), "SET expiresAt = :end", values={":end": session_end})
        guards.clear(store, person_key(username, IDENTITY_CHECK))
        audit.record(
            settings.audit_table_name, entity(username), "IDENTITY_VERIFIED", actor, {"registrationId": registration_id}
        )
        return {"registrationId": registration_id, "status": IDENTITY_VERIFIED}

    # Wrong: the set is consumed first (it answers once), then the failure is counted per document.
    next_set = questions.new_set(json.loads(registration["bank"]))
    try:
        store.update(
            key,
            "SET questionSet = :next, questionSetId = :nextId, updatedAt = :at",
            values={
                ":next": json.dumps(next_set, ensure_ascii=False),
                ":nextId": next_set["setId"],
                ":at": iso(now),
                ":set": current["setId"],
                ":pending": QUESTIONS_PENDING,
            },
            condition=consume,
            names=names,
        )
    except ConditionFailed:
        raise DomainError(code="QUESTIONS_ALREADY_ANSWERED", status=409) from None
    outcome = guards.record_failure(
        store,
        person_key(username, IDENTITY_CHECK),
        now,
        window=settings.identity_failure_memory_days * 86_400,
        max_failures=settings.identity_max_attempts,
        lock=settings.identity_lock_hours * 3600,
        long_lock=settings.identity_long_lock_days * 86_400,
    )
    details = {"registrationId": registration_id, "failedAttempts": outcome.failures}
    if outcome.locked_until is None:
        audit.record(settings.audit_table_name, entity(username), "IDENTITY_CHECK_FAILED", actor, details)
        raise DomainError(
            code="IDENTITY_NOT_VERIFIED",
            status=422,
            params={"attemptsLeft": outcome.attempts_left},
            extra={
                "attemptsLeft": outcome.attempts_left,
                "questions": questions.public_questions(next_set, lang),
            },
        )
    _lock_registration(deps, registration, outcome.locked_until, actor, details)
    raise DomainError(
        code="DOCUMENT_LOCKED",
        status=423,
        params={"lockedUntil": iso(outcome.locked_until)},
        headers={"Retry-After": str(outcome.locked_until - now)},
        extra={"lockedUntil": iso(outcome.locked_until), "attemptsLeft": 0},
    )


def _lock_registration(
    deps: Deps, registration: dict[str, Any], until: int, actor: Actor, details: dict[str, Any]
) -> None:
    settings, store = deps.settings, deps.store
    username = registration["username"]
    store.update(
        registration_key(registration["registrationId"]),
        "SET #status = :locked, updatedAt = :at REMOVE questionSet, questionSetId",
        values={":locked": LOCKED, ":at": iso(clock.epoch())},
        names={"#status": "status"},
    )
    store.delete(person_key(username, CLAIM))
    audit.record(
        settings.audit_table_name, entity(username), "IDENTITY_LOCKED", actor, {**details, "lockedUntil": iso(until)}
    )
    logger.warning(
        "identity questions locked a document", extra={"registrationRef": log_ref(registration["registrationId"])}
    )
    person = deps.reference.person(registration["documentType"], registration["documentNumber"])
    if person and person.email:
        try:
            notices.send_lockout_notice(
                settings,
                to=person.email,
                name=notices.display_name(person.firstName, person.firstSurname),
                username=username,
                until=until,
            )
            audit.record(settings.audit_table_name, entity(username), "LOCKOUT_NOTICE_QUEUED", actor)
        except Exception as error:  # the lock stands even when the notice cannot be queued
            logger.warning("lockout notice not queued", extra={"errorType": type(error).__name__})


# --- Paso 4 -------------------------------------------------------------------------------------


def save_contact(deps: Deps, registration_id: str, contact: Contact, actor: Actor) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    registration = load_registration(deps, registration_id)
    status = registration["status"]
    if status not in (IDENTITY_VERIFIED, PASSWORD_PENDING):
        raise _wrong_step(status)
    username = registration["username"]
    now = clock.epoch()
    account = store.get(person_key(username, ACCOUNT)) or {}
    if account.get("status") == ACTIVE:
        raise DomainError(code="ALREADY_REGISTERED", status=409)
    quota = _email_quota(settings, account, now)

    token = tokens.new_token()
    token_hash = tokens.token_hash(token)
    token_end = now + settings.setup_token_hours * 3600
    version = int(account.get("version", 0))
    previous = {
        name: account.get(name)
        for name in ("tokenHash", "tokenExpiresAt", "lastEmailAt", "emailWindowStart", "emailsInWindow")
    }
    # Claims the e-mail slot and makes the new token the only valid one, in one conditional write.
    try:
        store.update(
            person_key(username, ACCOUNT),
            "SET #status = :pending, registrationId = :rid, email = :email, tokenHash = :hash, "
            "tokenExpiresAt = :tokenEnd, lastEmailAt = :now, emailWindowStart = :windowStart, "
            "emailsInWindow = :sent, version = :next, updatedAt = :at, createdAt = if_not_exists(createdAt, :at)",
            values={
                ":pending": PASSWORD_PENDING,
                ":rid": registration_id,
                ":email": contact.email,
                ":hash": token_hash,
                ":tokenEnd": token_end,
                ":now": now,
                ":windowStart": quota["windowStart"],
                ":sent": quota["sent"] + 1,
                ":next": version + 1,
                ":version": version,
                ":at": iso(now),
                ":active": ACTIVE,
            },
            condition="(attribute_not_exists(PK) OR version = :version) AND NOT #status = :active",
            names={"#status": "status"},
        )
    except ConditionFailed:
        raise _resend_limited(settings.welcome_resend_seconds) from None

    store.put(
        {
            **token_key(token_hash),
            "username": username,
            "registrationId": registration_id,
            "expiresAt": token_end,
            "createdAt": iso(now),
        }
    )
    store.put(
        {
            **person_key(username, PROFILE),
            "username": username,
            "documentType": registration["documentType"],
            "documentNumber": registration["documentNumber"],
            "firstName": registration["firstName"],
            "middleName": registration.get("middleName"),
            "firstSurname": registration["firstSurname"],
            "secondSurname": registration.get("secondSurname"),
            "email": contact.email,
            "contact": contact.model_dump(
                include={"departmentCode", "municipalityCode", "zone", "locality", "address", "phone", "mobile"}
            ),
            "consents": {
                "email": contact.consentEmail,
                "sms": contact.consentSms,
                "policyVersion": settings.consent_policy_version,
                "answeredAt": iso(now),
            },
            "updatedAt": iso(now),
        }
    )
    store.update(
        registration_key(registration_id),
        "SET #status = :pending, updatedAt = :at, expiresAt = :end",
        values={":pending": PASSWORD_PENDING, ":at": iso(now), ":end": token_end},
        names={"#status": "status"},
    )
    store.update(
        person_key(username, CLAIM),
        "SET expiresAt = :end",
        values={":end": now + settings.registration_session_minutes * 60},
    )
    _record_consents(deps, username, registration_id, contact, actor, now)
    audit.record(
        settings.audit_table_name, entity(username), "CONTACT_SAVED", actor, {"registrationId": registration_id}
    )

    try:
        created = deps.pool.ensure_user(username, contact.email)
        if created:
            audit.record(settings.audit_table_name, entity(username), "ACCOUNT_CREATED", actor)
        notices.send_welcome(
            settings,
            to=contact.email,
            name=notices.display_name(registration["firstName"], registration["firstSurname"]),
            token=token,
            token_hash=token_hash,
        )
    except Exception as error:
        # Nothing is lost: the registration, profile and consents are saved; give the e-mail slot back so
        # the person can repeat this step at once, and keep the link they may have received before.
        logger.warning("welcome e-mail not queued", extra={"errorType": type(error).__name__})
        _release_email_slot(deps, username, version + 1, previous)
        audit.record(settings.audit_table_name, entity(username), "WELCOME_EMAIL_FAILED", actor)
        raise DomainError(code="EMAIL_NOT_SENT", status=503, headers={"Retry-After": "5"}) from error
    audit.record(
        settings.audit_table_name, entity(username), "WELCOME_EMAIL_QUEUED", actor, {"registrationId": registration_id}
    )
    return {
        "registrationId": registration_id,
        "status": PASSWORD_PENDING,
        "email": contact.email,
        "linkExpiresAt": iso(token_end),
        "nextResendAt": iso(_next_send(settings, now, quota["windowStart"], quota["sent"] + 1)),
    }


def _email_quota(settings: Any, account: dict[str, Any], now: int) -> dict[str, int]:
    """Rate limit of the welcome e-mail per person: one per `welcome_resend_seconds`, at most
    `welcome_max_per_day` in 24 h from the first one of the window. 429 with Retry-After otherwise."""
    last = account.get("lastEmailAt")
    if last is not None and now - int(last) < settings.welcome_resend_seconds:
        raise _resend_limited(settings.welcome_resend_seconds - (now - int(last)))
    window_start = account.get("emailWindowStart")
    sent = int(account.get("emailsInWindow", 0))
    if window_start is None or now >= int(window_start) + 86_400:
        return {"windowStart": now, "sent": 0}
    if sent >= settings.welcome_max_per_day:
        raise _resend_limited(int(window_start) + 86_400 - now)
    return {"windowStart": int(window_start), "sent": sent}


def _next_send(settings: Any, now: int, window_start: int, sent: int) -> int:
    if sent >= settings.welcome_max_per_day:
        return window_start + 86_400
    return now + settings.welcome_resend_seconds


def _resend_limited(seconds: int) -> DomainError:
    seconds = max(1, int(seconds))
    return DomainError(
        code="EMAIL_RESEND_LIMITED", status=429, params={"seconds": seconds}, headers={"Retry-After": str(seconds)}
    )


def _release_email_slot(deps: Deps, username: str, version: int, previous: dict[str, Any]) -> None:
    sets = ["version = :next"]
    removes = []
    values: dict[str, Any] = {":next": version + 1, ":version": version}
    for name, value in previous.items():
        if value is None:
            removes.append(name)
        else:
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    try:
        deps.store.update(person_key(username, ACCOUNT), expression, values=values, condition="version = :version")
    except Exception as error:  # the slot then frees itself after welcome_resend_seconds
        logger.warning("e-mail slot not released", extra={"errorType": type(error).__name__})


def _record_consents(deps: Deps, username: str, registration_id: str, contact: Contact, actor: Actor, now: int) -> None:
    """Ley 1581 de 2012 evidence, append-only (audit table, PutItem only): what was asked, the answer,
    the policy version, when, and from where (the audit entry carries source IP and user agent)."""
    for purpose, answer_value, channel in (
        ("EMAIL", contact.consentEmail, contact.email),
        ("SMS", contact.consentSms, contact.mobile),
    ):
        audit.record(
            deps.settings.audit_table_name,
            f"CONSENT#{username}",
            "CONSENT_GIVEN" if answer_value else "CONSENT_REFUSED",
            actor,
            {
                "purpose": purpose,
                "question": CONSENT_QUESTIONS[purpose],
                "answer": answer_value,
                "channel": channel,
                "policyVersion": deps.settings.consent_policy_version,
                "answeredAt": iso(now),
                "registrationId": registration_id,
            },
        )
