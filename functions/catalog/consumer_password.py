"""The consumer password an authorized person assigns for the CCF's services (manual §6; decisions 0040, 0041):
the policy, the hash with its overlap or immediate revocation, the audit entry and the notice to the CCF's
authorized persons."""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from catalog.config import CatalogSettings, Deps
from catalog.terms_of_use import require_accepted
from sat_common import audit, ccf_access, ccf_person_access, clock, keys, passwords
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.colombian_time import colombian_time
from sat_common.errors import DomainError, FieldError
from sat_common.observability import logger
from sat_common.outbox import OutboxEmail, enqueue_email

ATTEMPTS = 3  # optimistic concurrency on `revision`: two simultaneous changes never lose one

# The consumer-password-changed e-mail's `transicion` (infra/email_templates/README.md).
OVERLAP_NOTICE = (
    "La contraseña anterior seguirá funcionando durante {hours} horas, para que los sistemas de la caja se "
    "actualicen sin interrupciones. Después, solo la nueva será válida."
)
IMMEDIATE_NOTICE = (
    "El cambio fue inmediato: la contraseña anterior dejó de funcionar y los tokens de acceso obtenidos antes "
    "del cambio fueron revocados (dejan de aceptarse en menos de un minuto)."
)


def set_consumer_password(
    deps: Deps,
    caller: Caller,
    nit: str,
    password: str,
    confirmation: str,
    actor: Actor,
    *,
    immediate: bool = False,
) -> None:
    """A new consumer password. Without `immediate` the previous one keeps working for the overlap; with it
    the previous one stops at once and tokens obtained with any older password are refused by the /sat
    authorizer (`tokensNotBeforeRevision`; decision 0041)."""
    access, current = deps.store.person_access_and_password(caller.username, nit)
    activation = require_accepted(access)
    if password != confirmation:
        raise DomainError(
            code="PASSWORD_MISMATCH", status=422, errors=[FieldError("passwordConfirmation", "password_mismatch")]
        )
    business_name = str(activation.get("businessName") or "")
    # The CCF's own data: its NIT and the words of its name (short words such as "de", "los" would
    # reject innocent phrases: passwords.check matches tokens of 3+ characters inside the password).
    words = [word for word in business_name.split() if len(word) >= 4]
    violation = passwords.check(password, [nit, *words])
    if violation:
        raise DomainError(
            code="PASSWORD_POLICY", status=422, errors=[FieldError("password", violation.rule, violation.params)]
        )
    settings = deps.settings
    new_hash = ccf_access.hash_password(passwords.normalize(password), settings.password_hash_cost)
    now = clock.now()
    for attempt in range(ATTEMPTS):
        if attempt:
            current = deps.store.consumer_password(nit)
        revision = int((current or {}).get("revision", 0))
        item = _password_item(nit, caller, new_hash, current, revision, now, immediate, settings)
        if deps.store.replace_consumer_password(item, revision if current else None):
            break
    else:
        raise DomainError(code="SERVICE_UNAVAILABLE", status=503, headers={"Retry-After": "1"})
    audit.record(
        settings.audit_table_name,
        keys.ccf(nit),
        "CONSUMER_PASSWORD_SET",
        actor,
        {
            "revision": revision + 1,
            "immediate": immediate,
            "overlapHours": "0" if immediate else str(settings.consumer_password_overlap_hours),
        },
    )
    transition = (
        IMMEDIATE_NOTICE if immediate else OVERLAP_NOTICE.format(hours=f"{settings.consumer_password_overlap_hours:g}")
    )
    _notify(deps, caller, nit, business_name, colombian_time(now), revision + 1, transition)


def _password_item(
    nit: str,
    caller: Caller,
    new_hash: dict[str, Any],
    current: dict[str, Any] | None,
    revision: int,
    now: datetime,
    immediate: bool,
    settings: CatalogSettings,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        **ccf_access.password_key(nit),
        "nit": nit,
        "revision": revision + 1,
        "current": {**new_hash, "revision": revision + 1, "setAt": clock.stamp(now), "setBy": caller.username},
        # Tokens obtained with an older password revision are refused by the /sat authorizer.
        "tokensNotBeforeRevision": (
            revision + 1 if immediate else int((current or {}).get("tokensNotBeforeRevision", 0))
        ),
    }
    if current and current.get("current") and not immediate:
        valid_until = now + timedelta(hours=settings.consumer_password_overlap_hours)
        item["previous"] = {
            "revision": revision,  # set before decision 0041: the item's revision was its own
            **current["current"],
            "validUntil": clock.epoch(valid_until),
        }
    return item


def _notify(
    deps: Deps, caller: Caller, nit: str, business_name: str, when: str, revision: int, transition: str
) -> None:
    """E-mail every authorized person of the CCF (best effort: the change is done, the notice may lag)."""
    try:
        recipients: dict[str, str] = {}
        people = ccf_person_access.authorized_people(deps.settings.main_table_name, nit)
        for person in people:
            email = person.email or (caller.email if person.username == caller.username else None)
            if email:
                recipients[email.lower()] = person.name
        if caller.username not in {person.username for person in people} and caller.email:
            recipients.setdefault(caller.email.lower(), ccf_person_access.DEFAULT_NAME)
        for email, name in sorted(recipients.items()):
            enqueue_email(
                deps.settings.outbox_queue_url,
                OutboxEmail(
                    id=f"consumer-password-{nit}-{revision}-{hashlib.sha256(email.encode()).hexdigest()[:16]}",
                    template="consumer-password-changed",
                    to=email,
                    data={
                        "nombre": name,
                        "razonSocial": business_name or nit,
                        "nit": nit,
                        "fecha": when,
                        "transicion": transition,
                        "enlace": f"{deps.settings.portal_base_url}/ccfs/{nit}/servicios",
                    },
                ),
            )
    except Exception as error:
        logger.warning("consumer password notice not queued", extra={"errorType": type(error).__name__})
