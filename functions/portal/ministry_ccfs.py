"""/ministerio/ccfs: the Cajas de Compensación Familiar as the Ministry keeps them (product.md "Ministerio": activate
a company's CCF role, assign services to it; docs/backoffice.md "CCFs": suspension and reactivation).

The list shows each CCF's state, its assigned services, its notification service's health and its last delivery.
"Activar rol CCF" takes a company's NIT. A CCF's page assigns and revokes the catalog's services (revoking deletes
the service's Client ID, so it asks first) and suspends or reactivates it with a required reason, behind a
confirmation page. Every change is a POST answered 303 with a one-time notice; a second submit is the API's 409
(or 404 for a revocation already done), shown in the error summary (decision 0096)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from portal import ministry_common
from portal.context import Page
from portal.ministry_values import NIT, colombia_time, keep_notice, pop_notice
from portal.problems import PageError, from_answer
from portal.web import Response
from sat_common.operator_groups import CATALOG

BASE = "/ministerio/ccfs"
TITLE = "Cajas (CCF)"
PAGE_SIZE = 50
FIND_PAGES = 5  # a CCF's page looks for it in at most 5 list pages of 100 (Colombia has fewer than 50 cajas)
TRAIL = "ministerio_ccfs_paginas"
REASON_MIN, REASON_MAX = 3, 500
SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")  # the catalog's serviceId pattern
REVOCATION = re.compile(r"/ministerio/ccfs/[0-9]{9}/servicios/[a-z0-9][a-z0-9-]{1,39}/revocar")  # handler.py
_PATH = re.compile(r"^/ministerio/ccfs/([0-9]{9})(?:/estado|/servicios(?:/([a-z0-9][a-z0-9-]{1,39})/revocar)?)?$")

STATES = {"ACTIVE": "Activa", "SUSPENDED": "Suspendida"}
CONNECTIONS = {"AUTHORIZED": "Conexión probada", "FAILED": "La prueba de conexión falló", None: "Conexión sin probar"}
SHARED_STATES = {"ACTIVE": "completo", "INCOMPLETE": "incompleto"}
OUTCOMES = {
    "ACUSADA": "Acusada por la CCF",
    "REINTENTO": "Falló; se reintentará",
    "FALLIDA": "Fallida",
    "OMITIDA": "Omitida (ya atendida)",
    "TOKEN_RENOVADO": "Token renovado",
}
ACTIONS = {
    "SUSPENDED": {"verb": "Suspender", "title": "Suspender la CCF", "notice": "ccf-suspendida"},
    "ACTIVE": {"verb": "Reactivar", "title": "Reactivar la CCF", "notice": "ccf-reactivada"},
}


def _path_values(page: Page) -> tuple[str, str]:
    found = _PATH.match(page.request.path.rstrip("/"))
    assert found is not None  # the route's pattern matched it
    return found.group(1), found.group(2) or ""


# --- the list ------------------------------------------------------------------------------------------------
def summary(item: dict[str, Any]) -> dict[str, Any]:
    """One CCF as the list and its page show it: every state in words."""
    shared: dict[str, Any] = item["sharedServices"] if isinstance(item.get("sharedServices"), dict) else {}
    notification = shared.get("notification") if isinstance(shared.get("notification"), dict) else None
    delivery = item.get("lastDelivery") if isinstance(item.get("lastDelivery"), dict) else None
    nit = str(item.get("nit") or "")
    if notification:
        state = SHARED_STATES.get(str(notification.get("status")), str(notification.get("status") or "").lower())
        health = f"{notification.get('name') or 'Notificaciones'}: {state}; " + CONNECTIONS.get(
            notification.get("connection"), CONNECTIONS[None]
        )
    else:
        health = "Sin servicio de notificación de trámites"
    return {
        "nit": nit,
        "linked": bool(NIT.match(nit)),
        "businessName": str(item.get("businessName") or ""),
        "status": str(item.get("status") or ""),
        "stateName": STATES.get(str(item.get("status")), str(item.get("status") or "")),
        "stateReason": str(item.get("stateReason") or ""),
        "stateSince": colombia_time(item.get("stateSince")),
        "activated": colombia_time(item.get("activatedAt")),
        "servicesAssigned": item.get("servicesAssigned"),
        "sharedTotal": shared.get("total"),
        "health": health,
        "lastDelivery": (
            f"{OUTCOMES.get(str(delivery.get('outcome')), str(delivery.get('outcome') or ''))}, "
            f"{colombia_time(delivery.get('at'))}"
            if delivery
            else "Ninguna"
        ),
    }


def _list_context(page: Page, values: dict[str, str] | None = None) -> dict[str, Any] | Response:
    token, previous = ministry_common.page_trail(page, TRAIL, BASE)
    query = {"limit": str(PAGE_SIZE), **({"nextToken": token} if token else {})}
    answer = page.call("GET", f"/admin/ccfs?{urlencode(query)}", auth=True)
    if answer.status == 422 and token:
        return page.redirect(BASE)
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    return {
        "title": TITLE,
        "items": [summary(i) for i in answer.body.get("items") or [] if isinstance(i, dict)],
        "previous_href": previous,
        "next_href": ministry_common.next_href(BASE, answer.body.get("nextToken")),
        "values": values or {},
    }


def show_list(page: Page, errors: list[PageError] | None = None, status: int = 200, nit: str = "") -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    context = _list_context(page, {"nit": nit})
    if isinstance(context, Response):
        return context
    return page.render(
        "ministry_ccfs.html",
        status=status,
        errors=errors or [],
        notice=pop_notice(page, "ccfs-"),
        manages=ministry_common.acts(page, CATALOG),
        **context,
    )


def submit_activation(page: Page) -> Response:
    """ "Activar rol CCF" of a company (POST /admin/ccfs); its page follows."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit = form.get("nit", "").strip()
    if not NIT.match(nit):
        return show_list(
            page,
            [PageError("Escriba el NIT de la empresa: 9 dígitos, sin el dígito de verificación.", "nit")],
            400,
            nit,
        )
    answer = page.call("POST", "/admin/ccfs", {"nit": nit}, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        return show_list(page, from_answer(answer, ("nit",)), max(answer.status, 400), nit)
    keep_notice(page, {"kind": "ccf-activada"})
    return page.redirect(f"{BASE}/{nit}")


# --- one CCF -------------------------------------------------------------------------------------------------
def _find(page: Page, nit: str) -> dict[str, Any] | Response | None:
    """The CCF's item from the list (ordered by NIT; there is no route for one CCF)."""
    token = ""
    for _ in range(FIND_PAGES):
        query = {"limit": "100", **({"nextToken": token} if token else {})}
        answer = page.call("GET", f"/admin/ccfs?{urlencode(query)}", auth=True)
        if not answer.ok or not isinstance(answer.body, dict):
            return ministry_common.refused(page, answer)
        for item in answer.body.get("items") or []:
            if isinstance(item, dict) and item.get("nit") == nit:
                return item
        token = str(answer.body.get("nextToken") or "")
        if not token:
            return None
    return None


def _not_found(page: Page) -> Response:
    return page.message(
        404,
        "CCF no encontrada",
        ["No hay una CCF activada con ese NIT. Active primero el rol CCF de la empresa."],
        {"href": BASE, "text": "Volver a Cajas (CCF)"},
    )


def _ccf_or_refusal(page: Page, nit: str) -> dict[str, Any] | Response:
    found = _find(page, nit)
    if found is None:
        return _not_found(page)
    return found


def show_ccf(page: Page, errors: list[PageError] | None = None, status: int = 200) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit, _ = _path_values(page)
    found = _ccf_or_refusal(page, nit)
    if isinstance(found, Response):
        return found
    ccf = summary(found)
    services_answer = page.call("GET", "/admin/services", auth=True)
    if not services_answer.ok or not isinstance(services_answer.body, dict):
        return ministry_common.refused(page, services_answer)
    services = [
        {
            "serviceId": str(s.get("serviceId")),
            "name": str(s.get("name") or s.get("code") or ""),
            "code": str(s.get("code") or ""),
            "active": s.get("state") == "ACTIVE",
        }
        for s in services_answer.body.get("items") or []
        if isinstance(s, dict) and SERVICE_ID.match(str(s.get("serviceId") or ""))
    ]
    return page.render(
        "ministry_ccf.html",
        status=status,
        errors=errors or [],
        title=ccf["businessName"] or f"CCF {nit}",
        nit=nit,
        ccf=ccf,
        services=services,
        action=ACTIONS["ACTIVE" if ccf["status"] == "SUSPENDED" else "SUSPENDED"],
        manages=ministry_common.acts(page, CATALOG),
        notice=pop_notice(page, "ccf-"),
    )


def submit_assignment(page: Page) -> Response:
    """ "Asignar" a catalog service: the API creates the service's Client ID for this CCF (201)."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit, _ = _path_values(page)
    service_id = form.get("serviceId", "")
    if not SERVICE_ID.match(service_id):
        return show_ccf(page, [PageError("Seleccione el servicio que va a asignar.", "serviceId")], 400)
    answer = page.call("POST", f"/admin/ccfs/{nit}/services", {"serviceId": service_id}, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not isinstance(answer.body, dict):
        return show_ccf(page, from_answer(answer, ("serviceId",)), max(answer.status, 400))
    keep_notice(
        page, {"kind": "ccf-asignado", "serviceId": service_id, "clientId": str(answer.body.get("clientId") or "")}
    )
    return page.redirect(f"{BASE}/{nit}")


def _confirmation(
    page: Page, nit: str, context: dict[str, Any], errors: list[PageError] | None = None, status: int = 200
) -> Response:
    return page.render(
        "ministry_ccf_confirm.html",
        status=status,
        errors=errors or [],
        nit=nit,
        breadcrumbs=[
            {"href": "/ministerio", "text": "Ministerio"},
            {"href": BASE, "text": TITLE},
            {"href": f"{BASE}/{nit}", "text": context.get("ccfName") or f"CCF {nit}"},
            {"href": "", "text": context["title"]},
        ],
        **context,
    )


def show_revocation(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit, service_id = _path_values(page)
    return _confirmation(page, nit, _revocation_context(nit, service_id))


def _revocation_context(nit: str, service_id: str) -> dict[str, Any]:
    return {
        "title": "Revocar el servicio",
        "ccfName": f"CCF {nit}",
        "paragraphs": [
            f"Va a revocar el servicio {service_id} a la CCF con NIT {nit}.",
            "Su Client ID deja de funcionar de inmediato: los sistemas de la CCF ya no obtendrán tokens para él.",
        ],
        "action_href": f"{BASE}/{nit}/servicios/{service_id}/revocar",
        "button": "Revocar",
        "reason": False,
    }


def submit_revocation(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit, service_id = _path_values(page)
    answer = page.call("DELETE", f"/admin/ccfs/{nit}/services/{service_id}", auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        context = _revocation_context(nit, service_id)
        return _confirmation(page, nit, context, from_answer(answer, ("confirmar",)), max(answer.status, 400))
    keep_notice(page, {"kind": "ccf-revocado", "serviceId": service_id})
    return page.redirect(f"{BASE}/{nit}")


def _state_context(nit: str, ccf: dict[str, Any], reason: str = "") -> dict[str, Any]:
    target = "ACTIVE" if ccf.get("status") == "SUSPENDED" else "SUSPENDED"
    action = ACTIONS[target]
    name = str(ccf.get("businessName") or f"CCF {nit}")
    if target == "SUSPENDED":
        paragraphs = [
            f"Va a suspender a {name} (NIT {nit}).",
            "Mientras esté suspendida, sus Client ID no obtienen tokens, sus autorizados no pueden usar la "
            "Administración de servicios web externos y no se le radican trámites nuevos. Nada se borra.",
        ]
    else:
        paragraphs = [
            f"Va a reactivar a {name} (NIT {nit}).",
            "Sus Client ID y su contraseña vuelven a funcionar como antes de la suspensión.",
        ]
    return {
        "title": action["title"],
        "ccfName": name,
        "paragraphs": paragraphs,
        "action_href": f"{BASE}/{nit}/estado",
        "button": f"Confirmar: {action['verb'].lower()}",
        "reason": True,
        "state": target,
        "values": {"reason": reason},
    }


def show_state(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit, _ = _path_values(page)
    found = _ccf_or_refusal(page, nit)
    if isinstance(found, Response):
        return found
    return _confirmation(page, nit, _state_context(nit, found))


def submit_state(page: Page) -> Response:
    """Suspend or reactivate (PATCH /admin/ccfs/{nit}) with the reason; the state asked for travels in the form,
    so a second submit is the API's 409 CCF_STATE_UNCHANGED, never the opposite change."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit, _ = _path_values(page)
    state = form.get("state", "")
    reason = form.get("reason", "").strip()
    if state not in ACTIONS:
        return page.redirect(f"{BASE}/{nit}")
    current = {"status": "ACTIVE" if state == "SUSPENDED" else "SUSPENDED", "businessName": form.get("ccfName", "")}
    context = _state_context(nit, current, reason)
    if len(reason) < REASON_MIN or len(reason) > REASON_MAX:
        error = PageError("Escriba el motivo (entre 3 y 500 caracteres): queda en la auditoría.", "reason")
        return _confirmation(page, nit, context, [error], 400)
    answer = page.call("PATCH", f"/admin/ccfs/{nit}", {"state": state, "reason": reason}, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        return _confirmation(page, nit, context, from_answer(answer, ("reason",)), max(answer.status, 400))
    keep_notice(page, {"kind": ACTIONS[state]["notice"]})
    return page.redirect(f"{BASE}/{nit}")
