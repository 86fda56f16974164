""" "Trámites y entregas" in "Administración de servicios web externos": the CCF's own trámites, each one's
delivery attempts with "Entregar de nuevo", and the shared service's "Enviar notificación de prueba"
(decisions 0107, 0108; the §6 page family of decision 0085).

The list's filters are a GET form (states and dates, no personal data), so its pages are links; both buttons are
POST forms that answer 303 with a one-time notice (post/redirect/get), so a reload repeats nothing; the API's
refusals (429 with its wait, 409) come back as the page's error summary. Hours are Colombia's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from portal.ccf_common import base, ccf_label, keep_notice, refused, take_notice
from portal.context import Page
from portal.ministry_tramites import NUMERO, OUTCOMES, attempts_and_pulls
from portal.ministry_values import PAGE_TOKEN, colombia_day_bounds, colombia_time, date_errors
from portal.problems import PageError, from_answer
from portal.web import Response
from sat_common.colombian_time import colombian_date

FIELDS = ("state", "from", "to")
STATES = {
    "PENDIENTE": "Pendiente de entrega",
    "NOTIFICADA": "Notificada (la caja acusó recibo)",
    "FALLIDA": "Fallida",
    "APROBADA": "Aprobada",
    "RECHAZADA": "Rechazada",
}
STATE_ITEMS = [{"code": code, "name": name} for code, name in STATES.items()]
REDELIVERABLE = frozenset({"PENDIENTE", "NOTIFICADA", "FALLIDA"})  # the API's rule (decision 0107)
TEST_RESULTS = {
    "ACUSADA": "El servicio acusó recibo",
    "SIN_ACUSE": "El servicio respondió sin acusar recibo",
    "FALLIDA": "La notificación de prueba falló",
}
PAGE_SIZE = 25
REFUSED_IN_PAGE = (409, 429)


def _path(nit: str, numero: str = "") -> str:
    return f"{base(nit)}/tramites" + (f"/{numero}" if numero else "")


# --------------------------------------------------------------------------- the list
def list_page(page: Page, nit: str) -> Response:
    values = {name: page.request.query.get(name, "").strip() for name in FIELDS}
    context: dict[str, Any] = {"title": "Trámites y entregas", "ccf": ccf_label(page, nit), "nit": nit,
                               "values": values, "states": STATE_ITEMS, "items": []}  # fmt: skip
    errors: list[PageError] = []
    if values["state"] and values["state"] not in STATES:
        errors.append(PageError("Seleccione un estado de la lista.", "state"))
    errors += date_errors(values)
    if errors:
        return page.render("ccf_tramites.html", status=400, errors=errors, first_page=True, **context)
    token = page.request.query.get("pagina", "")
    if token and not PAGE_TOKEN.match(token):
        token = ""
    params = {name: value for name, value in colombia_day_bounds(values).items() if value}
    params["limit"] = str(PAGE_SIZE)
    if token:
        params["pageToken"] = token
    answer = page.call("GET", f"/ccfs/{nit}/tramites?{urlencode(params)}", auth=True)
    if answer.status == 422:
        return page.render("ccf_tramites.html", status=400, errors=from_answer(answer, FIELDS), first_page=True,
                           **context)  # fmt: skip
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    filters = {name: value for name, value in values.items() if value}
    following = answer.body.get("nextPageToken")
    items = [
        {
            **item,
            "stateName": STATES.get(str(item.get("state")), str(item.get("state") or "")),
            "outcomeName": OUTCOMES.get(str(item.get("lastOutcome")), "") if item.get("lastOutcome") else "",
            "created": colombia_time(item.get("createdAt")),
            "linked": bool(NUMERO.match(str(item.get("numeroTransaccion") or ""))),
        }
        for item in answer.body.get("items") or []
        if isinstance(item, dict)
    ]
    context.update(
        items=items,
        first_page=not token,
        first_href=_path(nit) + (f"?{urlencode(filters)}" if filters else ""),
        next_href=f"{_path(nit)}?{urlencode({**filters, 'pagina': following})}" if following else None,
    )
    return page.render("ccf_tramites.html", errors=[], **context)


# --------------------------------------------------------------------------- one trámite
def detail_page(
    page: Page, nit: str, numero: str, errors: list[PageError] | None = None, status: int = 200
) -> Response:
    answer = page.call("GET", f"/ccfs/{nit}/tramites/{numero}", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    tramite = answer.body
    deliveries, pulls = attempts_and_pulls(tramite)
    acknowledgement = tramite.get("acknowledgement") if isinstance(tramite.get("acknowledgement"), dict) else None
    return page.render(
        "ccf_tramite.html",
        status=status,
        errors=errors or [],
        title=f"Trámite {numero}",
        ccf=ccf_label(page, nit),
        nit=nit,
        numero=numero,
        tramite=tramite,
        stateName=STATES.get(str(tramite.get("estado")), str(tramite.get("estado") or "")),
        created=colombia_time(tramite.get("fechaCreacion") or tramite.get("createdAt")),
        updated=colombia_time(tramite.get("updatedAt")),
        vigencia=colombian_date(tramite.get("fechaVigencia")),
        deliveries=deliveries,
        pulls=pulls,
        acknowledgement=acknowledgement,
        can_redeliver=tramite.get("estado") in REDELIVERABLE,
        notice=take_notice(page, f"entrega-{numero}") if status == 200 else None,
    )


def redeliver(page: Page, nit: str, numero: str) -> Response:
    """ "Entregar de nuevo": the API's 429 (with its wait) or 409 is the detail's error summary."""
    answer = page.call("POST", f"/ccfs/{nit}/tramites/{numero}/redelivery", auth=True)
    if answer.status in REFUSED_IN_PAGE:
        errors = [PageError(error.message, "entregar") for error in from_answer(answer, ())]
        return detail_page(page, nit, numero, errors, answer.status)
    if not answer.ok:
        return refused(page, nit, answer)
    keep_notice(page, f"entrega-{numero}", {})
    return page.redirect(_path(nit, numero))


# --------------------------------------------------------------------------- the test notification
def send_test(page: Page, nit: str, shared_id: str) -> Response:
    """ "Enviar notificación de prueba": the result is shown once on the service's page."""
    from portal import ccf_sharing

    answer = page.call("POST", f"/ccfs/{nit}/shared-services/{shared_id}/test-notification", auth=True)
    if answer.status in REFUSED_IN_PAGE:
        errors = [PageError(error.message, "enviar-prueba") for error in from_answer(answer, ())]
        return ccf_sharing.edit_page(page, nit, shared_id, None, errors, answer.status)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    result = {key: answer.body.get(key) for key in ("status", "httpStatus", "latencyMs", "detail")}
    keep_notice(page, f"prueba-{shared_id}", result)
    return page.redirect(f"{base(nit)}/compartir/{shared_id}#notificacion-de-prueba")


def test_result(page: Page, shared_id: str) -> dict[str, Any] | None:
    """The last test notification's result for the service's page (shown once)."""
    notice = take_notice(page, f"prueba-{shared_id}")
    if notice is None:
        return None
    return {**notice, "title": TEST_RESULTS.get(str(notice.get("status")), str(notice.get("status") or ""))}
