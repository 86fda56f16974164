"""Manual §5 Paso 5, "Asignar contraseña" with the e-mailed link (POST /password-setup). The same single-use
link (decision 0023) completes a password reset (decision 0075) and an operator's invitation (decision 0090)."""

from registration import notices
from registration.config import Deps
from registration.flow import ACTIVE, COMPLETED, PASSWORD_PENDING, entity, stamp
from registration.repositories import accounts, profiles, registrations
from sat_common import audit, clock, passwords, tokens
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError
from sat_common.observability import logger


def _invalid_token() -> DomainError:
    return DomainError(code="SETUP_TOKEN_INVALID", status=400)


def set_password(deps: Deps, token: str, password: str, confirmation: str, actor: Actor) -> None:
    settings, store = deps.settings, deps.store
    token_hash = tokens.token_hash(token)
    now = clock.epoch()
    item = accounts.get_link(store, token_hash)
    if not item or int(item["expiresAt"]) <= now:
        raise _invalid_token()
    username = item["username"]
    # A welcome link, or an operator's invitation (purpose OPERATOR_INVITE, decision 0090), sets the first
    # password of a PASSWORD_PENDING account; a reset link (decision 0075) the password of an ACTIVE one.
    # Neither opens the other's state.
    resetting = item.get("purpose") == "RESET"
    expected_status = ACTIVE if resetting else PASSWORD_PENDING
    account = accounts.get_account(store, username) or {}
    current = str(account.get("tokenHash") or "")
    if account.get("status") != expected_status or not tokens.same(current, token_hash):
        raise _invalid_token()  # used already, or replaced by a newer link
    if not tokens.same(password, confirmation):
        raise DomainError(
            code="PASSWORD_MISMATCH", status=422, errors=[FieldError("passwordConfirmation", "password_mismatch")]
        )
    profile = profiles.get_profile(store, username) or {}
    violation = passwords.check(
        password,
        [profile.get(name) for name in ("documentNumber", "firstName", "middleName", "firstSurname", "secondSurname")],
    )
    if violation:
        raise _policy_error(violation.rule, violation.params)

    # Single use: the token stops being current before Cognito is called; given back if Cognito refuses.
    try:
        accounts.use_link(store, username, token_hash, expected_status, stamp(now))
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
    accounts.activate(store, username, ACTIVE, stamp(now))
    registration_id = item.get("registrationId")
    if registration_id:  # an operator's invitation (decision 0090) has no registration to complete
        registrations.set_status(store, registration_id, COMPLETED, stamp(now))
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
        accounts.restore_link(deps.store, username, token_hash)
    except Exception as error:
        logger.warning("set-password token not restored", extra={"errorType": type(error).__name__})
