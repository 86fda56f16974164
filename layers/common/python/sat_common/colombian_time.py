"""Instants as people read them: Colombian time, in their words (the API and the tables keep RFC 3339 UTC `Z`,
sat_common.clock.stamp). Every page and e-mail formats times here, so people read one form everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# Colombia keeps UTC-5 all year (no daylight saving time).
COLOMBIA = timezone(timedelta(hours=-5), "COT")
# Month abbreviations spelled here, not by strftime("%b"), which follows the process's locale.
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def instant(value: object) -> datetime | None:
    """An RFC 3339 / ISO 8601 string (naive means UTC), a datetime or epoch seconds; None if it is none of those."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(COLOMBIA)


def colombian_time(value: object, lang: str = "es") -> str:
    """`21/11/2026 10:00 a. m. (hora de Colombia)` in Spanish, `21 Nov 2026 10:00 (Colombia time)` in English.
    A value that is not an instant is returned as text, unchanged."""
    moment = instant(value)
    if moment is None:
        return str(value)
    if lang == "en":
        return f"{moment.day:02d} {_MONTHS_EN[moment.month - 1]} {moment.year} {moment:%H:%M} (Colombia time)"
    return f"{_date_es(moment)} {_clock_es(moment)} (hora de Colombia)"


def colombian_datetime(value: object, *, seconds: bool = False) -> str:
    """`21/11/2026 10:00 a. m.`: where the label already says "hora de Colombia" (a column header). Seconds for
    lists of events that can be seconds apart (audit, delivery attempts). Empty for no value; a value that is not
    an instant as text, unchanged."""
    if value is None or value == "":
        return ""
    moment = instant(value)
    return str(value) if moment is None else f"{_date_es(moment)} {_clock_es(moment, seconds)}"


def colombian_clock(value: object, *, seconds: bool = False) -> str:
    """The time of day only, `10:00 a. m.` (`10:00:05 a. m.`), for a moment within the day ("vence a las …")."""
    if value is None or value == "":
        return ""
    moment = instant(value)
    return str(value) if moment is None else _clock_es(moment, seconds)


def colombian_date(value: object) -> str:
    """`21/11/2026`. A calendar date (`date`, `2026-11-21`) is shown as it is, never shifted; an instant as its
    day in Colombia."""
    if value is None or value == "":
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str) and len(value) == 10:
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    moment = instant(value)
    return str(value) if moment is None else _date_es(moment)


def _date_es(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y}"


def _clock_es(moment: datetime, seconds: bool = False) -> str:
    """Twelve-hour clock as written in Colombia ("a. m." / "p. m.")."""
    hour = moment.hour % 12 or 12
    suffix = "a. m." if moment.hour < 12 else "p. m."
    return f"{hour}:{moment:%M:%S} {suffix}" if seconds else f"{hour}:{moment:%M} {suffix}"
