"""Failed identity-question sets (manual §5 Paso 3) and the temporary lock they lead to (decision 0026).
Sign-in uses per-source delays instead, never a lock (login_delays.py, decision 0028).

The window opens with the first failure and lasts `window` (30 days): every `max_failures`-th failure in it
locks until `lockedUntil`, the first time for `lock` (the manual's 24 h), every later time for `long_lock`; a
passed set clears the memory. The window is stretched to the end of a lock, so a lock never ends in a fresh
count, and a fresh count starts only when the window is over. Nothing has to run for a lock to end: every read
compares `lockedUntil` with the clock (TTL only tidies up).
"""

from dataclasses import dataclass
from typing import Any

from registration.repositories import identity_checks
from registration.repositories.people import Store


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
    store: Store, username: str, now: int, *, window: int, max_failures: int, lock: int, long_lock: int
) -> Outcome:
    failures, window_end = identity_checks.count_failure(store, username, now, window)
    if failures % max_failures:
        return Outcome(failures, None, max_failures - failures % max_failures)
    until = now + (lock if failures == max_failures else long_lock)
    identity_checks.lock(store, username, until, max(window_end, until))
    return Outcome(failures, until, 0)
