"""/ministerio/servicios: the Ministry's service catalog (product.md "Ministerio": keeps the service catalog;
POST/GET /admin/services, PATCH /admin/services/{serviceId}).

"Nuevo" takes the code, name, description, HTTP operation and the service's OpenAPI document pasted as JSON (a
form is at most 8 KB, the WAF's and the portal's bound: a larger document goes through the API). "Activar" and
"Desactivar" are POST forms that carry the state asked for, so a second submit repeats the same state, never the
opposite one; each answers 303 with a one-time notice (decision 0096)."""

from __future__ import annotations

import json
import re
from typing import Any

from portal import ministry_common
from portal.context import Page
from portal.ministry_values import colombia_time, keep_notice, pop_notice
from portal.problems import PageError, from_answer
from portal.web import MAX_FORM_BYTES, Response
from sat_common.operator_groups import CATALOG

BASE = "/ministerio/servicios"
TITLE = "Catálogo de servicios"
NEW_TITLE = "Nuevo servicio"
FIELDS = ("code", "name", "description", "operation", "openapi")
OPERATIONS = [{"code": op, "name": op} for op in ("GET", "POST", "PUT", "PATCH", "DELETE")]
STATES = {"ACTIVE": "Activo", "INACTIVE": "Inactivo"}
CODE = re.compile(r"^[A-Z0-9_]{2,40}$")  # the catalog's code pattern
_ID_IN_PATH = re.compile(r"^/ministerio/servicios/([a-z0-9][a-z0-9-]{1,39})/estado$")


def row(item: dict[str, Any]) -> dict[str, Any]:
    state = str(item.get("state") or "")
    return {
        "serviceId": str(item.get("serviceId") or ""),
        "code": str(item.get("code") or ""),
        "name": str(item.get("name") or ""),
        "description": str(item.get("description") or ""),
        "operation": str(item.get("operation") or ""),
        "endpointPath": str(item.get("endpointPath") or ""),
        "state": state,
        "stateName": STATES.get(state, state),
        "updated": colombia_time(item.get("updatedAt")),
        "target": "INACTIVE" if state == "ACTIVE" else "ACTIVE",
    }


def show_list(page: Page, errors: list[PageError] | None = None, status: int = 200) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    answer = page.call("GET", "/admin/services", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    items = [row(i) for i in answer.body.get("items") or [] if isinstance(i, dict)]
    return page.render(
        "ministry_services.html",
        status=status,
        errors=errors or [],
        title=TITLE,
        items=items,
        notice=pop_notice(page, "servicio-"),
        manages=ministry_common.acts(page, CATALOG),
    )


def submit_state(page: Page) -> Response:
    """ "Activar" / "Desactivar" (PATCH /admin/services/{serviceId} with the state the form carries)."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    found = _ID_IN_PATH.match(page.request.path.rstrip("/"))
    assert found is not None  # the route's pattern matched it
    service_id, state = found.group(1), form.get("state", "")
    if state not in STATES:
        return page.redirect(BASE)
    answer = page.call("PATCH", f"/admin/services/{service_id}", {"state": state}, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        return show_list(page, from_answer(answer, ()), max(answer.status, 400))
    kind = "servicio-activado" if state == "ACTIVE" else "servicio-desactivado"
    keep_notice(page, {"kind": kind, "serviceId": service_id})
    return page.redirect(BASE)


def show_new(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    return _new_form(page, {}, [])


def _new_form(page: Page, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    return page.render(
        "ministry_service_new.html",
        status=status,
        errors=errors,
        title=NEW_TITLE,
        values=values,
        operations=OPERATIONS,
        max_kb=MAX_FORM_BYTES // 1024,
    )


def new_errors(values: dict[str, str]) -> tuple[list[PageError], dict[str, Any] | None]:
    """The form's own checks, before the API checks them again; the OpenAPI text parsed as a JSON object."""
    errors = []
    if not CODE.match(values["code"]):
        errors.append(PageError("Escriba el código: de 2 a 40 letras mayúsculas, dígitos o “_”.", "code"))
    if not values["name"]:
        errors.append(PageError("Escriba el nombre del servicio.", "name"))
    if not values["description"]:
        errors.append(PageError("Escriba la descripción del servicio.", "description"))
    if values["operation"] not in {op["code"] for op in OPERATIONS}:
        errors.append(PageError("Seleccione la operación HTTP del servicio.", "operation"))
    document = None
    try:
        parsed = json.loads(values["openapi"]) if values["openapi"] else None
        document = parsed if isinstance(parsed, dict) else None
    except ValueError:
        document = None
    if document is None:
        errors.append(
            PageError("Pegue el documento OpenAPI del servicio en formato JSON (un objeto { … }).", "openapi")
        )
    return errors, document


def submit_new(page: Page) -> Response:
    if len(page.request.body) > MAX_FORM_BYTES:  # the form would arrive empty: say why instead of a 403
        if (gone := ministry_common.require_operator(page)) is not None:
            return gone
        message = (
            f"El formulario supera {MAX_FORM_BYTES // 1024} KB: acorte el documento OpenAPI o cárguelo con la API."
        )
        return _new_form(page, {}, [PageError(message, "openapi")], 413)
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    values = {name: form.get(name, "").strip() for name in FIELDS}
    errors, document = new_errors(values)
    if errors or document is None:
        return _new_form(page, values, errors, 400)
    body = {key: values[key] for key in ("code", "name", "description", "operation")} | {"openapi": document}
    answer = page.call("POST", "/admin/services", body, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not isinstance(answer.body, dict):
        return _new_form(page, values, from_answer(answer, FIELDS), max(answer.status, 400))
    keep_notice(page, {"kind": "servicio-creado", "serviceId": str(answer.body.get("serviceId") or "")})
    return page.redirect(BASE)
