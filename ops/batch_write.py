"""BatchWriteItem in chunks of 25 (DynamoDB's limit), retrying the unprocessed items with backoff.

Each item is one PutRequest: an item is written whole or not at all. Write units are computed from the item
sizes as on-demand tables bill a standard write (one unit per started KB of each item, DynamoDB's size
rules); what DynamoDB reports (ReturnConsumedCapacity=TOTAL) is kept beside it (moto's figure is not per item).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ops.errors import OpsError

CHUNK = 25
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_MAX_SECONDS = 5.0


@dataclass
class WriteStats:
    items: int = 0
    requests: int = 0
    retried_items: int = 0
    write_units: float = 0.0  # from the item sizes
    reported_units: float = 0.0  # ConsumedCapacity as the endpoint reported it


def batch_put(
    client: Any,
    table_name: str,
    items: Iterable[dict[str, Any]],
    *,
    on_written: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> WriteStats:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    stats = WriteStats()
    chunk: dict[tuple[str, str], dict[str, Any]] = {}  # by key: one request may not name a key twice

    def flush() -> None:
        if chunk:
            requests = [
                {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in item.items()}}}
                for item in chunk.values()
            ]
            _write(client, table_name, requests, stats, sleep)
            if on_written:
                on_written(len(requests))
            chunk.clear()

    for item in items:
        key = (str(item["PK"]), str(item["SK"]))
        if key in chunk or len(chunk) == CHUNK:
            flush()
        chunk[key] = item
    flush()
    return stats


def _write(
    client: Any, table_name: str, requests: list[dict[str, Any]], stats: WriteStats, sleep: Callable[[float], None]
) -> None:
    pending = requests
    for attempt in range(MAX_ATTEMPTS):
        answer = client.batch_write_item(RequestItems={table_name: pending}, ReturnConsumedCapacity="TOTAL")
        stats.requests += 1
        stats.reported_units += sum(float(c.get("CapacityUnits", 0)) for c in answer.get("ConsumedCapacity") or [])
        left = (answer.get("UnprocessedItems") or {}).get(table_name, [])
        unprocessed = {json.dumps(r, sort_keys=True) for r in left}
        for request in pending:
            if json.dumps(request, sort_keys=True) not in unprocessed:
                stats.items += 1
                stats.write_units += write_units(request["PutRequest"]["Item"])
        pending = left
        if not pending:
            return
        stats.retried_items += len(pending)
        sleep(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))
    raise OpsError(
        f"DynamoDB left {len(pending)} items unprocessed after {MAX_ATTEMPTS} attempts (throttled?): run the "
        "command again, it is idempotent"
    )


def write_units(serialized: dict[str, Any]) -> float:
    """Write request units of one standard put: one per started KB of the item's size."""
    return float(max(1, math.ceil(item_size(serialized) / 1024)))


def item_size(serialized: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (strings and binary by length, numbers about one byte
    per two digits, maps and lists 3 bytes plus one per element)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in serialized.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return (len(str(content).lstrip("-").replace(".", "")) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in content.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in content)
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in content)
    return len(content) if isinstance(content, bytes | str) else 0
