"""The reference table as `python -m ops` reads it (decision 0070): a population's item for `ops smoke`, and every
person and company for `ops reference import --populations-from-table` (a Scan: fine for an operator's batch job,
never for a request). The import's writes are batches of whole items (ops.batch_write)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sat_common import keys
from sat_common.items import ItemStore
from sat_common.reference.keys import population_key

SCAN_PAGE = 1000


class ReferenceRepository(ItemStore):
    def population(self, kind: str) -> dict[str, Any] | None:
        return self.get(population_key(kind), consistent=False)

    def people_and_companies(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, data) of every item, pages of SCAN_PAGE: kind "person" or "company" with the item's `data`, or
        "other" with {} (the populations), so that a progress count covers every item read."""
        request: dict[str, Any] = {"ConsistentRead": True, "Limit": SCAN_PAGE}
        while True:
            page = self.table.scan(**request)
            for item in page.get("Items", []):
                partition = str(item["PK"])
                if partition.startswith(keys.PERSON):
                    yield "person", item["data"]
                elif partition.startswith(keys.COMPANY):
                    yield "company", item["data"]
                else:
                    yield "other", {}
            if not page.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
