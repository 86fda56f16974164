"""The share area's items in the main table (layout: sat_common.shared_services; docs/data-model.md): a CCF's
shared-service metadata, its name and purpose claims, and the per-service rate-limit slots. Every DynamoDB
expression of the area is here; the use cases call these named operations.

Invariants held by conditions (decision 0050, 0106): a metadata item is replaced only at the `revision` it was
read at; a name (case-insensitive) and the notification purpose are claimed by one service of a CCF at most,
written in the same transaction as the metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sat_common import keys
from sat_common.items import ConditionFailed, ItemStore, Transaction, decode_page_token, encode_page_token
from sat_common.shared_services import NOTIFICATION_PURPOSE, item_key, name_key, purpose_key, verify_key

__all__ = ["ConditionFailed", "NameChange", "SharedServiceRepository"]

_NEW = "attribute_not_exists(PK)"
_SAME_REVISION = "revision = :revision"
_HELD_BY_IT = "sharedServiceId = :id"
_FREE_OR_HELD_BY_IT = "attribute_not_exists(PK) OR sharedServiceId = :id"
_SLOT_FREE = "attribute_not_exists(PK) OR notBefore <= :now"


def _present(item: dict[str, Any]) -> dict[str, Any]:
    """The item without its None values: an absent attribute, as the item was always written."""
    return {name: value for name, value in item.items() if value is not None}


@dataclass(frozen=True)
class NameChange:
    """A change of the service's name: `before` → `after` (only the case, or another name)."""

    before: str
    after: str

    @property
    def renamed(self) -> bool:
        return self.before.lower() != self.after.lower()


class SharedServiceRepository(ItemStore):
    # ------------------------------------------------------------------ reads
    def service(self, nit: str, shared_service_id: str) -> dict[str, Any] | None:
        return self.get(item_key(nit, shared_service_id))

    def name_holder(self, nit: str, name: str) -> str | None:
        """The id of the service that holds this name (any case) in the CCF, or None."""
        claim = self.get(name_key(nit, name))
        return str(claim["sharedServiceId"]) if claim else None

    def purpose_holder(self, nit: str) -> str | None:
        """The id of the service that holds the CCF's notification purpose claim, or None."""
        claim = self.get(purpose_key(nit))
        return str(claim["sharedServiceId"]) if claim else None

    def services_page(self, nit: str, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the CCF's services and the token of the next one; a token of another CCF or kind is 422."""
        partition = keys.employer(nit)
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": partition, ":prefix": keys.SHARED},
            "Limit": limit,
            "ConsistentRead": True,
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = decode_page_token(
                next_token, accept=lambda key: key["PK"] == partition and key["SK"].startswith(keys.SHARED)
            )
        items, last = self.query(**kwargs)
        return items, encode_page_token({"PK": last["PK"], "SK": last["SK"]}) if last else None

    # ------------------------------------------------------------------ writes (ConditionFailed when refused)
    def register(self, item: dict[str, Any]) -> None:
        """A new service with its name claim, and the purpose claim when it receives the notifications."""
        nit, shared_service_id = item["nit"], item["sharedServiceId"]
        tx = self.tx().put(_present(item), _NEW).put(self._name_claim(nit, item["name"], shared_service_id), _NEW)
        if item["purpose"] == NOTIFICATION_PURPOSE:
            tx.put(self._purpose_claim(nit, shared_service_id), _NEW)
        tx.commit()

    def replace(
        self,
        new: dict[str, Any],
        revision: int,
        *,
        purpose_before: str | None = None,
        name_change: NameChange | None = None,
    ) -> None:
        """The whole new version of the metadata, only if nobody changed it since `revision` was read; with the
        purpose claim kept in step when `purpose_before` is given, and the name claim when the name changed."""
        nit, shared_service_id = new["nit"], new["sharedServiceId"]
        tx = self.tx().put(_present(new), _SAME_REVISION, values={":revision": revision})
        if purpose_before is not None:
            self._purpose_in_step(tx, nit, shared_service_id, purpose_before, new["purpose"])
        if name_change is not None:
            claim = self._name_claim(nit, name_change.after, shared_service_id)
            if name_change.renamed:
                tx.put(claim, _NEW)
                tx.delete(name_key(nit, name_change.before), _HELD_BY_IT, values={":id": shared_service_id})
            else:  # only the case changed: same claim, new spelling
                tx.put(claim, _HELD_BY_IT, values={":id": shared_service_id})
        tx.commit()

    def remove(self, item: dict[str, Any], purpose: str) -> None:
        """The service (at the revision it was read at), its name claim and its purpose claim if it holds it."""
        nit, shared_service_id = item["nit"], item["sharedServiceId"]
        tx = self.tx().delete(item_key(nit, shared_service_id), _SAME_REVISION, values={":revision": item["revision"]})
        tx.delete(name_key(nit, item["name"]), _HELD_BY_IT, values={":id": shared_service_id})
        self._purpose_in_step(tx, nit, shared_service_id, purpose, None)
        tx.commit()

    def take_verification_slot(self, nit: str, shared_service_id: str, now: int, interval: int) -> int:
        """0 when a connection test may run now (the next one waits `interval` s); else the seconds to wait."""
        return self._take_slot(verify_key(nit, shared_service_id), now, interval)

    def take_test_notification_slot(self, nit: str, shared_service_id: str, now: int, interval: int) -> int:
        """0 when a test notification may be sent now (decision 0108); else the seconds to wait."""
        key = {"PK": keys.ccf(nit), "SK": keys.test_notification(shared_service_id)}
        return self._take_slot(key, now, interval)

    # ------------------------------------------------------------------ helpers
    def _take_slot(self, key: dict[str, str], now: int, interval: int) -> int:
        try:
            self.put(
                {**key, "notBefore": now + interval, "expiresAt": now + interval}, _SLOT_FREE, values={":now": now}
            )
            return 0
        except ConditionFailed:
            current = self.get(key) or {}
            return max(1, int(current.get("notBefore", now + interval)) - now)

    @staticmethod
    def _name_claim(nit: str, name: str, shared_service_id: str) -> dict[str, Any]:
        return {**name_key(nit, name), "sharedServiceId": shared_service_id, "name": name}

    @staticmethod
    def _purpose_claim(nit: str, shared_service_id: str) -> dict[str, Any]:
        return {**purpose_key(nit), "sharedServiceId": shared_service_id}

    def _purpose_in_step(
        self, tx: Transaction, nit: str, shared_service_id: str, before: str, after: str | None
    ) -> None:
        """The claim is this service's (or nobody's) before; it is written whenever the service is the notification
        one (materializing the read-time default of items from before decision 0106), released when it stops."""
        values = {":id": shared_service_id}
        if after == NOTIFICATION_PURPOSE:
            tx.put(self._purpose_claim(nit, shared_service_id), _FREE_OR_HELD_BY_IT, values=values)
        elif before == NOTIFICATION_PURPOSE:
            tx.delete(purpose_key(nit), _FREE_OR_HELD_BY_IT, values=values)
