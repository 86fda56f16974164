"""E-mails of the registration area, through the outbox queue (SQS → delivery function → SES template)."""

import hashlib
from typing import Any
from urllib.parse import urlencode

from registration.config import Deps, RegistrationSettings
from sat_common import audit, keys
from sat_common.audit import Actor
from sat_common.colombian_time import colombian_time
from sat_common.observability import logger
from sat_common.outbox import OutboxEmail, enqueue_email


def set_password_link(settings: RegistrationSettings, token: str) -> str:
    return f"{settings.portal_base_url}/asignar-contrasena?{urlencode({'token': token})}"


def send_welcome(settings: RegistrationSettings, *, to: str, name: str, token: str, token_hash: str) -> None:
    """The "Bienvenido" e-mail with the set-password link. The message id (the delivery function's
    idempotency key) derives from the token's hash, never from the token."""
    message = OutboxEmail(
        id=f"welcome-{token_hash[:32]}",
        template="welcome",
        to=to,
        data={"nombre": name, "enlace": set_password_link(settings, token)},
    )
    enqueue_email(settings.outbox_queue_url, message)


def send_password_reset(settings: RegistrationSettings, *, to: str, name: str, token: str, token_hash: str) -> None:
    """ "Restablezca su contraseña": the same set-password link as the welcome e-mail (decisions 0023, 0075)."""
    message = OutboxEmail(
        id=f"reset-{token_hash[:32]}",
        template="password-reset",
        to=to,
        data={"nombre": name, "enlace": set_password_link(settings, token)},
    )
    enqueue_email(settings.outbox_queue_url, message)


def send_operator_invitation(
    settings: RegistrationSettings, *, to: str, name: str, token: str, token_hash: str
) -> None:
    """The invitation of a new Ministry operator (decision 0090): the set-password link, the template that
    `python -m ops bootstrap` sends the first administrator (decision 0070)."""
    message = OutboxEmail(
        id=f"operator-invitation-{token_hash[:32]}",
        template="operator-invitation",
        to=to,
        data={"nombre": name, "enlace": set_password_link(settings, token)},
    )
    enqueue_email(settings.outbox_queue_url, message)


def send_unlock_notice(settings: RegistrationSettings, *, to: str, name: str, username: str, at: int) -> None:
    """The help desk unlocked the person's registration and sign-in (decision 0091)."""
    message = OutboxEmail(
        id=f"unlock-{_opaque(username, str(at), to.casefold())}",  # the delivery function logs ids: no document
        template="unlock-notice",
        to=to,
        data={"nombre": name, "fecha": colombian_time(at)},
    )
    enqueue_email(settings.outbox_queue_url, message)


def email_confirmation_link(settings: RegistrationSettings, token: str) -> str:
    return f"{settings.portal_base_url}/mi-informacion?{urlencode({'confirmarCorreo': token})}"


def send_email_change_link(settings: RegistrationSettings, *, to: str, name: str, token: str, token_hash: str) -> None:
    """To the new address: the link that confirms it belongs to the person (decision 0076)."""
    message = OutboxEmail(
        id=f"email-change-{token_hash[:32]}",
        template="email-change",
        to=to,
        data={"nombre": name, "enlace": email_confirmation_link(settings, token)},
    )
    enqueue_email(settings.outbox_queue_url, message)


def send_email_changed_notice(
    settings: RegistrationSettings, *, to: str, name: str, username: str, at: int, new_email: str
) -> None:
    """To the old address: the account's e-mail changed, so a takeover does not go unnoticed (decision 0076)."""
    message = OutboxEmail(
        id=f"email-changed-{_opaque(username, str(at), to.casefold())}",
        template="email-changed",
        to=to,
        data={
            "nombre": name,
            "fecha": colombian_time(at),
            "correo": masked_email(new_email),
        },
    )
    enqueue_email(settings.outbox_queue_url, message)


def send_lockout_notice(settings: RegistrationSettings, *, to: str, name: str, username: str, until: int) -> None:
    """Tells the document's owner that registration was locked after failed identity questions."""
    message = OutboxEmail(
        id=f"lockout-{_opaque(username, str(until))}",  # the delivery function logs ids: no document number
        template="lockout-notice",
        to=to,
        data={"nombre": name, "bloqueadoHasta": colombian_time(until)},
    )
    enqueue_email(settings.outbox_queue_url, message)


def send_registration_notice(
    settings: RegistrationSettings, *, to: str, name: str, username: str, at: int, account_email: str
) -> None:
    """ "Se registró una cuenta con su documento": sent when an account becomes active, to the e-mail the
    reference source holds and to the account's own, so the document's owner learns of a registration made
    by someone who answered the identity questions in their place (decision 0026)."""
    message = OutboxEmail(
        id=f"registered-{_opaque(username, str(at), to.casefold())}",
        template="registration-notice",
        to=to,
        data={
            "nombre": name,
            "fecha": colombian_time(at),
            "correo": masked_email(account_email),
        },
    )
    enqueue_email(settings.outbox_queue_url, message)


def notify_registered(deps: Deps, username: str, profile: dict[str, Any], at: int, actor: Actor) -> None:
    """The registration notice to the reference source's e-mail (when it holds one) and to the account's, once
    per address. The account stays active whatever happens here: a failure is logged and audited."""
    settings = deps.settings
    entity = keys.person(username)
    try:
        person = deps.reference.person(str(profile.get("documentType")), str(profile.get("documentNumber")))
        account_email = str(profile.get("email") or "")
        addresses = [address for address in (person.email if person else None, account_email) if address]
        recipients = {address.casefold(): address for address in addresses}  # once per address
        for address in recipients.values():
            send_registration_notice(
                settings,
                to=address,
                name=display_name(str(profile.get("firstName")), str(profile.get("firstSurname"))),
                username=username,
                at=at,
                account_email=account_email,
            )
        audit.record(settings.audit_table_name, entity, "REGISTRATION_NOTICE_QUEUED", actor)
    except Exception as error:
        logger.warning("registration notice not queued", extra={"errorType": type(error).__name__})
        audit.record(settings.audit_table_name, entity, "REGISTRATION_NOTICE_FAILED", actor)


def masked_email(address: str) -> str:
    """Enough for the owner to recognise the address, not enough to write to it: "m***@example.com"."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _opaque(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def display_name(first_name: str, first_surname: str) -> str:
    return f"{first_name} {first_surname}"
