"""Manual §5 Paso 4, "Registre la información de contacto": contact data and the two consents; the account
is created in the people pool and the "Bienvenido" e-mail carries the link to set the password (Paso 5,
decision 0023). The e-mail is rate limited per person; repeating the step sends a new link that replaces the
older (the manual's advice when it did not arrive)."""

from typing import Any

from registration import notices
from registration.config import Deps, RegistrationSettings
from registration.flow import (
    ACTIVE,
    CONSENT_QUESTIONS,
    IDENTITY_VERIFIED,
    PASSWORD_PENDING,
    entity,
    load_registration,
    stamp,
    wrong_step,
)
from registration.models import Contact
from registration.repositories import accounts, profiles, registrations
from sat_common import audit, clock, keys, tokens
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError
from sat_common.observability import logger

CONTACT_FIELDS = {"departmentCode", "municipalityCode", "zone", "locality", "address", "phone", "mobile"}


def save_contact(deps: Deps, registration_id: str, contact: Contact, actor: Actor) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    registration = load_registration(deps, registration_id)
    status = registration["status"]
    if status not in (IDENTITY_VERIFIED, PASSWORD_PENDING):
        raise wrong_step(status)
    username = registration["username"]
    now = clock.epoch()
    account = accounts.get_account(store, username) or {}
    if account.get("status") == ACTIVE:
        raise DomainError(code="ALREADY_REGISTERED", status=409)
    quota = _email_quota(settings, account, now)

    token = tokens.new_token()
    token_hash = tokens.token_hash(token)
    token_end = now + settings.setup_token_hours * 3600
    version = int(account.get("version", 0))
    previous = {name: account.get(name) for name in accounts.EMAIL_SLOT_FIELDS}
    # Claims the e-mail slot and makes the new token the only valid one, in one conditional write.
    try:
        accounts.claim_email_slot(
            store,
            username,
            version=version,
            registration_id=registration_id,
            email=contact.email,
            token_hash=token_hash,
            token_expires_at=token_end,
            now=now,
            window_start=quota["windowStart"],
            sent=quota["sent"] + 1,
            pending=PASSWORD_PENDING,
            active=ACTIVE,
            at=stamp(now),
        )
    except ConditionFailed:
        raise _resend_limited(settings.welcome_resend_seconds) from None

    accounts.put_link(store, token_hash, username, token_end, stamp(now), registration_id=registration_id)
    profiles.put_profile(
        store,
        username,
        {
            "documentType": registration["documentType"],
            "documentNumber": registration["documentNumber"],
            "firstName": registration["firstName"],
            "middleName": registration.get("middleName"),
            "firstSurname": registration["firstSurname"],
            "secondSurname": registration.get("secondSurname"),
            "email": contact.email,
            "contact": contact.model_dump(include=CONTACT_FIELDS),
            "consents": {
                "email": contact.consentEmail,
                "sms": contact.consentSms,
                "policyVersion": settings.consent_policy_version,
                "answeredAt": stamp(now),
            },
            "updatedAt": stamp(now),
        },
    )
    registrations.set_status(store, registration_id, PASSWORD_PENDING, stamp(now), expires_at=token_end)
    registrations.extend_claim(store, username, now + settings.registration_session_minutes * 60)
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
        "linkExpiresAt": stamp(token_end),
        "nextResendAt": stamp(_next_send(settings, now, quota["windowStart"], quota["sent"] + 1)),
    }


def _email_quota(settings: RegistrationSettings, account: dict[str, Any], now: int) -> dict[str, int]:
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


def _next_send(settings: RegistrationSettings, now: int, window_start: int, sent: int) -> int:
    if sent >= settings.welcome_max_per_day:
        return window_start + 86_400
    return now + settings.welcome_resend_seconds


def _resend_limited(seconds: int) -> DomainError:
    seconds = max(1, int(seconds))
    return DomainError(
        code="EMAIL_RESEND_LIMITED", status=429, params={"seconds": seconds}, headers={"Retry-After": str(seconds)}
    )


def _release_email_slot(deps: Deps, username: str, version: int, previous: dict[str, Any]) -> None:
    try:
        accounts.release_email_slot(deps.store, username, version, previous)
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
            keys.consent(username),
            "CONSENT_GIVEN" if answer_value else "CONSENT_REFUSED",
            actor,
            {
                "purpose": purpose,
                "question": CONSENT_QUESTIONS[purpose],
                "answer": answer_value,
                "channel": channel,
                "policyVersion": deps.settings.consent_policy_version,
                "answeredAt": stamp(now),
                "registrationId": registration_id,
            },
        )
