"""/ministerio/auditoria: the audit search and its CSV export (docs/backoffice.md "Audit", decision 0097).

The filters can name a person (a document number), so the search is a POST form: the filters travel in the
body, never in the URL, the browser's history or the portal's access log, and the results are the POST's own
answer (a search changes nothing: sending it again is harmless). "Página siguiente" and "Descargar CSV" are POST
forms carrying the same filters (and the API's page token, which can hold a document too) as hidden fields.
The CSV is fetched from the API with `Accept: text/csv` and sent on as a download."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from portal import ministry_common
from portal.context import Page
from portal.ministry_values import NIT, PAGE_TOKEN, colombia_day_bounds, colombia_time, date_errors
from portal.problems import PageError, from_answer
from portal.web import PAGE_HEADERS, Response

TITLE = "Auditoría"
FIELDS = ("nit", "documentNumber", "action", "from", "to")
DOCUMENT = re.compile(r"^[A-Za-z0-9]{3,20}$")
ACTION = re.compile(r"^[A-Z][A-Z0-9_]{2,63}$")
PAGE_SIZE = 50
CSV_TYPE = "text/csv"
# Actions an operator looks for most often, offered as suggestions (any other action can be typed).
KNOWN_ACTIONS = {
    "TRAMITE_FILED": "Trámite radicado",
    "TRAMITE_REDRIVEN": "Trámite reintentado",
    "TRAMITES_BULK_REDRIVEN": "Trámites fallidos de una CCF reintentados",
    "RUT_VIEWED": "RUT consultado",
    "RUT_REVIEWED": "RUT revisado",
    "CCF_ACTIVATED": "Rol CCF activado",
    "CCF_SUSPENDED": "CCF suspendida",
    "CCF_REACTIVATED": "CCF reactivada",
    "OPERATOR_INVITED": "Operador invitado",
    "OPERATOR_UPDATED": "Operador modificado",
    "PERSON_UNLOCKED": "Persona desbloqueada",
    "NOTIFICATION_ENDPOINT_DISABLED": "Servicio de notificación de una CCF deshabilitado",
    "NOTIFICATION_ENDPOINT_ENABLED": "Servicio de notificación de una CCF habilitado de nuevo",
    "SHARED_SERVICE_KEY_ADDED": "Llave pública de una CCF registrada",
    "SHARED_SERVICE_KEY_REMOVED": "Llave pública de una CCF quitada",
}


def show(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    return _render(page, dict.fromkeys(FIELDS, ""), [], 200)


def form_values(form: dict[str, str]) -> dict[str, str]:
    values = {name: form.get(name, "").strip() for name in FIELDS}
    values["action"] = values["action"].upper().replace(" ", "_")
    return values


def filter_errors(values: dict[str, str]) -> list[PageError]:
    errors: list[PageError] = []
    if values["nit"] and not NIT.match(values["nit"]):
        errors.append(PageError("Escriba el NIT: 9 dígitos, sin el dígito de verificación.", "nit"))
    if values["documentNumber"] and not DOCUMENT.match(values["documentNumber"]):
        errors.append(PageError("Escriba el número de documento: de 3 a 20 letras o dígitos.", "documentNumber"))
    if values["action"] and not ACTION.match(values["action"]):
        errors.append(PageError("Escriba la acción en mayúsculas, por ejemplo TRAMITE_REDRIVEN.", "action"))
    if not (values["nit"] or values["documentNumber"] or values["action"]) and not errors:
        errors.append(PageError("Escriba el NIT, el número de documento o la acción que busca.", "nit"))
    return errors + date_errors(values)


def api_path(values: dict[str, str], page_token: str | None = None, limit: int | None = PAGE_SIZE) -> str:
    params = {name: value for name, value in colombia_day_bounds(values).items() if value}
    if limit:
        params["limit"] = str(limit)
    if page_token:
        params["pageToken"] = page_token
    return f"/admin/audit?{urlencode(params)}"


def entry_row(entry: dict[str, Any]) -> dict[str, Any]:
    raw = entry.get("details")
    details: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return {
        **entry,
        "when": colombia_time(entry.get("at"), seconds=True),
        "actionName": KNOWN_ACTIONS.get(str(entry.get("action")), ""),
        "detailText": "; ".join(f"{key}: {value}" for key, value in sorted(details.items())),
    }


def search(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    values = form_values(form)
    if errors := filter_errors(values):
        return _render(page, values, errors, 400)
    page_token = form.get("pagina", "")
    if page_token and not PAGE_TOKEN.match(page_token):
        page_token = ""
    answer = page.call("GET", api_path(values, page_token), auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not isinstance(answer.body, dict):
        return _render(page, values, from_answer(answer, FIELDS), max(answer.status, 400))
    items = [entry_row(i) for i in answer.body.get("items") or [] if isinstance(i, dict)]
    return _render(
        page,
        values,
        [],
        200,
        searched=True,
        items=items,
        first_page=not page_token,
        next_token=answer.body.get("nextPageToken"),
    )


def export_csv(page: Page) -> Response:
    """ "Descargar CSV": the API's file (up to 5,000 rows) as a download; nothing about the search in the URL."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    values = form_values(form)
    if errors := filter_errors(values):
        return _render(page, values, errors, 400)
    token = page.session.secrets.get("id_token") if page.session else None
    answer = page.deps.api.call(
        "GET", api_path(values, limit=None), page.client, token=token, accept=f"{CSV_TYPE}, application/problem+json"
    )
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not answer.headers.get("content-type", "").startswith(CSV_TYPE):
        return _render(page, values, from_answer(answer, FIELDS), max(answer.status, 400) if not answer.ok else 502)
    return page.finish(csv_download(answer.raw))


def csv_download(content: bytes, now: datetime | None = None) -> Response:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    headers = {name: value for name, value in PAGE_HEADERS.items() if name != "Content-Type"}
    headers["Content-Type"] = f"{CSV_TYPE}; charset=utf-8"
    headers["Content-Disposition"] = f'attachment; filename="auditoria-{stamp}.csv"'
    return Response(status=200, body=content, headers=headers)


def _render(page: Page, values: dict[str, str], errors: list[PageError], status: int, **context: Any) -> Response:
    return page.render(
        "ministry_audit.html",
        status=status,
        errors=errors,
        title=TITLE,
        values=values,
        actions=KNOWN_ACTIONS,
        searched=context.pop("searched", False),
        **context,
    )
