"""Windowed failure counters with a temporary lock: identity questions and logins.

Item: {failures, windowEndsAt, lockedUntil?, expiresAt} (epoch seconds). The window opens with the
first failure; reaching the maximum locks until `lockedUntil`, and the window is stretched to the
same instant, so once the lock is over the next failure starts a fresh count. Nothing has to run for
a lock to end: every read compares `lockedUntil` with the clock (TTL only tidies up).
"""

from dataclasses import dataclass
from typing import Any

from registration.store import Store
from sat_common.dynamo import ConditionFailed

CLEANUP_GRACE_SECONDS = 86_400


@dataclass(frozen=True)
class Outcome:
    failures: int
    locked_until: int | None


def active_lock(item: dict[str, Any] | None, now: int) -> int | None:
    """lockedUntil when the item holds a lock still in force."""
    until = (item or {}).get("lockedUntil")
    return int(until) if until is not None and int(until) > now else None


def record_failure(
    store: Store, key: dict[str, str], now: int, *, window: int, max_failures: int, lock: int
) -> Outcome:
    failures = _increment(store, key, now, window)
    if failures < max_failures:
        return Outcome(failures, None)
    until = now + lock
    store.update(
        key,
        "SET lockedUntil = :until, windowEndsAt = :until, expiresAt = :cleanup",
        values={":until": until, ":cleanup": until + CLEANUP_GRACE_SECONDS},
    )
    return Outcome(failures, until)


def _increment(store: Store, key: dict[str, str], now: int, window: int) -> int:
    for _ in range(3):  # only a concurrent first failure can make both conditions fail
        try:
            item = store.update(
                key, "SET failures = failures + :one", values={":one": 1, ":now": now}, condition="windowEndsAt > :now"
            )
            return int(item["failures"])
        except ConditionFailed:
            pass
        try:
            store.put(
                {**key, "failures": 1, "windowEndsAt": now + window, "expiresAt": now + window + CLEANUP_GRACE_SECONDS},
                condition="attribute_not_exists(PK) OR windowEndsAt <= :now",
                values={":now": now},
            )
            return 1
        except ConditionFailed:
            continue
    raise ConditionFailed("failure counter kept changing")


def clear(store: Store, key: dict[str, str]) -> None:
    store.delete(key)
