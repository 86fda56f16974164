"""/ministerio/tramites: the Ministry's trámites (product.md §5, the exchange; docs/backoffice.md "Trámites").

The list with its filters is a GET form (no personal data: states, a CCF's NIT, dates), so a search can be
bookmarked and the pages followed with links. The detail shows every delivery attempt, the CCF's pulls and its
answer; "Reintentar" (one FALLIDA trámite) and "Reintentar fallidos de la CCF" (the bulk redrive, bounded per
call by the API) are POST forms that answer 303 with a one-time notice, so a reload repeats nothing; a second
submit is the API's 409 (one) or a count of 0 (bulk), never a second redrive (decision 0094)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from portal import ministry_common
from portal.context import Page
from portal.ministry_values import (
    NIT,
    PAGE_TOKEN,
    colombia_day_bounds,
    colombia_time,
    date_errors,
    keep_notice,
    pop_notice,
)
from portal.problems import PageError, from_answer
from portal.web import Response
from sat_common.colombian_time import colombian_date
from sat_common.operator_groups import ADMINISTRATOR, EXCHANGE

TITLE = "Trámites"
BASE = "/ministerio/tramites"
FIELDS = ("state", "ccfNit", "type", "from", "to")
STATES = {
    "PENDIENTE": "Pendiente",
    "NOTIFICADA": "Notificada",
    "FALLIDA": "Fallida",
    "APROBADA": "Aprobada",
    "RECHAZADA": "Rechazada",
    "RECIBIDA": "Recibida (traslado)",
}
TYPES = {"TRAMITE": "Trámite de afiliación", "TRASLADO": "Traslado de caja"}
OUTCOMES = {
    "ACUSADA": "Acusada por la CCF",
    "REINTENTO": "Falló; se reintentará",
    "FALLIDA": "Fallida",
    "OMITIDA": "Omitida (ya atendida)",
    "TOKEN_RENOVADO": "Token renovado",
    # A redelivery the CCF asked for (decision 0107): sent once, not counted as an attempt.
    "REENVIO_ACUSADA": "Entregada de nuevo: la CCF acusó recibo",
    "REENVIO_REINTENTO": "Entregada de nuevo: falló",
    "REENVIO_FALLIDA": "Entregada de nuevo: falló",
}
# The delivery's reason codes (functions/notifications/delivery.py, sat_common.endpoint_health) in words.
REASONS = {
    "SIN_SERVICIO_NOTIFICACION": "la CCF no tiene un servicio compartido de notificaciones",
    "SERVICIO_NOTIFICACION_INACTIVO": "el servicio de notificaciones de la CCF no está activo",
    "FALLA_PROLONGADA": "el servicio de la CCF falló por mucho tiempo y quedó deshabilitado",
    "REDIRECCION_NO_SEGUIDA": "la CCF respondió con una redirección, que no se sigue",
    "HTTP_401": "la CCF no aceptó el token",
    "HTTP_429": "la CCF pidió esperar",
}
PULL_OUTCOMES = {"ENTREGADA": "Entregada (cifrada)", "SIN_LLAVE": "Sin llave activa de la CCF"}
ANSWER_RESULTS = {1: "Aprobado", 2: "No aprobado"}
STATE_ITEMS = [{"code": code, "name": name} for code, name in STATES.items()]
TYPE_ITEMS = [{"code": code, "name": name} for code, name in TYPES.items()]
PAGE_SIZE = 25
REDRIVE_GROUPS = frozenset({ADMINISTRATOR, EXCHANGE})  # infra/api_routes.py: the redrive routes' `admits`
NUMERO = re.compile(r"^[0-9]{1,20}$")  # the API's numeroTransaccion pattern
_NUMERO_IN_PATH = re.compile(r"^/ministerio/tramites/([0-9]{1,20})(?:/reintentar)?$")


def reason_words(code: Any) -> str:
    """A delivery's reason as the operator reads it: the code (what the CCF's team will search for) and words."""
    if not code:
        return ""
    text = str(code)
    if text in REASONS:
        return f"{text}: {REASONS[text]}"
    if re.fullmatch(r"HTTP_[0-9]{3}", text):
        return f"{text}: la CCF respondió con el estado HTTP {text[5:]}"
    return text


def may_redrive(page: Page) -> bool:
    """Whether to offer the redrive buttons: the groups the API admits there (it still decides, live)."""
    return bool(ministry_common.operator_groups(page) & REDRIVE_GROUPS)


def _numero(page: Page) -> str:
    found = _NUMERO_IN_PATH.match(page.request.path.rstrip("/"))
    assert found is not None  # the route's pattern matched it
    return found.group(1)


# --- the list ------------------------------------------------------------------------------------------------
def filter_values(query: dict[str, str]) -> dict[str, str]:
    return {name: query.get(name, "").strip() for name in FIELDS}


def filter_errors(values: dict[str, str]) -> list[PageError]:
    """The checks a person can act on before the API is asked (the API checks everything again)."""
    errors: list[PageError] = []
    if values["state"] and values["state"] not in STATES:
        errors.append(PageError("Seleccione un estado de la lista.", "state"))
    if values["ccfNit"] and not NIT.match(values["ccfNit"]):
        errors.append(PageError("Escriba el NIT de la CCF: 9 dígitos, sin el dígito de verificación.", "ccfNit"))
    if values["type"] and values["type"] not in TYPES:
        errors.append(PageError("Seleccione un tipo de la lista.", "type"))
    if not values["state"] and not values["ccfNit"] and not errors:
        errors.append(PageError("Seleccione un estado o escriba el NIT de la CCF.", "state"))
    return errors + date_errors(values)


def api_query(values: dict[str, str], page_token: str | None = None) -> str:
    params = {name: value for name, value in colombia_day_bounds(values).items() if value}
    params["limit"] = str(PAGE_SIZE)
    if page_token:
        params["pageToken"] = page_token
    return urlencode(params)


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **item,
        "stateName": STATES.get(str(item.get("state")), str(item.get("state") or "")),
        "typeName": TYPES.get(str(item.get("type")), str(item.get("type") or "")),
        "outcomeName": OUTCOMES.get(str(item.get("lastOutcome")), "") if item.get("lastOutcome") else "",
        "created": colombia_time(item.get("createdAt")),
        "updated": colombia_time(item.get("updatedAt")),
        "linked": item.get("type") == "TRAMITE" and bool(NUMERO.match(str(item.get("numeroTransaccion") or ""))),
    }


def show_list(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    values = filter_values(page.request.query)
    notice = pop_notice(page, "tramites")
    searched = any(values.values())
    context: dict[str, Any] = {
        "title": TITLE,
        "values": values,
        "states": STATE_ITEMS,
        "types": TYPE_ITEMS,
        "notice": notice,
    }
    if not searched:
        return _render_list(page, context, [], 200)
    if errors := filter_errors(values):
        return _render_list(page, context, errors, 400)
    page_token = page.request.query.get("pagina", "")
    if page_token and not PAGE_TOKEN.match(page_token):
        page_token = ""
    answer = page.call("GET", f"/admin/tramites?{api_query(values, page_token)}", auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not isinstance(answer.body, dict):
        return _render_list(page, context, from_answer(answer, FIELDS), max(answer.status, 400))
    following = answer.body.get("nextPageToken")
    filters = {name: value for name, value in values.items() if value}
    context.update(
        searched=True,
        items=[_summary(i) for i in answer.body.get("items") or [] if isinstance(i, dict)],
        first_page=not page_token,
        first_href=f"{BASE}?{urlencode(filters)}",
        next_href=f"{BASE}?{urlencode({**filters, 'pagina': following})}" if following else None,
        bulk_nit=values["ccfNit"] if values["state"] in ("", "FALLIDA") and may_redrive(page) else "",
    )
    return _render_list(page, context, [], 200)


def _render_list(page: Page, context: dict[str, Any], errors: list[PageError], status: int) -> Response:
    return page.render("ministry_tramites.html", status=status, errors=errors, **context)


def redrive_failed(page: Page) -> Response:
    """ "Reintentar fallidos de la CCF": at most 25 per call (the API's bound); the notice says whether more remain."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit = form.get("ccfNit", "").strip()
    back = f"{BASE}?{urlencode({'state': 'FALLIDA', 'ccfNit': nit})}"
    if not NIT.match(nit):
        return page.redirect(BASE)
    answer = page.call("POST", "/admin/tramites/redrive", {"ccfNit": nit, "state": "FALLIDA"}, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not isinstance(answer.body, dict):
        values = {**filter_values({}), "state": "FALLIDA", "ccfNit": nit}
        context = {"title": TITLE, "values": values, "states": STATE_ITEMS, "types": TYPE_ITEMS, "notice": None}
        return _render_list(page, context, from_answer(answer, ("ccfNit",)), max(answer.status, 400))
    count = int(answer.body.get("count") or 0)
    keep_notice(page, {"kind": "tramites-masivo", "count": count, "remaining": bool(answer.body.get("remaining"))})
    return page.redirect(back)


# --- one trámite ---------------------------------------------------------------------------------------------
def attempts_and_pulls(tramite: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A trámite's delivery attempts and pulls in Colombian time and words (the Ministry's and the CCF's pages)."""
    deliveries = [
        {
            **d,
            "when": colombia_time(d.get("at"), seconds=True),
            "outcomeName": OUTCOMES.get(str(d.get("outcome")), str(d.get("outcome") or "")),
            "reasonText": reason_words(d.get("reason")),
        }
        for d in tramite.get("deliveries") or []
        if isinstance(d, dict)
    ]
    pulls = [
        {
            **p,
            "when": colombia_time(p.get("at"), seconds=True),
            "outcomeName": PULL_OUTCOMES.get(str(p.get("outcome")), ""),
        }
        for p in tramite.get("pulls") or []
        if isinstance(p, dict)
    ]
    return deliveries, pulls


def detail_context(tramite: dict[str, Any], redrive_allowed: bool = True) -> dict[str, Any]:
    deliveries, pulls = attempts_and_pulls(tramite)
    answer = tramite.get("answer") if isinstance(tramite.get("answer"), dict) else None
    acknowledgement = tramite.get("acknowledgement") if isinstance(tramite.get("acknowledgement"), dict) else None
    return {
        "tramite": tramite,
        "stateName": STATES.get(str(tramite.get("estado")), str(tramite.get("estado") or "")),
        "created": colombia_time(tramite.get("fechaCreacion") or tramite.get("createdAt")),
        "updated": colombia_time(tramite.get("updatedAt")),
        "vigencia": colombian_date(tramite.get("fechaVigencia")),
        "failed": colombia_time(tramite.get("failedAt")),
        "failureText": reason_words(tramite.get("failureReason")),
        "deliveries": deliveries,
        "pulls": pulls,
        "answer": answer,
        "answerResult": ANSWER_RESULTS.get(answer.get("ResultadoTramite"), "") if answer else "",  # type: ignore[arg-type]
        "effective": colombian_date(answer.get("FechaEfectivaAfiliacion")) if answer else "",
        "answered": colombia_time(tramite.get("answeredAt")),
        "acknowledgement": acknowledgement,
        "can_redrive": redrive_allowed and tramite.get("estado") == "FALLIDA",
    }


def show_detail(page: Page, errors: list[PageError] | None = None, status: int = 200) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    numero = _numero(page)
    answer = page.call("GET", f"/admin/tramites/{numero}", auth=True)
    if answer.status == 404:
        return page.message(
            404,
            "Trámite no encontrado",
            ["No existe un trámite con ese número de transacción."],
            {"href": BASE, "text": "Volver a Trámites"},
        )
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    return page.render(
        "ministry_tramite.html",
        status=status,
        errors=errors or [],
        title=f"Trámite {numero}",
        numero=numero,
        notice=pop_notice(page, "tramite-"),
        **detail_context(answer.body, may_redrive(page)),
    )


def redrive(page: Page) -> Response:
    """ "Reintentar" one FALLIDA trámite: back and submit again is the API's 409, shown on the detail."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    numero = _numero(page)
    answer = page.call("POST", f"/admin/tramites/{numero}/redrive", auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        return show_detail(page, from_answer(answer, ("reintentar",)), max(answer.status, 400))
    keep_notice(page, {"kind": "tramite-reintentado", "numero": numero})
    return page.redirect(f"{BASE}/{numero}")
