"""/empleadores/{nit}/autorizados: "Administrar autorizados" (manual §5, Pasos 1–6). The legal representative
or the delegate lists the company's authorized persons, adds one with "Nuevo" and revokes one after a
confirmation page. Every rule is the API's (who may act, the CCF role active, once per person): the pages show
its answers. After each change the browser is sent to the list (303) with a one-time notice in the session, so
reloading or going back never repeats the change; a repeated "Nuevo" gets the API's 409 as a message."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from portal import catalogs
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.sign_in import require_signed_in
from portal.web import Response

TITLE = "Administrar autorizados"
EMPLOYER_ROLE = "EMPLEADOR_PERSONA_JURIDICA"
ROLE = ("CAJA_DE_SUBSIDIO_FAMILIAR", "CAJA DE SUBSIDIO FAMILIAR")
PROFILE = ("ADMINISTRAR_SERVICIOS_WEB_EXTERNOS", "Autorizado para administrar servicios web externos")
PERSON_FIELDS = ("documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname", "email")
FIELDS = (*PERSON_FIELDS, "office", "role", "profile")
OPTIONAL = ("middleName", "secondSurname")
REQUIRED_MESSAGES = {
    "documentType": "Seleccione el tipo de documento.",
    "documentNumber": "Escriba el número de documento.",
    "firstName": "Escriba el primer nombre.",
    "firstSurname": "Escriba el primer apellido.",
    "email": "Escriba el correo electrónico.",
    "office": "Seleccione la sede en la que va a operar el autorizado.",
    "role": "Seleccione el rol autorizado.",
    "profile": "Seleccione el perfil autorizado.",
}
# The field each 409 of POST /employers/{nit}/authorizations is about (the error summary links to it).
CONFLICT_FIELDS = {"ALREADY_AUTHORIZED": "documentNumber", "CCF_ROLE_NOT_ACTIVE": "role"}
ROTATE_REL = "urn:sat-ccf:rel:rotate-consumer-password"  # the DELETE's Link header (decision 0041)
NOTICE = "autorizados_aviso"  # session.data key of the one-time notice shown on the list
_NIT = re.compile(r"/empleadores/([0-9]{9})/autorizados")
_AUTHORIZATION_ID = re.compile(r"/autorizados/([0-9A-Z]{26})/revocar$")
_PAGE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,1000}$")
_SERVICES_PATH = re.compile(r"^/ccfs/[0-9]{9}/servicios$")


def _nit(page: Page) -> str:
    found = _NIT.match(page.request.path)
    assert found is not None  # the route's pattern matched it
    return found.group(1)


def _authorization_id(page: Page) -> str:
    found = _AUTHORIZATION_ID.search(page.request.path.rstrip("/"))
    assert found is not None
    return found.group(1)


def start(page: Page) -> Response:
    """The functionality's "Comenzar": the company chosen in "Mi lista de roles" (manual §5 Pasos 1–2)."""
    if (gone := require_signed_in(page)) is not None:
        return gone
    assert page.session is not None
    chosen = page.session.data.get("role") or {}
    if chosen.get("role") == EMPLOYER_ROLE and chosen.get("nit"):
        return page.redirect(f"/empleadores/{quote(str(chosen['nit']))}/autorizados")
    return page.message(
        200,
        TITLE,
        [
            "Para administrar autorizados, seleccione primero en “Mi lista de roles” el rol “Empleador persona "
            "jurídica” de la empresa correspondiente a la CCF."
        ],
        {"href": "/mis-roles", "text": "Ir a Mi lista de roles"},
    )


# --- Paso 6: the list --------------------------------------------------------------------------------
def person_name(item: dict[str, Any]) -> str:
    names = (item.get("firstName"), item.get("middleName"), item.get("firstSurname"), item.get("secondSurname"))
    return " ".join(str(name) for name in names if name)


def rotation_path(link_header: str, nit: str) -> str | None:
    """The portal path the API's Link header suggests for changing the consumer password, only when it is
    this CCF's services page (never a link to anywhere else)."""
    for part in link_header.split(","):
        target, _, params = part.partition(";")
        if f'rel="{ROTATE_REL}"' not in params.replace(" ", ""):
            continue
        path = urlsplit(target.strip().strip("<>")).path
        if _SERVICES_PATH.match(path) and path == f"/ccfs/{nit}/servicios":
            return path
    return None


def show_list(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    assert page.session is not None
    nit = _nit(page)
    query = "?limit=20"
    next_token = page.request.query.get("siguiente", "")
    if next_token and _PAGE_TOKEN.match(next_token):
        query += f"&nextToken={next_token}"
    answer = page.call("GET", f"/employers/{nit}/authorizations{query}", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return _api_refused(page, answer)
    notice = page.session.data.pop(NOTICE, None)
    if notice is not None:
        page.deps.store.save(page.session)
    items = [{**item, "name": person_name(item)} for item in answer.body.get("items") or [] if isinstance(item, dict)]
    following = answer.body.get("nextToken")
    return page.render(
        "authorized_list.html",
        title=TITLE,
        nit=nit,
        company=_company_label(page, nit),
        items=items,
        notice=notice if isinstance(notice, dict) and notice.get("nit") == nit else None,
        next_href=f"/empleadores/{nit}/autorizados?siguiente={quote(str(following))}" if following else None,
        first_page=not next_token,
        role_name=ROLE[1],
        profile_name=PROFILE[1],
    )


def _company_label(page: Page, nit: str) -> str:
    chosen = (page.session.data.get("role") or {}) if page.session else {}
    if chosen.get("nit") == nit and chosen.get("label"):
        return str(chosen["label"])
    return f"NIT {nit}"


def _api_refused(page: Page, answer: Any) -> Response:
    """The API said no to the whole page (not this company's representative or delegate, unknown NIT...)."""
    errors = from_answer(answer, ())
    return page.message(
        answer.status if answer.status >= 400 else 502,
        TITLE,
        [error.message for error in errors],
        {"href": "/mis-roles", "text": "Ir a Mi lista de roles"},
    )


# --- Pasos 4–5: "Nuevo" ------------------------------------------------------------------------------


def _offices(page: Page, nit: str) -> list[str] | Any:
    """The company's sedes as the API holds them (today: its main office, manual §5 Paso 4)."""
    answer = page.call("GET", f"/employers/{nit}", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return answer
    headquarters = answer.body.get("headquarters") or {}
    return [str(headquarters["name"])] if isinstance(headquarters, dict) and headquarters.get("name") else []


def _new_form(page: Page, nit: str, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    offices = _offices(page, nit)
    if not isinstance(offices, list):
        return _api_refused(page, offices)
    return page.render(
        "authorized_new.html",
        status=status,
        title=f"Nuevo autorizado · {TITLE}",
        errors=errors,
        values=values,
        nit=nit,
        document_types=catalogs.options(page, "document-types"),
        offices_items=[{"code": office, "name": office} for office in offices],
        roles=[{"code": ROLE[0], "name": ROLE[1]}],
        profiles=[{"code": PROFILE[0], "name": PROFILE[1]}],
    )


def show_new(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    return _new_form(page, _nit(page), {}, [])


def missing_fields(values: dict[str, str]) -> list[PageError]:
    return [PageError(REQUIRED_MESSAGES[name], name) for name in FIELDS if name not in OPTIONAL and not values[name]]


def conflict_fields(answer: Any) -> tuple[str, ...]:
    """The form's fields in the order the error summary should link a problem without a field to."""
    code = answer.body.get("code") if isinstance(answer.body, dict) else None
    first = CONFLICT_FIELDS.get(str(code), FIELDS[0])
    return (first, *(name for name in FIELDS if name != first))


def submit_new(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    assert page.session is not None
    nit = _nit(page)
    values = {name: form.get(name, "").strip() for name in FIELDS}
    if errors := missing_fields(values):
        return _new_form(page, nit, values, errors, 400)
    body = {name: value for name, value in values.items() if value}
    answer = page.call("POST", f"/employers/{nit}/authorizations", body, auth=True)
    if answer.status in (401, 403, 404):
        return _api_refused(page, answer)
    if not answer.ok:
        return _new_form(page, nit, values, from_answer(answer, conflict_fields(answer)), max(answer.status, 400))
    page.session.data[NOTICE] = {"nit": nit, "kind": "creada"}
    page.deps.store.save(page.session)
    return page.redirect(f"/empleadores/{nit}/autorizados")


# --- Revocation with a confirmation page ----------------------------------------------------------
def _find(page: Page, nit: str, authorization_id: str) -> dict[str, Any] | Any:
    """The authorization as the list shows it (pages followed until found; the API keeps at most 100 a page)."""
    query = "?limit=100"
    for _ in range(50):  # a bound: 5,000 authorizations of one company
        answer = page.call("GET", f"/employers/{nit}/authorizations{query}", auth=True)
        if not answer.ok or not isinstance(answer.body, dict):
            return answer
        for item in answer.body.get("items") or []:
            if isinstance(item, dict) and item.get("authorizationId") == authorization_id:
                return item
        following = answer.body.get("nextToken")
        if not following:
            break
        query = f"?limit=100&nextToken={quote(str(following))}"
    return None


def show_revoke(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    nit, authorization_id = _nit(page), _authorization_id(page)
    found = _find(page, nit, authorization_id)
    if found is not None and not isinstance(found, dict):
        return _api_refused(page, found)
    if found is None or found.get("status") != "ACTIVE":
        return _not_active(page, nit)
    return page.render(
        "authorized_revoke.html",
        title=f"Revocar autorización · {TITLE}",
        nit=nit,
        item={**found, "name": person_name(found)},
        role_name=ROLE[1],
        profile_name=PROFILE[1],
    )


def _not_active(page: Page, nit: str) -> Response:
    return page.message(
        404,
        TITLE,
        ["La autorización no existe o ya fue revocada."],
        {"href": f"/empleadores/{nit}/autorizados", "text": "Volver a la lista de autorizados"},
    )


def submit_revoke(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    assert page.session is not None
    nit, authorization_id = _nit(page), _authorization_id(page)
    answer = page.call("DELETE", f"/employers/{nit}/authorizations/{authorization_id}", auth=True)
    if answer.status == 404:  # revoked already (back and submit again) or never this company's
        return _not_active(page, nit)
    if not answer.ok:
        return _api_refused(page, answer)
    page.session.data[NOTICE] = {
        "nit": nit,
        "kind": "revocada",
        "rotate": rotation_path(answer.headers.get("link", ""), nit),
    }
    page.deps.store.save(page.session)
    return page.redirect(f"/empleadores/{nit}/autorizados")
