"""`python -m ops email unsuppress`: the main table's suppression item of an address (decision 0072; the delivery
function writes it through sat_common.repositories.email_suppressions, with the same key)."""

from __future__ import annotations

from typing import Any

from sat_common.email_status import suppression_key
from sat_common.items import ItemStore


class SuppressionRepository(ItemStore):
    def suppression(self, address: str) -> dict[str, Any] | None:
        return self.get(suppression_key(address))

    def remove_suppression(self, address: str) -> None:
        self.delete(suppression_key(address))
