"""Addresses SES reported as undeliverable (docs/decisions/0072-ses-production.md).

SES publishes the configuration set's bounce and complaint events to SNS, which puts each event (raw) on the
e-mail events queue; the delivery function records the addresses here and sends nothing more to them, and
GET /me tells the person that their address bounced so they update it. One item per address in the main
table (sat_common.repositories.email_suppressions). A transient bounce (mailbox full, out of office)
suppresses nothing: only permanent bounces and complaints do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sat_common.repositories.email_suppressions import record_suppression, suppression
from sat_common.repositories.email_suppressions import suppression_key as suppression_key  # ops, tests

BOUNCED = "BOUNCED"
COMPLAINED = "COMPLAINED"
EmailStatus = Literal["OK", "BOUNCED", "COMPLAINED"]
# The key of each status's message in sat_common.i18n.FIELD_MESSAGES (GET /me's emailStatusMessage).
MESSAGE_KEYS = {BOUNCED: "email_bounced", COMPLAINED: "email_complained"}


def is_ses_event(body: Mapping[str, Any]) -> bool:
    """An SES event (configuration-set event publishing: eventType; identity notifications: notificationType)."""
    return "mail" in body and ("eventType" in body or "notificationType" in body)


def undeliverable(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(address, BOUNCED | COMPLAINED) for each recipient the event says must not be written to again."""
    kind = event.get("eventType") or event.get("notificationType")
    if kind == "Bounce":
        bounce = event.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients, status = bounce.get("bouncedRecipients") or [], BOUNCED
    elif kind == "Complaint":
        recipients, status = (event.get("complaint") or {}).get("complainedRecipients") or [], COMPLAINED
    else:
        return []
    found = [str(r.get("emailAddress", "")).strip() for r in recipients if isinstance(r, Mapping)]
    return [(address, status) for address in found if "@" in address]


def record(table_name: str, address: str, status: str, at: str, feedback_id: str | None) -> None:
    """Upsert the address's item (a redelivered event changes nothing but updatedAt): first time kept."""
    record_suppression(table_name, address, status, at, feedback_id)


def status_of(table_name: str, address: str | None) -> EmailStatus:
    if not address:
        return "OK"
    item = suppression(table_name, address)
    status = (item or {}).get("status")
    return status if status in (BOUNCED, COMPLAINED) else "OK"


def profile_view(table_name: str, address: str | None, lang: str) -> dict[str, Any]:
    """GET /me's `emailStatus` and, when the address cannot be written to, what the person must do."""
    from sat_common.i18n import field_message

    status = status_of(table_name, address)
    message = field_message(MESSAGE_KEYS[status], None, lang) if status in MESSAGE_KEYS else None
    return {"emailStatus": status, "emailStatusMessage": message}
