"""The last verified configuration of a shared service, kept while a newer one waits for its connection test
(decision 0111): a change of `url` or OAuth data, or a failed test, no longer stops the notifications; they go on
to the configuration that last passed until the new one passes (sat_common.shared_services.delivery_target).
"""

from __future__ import annotations

from typing import Any

from sat_common.shared_services import ACTIVE, PENDING_VERIFICATION, VERIFIED_CONFIGURATION, delivery_target
from share import secrets_store


def kept(item: dict[str, Any]) -> dict[str, Any] | None:
    """What deliveries go on using once `item` leaves ACTIVE for PENDING_VERIFICATION: its current configuration
    when ACTIVE, the one it already keeps when it has one; None otherwise (never verified, DISABLED)."""
    target = delivery_target(item)
    if target is None:
        return None
    if item["status"] == ACTIVE:
        # Items verified before decision 0111 have no labelled version yet.
        secrets_store.mark_verified(item["secretName"], target["secretVersionId"])
        return {**target, "hasPassword": bool(item.get("hasPassword"))}
    return target


def await_verification(new: dict[str, Any], item: dict[str, Any]) -> None:
    """`new` (the next version of `item`) waits for a connection test: PENDING_VERIFICATION, without the last test's
    result, delivering to the configuration `item` delivered to, if any."""
    new["status"] = PENDING_VERIFICATION
    new.pop("connection", None)
    new[VERIFIED_CONFIGURATION] = kept(item)


def verified(new: dict[str, Any]) -> None:
    """`new` passed its connection test: its own configuration is the verified one from now on (the caller labels
    its secret version once `new` is stored: secrets_store.mark_verified)."""
    new.pop(VERIFIED_CONFIGURATION, None)
