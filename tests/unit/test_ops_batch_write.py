"""ops.batch_write: 25 items per BatchWriteItem, unprocessed items retried until written, a clear error when
DynamoDB keeps refusing, and write units from the item sizes."""

from __future__ import annotations

from typing import Any

import pytest

from ops.batch_write import CHUNK, MAX_ATTEMPTS, batch_put, item_size, write_units
from ops.errors import OpsError


class FakeDynamo:
    """Leaves the last `unprocessed` requests of each call unprocessed, `times` times (None: always)."""

    def __init__(self, unprocessed: int = 0, times: int | None = 0) -> None:
        self.unprocessed, self.times = unprocessed, times
        self.calls: list[list[dict[str, Any]]] = []
        self.stored: dict[str, dict[str, Any]] = {}

    def batch_write_item(self, RequestItems: dict[str, Any], ReturnConsumedCapacity: str) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        assert len(requests) <= CHUNK and ReturnConsumedCapacity == "TOTAL"
        self.calls.append(requests)
        refuse = self.unprocessed if self.times is None or len(self.calls) <= self.times else 0
        done, left = requests[: len(requests) - refuse], requests[len(requests) - refuse :]
        for request in done:
            item = request["PutRequest"]["Item"]
            self.stored[item["PK"]["S"]] = item
        return {"UnprocessedItems": {table: left} if left else {}, "ConsumedCapacity": [{"CapacityUnits": 1.0}]}


def items(count: int) -> list[dict[str, Any]]:
    return [{"PK": f"PERSON#CC#{n}", "SK": "PROFILE", "data": {"n": n}} for n in range(count)]


def test_chunks_of_25_and_every_item_written_once():
    dynamo, seen = FakeDynamo(), []
    stats = batch_put(dynamo, "reference", items(60), on_written=seen.append, sleep=lambda _: None)
    assert [len(call) for call in dynamo.calls] == [25, 25, 10] and sum(seen) == 60
    assert (stats.items, stats.requests, stats.retried_items) == (60, 3, 0) and len(dynamo.stored) == 60


def test_unprocessed_items_are_retried_with_backoff():
    dynamo, waits = FakeDynamo(unprocessed=5, times=2), []
    stats = batch_put(dynamo, "reference", items(25), sleep=waits.append)
    assert [len(call) for call in dynamo.calls] == [25, 5, 5]
    assert stats.items == 25 and stats.retried_items == 10 and len(dynamo.stored) == 25
    assert waits == sorted(waits) and waits[0] > 0  # growing waits


def test_a_table_that_keeps_refusing_is_a_clear_error():
    dynamo = FakeDynamo(unprocessed=3, times=None)
    with pytest.raises(OpsError, match=r"3 items unprocessed.*idempotent"):
        batch_put(dynamo, "reference", items(10), sleep=lambda _: None)
    assert len(dynamo.calls) == MAX_ATTEMPTS


def test_a_key_repeated_in_one_chunk_goes_to_the_next_request():
    """DynamoDB refuses a BatchWriteItem that names a key twice; the later row must win."""
    dynamo = FakeDynamo()
    rows = [*items(3), {"PK": "PERSON#CC#1", "SK": "PROFILE", "data": {"n": 99}}]
    batch_put(dynamo, "reference", rows, sleep=lambda _: None)
    assert [len(call) for call in dynamo.calls] == [3, 1]
    assert dynamo.stored["PERSON#CC#1"]["data"]["M"]["n"]["N"] == "99"


def test_write_units_follow_the_item_size():
    small = {"PK": {"S": "PERSON#CC#1"}, "SK": {"S": "PROFILE"}, "data": {"M": {"n": {"N": "12345"}}}}
    assert item_size(small) == 2 + 11 + 2 + 7 + 4 + (3 + 1 + 4 + 1) and write_units(small) == 1
    big = {"PK": {"S": "x"}, "data": {"S": "y" * 2500}}
    assert write_units(big) == 3
