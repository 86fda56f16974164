"""The Ministry's summary of each CCF on its activation item (`CCF#<nit>` / `ACTIVATION`, decision 0093), with its
DynamoDB expressions; the rules are in sat_common.ccf_summary. Every write is conditioned on the activation item
existing, so a summary never creates one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sat_common import ccf_access, keys
from sat_common.items import ConditionFailed, ItemStore

_EXISTS = "attribute_exists(PK)"


class CcfSummaryRepository(ItemStore):
    def _update_if(self, nit: str, expression: str, condition: str, values: Mapping[str, Any]) -> bool:
        try:
            self.update(ccf_access.activation_key(nit), expression, condition, values=values)
        except ConditionFailed:
            return False
        return True

    def shared_service_items(self, nit: str) -> list[dict[str, Any]]:
        """The CCF's shared-service metadata items (`EMPLOYER#<nit>` / `SHARED#<id>`)."""
        from boto3.dynamodb.conditions import Key

        condition = Key("PK").eq(keys.employer(nit)) & Key("SK").begins_with(keys.SHARED)
        return self.query_all(KeyConditionExpression=condition, ConsistentRead=True)

    def store_shared_services(self, nit: str, summary: Mapping[str, Any]) -> bool:
        return self._update_if(nit, "SET sharedServices = :summary", _EXISTS, {":summary": dict(summary)})

    def store_last_delivery(self, nit: str, delivery: Mapping[str, Any], at: str) -> bool:
        """The newest delivery attempt; False when the item is missing or holds a newer one."""
        return self._update_if(
            nit,
            "SET lastDelivery = :delivery, lastDeliveryAt = :at",
            f"{_EXISTS} AND (attribute_not_exists(lastDeliveryAt) OR lastDeliveryAt <= :at)",
            {":delivery": dict(delivery), ":at": at},
        )
