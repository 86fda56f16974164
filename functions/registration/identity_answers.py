"""Manual §5 Paso 3, "Responda las preguntas": every answer right verifies the identity (decision 0026); a
wrong set is consumed, counted per document and replaced by a new one, and the third failed set locks the
document for 24 h ("o lo bloqueará por 24 horas"), each later one for longer (identity_lock.py)."""

import json
from typing import Any

from registration import identity_lock, notices, questions
from registration.config import Deps
from registration.flow import (
    IDENTITY_VERIFIED,
    LOCKED,
    QUESTIONS_PENDING,
    document_locked,
    entity,
    load_registration,
    log_ref,
    stamp,
    wrong_step,
)
from registration.repositories import identity_checks, registrations
from sat_common import audit, clock
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError
from sat_common.observability import logger


def answer(deps: Deps, registration_id: str, answers: list[tuple[str, str]], actor: Actor, lang: str) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    registration = load_registration(deps, registration_id)
    username = registration["username"]
    now = clock.epoch()
    until = identity_lock.active_lock(identity_checks.get_identity_check(store, username), now)
    if until is not None:
        raise document_locked(until, now)
    status = registration["status"]
    if status == LOCKED:  # locked by an earlier attempt whose lock has ended: start again
        raise DomainError(code="REGISTRATION_NOT_FOUND", status=404)
    current = json.loads(registration.get("questionSet") or "{}")
    if status != QUESTIONS_PENDING:
        raise wrong_step(status)
    set_ids = {question_id.split(".")[0] for question_id, _ in answers}
    if set_ids and set_ids != {current.get("setId")}:
        raise DomainError(code="QUESTIONS_ALREADY_ANSWERED", status=409)
    expected = {question["questionId"] for question in current["questions"]}
    chosen = dict(answers)
    if len(chosen) != len(answers) or set(chosen) != expected:
        raise DomainError(code="VALIDATION_FAILED", status=422, errors=[FieldError("answers", "answers_not_current")])

    right = questions.score(current, chosen)
    if current["questions"] and right == len(current["questions"]):  # every answer right (decision 0026)
        session_end = now + settings.registration_session_minutes * 60
        try:
            registrations.verify_identity(
                store, registration_id, current["setId"], QUESTIONS_PENDING, IDENTITY_VERIFIED, stamp(now), session_end
            )
        except ConditionFailed:
            raise DomainError(code="QUESTIONS_ALREADY_ANSWERED", status=409) from None
        registrations.extend_claim(store, username, session_end)
        identity_checks.clear(store, username)
        audit.record(
            settings.audit_table_name, entity(username), "IDENTITY_VERIFIED", actor, {"registrationId": registration_id}
        )
        return {"registrationId": registration_id, "status": IDENTITY_VERIFIED}

    # Wrong: the set is consumed first (it answers once), then the failure is counted per document.
    next_set = questions.new_set(json.loads(registration["bank"]))
    try:
        registrations.replace_question_set(
            store,
            registration_id,
            current["setId"],
            QUESTIONS_PENDING,
            json.dumps(next_set, ensure_ascii=False),
            next_set["setId"],
            stamp(now),
        )
    except ConditionFailed:
        raise DomainError(code="QUESTIONS_ALREADY_ANSWERED", status=409) from None
    outcome = identity_lock.record_failure(
        store,
        username,
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
    raise document_locked(outcome.locked_until, now, attemptsLeft=0)


def _lock_registration(
    deps: Deps, registration: dict[str, Any], until: int, actor: Actor, details: dict[str, Any]
) -> None:
    settings = deps.settings
    username = registration["username"]
    registrations.lock_registration(deps.store, registration["registrationId"], username, LOCKED, stamp(clock.epoch()))
    audit.record(
        settings.audit_table_name, entity(username), "IDENTITY_LOCKED", actor, {**details, "lockedUntil": stamp(until)}
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
