"""The API's problem+json answers as the error summary of a page: one entry per field, linked to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.api_client import ApiAnswer
from sat_common.colombian_time import colombian_clock

GENERIC = "No fue posible completar la solicitud. Intente de nuevo más tarde."


@dataclass(frozen=True)
class PageError:
    message: str
    field: str | None = None  # the id of the form field the summary links to


def from_answer(answer: ApiAnswer, fields: tuple[str, ...], now: datetime | None = None) -> list[PageError]:
    """Field messages where the API names a field of this form; otherwise its detail, linked to the first field."""
    problem = answer.body if isinstance(answer.body, dict) else {}
    errors: list[PageError] = []
    for item in problem.get("errors") or []:
        if not isinstance(item, dict) or not item.get("message"):
            continue
        name = str(item.get("field") or "").rsplit(".", 1)[-1]
        errors.append(PageError(str(item["message"]), name if name in fields else (fields[0] if fields else None)))
    if errors:
        return errors
    message = str(problem.get("detail") or problem.get("title") or GENERIC)
    if answer.status == 429:
        message = f"{message} {wait_until(answer, now)}".strip()
    return [PageError(message, fields[0] if fields else None)]


def wait_until(answer: ApiAnswer, now: datetime | None = None) -> str:
    """Retry-After as the time of day in Colombia, which is what a person can act on."""
    try:
        seconds = int(answer.headers.get("retry-after", ""))
    except ValueError:
        return ""
    at = (now or datetime.now(UTC)) + timedelta(seconds=seconds)
    # Seconds: the waits are short, and a person retrying a minute early is refused again.
    return f"Podrá intentarlo de nuevo a las {colombian_clock(at, seconds=True)} (hora de Colombia)."


def field_map(errors: list[PageError]) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in errors:
        if error.field and error.field not in out:
            out[error.field] = error.message
    return out
