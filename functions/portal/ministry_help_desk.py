"""/ministerio/mesa-de-ayuda: "Desbloquear persona" (docs/backoffice.md "Help desk", decision 0091).

The help desk clears a person's identity-question lock and sign-in delays with a reason. The document is typed
into a POST form (never in a URL) and goes only into the API's path; the API answers 204 whether or not there was
anything to unlock, so the page says the same in both cases and the notice it keeps names nobody."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from portal import catalogs, ministry_common
from portal.context import Page
from portal.ministry_values import keep_notice, pop_notice
from portal.problems import PageError, from_answer
from portal.web import Response

TITLE = "Mesa de ayuda"
PATH = "/ministerio/mesa-de-ayuda"
FIELDS = ("documentType", "documentNumber", "reason")
DOCUMENT_TYPE = re.compile(r"^[A-Z]{2}$")
DOCUMENT_NUMBER = re.compile(r"^[A-Za-z0-9]{3,16}$")
REASON_MIN, REASON_MAX = 3, 500


def _form(page: Page, values: dict[str, Any], errors: list[PageError], status: int = 200) -> Response:
    return page.render(
        "ministry_help_desk.html",
        status=status,
        errors=errors,
        title=f"Desbloquear persona · {TITLE}",
        values=values,
        document_types=catalogs.person_document_types(page),
        notice=pop_notice(page, "mesa-de-ayuda") if not errors else None,
    )


def show(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    return _form(page, {}, [])


def unlock_errors(values: dict[str, str]) -> list[PageError]:
    errors: list[PageError] = []
    if not DOCUMENT_TYPE.match(values["documentType"]):
        errors.append(PageError("Seleccione el tipo de documento.", "documentType"))
    if not values["documentNumber"]:
        errors.append(PageError("Escriba el número de documento.", "documentNumber"))
    elif not DOCUMENT_NUMBER.match(values["documentNumber"]):
        errors.append(PageError("Escriba el número de documento sin puntos ni espacios.", "documentNumber"))
    if not REASON_MIN <= len(values["reason"]) <= REASON_MAX:
        errors.append(PageError("Escriba el motivo del desbloqueo (de 3 a 500 caracteres).", "reason"))
    return errors


def unlock(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    values = {name: form.get(name, "").strip() for name in FIELDS}
    if errors := unlock_errors(values):
        return _form(page, values, errors, 400)
    path = f"/admin/people/{quote(values['documentType'])}/{quote(values['documentNumber'])}/unlock"
    answer = page.call("POST", path, {"reason": values["reason"]}, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        return _form(page, values, from_answer(answer, FIELDS), max(answer.status, 400))
    keep_notice(page, {"kind": "mesa-de-ayuda-desbloqueo"})
    return page.redirect(PATH)
