"""Manual §6 "Compartir servicios web con la Entidad": the service's data (Paso 2) and its "Credenciales OAuth
2.0" (Paso 3), two forms saved separately, and the connection test. Secrets are never shown back: the API only
says whether they are stored (`hasPassword`, `hasClientSecret`), and empty secret fields keep the stored ones."""

from __future__ import annotations

from typing import Any

from portal import ccf_deliveries
from portal.ccf_common import base, ccf_label, refused
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

SERVICE_FIELDS = ("name", "description", "url", "operation", "publicKey", "exampleBody")
OAUTH_FIELDS = ("tokenName", "tokenUrl", "username", "password", "clientId", "clientSecret", "scope")
SECRET_FIELDS = ("password", "clientSecret")
OPERATIONS = ("POST", "GET", "PUT", "PATCH")
STATUS_NAMES = {
    "INCOMPLETE": "Incompleto: faltan datos del servicio o las credenciales OAuth 2.0",
    "PENDING_VERIFICATION": "Pendiente de la prueba de conexión",
    "ACTIVE": "Activo",
    # the deliveries gave up on the endpoint (410, or failing for days); a successful connection test enables it
    "DISABLED": "Deshabilitado: las notificaciones fallaron; pruebe la conexión para habilitarlo",
}
CONNECTION_NAMES = {"AUTHORIZED": "Conexión exitosa", "FAILED": "La conexión falló"}
NOTICE = "ccf_share_notice"  # one-time message after a save (post/redirect/get), kept in the session's data
REFUSED_IN_FORM = (400, 409, 422, 429)


def _api(nit: str, shared_id: str = "") -> str:
    return f"/ccfs/{nit}/shared-services" + (f"/{shared_id}" if shared_id else "")


def _page_path(nit: str, shared_id: str = "") -> str:
    return f"{base(nit)}/compartir" + (f"/{shared_id}" if shared_id else "")


def _notice(page: Page, text: str | None = None) -> str | None:
    """Stores `text` for the next page, or takes the stored one."""
    assert page.session is not None
    if text is not None:
        page.session.data[NOTICE] = text
        page.deps.store.save(page.session)
        return None
    stored = page.session.data.pop(NOTICE, None)
    if stored is not None:
        page.deps.store.save(page.session)
    return str(stored) if stored else None


def _service_body(form: dict[str, str], creating: bool) -> dict[str, Any]:
    values = {name: form.get(name, "").strip() for name in SERVICE_FIELDS}
    values["publicKey"] = form.get("publicKey", "").strip().replace("\r\n", "\n")
    values["exampleBody"] = form.get("exampleBody", "").replace("\r\n", "\n").strip()
    body: dict[str, Any] = {name: values[name] for name in ("name", "description", "url") if values[name] or creating}
    if values["operation"]:
        body["operation"] = values["operation"]
    if values["publicKey"]:  # empty: the stored key stays
        body["publicKey"] = values["publicKey"]
    if values["exampleBody"]:
        body["exampleBody"] = values["exampleBody"]
    return body


# --------------------------------------------------------------------------- list and new service
def list_page(
    page: Page, nit: str, values: dict[str, str] | None = None, errors: list[PageError] | None = None, status: int = 200
) -> Response:
    answer = page.call("GET", _api(nit), auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    services = [
        {**item, "statusName": STATUS_NAMES.get(str(item.get("status")), str(item.get("status")))}
        for item in answer.body.get("items") or []
        if isinstance(item, dict)
    ]
    return page.render(
        "ccf_share_list.html",
        status=status,
        title="Compartir Servicios Entidad",
        ccf=ccf_label(page, nit),
        nit=nit,
        services=services,
        operations=OPERATIONS,
        values=values or {},
        errors=errors or [],
    )


def create(page: Page, nit: str) -> Response:
    form = page.request.form()
    answer = page.call("POST", _api(nit), _service_body(form, creating=True), auth=True)
    if answer.status in REFUSED_IN_FORM:
        # 409: a service with this name exists (a second submit of the same form creates nothing)
        return list_page(page, nit, form, from_answer(answer, SERVICE_FIELDS), answer.status)
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
    stored = {name: str(service.get(name) or "") for name in ("name", "description", "url", "operation", "exampleBody")}
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
    body = {k: v for k, v in body.items() if k in ("publicKey",) or v != current.body.get(k)}
    if not form.get("exampleBody", "").strip() and current.body.get("exampleBody"):
        body["exampleBody"] = None  # the person emptied the example: the API removes it
    if body:
        answer = page.call("PATCH", _api(nit, shared_id), body, auth=True)
        if answer.status in REFUSED_IN_FORM:
            return edit_page(page, nit, shared_id, form, from_answer(answer, SERVICE_FIELDS), answer.status)
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
