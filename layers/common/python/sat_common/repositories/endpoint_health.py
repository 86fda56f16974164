"""The health attributes of a CCF's notification endpoint on its shared-service item (`EMPLOYER#<nit>` /
`SHARED#<id>`, sat_common.shared_services), with their DynamoDB expressions (decision 0105; the rules are in
sat_common.endpoint_health)."""

from __future__ import annotations

from typing import Any

from sat_common.items import ConditionFailed, ItemStore
from sat_common.shared_services import ACTIVE, DISABLED, PENDING_VERIFICATION, VERIFIED_CONFIGURATION, item_key


class EndpointHealthRepository(ItemStore):
    def _update_if(self, nit: str, shared_service_id: str, expression: str, condition: str, **kwargs: Any) -> bool:
        """One conditional update; False when its condition does not hold."""
        try:
            self.update(item_key(nit, shared_service_id), expression, condition, **kwargs)
        except ConditionFailed:
            return False
        return True

    def failing_since(self, nit: str, shared_service_id: str) -> str | None:
        item = self.get(item_key(nit, shared_service_id))
        since = (item or {}).get("failingSince")
        return str(since) if since else None

    def clear_failing(self, nit: str, shared_service_id: str) -> bool:
        """Not failing any more (one write only when it was)."""
        return self._update_if(nit, shared_service_id, "REMOVE failingSince", "attribute_exists(failingSince)")

    def start_failing(self, nit: str, shared_service_id: str, at: str) -> bool:
        """failingSince = `at` unless the endpoint is failing already; False then (or without the item)."""
        return self._update_if(
            nit,
            shared_service_id,
            "SET failingSince = :now",
            "attribute_exists(PK) AND attribute_not_exists(failingSince)",
            values={":now": at},
        )

    def disable(self, nit: str, shared_service_id: str, reason: str, at: str) -> bool:
        """ACTIVE → DISABLED, bumping `revision` (the share area's optimistic lock); False when not delivering.
        A service waiting for a new configuration's check still delivers to its last verified one (decision
        0111): that endpoint failing disables the service too, and the kept configuration goes with it."""
        return self._update_if(
            nit,
            shared_service_id,
            "SET #s = :disabled, disabledAt = :now, disabledReason = :reason, revision = revision + :one "
            f"REMOVE {VERIFIED_CONFIGURATION}",
            f"#s = :active OR (#s = :pending AND attribute_exists({VERIFIED_CONFIGURATION}))",
            names={"#s": "status"},
            values={
                ":disabled": DISABLED,
                ":active": ACTIVE,
                ":pending": PENDING_VERIFICATION,
                ":now": at,
                ":reason": reason,
                ":one": 1,
            },
        )

    def enable(self, nit: str, shared_service_id: str) -> bool:
        """DISABLED → ACTIVE, the health attributes removed; False when not DISABLED."""
        return self._update_if(
            nit,
            shared_service_id,
            "SET #s = :active, revision = revision + :one REMOVE disabledAt, disabledReason, failingSince",
            "#s = :disabled",
            names={"#s": "status"},
            values={":disabled": DISABLED, ":active": ACTIVE, ":one": 1},
        )
