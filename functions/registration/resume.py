"""Resuming an interrupted registration (GET /registrations/{id}): where it stands and, while the identity
questions (Paso 3) are pending, the open set as it was sent. A reload never draws new questions (each set
answers once, decision 0026). The id is the bearer of the flow: unknown, expired and locked ids are one 404,
and logs carry flow.log_ref."""

import json
from typing import Any

from registration import questions
from registration.config import Deps
from registration.flow import LOCKED, QUESTIONS_PENDING, entity, load_registration, log_ref, stamp
from sat_common import audit
from sat_common.audit import Actor
from sat_common.errors import DomainError
from sat_common.observability import logger


def resume(deps: Deps, registration_id: str, actor: Actor, lang: str) -> dict[str, Any]:
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
        "expiresAt": stamp(int(registration["expiresAt"])),
    }
