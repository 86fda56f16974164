"""What the back-office pages of trámites, audit, operators and help desk share: the filters' checks made before
any API call (the API checks them again, decision 0094), times shown in Colombia's time, and the one-time notices
kept in the session after a change (post/redirect/get, never personal data)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from portal.context import Page
from portal.problems import PageError
from sat_common.colombian_time import COLOMBIA, colombian_datetime

NIT = re.compile(r"^[0-9]{9}$")
PAGE_TOKEN = re.compile(r"^[A-Za-z0-9_=-]{1,2048}$")  # the API's nextPageToken: base64url
MAX_RANGE_DAYS = 366  # the lists' `to - from` bound (docs/backoffice.md)
NOTICE = "ministerio_aviso"  # session.data key of the one-time notice of these pages


def colombia_time(value: Any, *, seconds: bool = False) -> str:
    """An instant as people read it, `21/11/2026 10:00 a. m.`: the pages' labels say "(hora de Colombia)".
    `seconds` for lists of events that can be seconds apart (audit, delivery attempts)."""
    return colombian_datetime(value or None, seconds=seconds)


def date_errors(values: dict[str, str], start: str = "from", end: str = "to") -> list[PageError]:
    """Dates as the form's date fields send them (AAAA-MM-DD), in order and at most a year apart."""
    errors: list[PageError] = []
    parsed: dict[str, date] = {}
    for name, label in ((start, "Desde"), (end, "Hasta")):
        if values.get(name):
            try:
                parsed[name] = date.fromisoformat(values[name])
            except ValueError:
                errors.append(PageError(f"Escriba la fecha “{label}” como AAAA-MM-DD, por ejemplo 2026-12-01.", name))
    if start in parsed and end in parsed:
        if parsed[start] > parsed[end]:
            errors.append(PageError("La fecha “Desde” debe ser anterior o igual a la fecha “Hasta”.", start))
        elif (parsed[end] - parsed[start]).days > MAX_RANGE_DAYS - 1:
            errors.append(PageError("El rango de fechas no puede ser mayor a un año.", start))
    return errors


def colombia_day_bounds(values: dict[str, str], start: str = "from", end: str = "to") -> dict[str, str]:
    """The form's dates as instants of Colombia's day (the operator's "Desde"/"Hasta"), for the API, which reads
    a bare date as a UTC day; the other values unchanged. Call it after `date_errors` found nothing."""
    out = dict(values)
    if values.get(start):
        out[start] = datetime.combine(date.fromisoformat(values[start]), time.min, COLOMBIA).isoformat()
    if values.get(end):
        last = datetime.combine(date.fromisoformat(values[end]), time.max, COLOMBIA)
        out[end] = last.isoformat(timespec="milliseconds")
    return out


def pop_notice(page: Page, kind_prefix: str) -> dict[str, Any] | None:
    """The notice left by the last change of this page family, shown once."""
    if page.session is None:
        return None
    notice = page.session.data.get(NOTICE)
    if not isinstance(notice, dict) or not str(notice.get("kind", "")).startswith(kind_prefix):
        return None
    page.session.data.pop(NOTICE, None)
    page.deps.store.save(page.session)
    return notice


def keep_notice(page: Page, notice: dict[str, Any]) -> None:
    assert page.session is not None
    page.session.data[NOTICE] = notice
    page.deps.store.save(page.session)
