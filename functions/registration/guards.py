"""Windowed failure counters with a temporary lock: the identity questions (Paso 3). Sign-in uses
per-source delays instead, never a lock (login_delays.py, decision 0028).

Item: {failures, windowEndsAt, lockedUntil?, expiresAt} (epoch seconds). The window opens with the
first failure and lasts `window` (30 days for the identity questions, decision 0026): every
`max_failures`-th failure in it locks until `lockedUntil`, the first time for `lock` (the manual's 24 h),
every later time for `long_lock`; a success clears the item. The window is stretched to the end of a
lock, so a lock never ends in a fresh count, and a fresh count starts only when the window is over.
Nothing has to run for a lock to end: every read compares `lockedUntil` with the clock (TTL only tidies up).
"""

from dataclasses import dataclass
from typing import Any

from registration.store import Store
from sat_common.dynamo import ConditionFailed

CLEANUP_GRACE_SECONDS = 86_400


@dataclass(frozen=True)
class Outcome:
    failures: int  # in the window
    locked_until: int | None
    attempts_left: int  # before the next lock


def active_lock(item: dict[str, Any] | None, now: int) -> int | None:
    """lockedUntil when the item holds a lock still in force."""
    until = (item or {}).get("lockedUntil")
    return int(until) if until is not None and int(until) > now else None


def record_failure(
    store: Store, key: dict[str, str], now: int, *, window: int, max_failures: int, lock: int, long_lock: int
) -> Outcome:
    failures, window_end = _increment(store, key, now, window)
    if failures % max_failures:
        return Outcome(failures, None, max_failures - failures % max_failures)
    until = now + (lock if failures == max_failures else long_lock)
    window_end = max(window_end, until)
    store.update(
        key,
        "SET lockedUntil = :until, windowEndsAt = :end, expiresAt = :cleanup",
        values={":until": until, ":end": window_end, ":cleanup": window_end + CLEANUP_GRACE_SECONDS},
    )
    return Outcome(failures, until, 0)


def _increment(store: Store, key: dict[str, str], now: int, window: int) -> tuple[int, int]:
    """(failures in the window, when the window ends) after counting this one."""
    for _ in range(3):  # only a concurrent first failure can make both conditions fail
        try:
            item = store.update(
                key, "SET failures = failures + :one", values={":one": 1, ":now": now}, condition="windowEndsAt > :now"
            )
            return int(item["failures"]), int(item["windowEndsAt"])
        except ConditionFailed:
            pass
        try:
            store.put(
                {**key, "failures": 1, "windowEndsAt": now + window, "expiresAt": now + window + CLEANUP_GRACE_SECONDS},
                condition="attribute_not_exists(PK) OR windowEndsAt <= :now",
                values={":now": now},
            )
            return 1, now + window
        except ConditionFailed:
            continue
    raise ConditionFailed("failure counter kept changing")


def clear(store: Store, key: dict[str, str]) -> None:
    store.delete(key)
