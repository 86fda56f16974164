"""What the steps of citizen registration (manual §5 Pasos 2–6) share: the states of a registration and of an
account, the person's username, the audit entity, the time format, and loading a registration by its id.

States of a registration: QUESTIONS_PENDING → IDENTITY_VERIFIED (Paso 3) → PASSWORD_PENDING (Paso 4) →
COMPLETED (Paso 5), or LOCKED after too many failed question sets.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

from registration.config import Deps
from registration.repositories import registrations
from sat_common import clock, keys
from sat_common.errors import DomainError

QUESTIONS_PENDING = "QUESTIONS_PENDING"
IDENTITY_VERIFIED = "IDENTITY_VERIFIED"
PASSWORD_PENDING = "PASSWORD_PENDING"  # noqa: S105 (a state, not a password)
COMPLETED = "COMPLETED"
LOCKED = "LOCKED"
ACTIVE = "ACTIVE"

# The two consents of Paso 4, as the manual asks them (also asked again in "Mi información").
CONSENT_QUESTIONS = {
    "EMAIL": "¿Autoriza que el Ministerio de Salud y Protección Social le envíe información a su correo electrónico?",
    "SMS": "¿Autoriza que el Ministerio de Salud y Protección Social le envíe información a su teléfono móvil?",
}


def username_of(document_type: str, document_number: str) -> str:
    """The people pool's username: `<DOCTYPE>-<NUMBER>` (docs/architecture.md)."""
    return f"{document_type}-{document_number}"


def entity(username: str) -> str:
    """The person's audit entity."""
    return keys.person(username)


def stamp(epoch: int) -> str:
    """An instant kept in epoch seconds, as the API and the tables show it (sat_common.clock.stamp)."""
    return clock.stamp(datetime.fromtimestamp(epoch, UTC))


def log_ref(registration_id: str) -> str:
    """What logs carry instead of the registration id, which works as the bearer of an unfinished flow."""
    return hashlib.sha256(registration_id.encode()).hexdigest()[:12]


def load_registration(deps: Deps, registration_id: str) -> dict[str, Any]:
    """The registration, while its session lasts; 404 otherwise (unknown and expired ids alike)."""
    item = registrations.get_registration(deps.store, registration_id)
    if not item or int(item["expiresAt"]) <= clock.epoch():
        raise DomainError(code="REGISTRATION_NOT_FOUND", status=404)
    return item


def wrong_step(status: str) -> DomainError:
    return DomainError(code="REGISTRATION_STEP_NOT_ALLOWED", status=409, params={"status": status})


def document_locked(until: int, now: int, **extra: Any) -> DomainError:
    """423 while the identity questions are locked for the document (decision 0026)."""
    return DomainError(
        code="DOCUMENT_LOCKED",
        status=423,
        params={"lockedUntil": stamp(until)},
        headers={"Retry-After": str(until - now)},
        extra={"lockedUntil": stamp(until), **extra},
    )
