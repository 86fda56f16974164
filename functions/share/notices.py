"""E-mail the CCF's other authorized persons when a shared service starts sending somewhere else: a new
`url`, `tokenUrl`, `username` or `clientId` decides where the CCF's secrets and tokens go (decision 0054).
Template `shared-service-changed` (infra/email_templates/README.md). Best effort: the change is stored; a
notice that cannot be queued is logged (no address) and the audit entry of the change remains."""

from __future__ import annotations

import hashlib
from typing import Any

from sat_common import ccf_person_access, clock
from sat_common.colombian_time import colombian_time
from sat_common.observability import logger
from sat_common.outbox import OutboxEmail, enqueue_email
from share.config import ShareSettings
from share.context import Context, record

# Where the secrets go, in the words of the portal's form (manual §6 "Compartir servicios web con la Entidad").
DESTINATION_FIELDS = {
    "url": "URL del servicio",
    "tokenUrl": "URL del servicio de token",
    "username": "usuario",
    "clientId": "Client ID",
}


def destination_changed(
    settings: ShareSettings,
    *,
    nit: str,
    business_name: str,
    caller: str,
    item: dict[str, Any],
    changed: list[str],
) -> int:
    """Queue one e-mail per other authorized person; returns how many were queued."""
    fields = [DESTINATION_FIELDS[name] for name in DESTINATION_FIELDS if name in changed]
    if not fields:
        return 0
    queued = 0
    try:
        people = ccf_person_access.authorized_people(settings.main_table_name, nit)
        for person in people:
            if person.username == caller or not person.email:
                continue
            email = person.email.lower()
            key = hashlib.sha256(email.encode()).hexdigest()[:16]
            enqueue_email(
                settings.outbox_queue_url,
                OutboxEmail(
                    id=f"shared-service-changed-{nit}-{item['sharedServiceId']}-{item['revision']}-{key}",
                    template="shared-service-changed",
                    to=email,
                    data={
                        "nombre": person.name,
                        "razonSocial": business_name or nit,
                        "nit": nit,
                        "servicio": str(item["name"]),
                        "cambios": ", ".join(fields),
                        "fecha": colombian_time(clock.now()),
                        "enlace": f"{settings.portal_base_url}/ccfs/{nit}/servicios",
                    },
                ),
            )
            queued += 1
    except Exception as error:
        logger.warning("shared service change notice not queued", extra={"errorType": type(error).__name__})
    return queued


def tell_destination_changed(
    ctx: Context, activation: dict[str, Any], item: dict[str, Any], changed: list[str]
) -> None:
    """Queue the notices of a change of where the secrets go, and audit who was told (decision 0054)."""
    queued = destination_changed(
        ctx.settings,
        nit=ctx.nit,
        business_name=str(activation.get("businessName") or ""),
        caller=ctx.caller.username,
        item=item,
        changed=changed,
    )
    if queued:
        record(ctx, "SHARED_SERVICE_CHANGE_NOTICE", item["sharedServiceId"], {"changed": changed, "to": queued})
