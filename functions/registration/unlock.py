"""The help desk's unlock (docs/backoffice.md "Help desk", decision 0091): an administrator clears a person's
identity-question lock (manual §5 Paso 3; decision 0026) and every sign-in delay (decision 0028).

The failed-set count of the identity questions stays as evidence: only `lockedUntil` goes, so the person gets
new questions at once and a further third failure locks again, for the long period (the escalation of 0026).
Always 204, also when nothing was locked: repeating it changes nothing, and the answer tells a help desk nothing
it would not learn by asking the person. The person is told by e-mail when something was cleared.
"""

import re

from registration import identity_lock, login_delays, notices
from registration.config import Deps
from registration.flow import entity, stamp, username_of
from registration.repositories import identity_checks, profiles
from sat_common import audit, clock, fields
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import FieldError, invalid
from sat_common.observability import logger


def unlock(deps: Deps, document_type: str, document_number: str, reason: str, actor: Actor) -> None:
    document_number = _checked(document_type, document_number)
    settings, store = deps.settings, deps.store
    username = username_of(document_type, document_number)
    now = clock.epoch()
    identity_lock_lifted = False
    if identity_lock.active_lock(identity_checks.get_identity_check(store, username), now) is not None:
        try:
            identity_checks.lift_lock(store, username, now, stamp(now), actor.subject)
            identity_lock_lifted = True
        except ConditionFailed:  # ended, or another unlock won: nothing locked any more
            pass
    delays = login_delays.clear_all(store, username)
    details = {"reason": reason, "identityLock": identity_lock_lifted, "loginDelays": delays}
    audit.record(settings.audit_table_name, entity(username), "PERSON_UNLOCKED", actor, details)
    if identity_lock_lifted or delays:
        _notify(deps, username, document_type, document_number, now, actor)


def _checked(document_type: str, document_number: str) -> str:
    """The path's document, with the rules of every other document field (422 naming the path parameter)."""
    kinds = fields.person_document_types()
    kind = kinds.get(document_type)
    if kind is None:
        raise invalid([FieldError("documentType", "unknown_document_type", {"expected": ", ".join(kinds)})])
    number = document_number.upper()
    if not re.fullmatch(str(kind["pattern"]), number):
        params = {"documentType": kind["code"], "rule": kind["rule"]}
        raise invalid([FieldError("documentNumber", "document_number_format", params)])
    return number


def _notify(deps: Deps, username: str, document_type: str, document_number: str, at: int, actor: Actor) -> None:
    """To the account's e-mail, else the reference source's (where the lockout notice went). The unlock stands
    whatever happens here: a failure is logged and audited."""
    settings = deps.settings
    try:
        profile = profiles.get_profile(deps.store, username) or {}
        person = deps.reference.person(document_type, document_number)
        to = profile.get("email") or (person.email if person else None)
        if not to:
            return
        first = profile.get("firstName") or (person.firstName if person else "")
        surname = profile.get("firstSurname") or (person.firstSurname if person else "")
        name = str(profile.get("names") or notices.display_name(str(first), str(surname)).strip())
        notices.send_unlock_notice(settings, to=str(to), name=name, username=username, at=at)
        audit.record(settings.audit_table_name, entity(username), "UNLOCK_NOTICE_QUEUED", actor)
    except Exception as error:
        logger.warning("unlock notice not queued", extra={"errorType": type(error).__name__})
        audit.record(settings.audit_table_name, entity(username), "UNLOCK_NOTICE_FAILED", actor)
