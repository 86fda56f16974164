""" "Mi información" (the portal's /mi-informacion): the Paso 4 contact data and the two consents, changed later
by the signed-in person (PUT /me/contact, PUT /me/consents)."""

from typing import Any

from registration.config import Deps
from registration.contact_data import CONTACT_FIELDS
from registration.flow import CONSENT_QUESTIONS, entity, stamp
from registration.models import ContactData
from registration.repositories import profiles
from sat_common import audit, clock, keys
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError


def _no_profile() -> DomainError:
    # e.g. a Ministry operator created by an administrator: there is no citizen profile to change
    return DomainError(code="PROFILE_NOT_FOUND", status=404)


def save_contact(deps: Deps, caller: Caller, data: ContactData, actor: Actor) -> dict[str, Any]:
    """The same fields and rules as Paso 4 (DIVIPOLA pair, Colombian phones), without e-mail and consents."""
    contact = data.model_dump(include=CONTACT_FIELDS)
    now = clock.epoch()
    try:
        profiles.save_contact(deps.store, caller.username, contact, stamp(now))
    except ConditionFailed:
        raise _no_profile() from None
    # which fields, never their values: the audit trail keeps no more personal data than it needs
    audit.record(deps.settings.audit_table_name, entity(caller.username), "CONTACT_UPDATED", actor)
    return contact


def save_consents(deps: Deps, caller: Caller, email_consent: bool, sms_consent: bool, actor: Actor) -> dict[str, Any]:
    """Each answer is appended as evidence, as in Paso 4 (decision 0024): CONSENT_GIVEN, CONSENT_REFUSED, or
    CONSENT_WITHDRAWN when a "yes" becomes "no" (Ley 1581 de 2012 art. 8: the holder may revoke it any time).
    The PROFILE keeps the latest answers for GET /me."""
    settings = deps.settings
    profile = profiles.get_profile(deps.store, caller.username)
    if not profile:
        raise _no_profile()
    previous = profile.get("consents") or {}
    now = clock.epoch()
    summary = {
        "email": email_consent,
        "sms": sms_consent,
        "policyVersion": settings.consent_policy_version,
        "answeredAt": stamp(now),
    }
    profiles.save_consents(deps.store, caller.username, summary, stamp(now))
    channels = {"EMAIL": profile.get("email"), "SMS": (profile.get("contact") or {}).get("mobile")}
    for purpose, key, answer in (("EMAIL", "email", email_consent), ("SMS", "sms", sms_consent)):
        before = previous.get(key)
        action = "CONSENT_GIVEN" if answer else "CONSENT_WITHDRAWN" if before is True else "CONSENT_REFUSED"
        audit.record(
            settings.audit_table_name,
            keys.consent(caller.username),
            action,
            actor,
            {
                "purpose": purpose,
                "question": CONSENT_QUESTIONS[purpose],
                "answer": answer,
                "previousAnswer": before,
                "channel": channels[purpose],
                "policyVersion": settings.consent_policy_version,
                "answeredAt": stamp(now),
            },
        )
    audit.record(settings.audit_table_name, entity(caller.username), "CONSENTS_UPDATED", actor)
    return {
        "emailConsent": email_consent,
        "smsConsent": sms_consent,
        "policyVersion": summary["policyVersion"],
        "answeredAt": summary["answeredAt"],
    }
