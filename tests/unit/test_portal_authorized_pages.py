"""The logic of "Administrar autorizados" (functions/portal/authorized_persons.py) that needs no AWS: which page
a path reaches, the required fields, the field a 409 links to, and the password-change suggestion taken from the
API's Link header only when it is this CCF's own page."""

from __future__ import annotations

import time
from typing import Any

import pytest
from portal import authorized_persons as pages
from portal.api_client import ApiAnswer
from portal.config import Deps, PortalSettings
from portal.context import Page
from portal.csrf import CsrfRejected
from portal.handler import ROUTES, _by_pattern
from portal.problems import PageError, from_answer
from portal.sessions import PortalSession
from portal.web import Request

NIT = "893880864"
REL = 'rel="urn:sat-ccf:rel:rotate-consumer-password"'

SETTINGS = PortalSettings(
    main_table_name="main", portal_session_key_id="key", public_api_base_url="https://api.example.test"
)


@pytest.mark.parametrize(
    ("method", "path", "handler"),
    [
        ("GET", f"/empleadores/{NIT}/autorizados", pages.show_list),
        ("GET", f"/empleadores/{NIT}/autorizados/nuevo", pages.show_new),
        ("POST", f"/empleadores/{NIT}/autorizados/nuevo", pages.submit_new),
        ("GET", f"/empleadores/{NIT}/autorizados/01JDZ8Y0000000000000000000/revocar", pages.show_revoke),
        ("POST", f"/empleadores/{NIT}/autorizados/01JDZ8Y0000000000000000000/revocar", pages.submit_revoke),
    ],
)
def test_each_path_reaches_its_page(method: str, path: str, handler: object) -> None:
    assert _by_pattern(method, path) is handler
    assert ROUTES[("GET", "/empleadores/autorizados")] is pages.start


@pytest.mark.parametrize(
    "path",
    [
        "/empleadores/12345678/autorizados",  # not nine digits
        f"/empleadores/{NIT}/autorizados/../../admin",
        f"/empleadores/{NIT}/autorizados/abc/revocar",  # not an authorization id
        f"/empleadores/{NIT}/autorizados/nuevo/x",
    ],
)
def test_other_paths_reach_no_page_of_this_family(path: str) -> None:
    handler = _by_pattern("GET", path)
    assert handler is None or getattr(handler, "__module__", "") != pages.__name__


def test_every_required_field_is_asked_for_by_name_and_the_optional_ones_are_not() -> None:
    values = dict.fromkeys(pages.FIELDS, "")
    missing = pages.missing_fields(values)
    assert [error.field for error in missing] == [
        "documentType",
        "documentNumber",
        "firstName",
        "firstSurname",
        "email",
        "office",
        "role",
        "profile",
    ]
    assert all(error.message.endswith(".") for error in missing)


@pytest.mark.parametrize(
    ("code", "field"),
    [("ALREADY_AUTHORIZED", "documentNumber"), ("CCF_ROLE_NOT_ACTIVE", "role"), ("OTHER", "documentType")],
)
def test_a_409_links_to_the_field_it_is_about(code: str, field: str) -> None:
    answer = ApiAnswer(409, {"code": code, "detail": "El mensaje de la API."})
    assert from_answer(answer, pages.conflict_fields(answer)) == [PageError("El mensaje de la API.", field)]


def test_the_apis_field_messages_still_link_to_their_own_fields() -> None:
    answer = ApiAnswer(422, {"errors": [{"field": "body.email", "message": "Correo no válido"}]})
    assert from_answer(answer, pages.conflict_fields(answer)) == [PageError("Correo no válido", "email")]


def test_the_password_change_suggestion_is_this_ccfs_services_page_only() -> None:
    own = f"<https://portal.example.gov.co/ccfs/{NIT}/servicios>; {REL}"
    assert pages.rotation_path(own, NIT) == f"/ccfs/{NIT}/servicios"
    assert pages.rotation_path(f'<https://x.example/a>; rel="next", {own}', NIT) == f"/ccfs/{NIT}/servicios"
    assert pages.rotation_path(f"<https://portal.example.gov.co/ccfs/999999999/servicios>; {REL}", NIT) is None
    assert pages.rotation_path(f"<https://evil.example/ccfs/{NIT}/servicios/../x>; {REL}", NIT) is None
    assert pages.rotation_path(f'<https://portal.example.gov.co/ccfs/{NIT}/servicios>; rel="next"', NIT) is None
    assert pages.rotation_path("", NIT) is None


def test_the_name_shown_skips_missing_parts() -> None:
    item = {"firstName": "Ana", "middleName": None, "firstSurname": "Rojas", "secondSurname": "Díaz"}
    assert pages.person_name(item) == "Ana Rojas Díaz"


# --- the pages over a scripted API (no AWS, no HTTP) ---------------------------------------------------------
class ScriptedApi:
    """Answers by (method, path prefix); records every call (what the portal asked the API for)."""

    def __init__(self, answers: dict[tuple[str, str], ApiAnswer]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    def call(self, method: str, path: str, client: Any, *, body: Any = None, token: str | None = None) -> ApiAnswer:
        # every call of these pages carries the person's ID token, but the public catalogs
        assert token == "id-token" or path.startswith("/catalogs/"), path
        self.calls.append((method, path, body))
        for (wanted_method, prefix), answer in self.answers.items():
            if method == wanted_method and path.startswith(prefix):
                return answer
        return ApiAnswer(200, {"items": [{"code": "CC", "name": "Cédula de ciudadanía"}]})


class MemoryStore:
    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []

    def save(self, session: PortalSession) -> None:
        self.saved.append(dict(session.data))


def _page(method: str, path: str, api: ScriptedApi, query: dict[str, str] | None = None, form: str = "") -> Page:
    session = PortalSession(key="k", csrf="csrf-de-prueba", created_at=0, last_seen_at=0)
    session.secrets["id_token"] = "id-token"
    session.data["token_expires_at"] = int(time.time()) + 3600
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = Request(method, path, query or {}, headers, form.encode(), "203.0.113.9", "pytest")
    return Page(request, Deps(settings=SETTINGS, store=MemoryStore(), api=api), session, [])  # type: ignore[arg-type]


FORM = "csrf=csrf-de-prueba&documentType=CC&documentNumber=52000111&firstName=Ana&firstSurname=Rojas" + (
    "&email=ana%40example.com&office=Sede+principal&role=CAJA_DE_SUBSIDIO_FAMILIAR"
    "&profile=ADMINISTRAR_SERVICIOS_WEB_EXTERNOS"
)
EMPLOYER = ApiAnswer(200, {"headquarters": {"name": "Sede principal"}})


def test_the_next_page_token_is_passed_on_only_when_well_formed() -> None:
    api = ScriptedApi({("GET", f"/employers/{NIT}/authorizations"): ApiAnswer(200, {"items": [], "nextToken": None})})
    pages.show_list(_page("GET", f"/empleadores/{NIT}/autorizados", api, {"siguiente": "eyJQSyI6IkVNUCJ9"}))
    pages.show_list(_page("GET", f"/empleadores/{NIT}/autorizados", api, {"siguiente": "x&limit=100&y=../z"}))
    assert [path for _, path, _ in api.calls] == [
        f"/employers/{NIT}/authorizations?limit=20&nextToken=eyJQSyI6IkVNUCJ9",
        f"/employers/{NIT}/authorizations?limit=20",
    ]


def test_a_company_that_is_not_theirs_is_the_apis_refusal_without_the_form() -> None:
    refused = ApiAnswer(404, {"code": "NOT_FOUND", "detail": "El recurso no existe."})
    api = ScriptedApi({("GET", f"/employers/{NIT}/authorizations"): refused})
    response = pages.show_list(_page("GET", f"/empleadores/{NIT}/autorizados", api))
    assert response.status == 404
    assert "El recurso no existe." in str(response.body)
    assert "/autorizados/nuevo" not in str(response.body)


def test_already_authorized_is_the_error_summary_with_what_was_typed() -> None:
    conflict = ApiAnswer(409, {"code": "ALREADY_AUTHORIZED", "detail": "Esta persona ya tiene asignado este rol."})
    api = ScriptedApi({("POST", f"/employers/{NIT}/authorizations"): conflict, ("GET", f"/employers/{NIT}"): EMPLOYER})
    page = _page("POST", f"/empleadores/{NIT}/autorizados/nuevo", api, form=FORM)
    response = pages.submit_new(page)
    body = str(response.body)
    assert response.status == 409
    assert '<a href="#documentNumber">Esta persona ya tiene asignado este rol.</a>' in body
    assert 'value="52000111"' in body and "<title>Error: " in body
    assert pages.NOTICE not in page.session.data  # type: ignore[union-attr]


def test_a_saved_authorization_goes_to_the_list_with_a_notice_free_of_personal_data() -> None:
    created = ApiAnswer(201, {"authorizationId": "01JDZ8Y0000000000000000000"})
    api = ScriptedApi({("POST", f"/employers/{NIT}/authorizations"): created})
    page = _page("POST", f"/empleadores/{NIT}/autorizados/nuevo", api, form=FORM)
    response = pages.submit_new(page)
    assert response.status == 303 and response.headers["Location"] == f"/empleadores/{NIT}/autorizados"
    assert page.session.data[pages.NOTICE] == {"nit": NIT, "kind": "creada"}  # type: ignore[union-attr]
    sent = api.calls[0][2]
    assert sent is not None and "csrf" not in sent and sent["role"] == "CAJA_DE_SUBSIDIO_FAMILIAR"


def test_a_revocation_keeps_the_suggested_page_and_a_second_one_is_a_clear_message() -> None:
    path = f"/empleadores/{NIT}/autorizados/01JDZ8Y0000000000000000000/revocar"
    link = {"link": f"<http://127.0.0.1:8000/ccfs/{NIT}/servicios>; {REL}"}
    api = ScriptedApi({("DELETE", f"/employers/{NIT}/authorizations/"): ApiAnswer(204, None, link)})
    page = _page("POST", path, api, form="csrf=csrf-de-prueba")
    assert pages.submit_revoke(page).status == 303
    assert page.session.data[pages.NOTICE]["rotate"] == f"/ccfs/{NIT}/servicios"  # type: ignore[union-attr]
    gone = ScriptedApi({("DELETE", f"/employers/{NIT}/authorizations/"): ApiAnswer(404, {"code": "NOT_FOUND"})})
    response = pages.submit_revoke(_page("POST", path, gone, form="csrf=csrf-de-prueba"))
    assert response.status == 404 and "ya fue revocada" in str(response.body)


def test_a_post_without_the_forms_token_is_refused_before_the_api_is_called() -> None:
    api = ScriptedApi({})
    with pytest.raises(CsrfRejected):
        pages.submit_new(_page("POST", f"/empleadores/{NIT}/autorizados/nuevo", api, form=FORM.replace("csrf=", "x=")))
    assert api.calls == []
