"""E-mails of the registration area, through the outbox queue (SQS → delivery function → SES template)."""

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

from registration.config import RegistrationSettings
from sat_common.outbox import OutboxEmail, enqueue_email

# Colombia keeps UTC-5 all year (no daylight saving time).
COLOMBIA = timezone(timedelta(hours=-5), "COT")


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


def send_lockout_notice(settings: RegistrationSettings, *, to: str, name: str, username: str, until: int) -> None:
    """Tells the document's owner that registration was locked after failed identity questions."""
    local = datetime.fromtimestamp(until, UTC).astimezone(COLOMBIA)
    message = OutboxEmail(
        id=f"lockout-{username}-{until}",
        template="lockout-notice",
        to=to,
        data={"nombre": name, "bloqueadoHasta": local.strftime("%d/%m/%Y %H:%M") + " (hora de Colombia)"},
    )
    enqueue_email(settings.outbox_queue_url, message)


def display_name(first_name: str, first_surname: str) -> str:
    return f"{first_name} {first_surname}"
