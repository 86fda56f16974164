"""The main-table backfills of `python -m ops` (Query only, never Scan): the back office's index keys and CCF
summaries (decisions 0092, 0093) and the shared services' purpose (decision 0106). Each write is conditional, so a
backfill racing a function's own write never undoes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sat_common import ccf_access, keys
from sat_common.items import ConditionFailed, ItemStore
from sat_common.shared_services import item_key, purpose_key


class BackfillRepository(ItemStore):
    def _written(self, write: Any, *args: Any, **kwargs: Any) -> bool:
        """One conditional write; False when its condition does not hold."""
        try:
            write(*args, **kwargs)
        except ConditionFailed:
            return False
        return True

    # ------------------------------------------------------------------ CCFs
    def activated_ccfs(self) -> list[dict[str, Any]]:
        """Every CCF activation item (GSI1 `CCFS`)."""
        return self.query_all(
            IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk", ExpressionAttributeValues={":pk": keys.CCFS}
        )

    # ------------------------------------------------------------------ the RUT review queue (decision 0092)
    def unordered_employers(self, status: str) -> list[dict[str, Any]]:
        """The employers of `status` whose GSI1SK is still `EMPLOYER#<nit>` (written before the queue's order)."""
        return self.query_all(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :old)",
            ExpressionAttributeValues={":pk": keys.employers_by_status(status), ":old": keys.EMPLOYER},
        )

    def order_employer(self, item: Mapping[str, Any], sort_key: str) -> bool:
        """GSI1SK = `sort_key` unless it changed since `item` was read (its own write set the new key then)."""
        return self._written(
            self.update,
            ccf_access.employer_key(str(item["nit"])),
            "SET GSI1SK = :new",
            "GSI1SK = :old",
            values={":new": sort_key, ":old": item["GSI1SK"]},
        )

    # ------------------------------------------------------------------ CCF summaries (decision 0093)
    def assignments(self, nit: str) -> list[dict[str, Any]]:
        """The CCF's service assignments (`CCF#<nit>` / `ASSIGN#<serviceId>`), whatever their status."""
        return self.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :kind)",
            ExpressionAttributeValues={":pk": keys.ccf(nit), ":kind": keys.ASSIGN},
        )

    def recent_tramites(self, nit: str, limit: int) -> list[dict[str, Any]]:
        """The CCF's `limit` newest trámites (GSI1 `CCF#<nit>` / `TRAMITE#<createdAt>`)."""
        items, _ = self.query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :kind)",
            ExpressionAttributeValues={":pk": keys.ccf(nit), ":kind": keys.TRAMITE},
            ScanIndexForward=False,
            Limit=limit,
        )
        return items

    def store_ccf_summaries(
        self,
        nit: str,
        services_assigned: int,
        shared_services: Mapping[str, Any],
        last_delivery: Mapping[str, Any] | None,
    ) -> bool:
        """The activation item's summaries, recomputed; lastDelivery only when there is one. False when the CCF
        has no activation item (a summary never creates one)."""
        expression = "SET servicesAssigned = :count, sharedServices = :shared"
        values: dict[str, Any] = {":count": services_assigned, ":shared": dict(shared_services)}
        if last_delivery is not None:
            expression += ", lastDelivery = :delivery, lastDeliveryAt = :at"
            values |= {":delivery": dict(last_delivery), ":at": last_delivery["at"]}
        return self._written(
            self.update, ccf_access.activation_key(nit), expression, "attribute_exists(PK)", values=values
        )

    # ------------------------------------------------------------------ shared services' purpose (decision 0106)
    def claim_notification_purpose(self, nit: str, shared_service_id: str) -> bool:
        """The CCF's notification claim for this service, unless another service holds it (False then)."""
        return self._written(
            self.put,
            {**purpose_key(nit), "sharedServiceId": shared_service_id},
            "attribute_not_exists(PK) OR sharedServiceId = :id",
            values={":id": shared_service_id},
        )

    def give_purpose(self, nit: str, shared_service_id: str, purpose: str) -> bool:
        """`purpose` on a service that has none; False when it was deleted or given one meanwhile."""
        return self._written(
            self.update,
            item_key(nit, shared_service_id),
            "SET purpose = :purpose",
            "attribute_exists(PK) AND attribute_not_exists(purpose)",
            values={":purpose": purpose},
        )
