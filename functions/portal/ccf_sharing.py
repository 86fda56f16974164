"""Manual §6 "Compartir servicios web con la Entidad": the service's data (Paso 2) and its "Credenciales OAuth
2.0" (Paso 3), two forms saved separately, and the connection test. Secrets are never shown back: the API only
says whether they are stored (`hasPassword`, `hasClientSecret`), and empty secret fields keep the stored ones.

Each service says what it is for (`purpose`, decision 0106): at most one receives the trámite notifications, and
the list says which one (or warns, in words, that none does). Its public keys have their own page (ccf_keys,
decision 0102), so the edit form no longer replaces them; the new-service form still takes key 1."""

from __future__ import annotations

from typing import Any

from portal import ccf_deliveries, ccf_keys
from portal.api_client import ApiAnswer
from portal.ccf_common import base, ccf_label, keep_notice, refused, take_notice
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

SERVICE_FIELDS = ("name", "description", "url", "operation", "purpose", "publicKey", "exampleBody")
OAUTH_FIELDS = ("tokenName", "tokenUrl", "username", "password", "clientId", "clientSecret", "scope")
SECRET_FIELDS = ("password", "clientSecret")
OPERATIONS = ("POST", "GET", "PUT", "PATCH")
STATUS_NAMES = {
    "INCOMPLETE": "Incompleto: faltan datos del servicio o las credenciales OAuth 2.0",
    "PENDING_VERIFICATION": "Pendiente de la prueba de conexión",
    "ACTIVE": "Activo",
    # the deliveries gave up on the endpoint (410, or failing for days); a successful connection test or an
    # acknowledged test notification enables it (decision 0105)
    "DISABLED": "Deshabilitado: las notificaciones fallaron; envíe una notificación de prueba o pruebe la conexión "
    "para habilitarlo",
}
# decision 0106; the radio buttons' words (manual §6 has no purpose: the Ministry's own wording)
PURPOSES = {
    "NOTIFICACION_TRAMITES": "Recibir las notificaciones de trámites del Ministerio",
    "OTRO": "Otro uso",
}
PURPOSE_NAMES = {"NOTIFICACION_TRAMITES": "Recibe las notificaciones de trámites", "OTRO": "Otro uso"}
NOTIFICATION = "NOTIFICACION_TRAMITES"
NOTIFICATION_TAKEN = (
    "La caja ya tiene un servicio que recibe las notificaciones de trámites (solo puede haber uno). Elija "
    "“Otro uso”, o cambie primero el uso del servicio que hoy las recibe."
)
CONNECTION_NAMES = {"AUTHORIZED": "Conexión exitosa", "FAILED": "La conexión falló"}
REFUSED_IN_FORM = (400, 409, 422, 429)


def _api(nit: str, shared_id: str = "") -> str:
    return f"/ccfs/{nit}/shared-services" + (f"/{shared_id}" if shared_id else "")


def _page_path(nit: str, shared_id: str = "") -> str:
    return f"{base(nit)}/compartir" + (f"/{shared_id}" if shared_id else "")


def _notice(page: Page, text: str | None = None) -> str | None:
    """Keeps `text` for the next service page, or takes the kept one."""
    if text is not None:
        keep_notice(page, "servicio", {"text": text})
        return None
    return str((take_notice(page, "servicio") or {}).get("text") or "") or None


def _service_body(form: dict[str, str], creating: bool) -> dict[str, Any]:
    values = {name: form.get(name, "").strip() for name in SERVICE_FIELDS}
    values["publicKey"] = form.get("publicKey", "").strip().replace("\r\n", "\n")
    values["exampleBody"] = form.get("exampleBody", "").replace("\r\n", "\n").strip()
    body: dict[str, Any] = {name: values[name] for name in ("name", "description", "url") if values[name] or creating}
    if values["operation"]:
        body["operation"] = values["operation"]
    if values["purpose"]:  # not chosen on a new service: the API's default by name (decision 0106)
        body["purpose"] = values["purpose"]
    if values["publicKey"] and creating:  # key 1; later keys and their removal: the keys page (decision 0102)
        body["publicKey"] = values["publicKey"]
    if values["exampleBody"]:
        body["exampleBody"] = values["exampleBody"]
    return body


def _form_errors(answer: ApiAnswer) -> list[PageError]:
    """The API's refusal of a service form; a second notification service is the purpose's error."""
    problem = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 409 and problem.get("code") == "NOTIFICATION_SERVICE_EXISTS":
        return [PageError(NOTIFICATION_TAKEN, "purpose")]
    return from_answer(answer, SERVICE_FIELDS)


# --------------------------------------------------------------------------- list and new service
def list_page(
    page: Page, nit: str, values: dict[str, str] | None = None, errors: list[PageError] | None = None, status: int = 200
) -> Response:
    answer = page.call("GET", _api(nit), auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    services = [
        {
            **item,
            "statusName": STATUS_NAMES.get(str(item.get("status")), str(item.get("status"))),
            "purposeName": PURPOSE_NAMES.get(str(item.get("purpose")), str(item.get("purpose") or "")),
        }
        for item in answer.body.get("items") or []
        if isinstance(item, dict)
    ]
    notifying = next((s for s in services if s.get("purpose") == NOTIFICATION), None)
    return page.render(
        "ccf_share_list.html",
        status=status,
        title="Compartir Servicios Entidad",
        ccf=ccf_label(page, nit),
        nit=nit,
        services=services,
        notifying=notifying,
        operations=OPERATIONS,
        purposes=PURPOSES,
        values=values or {},
        errors=errors or [],
    )


def create(page: Page, nit: str) -> Response:
    form = page.request.form()
    answer = page.call("POST", _api(nit), _service_body(form, creating=True), auth=True)
    if answer.status in REFUSED_IN_FORM:
        # 409: a service with this name exists (a second submit of the same form creates nothing)
        return list_page(page, nit, form, _form_errors(answer), answer.status)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    _notice(page, "Los datos del servicio quedaron guardados. Ahora registre las credenciales OAuth 2.0.")
    return page.redirect(_page_path(nit, str(answer.body.get("sharedServiceId"))))


# --------------------------------------------------------------------------- one shared service
def edit_page(
    page: Page,
    nit: str,
    shared_id: str,
    values: dict[str, str] | None = None,
    errors: list[PageError] | None = None,
    status: int = 200,
) -> Response:
    answer = page.call("GET", _api(nit, shared_id), auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    service = dict(answer.body)
    oauth: dict[str, Any] = service["oauth"] if isinstance(service.get("oauth"), dict) else {}
    stored = {
        name: str(service.get(name) or "")
        for name in ("name", "description", "url", "operation", "purpose", "exampleBody")
    }
    stored.update(
        {name: str(oauth.get(name) or "") for name in ("tokenName", "tokenUrl", "username", "clientId", "scope")}
    )
    shown = {**stored, **{k: v for k, v in (values or {}).items() if k not in SECRET_FIELDS and k != "csrf"}}
    connection = service.get("connection") if isinstance(service.get("connection"), dict) else None
    return page.render(
        "ccf_share_edit.html",
        status=status,
        title=f"Compartir Servicios Entidad: {service.get('name', '')}",
        ccf=ccf_label(page, nit),
        nit=nit,
        shared_id=shared_id,
        service=service,
        status_name=STATUS_NAMES.get(str(service.get("status")), str(service.get("status"))),
        purpose_name=PURPOSE_NAMES.get(str(service.get("purpose")), str(service.get("purpose") or "")),
        purposes=PURPOSES,
        keys=ccf_keys.views(service),
        connection=connection,
        connection_name=CONNECTION_NAMES.get(str((connection or {}).get("status")), ""),
        operations=OPERATIONS,
        values=shown,
        notice=_notice(page) if status == 200 else None,
        test_result=ccf_deliveries.test_result(page, shared_id) if status == 200 else None,  # decision 0108
        errors=errors or [],
    )


def update(page: Page, nit: str, shared_id: str) -> Response:
    form = page.request.form()
    body = _service_body(form, creating=False)
    current = page.call("GET", _api(nit, shared_id), auth=True)
    if not current.ok or not isinstance(current.body, dict):
        return refused(page, nit, current)
    # only what changed: a PATCH of the same URL must not ask for the secrets again (decision 0054)
    body = {k: v for k, v in body.items() if v != current.body.get(k)}
    if not form.get("exampleBody", "").strip() and current.body.get("exampleBody"):
        body["exampleBody"] = None  # the person emptied the example: the API removes it
    if body:
        answer = page.call("PATCH", _api(nit, shared_id), body, auth=True)
        if answer.status in REFUSED_IN_FORM:
            return edit_page(page, nit, shared_id, form, _form_errors(answer), answer.status)
        if not answer.ok:
            return refused(page, nit, answer)
    _notice(page, "Los datos del servicio quedaron guardados.")
    return page.redirect(_page_path(nit, shared_id))


def save_oauth(page: Page, nit: str, shared_id: str) -> Response:
    form = page.request.form()
    body: dict[str, Any] = {}
    for name in OAUTH_FIELDS:
        value = form.get(name, "") if name in SECRET_FIELDS else form.get(name, "").strip()
        if value or name in ("tokenName", "tokenUrl", "clientId"):
            body[name] = value  # empty secrets and optional fields are left out: the stored secrets stay
    answer = page.call("PUT", f"{_api(nit, shared_id)}/oauth", body, auth=True)
    if answer.status in REFUSED_IN_FORM:
        return edit_page(page, nit, shared_id, form, from_answer(answer, OAUTH_FIELDS), answer.status)
    if not answer.ok:
        return refused(page, nit, answer)
    _notice(page, "Las credenciales OAuth 2.0 quedaron guardadas. Pruebe la conexión.")
    return page.redirect(_page_path(nit, shared_id))


def verify(page: Page, nit: str, shared_id: str) -> Response:
    answer = page.call("POST", f"{_api(nit, shared_id)}/verification", auth=True)
    if answer.status in REFUSED_IN_FORM:
        return edit_page(page, nit, shared_id, None, from_answer(answer, ()), answer.status)
    if not answer.ok:
        return refused(page, nit, answer)
    return page.redirect(_page_path(nit, shared_id) + "#prueba-de-conexion")
