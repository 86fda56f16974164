"""Manual §6 Paso 4 and "Ver información de servicio": the functionality's menu with the catalog the Ministry
assigned to the CCF, "Información Servicio", the service's documentation, and "Asignar contraseña"."""

from __future__ import annotations

from portal import ccf_terms, openapi_view
from portal.ccf_common import CCF_ROLE, TITLE, base, ccf_label, refused
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

STATES = {"ACTIVE": "Activo", "INACTIVE": "Inactivo"}
PASSWORD_FIELDS = ("password", "passwordConfirmation")


def start(page: Page) -> Response:
    """The home page's "Comenzar": the CCF of the role chosen in /mis-roles (manual §6 Paso 1)."""
    assert page.session is not None
    role = page.session.data.get("role") or {}
    if role.get("role") == CCF_ROLE and role.get("nit"):
        return page.redirect(base(str(role["nit"])))
    return page.message(
        200,
        TITLE,
        [
            "Para administrar los servicios web de una Caja de Compensación Familiar, seleccione primero el rol "
            "“Caja de compensación Familiar” en Mi lista de roles (manual MN82, §6 Paso 1).",
        ],
        {"href": "/mis-roles", "text": "Ir a Mi lista de roles"},
    )


def home(page: Page, nit: str) -> Response:
    """The terms until they are accepted (Paso 3), then the menu with the catalog (Paso 4)."""
    terms = page.call("GET", f"/ccfs/{nit}/terms", auth=True)
    if not terms.ok or not isinstance(terms.body, dict):
        return refused(page, nit, terms)
    if not terms.body.get("accepted"):
        return ccf_terms.show(page, nit, terms.body)
    catalog = page.call("GET", f"/ccfs/{nit}/services", auth=True)
    if not catalog.ok or not isinstance(catalog.body, dict):
        return refused(page, nit, catalog)
    services = [
        {
            "serviceId": str(item.get("serviceId")),
            "name": str(item.get("name", "")),
            "description": str(item.get("description", "")),
            "state": STATES.get(str(item.get("state")), str(item.get("state", ""))),
        }
        for item in catalog.body.get("items") or []
        if isinstance(item, dict)
    ]
    return page.render("ccf_menu.html", title=TITLE, ccf=ccf_label(page, nit), nit=nit, services=services)


def info(page: Page, nit: str, service_id: str) -> Response:
    answer = page.call("GET", f"/ccfs/{nit}/services/{service_id}", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    service = dict(answer.body)
    service["stateName"] = STATES.get(str(service.get("state")), str(service.get("state", "")))
    return page.render(
        "ccf_service.html",
        title=f"Información Servicio: {service.get('name', '')}",
        ccf=ccf_label(page, nit),
        nit=nit,
        service=service,
        service_id=service_id,
    )


def documentation(page: Page, nit: str, service_id: str) -> Response:
    """The OpenAPI document fetched with the person's token, rendered on the server (decision 0085)."""
    answer = page.call("GET", f"/ccfs/{nit}/services/{service_id}/openapi.json", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    view = openapi_view.build(answer.body)
    return page.render(
        "ccf_service_docs.html",
        title=f"Documentación del servicio: {view.title or service_id}",
        ccf=ccf_label(page, nit),
        nit=nit,
        service_id=service_id,
        doc=view,
    )


def show_password(page: Page, nit: str) -> Response:
    """The form only for whom the API lets use it: authorized for this CCF, with the terms accepted."""
    terms = page.call("GET", f"/ccfs/{nit}/terms", auth=True)
    if not terms.ok or not isinstance(terms.body, dict):
        return refused(page, nit, terms)
    if not terms.body.get("accepted"):
        return page.redirect(base(nit))
    return password_form(page, nit)


def password_form(page: Page, nit: str, errors: list[PageError] | None = None, status: int = 200) -> Response:
    return page.render(
        "ccf_password.html",
        status=status,
        title="Asignar contraseña",
        ccf=ccf_label(page, nit),
        nit=nit,
        errors=errors or [],
    )


def set_password(page: Page, nit: str) -> Response:
    form = page.request.form()
    values = {name: form.get(name, "") for name in PASSWORD_FIELDS}
    errors = [
        PageError(message, name)
        for name, message in (
            ("password", "Escriba la nueva contraseña."),
            ("passwordConfirmation", "Escriba de nuevo la nueva contraseña."),
        )
        if not values[name]
    ]
    if errors:
        return password_form(page, nit, errors, 400)
    immediate = form.get("immediate") == "si"
    answer = page.call("PUT", f"/ccfs/{nit}/consumer-password", {**values, "immediate": immediate}, auth=True)
    if answer.status in (400, 409, 422, 429):
        return password_form(page, nit, from_answer(answer, PASSWORD_FIELDS), answer.status)
    if not answer.ok:
        return refused(page, nit, answer)
    paragraphs = [
        "La nueva contraseña quedó asignada. Con ella y el Client ID de cada servicio, los sistemas de la caja "
        "obtienen sus tokens.",
        "La contraseña anterior y los tokens obtenidos con ella dejaron de funcionar."
        if immediate
        else "La contraseña anterior sigue funcionando durante el periodo de transición configurado.",
    ]
    return page.message(200, "Contraseña asignada", paragraphs, {"href": base(nit), "text": "Volver al menú"})
