"""Manual §5 Paso 5 (set the password with the e-mailed link), "Mi perfil" and "Mi lista de roles" (Paso 6,
signing in, is sessions.py)."""

from typing import Any

from registration import notices
from registration.config import Deps
from registration.registrations import ACTIVE, COMPLETED, PASSWORD_PENDING, entity, iso
from registration.store import ACCOUNT, PROFILE, person_key, registration_key, token_key
from sat_common import audit, clock, passwords, tokens
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError
from sat_common.observability import logger

PERSONA_NATURAL = {"role": "PERSONA_NATURAL", "name": "Persona natural"}
MINISTERIO = {"role": "MINISTERIO", "name": "Ministerio de Salud y Protección Social"}


# --- Paso 5 -------------------------------------------------------------------------------------


def _invalid_token() -> DomainError:
    return DomainError(code="SETUP_TOKEN_INVALID", status=400)


def set_password(deps: Deps, token: str, password: str, confirmation: str, actor: Actor) -> None:
    settings, store = deps.settings, deps.store
    token_hash = tokens.token_hash(token)
    now = clock.epoch()
    item = store.get(token_key(token_hash))
    if not item or int(item["expiresAt"]) <= now:
        raise _invalid_token()
    username = item["username"]
    # A welcome link, or an operator's invitation (purpose OPERATOR_INVITE, decision 0090), sets the first
    # password of a PASSWORD_PENDING account; a reset link (decision 0075) the password of an ACTIVE one.
    # Neither opens the other's state.
    resetting = item.get("purpose") == "RESET"
    expected_status = ACTIVE if resetting else PASSWORD_PENDING
    account = store.get(person_key(username, ACCOUNT)) or {}
    current = str(account.get("tokenHash") or "")
    if account.get("status") != expected_status or not tokens.same(current, token_hash):
        raise _invalid_token()  # used already, or replaced by a newer link
    if not tokens.same(password, confirmation):
        raise DomainError(
            code="PASSWORD_MISMATCH", status=422, errors=[FieldError("passwordConfirmation", "password_mismatch")]
        )
    profile = store.get(person_key(username, PROFILE)) or {}
    violation = passwords.check(
        password,
        [profile.get(name) for name in ("documentNumber", "firstName", "middleName", "firstSurname", "secondSurname")],
    )
    if violation:
        raise _policy_error(violation.rule, violation.params)

    # Single use: the token stops being current before Cognito is called; given back if Cognito refuses.
    try:
        store.update(
            person_key(username, ACCOUNT),
            "SET tokenUsedAt = :at REMOVE tokenHash",
            values={":hash": token_hash, ":expected": expected_status, ":at": iso(now)},
            condition="tokenHash = :hash AND #status = :expected",
            names={"#status": "status"},
        )
    except ConditionFailed:
        raise _invalid_token() from None
    try:
        deps.pool.set_password(username, password)
    except Exception as error:
        _give_token_back(deps, username, token_hash)
        from registration.cognito import is_password_rejected

        if is_password_rejected(error):  # the pool's own policy said no (it should agree with ours)
            raise _policy_error("password_common", {}) from None
        raise
    if resetting:
        audit.record(settings.audit_table_name, entity(username), "PASSWORD_RESET_COMPLETED", actor)
        return
    store.update(
        person_key(username, ACCOUNT),
        "SET #status = :active, activatedAt = :at, updatedAt = :at",
        values={":active": ACTIVE, ":at": iso(now)},
        names={"#status": "status"},
    )
    if item.get("registrationId"):  # an operator's invitation (decision 0090) has no registration to complete
        store.update(
            registration_key(item["registrationId"]),
            "SET #status = :completed, updatedAt = :at",
            values={":completed": COMPLETED, ":at": iso(now)},
            names={"#status": "status"},
        )
    registration_id = item.get("registrationId")
    details = {"registrationId": registration_id} if registration_id else {"purpose": item.get("purpose")}
    audit.record(settings.audit_table_name, entity(username), "PASSWORD_SET", actor, details)
    audit.record(settings.audit_table_name, entity(username), "ACCOUNT_ACTIVATED", actor)
    notices.notify_registered(deps, username, profile, now, actor)  # the document's owner learns of it (0026)


def _policy_error(rule: str, params: dict[str, object]) -> DomainError:
    return DomainError(
        code="PASSWORD_POLICY", status=422, errors=[FieldError("password", rule, params)], extra={"rule": rule}
    )


def _give_token_back(deps: Deps, username: str, token_hash: str) -> None:
    try:
        deps.store.update(
            person_key(username, ACCOUNT),
            "SET tokenHash = :hash REMOVE tokenUsedAt",
            values={":hash": token_hash},
            condition="attribute_not_exists(tokenHash)",
        )
    except Exception as error:
        logger.warning("set-password token not restored", extra={"errorType": type(error).__name__})


# --- Mi perfil, Mi lista de roles ---------------------------------------------------------------------


def profile(deps: Deps, caller: Caller) -> dict[str, Any]:
    item = deps.store.get(person_key(caller.username, PROFILE))
    if not item:  # e.g. a Ministry operator created by an administrator, not by this flow
        document_type, _, document_number = caller.username.partition("-")
        return {
            "username": caller.username,
            "documentType": document_type or None,
            "documentNumber": document_number or None,
            "email": caller.email,
        }
    keys = (
        "username",
        "documentType",
        "documentNumber",
        "firstName",
        "middleName",
        "firstSurname",
        "secondSurname",
        "email",
        "contact",
        "consents",
    )
    return {key: item.get(key) for key in keys}


def roles(deps: Deps, caller: Caller) -> dict[str, Any]:
    """ "Mi lista de roles": persona natural always, Ministerio from the Cognito group, and one entry per
    stored role item (PK PERSON#<username>, SK ROLE#<ROLE>[#<NIT>], status ACTIVE) that later areas write:
    EMPLEADOR_PERSONA_JURIDICA and DELEGADO per NIT, AUTORIZADO_CCF per CCF NIT."""
    listed: list[dict[str, Any]] = [dict(PERSONA_NATURAL)]
    for item in deps.store.roles(caller.username):
        if item.get("status", "ACTIVE") != "ACTIVE":
            continue
        listed.append(
            {
                "role": item["role"],
                "name": item.get("name") or item["role"],
                "nit": item.get("nit"),
                "businessName": item.get("businessName"),
                "profile": item.get("profile"),
                "since": item.get("grantedAt"),
            }
        )
    if caller.is_ministry:
        listed.append(dict(MINISTERIO))
    return {"username": caller.username, "roles": listed}
