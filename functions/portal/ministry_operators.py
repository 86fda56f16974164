"""/ministerio/operadores: the Ministry's operators and their groups (docs/backoffice.md "Operators", decisions
0090 and 0097). Only the administrator group `ministerio` is admitted by the API; the pages show its answers.

An operator's id is their document (`CC-63173063`), so no page puts it in a URL: "Modificar" is a POST form
carrying the id, which answers the operator's form, and "Página siguiente" carries the API's page token (which
holds an id too) the same way. "Nuevo" and "Guardar cambios" answer 303 to the list with a one-time notice that
names nobody; a second "Nuevo" for the same person is the API's 409 in the error summary."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from portal import catalogs, ministry_common
from portal.context import Page
from portal.ministry_values import PAGE_TOKEN, keep_notice, pop_notice
from portal.problems import PageError, from_answer
from portal.web import Response
from sat_common.operator_groups import DESCRIPTIONS

TITLE = "Operadores"
BASE = "/ministerio/operadores"
GROUPS = list(DESCRIPTIONS.items())  # (name, Spanish description), the administrator first
OPERATOR_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,16}$")  # the API's pattern
NEW_FIELDS = ("documentType", "documentNumber", "names", "email", "groups")
EDIT_FIELDS = ("groups", "enabled", "reason")
REASON_MIN, REASON_MAX = 3, 500
STATUS = {"ACTIVE": "Activo", "INVITED": "Invitado (aún no asigna su contraseña)"}
CONFLICT_FIELDS = {"OPERATOR_EXISTS": "documentNumber", "OPERATOR_SELF_LOCKOUT": "groups"}
PAGE_SIZE = 50
_LOOKUP_PAGES = 40  # a bound when looking an operator up: 4,000 operators


def group_names(groups: Any) -> list[str]:
    return [DESCRIPTIONS.get(str(g), str(g)) for g in groups or []]


def _row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **item,
        "groupNames": group_names(item.get("groups")),
        "statusName": STATUS.get(str(item.get("status")), str(item.get("status") or "")),
    }


# --- the list ------------------------------------------------------------------------------------------------
def show_list(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    return _list(page, "")


def next_list_page(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    token = form.get("pagina", "")
    return _list(page, token if PAGE_TOKEN.match(token) else "")


def _list(page: Page, page_token: str) -> Response:
    params = {"limit": str(PAGE_SIZE), **({"pageToken": page_token} if page_token else {})}
    answer = page.call("GET", f"/admin/operators?{urlencode(params)}", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    return page.render(
        "ministry_operators.html",
        title=TITLE,
        items=[_row(i) for i in answer.body.get("items") or [] if isinstance(i, dict)],
        next_token=answer.body.get("nextPageToken"),
        first_page=not page_token,
        notice=pop_notice(page, "operadores"),
    )


# --- "Nuevo" -------------------------------------------------------------------------------------------------


def _new_form(page: Page, values: dict[str, Any], errors: list[PageError], status: int = 200) -> Response:
    return page.render(
        "ministry_operator_new.html",
        status=status,
        errors=errors,
        title=f"Nuevo operador · {TITLE}",
        values=values,
        document_types=catalogs.person_document_types(page),
        groups=GROUPS,
    )


def show_new(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    return _new_form(page, {"groups": []}, [])


def chosen_groups(page: Page) -> list[str]:
    """The checked boxes (every `groups` field of the form), only names the API knows."""
    raw = page.request.body.decode("utf-8", errors="replace") if page.request.body else ""
    picked = {value for key, value in parse_qsl(raw, keep_blank_values=True) if key == "groups"}
    return [name for name, _ in GROUPS if name in picked]


def new_errors(values: dict[str, Any]) -> list[PageError]:
    required = (
        ("documentType", "Seleccione el tipo de documento."),
        ("documentNumber", "Escriba el número de documento."),
        ("email", "Escriba el correo electrónico."),
    )
    errors = [PageError(message, name) for name, message in required if not values[name]]
    if not values["groups"]:
        errors.append(PageError("Seleccione al menos un grupo.", "groups"))
    return errors


def submit_new(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in NEW_FIELDS if name != "groups"}
    values["groups"] = chosen_groups(page)
    if errors := new_errors(values):
        return _new_form(page, values, errors, 400)
    body = {name: value for name, value in values.items() if value}
    answer = page.call("POST", "/admin/operators", body, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok or not isinstance(answer.body, dict):
        return _new_form(page, values, from_answer(answer, _fields_for(answer, NEW_FIELDS)), max(answer.status, 400))
    keep_notice(page, {"kind": "operadores-nuevo", "invited": bool(answer.body.get("invited"))})
    return page.redirect(BASE)


def _fields_for(answer: Any, fields: tuple[str, ...]) -> tuple[str, ...]:
    code = answer.body.get("code") if isinstance(answer.body, dict) else None
    first = CONFLICT_FIELDS.get(str(code), fields[0])
    return (first, *(name for name in fields if name != first)) if first in fields else fields


# --- one operator: groups, enabled, with a reason -------------------------------------------------------------
def find_operator(page: Page, operator_id: str) -> dict[str, Any] | Any:
    """The operator as the list shows it (there is no GET of one): pages followed until found."""
    params = {"limit": "100"}
    for _ in range(_LOOKUP_PAGES):
        answer = page.call("GET", f"/admin/operators?{urlencode(params)}", auth=True)
        if not answer.ok or not isinstance(answer.body, dict):
            return answer
        for item in answer.body.get("items") or []:
            if isinstance(item, dict) and item.get("operatorId") == operator_id:
                return item
        following = answer.body.get("nextPageToken")
        if not following:
            return None
        params = {"limit": "100", "pageToken": str(following)}
    return None


def edit_errors(values: dict[str, Any]) -> list[PageError]:
    errors: list[PageError] = []
    if values["enabled"] not in ("si", "no"):
        errors.append(PageError("Indique si la cuenta queda habilitada.", "enabled"))
    if not REASON_MIN <= len(values["reason"]) <= REASON_MAX:
        errors.append(PageError("Escriba el motivo del cambio (de 3 a 500 caracteres).", "reason"))
    return errors


def edit(page: Page) -> Response:
    """POST /ministerio/operadores/modificar: "Modificar" from the list shows the form; "Guardar cambios" saves."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    operator_id = form.get("operatorId", "")
    if not OPERATOR_ID.match(operator_id):
        return _not_found(page)
    found = find_operator(page, operator_id)
    if found is not None and not isinstance(found, dict):
        return ministry_common.refused(page, found)
    if found is None:
        return _not_found(page)
    if form.get("accion") != "guardar":
        values = {"groups": list(found.get("groups") or []), "enabled": "si" if found.get("enabled") else "no"}
        return _edit_form(page, found, values, [])
    values = {
        "groups": chosen_groups(page),
        "enabled": form.get("enabled", ""),
        "reason": form.get("reason", "").strip(),
    }
    if errors := edit_errors(values):
        return _edit_form(page, found, values, errors, 400)
    body = {"groups": values["groups"], "enabled": values["enabled"] == "si", "reason": values["reason"]}
    answer = page.call("PATCH", f"/admin/operators/{operator_id}", body, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if answer.status == 404:
        return _not_found(page)
    if not answer.ok:
        errors = from_answer(answer, _fields_for(answer, EDIT_FIELDS))
        return _edit_form(page, found, values, errors, max(answer.status, 400))
    keep_notice(page, {"kind": "operadores-modificado"})
    return page.redirect(BASE)


def _edit_form(
    page: Page, operator: dict[str, Any], values: dict[str, Any], errors: list[PageError], status: int = 200
) -> Response:
    return page.render(
        "ministry_operator.html",
        status=status,
        errors=errors,
        title=f"Modificar operador · {TITLE}",
        operator=_row(operator),
        values=values,
        groups=GROUPS,
    )


def _not_found(page: Page) -> Response:
    return page.message(
        404,
        "Operador no encontrado",
        ["La persona no es operador del Ministerio."],
        {"href": BASE, "text": "Volver a Operadores"},
    )
