"""The current time, in one place, so tests can move it (lockouts, token expiry) without sleeping.

Production code calls `now()`; tests call `freeze(...)`, `advance(...)` and `reset()`.
"""

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """Aware UTC datetime: the real clock, or the frozen one a test set."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def epoch(moment: datetime | None = None) -> int:
    """Whole seconds since the epoch (the DynamoDB TTL format)."""
    return int((moment or now()).timestamp())


def freeze(moment: datetime) -> None:
    global _frozen
    _frozen = moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def advance(delta: timedelta) -> None:
    freeze(now() + delta)


def reset() -> None:
    global _frozen
    _frozen = None


def stamp(moment: datetime | None = None) -> str:
    """The one timestamp format of the API and the tables: RFC 3339 in UTC with milliseconds and `Z`
    (`2026-12-01T15:04:05.123Z`). Strings of this format sort in time order."""
    moment = (moment or now()).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: str) -> datetime:
    """Read a stored timestamp: this format, or the older `+00:00` / second-precision ones items written
    before it may still hold. Naive values are UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
