"""The back office's lists: time ranges, and pages read from one or two DynamoDB Queries merged newest first.

Every page costs at most one Query per source (two sources at most: decisions 0094, 0095). The page token
carries, per source, where its Query stops (its LastEvaluatedKey or the key of the last item the page took),
bound to the filters it was issued for; a token that is not one of ours, that was issued for other filters, or
whose keys are outside the partitions the filters name is 422 on `pageToken` — so editing a token can at most
move within the same list, never reach other items.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sat_common import aws, clock
from sat_common.errors import FieldError, invalid
from sat_common.items import plain

MAX_RANGE = timedelta(days=366)  # "ranges ≤ 1 year", a leap year included
TOKEN_FIELD = "pageToken"  # noqa: S105 - a field name, not a secret
_END = "end"


# --------------------------------------------------------------------------- query strings
def reject_unknown_query(event: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """422 naming each query parameter the route does not have, or that appears more than once (Powertools
    would silently keep one of the values)."""
    single = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    errors = [FieldError(str(name), "query_parameter_unknown") for name in sorted(single) if name not in allowed]
    errors += [
        FieldError(str(name), "query_parameter_repeated")
        for name, values in sorted(multi.items())
        if name in allowed and isinstance(values, list) and len(values) > 1
    ]
    if errors:
        raise invalid(errors)


# --------------------------------------------------------------------------- time ranges
def parse_instant(value: str, field_name: str, *, end_of_day: bool = False) -> datetime:
    """ISO 8601 date or date-time; no offset means UTC. A bare date as `to` means the end of that day."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1, microseconds=-1000) if end_of_day else moment
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid([FieldError(field_name, "iso_datetime")]) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def iso(moment: datetime) -> str:
    """The stored timestamps' form (sat_common.clock.stamp: milliseconds, `Z`). Items written before it end in
    `+00:00`, which sorts just before the `Z` form of the same millisecond: a range's upper bound in this form
    includes both; a lower bound used in a key condition drops the `Z` (a prefix of both) to include both."""
    return clock.stamp(moment)


@dataclass(frozen=True)
class TimeRange:
    start: str | None  # clock.stamp, inclusive
    end: str | None  # clock.stamp, inclusive (to the millisecond)

    @property
    def bounded(self) -> bool:
        return self.start is not None


def time_range(start: str | None, end: str | None, now: datetime) -> TimeRange:
    """No bound without `from` and `to`; only `from`: up to now; only `to`: the year before it; ≤ 366 days."""
    if start is None and end is None:
        return TimeRange(None, None)
    upper = parse_instant(end, "to", end_of_day=True) if end else now
    lower = parse_instant(start, "from") if start else upper - MAX_RANGE
    if lower > upper:
        raise invalid([FieldError("from", "range_reversed")])
    if upper - lower > MAX_RANGE:
        raise invalid([FieldError("to", "range_too_long", {"days": MAX_RANGE.days})])
    return TimeRange(iso(lower), iso(upper))


# --------------------------------------------------------------------------- merged pages
@dataclass(frozen=True)
class Source:
    """One Query (boto3 resource keyword arguments, newest first) and how to read its keys."""

    query: dict[str, Any]
    key_names: tuple[str, ...]  # the attributes of its ExclusiveStartKey (table and index keys)
    accept: Callable[[Mapping[str, str]], bool]  # a key belongs to this Query's partition
    order: Callable[[Mapping[str, Any]], str]  # the value it is sorted by (from an item or a key)
    keep: Callable[[Mapping[str, Any]], bool] = field(default=lambda item: True)  # post-filter (rarely needed)


def _digest(filters: Mapping[str, Any]) -> str:
    text = json.dumps({k: v for k, v in filters.items() if v is not None}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(filters: Mapping[str, Any], cursors: list[Any]) -> str:
    payload = {"f": _digest(filters), "c": cursors}
    return base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).decode().rstrip("=")


def decode_token(token: str, filters: Mapping[str, Any], sources: list[Source]) -> list[Any]:
    """The cursors (None: from the start, "end": exhausted, a key dict) a token stands for, or 422."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        payload = None
    cursors = payload.get("c") if isinstance(payload, dict) else None
    if (
        not isinstance(payload, dict)
        or payload.get("f") != _digest(filters)
        or not isinstance(cursors, list)
        or len(cursors) != len(sources)
        or all(cursor == _END for cursor in cursors)
        or not all(_valid_cursor(cursor, source) for cursor, source in zip(cursors, sources, strict=True))
    ):
        raise invalid([FieldError(TOKEN_FIELD, "page_token_invalid")])
    return cursors


def _valid_cursor(cursor: Any, source: Source) -> bool:
    if cursor is None or cursor == _END:
        return True
    return (
        isinstance(cursor, dict)
        and set(cursor) == set(source.key_names)
        and all(isinstance(value, str) for value in cursor.values())
        and source.accept(cursor)
    )


def page(
    table_name: str,
    sources: list[Source],
    limit: int,
    token: str | None,
    filters: Mapping[str, Any],
    *,
    query_limit: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page, newest first: at most `limit` items and one Query per source that is not exhausted.

    With two sources, an item is taken only when no unread item of the other source can be newer (each
    Query's stopping point bounds what it has not read yet), so the merged order holds across pages even
    when a filter thins a Query out; items are never lost or repeated."""
    cursors: list[Any] = decode_token(token, filters, sources) if token else [None] * len(sources)
    table = aws.table(table_name)
    results: list[tuple[list[dict[str, Any]], dict[str, Any] | None]] = []
    for source, cursor in zip(sources, cursors, strict=True):
        if cursor == _END:
            results.append(([], None))
            continue
        kwargs = {**source.query, "Limit": query_limit or limit, "ScanIndexForward": False}
        if cursor:
            kwargs["ExclusiveStartKey"] = cursor
        response = table.query(**kwargs)
        results.append(([plain(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")))
    # Unread items of a source with more to read are older than where its Query stopped.
    frontiers = [source.order(last) for source, (_, last) in zip(sources, results, strict=True) if last]
    threshold = max(frontiers) if frontiers else None
    candidates = [
        (source.order(item), index, item)
        for index, (source, (items, _)) in enumerate(zip(sources, results, strict=True))
        for item in items
        if threshold is None or source.order(item) >= threshold
    ]
    candidates.sort(key=lambda entry: entry[0], reverse=True)
    taken = candidates[:limit]
    next_cursors: list[Any] = []
    for index, (source, (items, last)) in enumerate(zip(sources, results, strict=True)):
        mine = [item for _, i, item in taken if i == index]
        if cursors[index] == _END:
            next_cursors.append(_END)
        elif len(mine) == len(items):  # everything this Query read is on the page
            next_cursors.append({k: str(v) for k, v in last.items()} if last else _END)
        elif mine:
            next_cursors.append({name: str(mine[-1][name]) for name in source.key_names})
        else:
            next_cursors.append(cursors[index])
    body = [item for _, index, item in taken if sources[index].keep(item)]
    more = any(cursor != _END for cursor in next_cursors)
    return body, encode_token(filters, next_cursors) if more else None
