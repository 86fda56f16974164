"""The audit search and its CSV export (decision 0095): which entries (repository.py has the Queries on the audit
table's indexes) and what of them may be shown.

Personal data: document numbers are masked (`CC-******4050`) except the one searched; e-mail addresses are
never shown.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backoffice import repository
from backoffice.config import BackofficeSettings
from sat_common import clock, keys, listing
from sat_common.audit import DOCUMENT
from sat_common.errors import FieldError, invalid

QUERY_PARAMETERS = frozenset({"nit", "documentNumber", "action", "from", "to", "limit", "pageToken"})
CSV_COLUMNS = ("at", "action", "entity", "actor", "nit", "sourceIp", "userAgent", "details")
CSV_PAGE = 500  # entries per Query while exporting
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas
_DOCUMENT_IN_TEXT = re.compile(r"\b([A-Z]{2})-([0-9A-Za-z]{3,20})\b")
_EMAIL_IN_TEXT = re.compile(r"[^\s@\"'<>]+@[^\s@\"'<>]+\.[^\s@\"'<>]+")
_DOCUMENT_KEYS = ("documento", "document", "username", "cedula")
_EMAIL_KEYS = ("email", "correo")


@dataclass(frozen=True)
class Filters:
    nit: str | None
    document: str | None
    action: str | None
    start: str | None
    end: str | None

    def described(self) -> dict[str, Any]:
        """For the export's own audit entry (named so that the document is masked when shown)."""
        named = {"nit": self.nit, "documentNumber": self.document, "action": self.action}
        return {**{k: v for k, v in named.items() if v}, "from": self.start, "to": self.end}

    def binding(self) -> dict[str, Any]:
        return {"r": "audit", "n": self.nit, "d": self.document, "a": self.action, "f": self.start, "e": self.end}


def filters(nit: str | None, document: str | None, action: str | None, start: str | None, end: str | None) -> Filters:
    if not (nit or document or action):
        raise invalid([FieldError("nit", "audit_filter_required")])
    span = listing.time_range(start, end, clock.now())
    return Filters(nit, document.upper() if document else None, action, span.start, span.end)


# --------------------------------------------------------------------------- personal data
def mask_document(kind: str, number: str, searched: str | None) -> str:
    if searched and number.upper() == searched:
        return f"{kind}-{number}" if kind else number
    shown = number[-4:] if len(number) > 4 else ""
    masked = "*" * (len(number) - len(shown)) + shown
    return f"{kind}-{masked}" if kind else masked


def mask_text(text: str, searched: str | None) -> str:
    text = _EMAIL_IN_TEXT.sub("[correo omitido]", text)
    return _DOCUMENT_IN_TEXT.sub(lambda m: mask_document(m.group(1), m.group(2), searched), text)


def sanitize(value: Any, searched: str | None, key: str = "") -> Any:
    """Details as they may be shown: no e-mail addresses, document numbers masked (the searched one excepted)."""
    lowered = key.lower()
    if isinstance(value, Mapping):
        return {str(k): sanitize(v, searched, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize(item, searched, key) for item in value]
    if isinstance(value, str):
        if any(part in lowered for part in _EMAIL_KEYS):
            return "[correo omitido]"
        if any(part in lowered for part in _DOCUMENT_KEYS) and re.fullmatch(r"[0-9A-Za-z]{3,20}", value):
            return mask_document("", value, searched)
        return mask_text(value, searched)
    return value


def view(item: Mapping[str, Any], searched: str | None) -> dict[str, Any]:
    actor = str(item.get("actor", "-"))
    match = DOCUMENT.match(actor)
    return {
        # entries keep `+00:00`; shown in the one format (sat_common.clock.stamp), in the CSV too
        "at": clock.stamp(clock.parse(str(item.get("at") or str(item["SK"]).split("#", 1)[0]))),
        "action": item["action"],
        "entity": mask_text(str(item["PK"]).removeprefix(repository.AUDIT_PARTITION), searched),
        "actor": mask_document(match.group(1), match.group(2), searched) if match else mask_text(actor, searched),
        "nit": str(item["nitKey"]).removeprefix(keys.audit_nit("")) if item.get("nitKey") else None,
        "sourceIp": item.get("sourceIp"),
        "userAgent": mask_text(str(item["userAgent"]), searched) if item.get("userAgent") else None,
        "details": sanitize(item.get("details") or {}, searched),
    }


# --------------------------------------------------------------------------- search and export
def search(settings: BackofficeSettings, f: Filters, limit: int, token: str | None) -> dict[str, Any]:
    items, next_token = repository.audit_page(settings.audit_table_name, f, limit, token)
    return {"items": [view(item, f.document) for item in items], "nextPageToken": next_token}


def _cell(value: Any) -> str:
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export(settings: BackofficeSettings, f: Filters, token: str | None) -> tuple[str, int, str | None]:
    """(CSV text, rows, token to continue from or None): up to AUDIT_EXPORT_MAX_ROWS rows, page after page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    cap = settings.audit_export_max_rows
    while True:
        want = min(CSV_PAGE, cap - rows)
        items, token = repository.audit_page(settings.audit_table_name, f, want, token)
        for item in items:
            entry = view(item, f.document)
            writer.writerow([_cell(entry[column]) for column in CSV_COLUMNS])
        rows += len(items)
        if token is None or rows >= cap:
            return out.getvalue(), rows, token
