"""Sign-in delays per (account, source), never a lock of the account (docs/decisions/0028-login-delays-per-source.md).

Item PERSON#<username> / LOGIN_DELAY#<source>: {failures, delayUntil?, expiresAt} (epoch seconds). The
first `free_failures - 1` failures from one source cost nothing; from the `free_failures`-th on, that
source waits `base · 2^(failures - free_failures)` seconds, at most `max_seconds`, answered 429 with
Retry-After. Other sources of the same account are never affected, and a success clears only its own
source. The count is forgotten `memory_seconds` after the last failure (compared in code: TTL only tidies).

The help desk's unlock (unlock.py, decision 0091) clears every source of a person (`clear_all`).
"""

import contextlib
import ipaddress
from dataclasses import dataclass
from typing import Any

from registration.repositories import login_delays as delays
from registration.repositories.people import Store
from sat_common.dynamo import ConditionFailed

UNKNOWN_SOURCE = "unknown"


@dataclass(frozen=True)
class Policy:
    free_failures: int
    base_seconds: int
    max_seconds: int
    memory_seconds: int


@dataclass(frozen=True)
class Outcome:
    failures: int
    delay_until: int | None


def source_of(ip: str | None) -> str:
    """The source a delay applies to: the IPv4 address, or the IPv6 /64 (one subscriber's usual allocation,
    so rotating addresses inside it gains nothing)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return UNKNOWN_SOURCE
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def delay_for(failures: int, policy: Policy) -> int:
    """Seconds the source waits after its `failures`-th failure in a row."""
    if failures < policy.free_failures:
        return 0
    exponent = min(failures - policy.free_failures, 30)  # 2^30 s is far above any max: no overflow games
    return int(min(policy.base_seconds * 2**exponent, policy.max_seconds))


def waiting_until(item: dict[str, Any] | None, now: int) -> int | None:
    """delayUntil when the source must still wait."""
    if not item or int(item.get("expiresAt", 0)) <= now:
        return None
    until = item.get("delayUntil")
    return int(until) if until is not None and int(until) > now else None


def record_failure(store: Store, username: str, source: str, now: int, policy: Policy) -> Outcome:
    failures = delays.count_failure(store, username, source, now, policy.memory_seconds)
    wait = delay_for(failures, policy)
    if not wait:
        return Outcome(failures, None)
    until = now + wait
    with contextlib.suppress(ConditionFailed):  # a concurrent failure may have set a later instant: keep it
        delays.delay(store, username, source, until)
    return Outcome(failures, until)


def delay_item(store: Store, username: str, source: str) -> dict[str, Any] | None:
    return delays.get_delay(store, username, source)


def clear(store: Store, username: str, source: str) -> None:
    delays.clear(store, username, source)


def clear_all(store: Store, username: str) -> int:
    """Every source's delay of one person (the help desk's unlock); how many were cleared."""
    return delays.clear_all(store, username)
