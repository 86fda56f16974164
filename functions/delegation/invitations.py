"""Delegate invitations go to an e-mail address the legal representative types (manual §5 Paso 3), so they are
bounded per company and Colombian day: a counter item counted in the same transaction that names the delegate
(condition `count < limit`, never read-then-write), kept by TTL until the day after."""

from datetime import datetime, timedelta
from math import ceil

from delegation.config import Deps
from sat_common import clock
from sat_common.colombian_time import COLOMBIA
from sat_common.errors import DomainError


def _today() -> tuple[str, datetime]:
    """The Colombian day (key part) and the moment the next one starts."""
    start = clock.now().astimezone(COLOMBIA).replace(hour=0, minute=0, second=0, microsecond=0)
    return start.date().isoformat(), start + timedelta(days=1)


def one_more(deps: Deps) -> tuple[str, int, int]:
    """(day, TTL, limit) of one more invitation today, counted in the transaction that names the delegate
    (repository.name_delegate), which fails once the day's limit is reached."""
    day, next_day = _today()
    return day, clock.epoch(next_day + timedelta(days=1)), deps.settings.delegate_invitations_per_day


def limit_reached(deps: Deps, nit: str) -> DomainError | None:
    """After a failed transaction: 429 with Retry-After (until the next Colombian day) when the day's
    invitations of `nit` are used up; None when the transaction failed for another reason."""
    day, next_day = _today()
    limit = deps.settings.delegate_invitations_per_day
    if deps.repository.invitations(nit, day) < limit:
        return None
    seconds = max(1, ceil((next_day - clock.now()).total_seconds()))
    return DomainError(
        code="DELEGATE_INVITATIONS_LIMITED",
        status=429,
        params={"limit": limit},
        headers={"Retry-After": str(seconds)},
    )
