"""The back office's frame (functions/portal/ministry_common.py, ministry_base.html, decision 0096): the operator's
groups read from the session's ID token choose the navigation only, the breadcrumbs, what an API refusal shows,
waiting times in words, "Anterior" from the page tokens kept in the session, and the Ministry role leading to
/ministerio. Fakes for the API and the session store: no AWS."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from portal import ministry_common, roles
from portal.api_client import ApiAnswer
from portal.context import Page
from portal.sessions import PortalSession
from portal.web import Request


def id_token(groups: Any) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"cognito:groups": groups}).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJSUzI1NiJ9.{claims}.signature"


class Store:
    def __init__(self) -> None:
        self.saved = 0

    def save(self, session: PortalSession) -> None:
        self.saved += 1

    def delete(self, key: str) -> None:
        pass


class Api:
    def __init__(self, answers: dict[tuple[str, str], ApiAnswer]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str]] = []

    def call(self, method: str, path: str, client: Any, **_: Any) -> ApiAnswer:
        self.calls.append((method, path))
        return self.answers.get((method, path.split("?")[0]), ApiAnswer(404, {"title": "No encontrado"}))


class Deps:
    def __init__(self, api: Api) -> None:
        self.store = Store()
        self.api = api


def page_for(
    path: str,
    groups: Any = ("ministerio-revisor",),
    api: Api | None = None,
    query: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes = b"csrf=t",
) -> Page:
    session = PortalSession(key="k", csrf="t", created_at=0, last_seen_at=0)
    session.secrets["id_token"] = id_token(list(groups))
    session.data["token_expires_at"] = int(time.time()) + 3600
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = Request(method, path, query or {}, headers, body, "203.0.113.9", "test")
    return Page(request, Deps(api or Api({})), session, [])  # type: ignore[arg-type]


def test_the_navigation_offers_only_the_sections_of_the_operators_groups() -> None:
    labels = lambda groups: [s.label for s in ministry_common.sections_for(frozenset(groups))]  # noqa: E731
    assert labels({"ministerio-revisor"}) == ["Inicio", "Revisión de RUT"]
    assert labels({"ministerio-catalogo"}) == ["Inicio", "Cajas (CCF)", "Catálogo de servicios"]
    assert "Auditoría" in labels({"ministerio-auditor"}) and "Operadores" not in labels({"ministerio-auditor"})
    assert labels({"ministerio"}) == [s.label for s in ministry_common.SECTIONS]
    assert labels(set()) == []


def test_the_groups_come_from_the_id_token_in_any_of_its_shapes_and_nothing_else_counts() -> None:
    assert ministry_common.operator_groups(page_for("/ministerio", ["ministerio-catalogo", "otro"])) == {
        "ministerio-catalogo"
    }
    page = page_for("/ministerio")
    assert page.session is not None
    page.session.secrets["id_token"] = id_token("[ministerio-auditor ministerio-revisor]")  # API Gateway's form
    assert ministry_common.operator_groups(page) == {"ministerio-auditor", "ministerio-revisor"}
    page.session.secrets["id_token"] = "not-a-jwt"
    assert ministry_common.operator_groups(page) == frozenset()
    page.session.secrets["id_token"] = "a.!!!.c"
    assert ministry_common.operator_groups(page) == frozenset()


def test_the_frame_shows_the_navigation_with_the_current_section_and_breadcrumbs() -> None:
    page = page_for("/ministerio/rut/900123456")
    assert ministry_common.require_operator(page) is None
    html = str(page.render("ministry_base.html", title="Comercializadora Andina").body)
    start = html.index('aria-label="Menú del Ministerio"')
    nav = html[start : html.index("</nav>", start)]
    assert '<a href="/ministerio/rut" aria-current="true">Revisión de RUT</a>' in nav
    assert "Cajas (CCF)" not in nav and "Operadores" not in nav
    crumbs = html[html.index('aria-label="Ruta de navegación"') :]
    assert crumbs.index('href="/ministerio"') < crumbs.index('href="/ministerio/rut"')
    assert '<span aria-current="page">Comercializadora Andina</span>' in crumbs


def test_breadcrumbs_end_on_the_page_itself_without_a_link() -> None:
    assert ministry_common.breadcrumbs("/ministerio/ccfs", "Cajas (CCF)") == [
        {"href": "/ministerio", "text": "Ministerio"},
        {"href": "", "text": "Cajas (CCF)"},
    ]
    assert ministry_common.breadcrumbs("/ministerio/servicios/nuevo", "Nuevo servicio")[-2:] == [
        {"href": "/ministerio/servicios", "text": "Catálogo de servicios"},
        {"href": "", "text": "Nuevo servicio"},
    ]


def test_a_page_needs_a_signed_in_session_but_decides_no_access_itself() -> None:
    page = page_for("/ministerio", groups=[])
    assert ministry_common.require_operator(page) is None  # a citizen goes on: the API's 403 is what shows
    page.session = None
    gone = ministry_common.require_operator(page)
    assert gone is not None and (gone.status, gone.headers["Location"]) == (303, "/ingreso")


def test_refusals_are_shown_in_words() -> None:
    page = page_for("/ministerio/rut")
    forbidden = ministry_common.refused(page, ApiAnswer(403, {"code": "FORBIDDEN"}))
    assert forbidden.status == 403 and "No tiene permiso para esta sección" in str(forbidden.body)
    mfa = ministry_common.refused(page, ApiAnswer(403, {"code": "MFA_REQUIRED"}))
    assert "verificación en dos pasos" in str(mfa.body)
    down = ministry_common.refused(page, ApiAnswer(503, {"title": "Servicio no disponible", "detail": "Intente"}))
    assert down.status == 503 and "Intente" in str(down.body)
    gone = ministry_common.refused(page, ApiAnswer(401))
    assert (gone.status, gone.headers["Location"]) == (303, "/ingreso") and page.session is None


def test_waiting_times_in_words() -> None:
    assert ministry_common.waiting_words(30) == "menos de un minuto"
    assert ministry_common.waiting_words(60) == "1 minuto"
    assert ministry_common.waiting_words(3 * 3600 + 120) == "3 horas y 2 minutos"
    assert ministry_common.waiting_words(86_400 + 3600 + 60) == "1 día y 1 hora"
    assert ministry_common.waiting_words(None) == ""


def test_previous_page_comes_from_the_tokens_kept_in_the_session() -> None:
    page = page_for("/ministerio/rut")
    assert ministry_common.page_trail(page, "k", "/ministerio/rut") == ("", None)
    page.request.query["pagina"] = "tok1"
    assert ministry_common.page_trail(page, "k", "/ministerio/rut") == ("tok1", "/ministerio/rut")
    page.request.query["pagina"] = "tok2"
    assert ministry_common.page_trail(page, "k", "/ministerio/rut") == ("tok2", "/ministerio/rut?pagina=tok1")
    page.request.query["pagina"] = "tok1"  # "Anterior": back one step, the later page forgotten
    assert ministry_common.page_trail(page, "k", "/ministerio/rut") == ("tok1", "/ministerio/rut")
    assert page.session is not None and page.session.data["k"] == ["", "tok1"]
    page.request.query["pagina"] = "<script>"
    assert ministry_common.page_trail(page, "k", "/ministerio/rut") == ("", None)


def test_choosing_the_ministry_role_leads_to_the_back_office() -> None:
    listed = {"username": "CC-1", "roles": [{"role": "MINISTERIO", "name": "Ministerio de Salud y Protección Social"}]}
    api = Api({("GET", "/me/roles"): ApiAnswer(200, listed)})
    page = page_for("/mis-roles", api=api, method="POST", body=b"csrf=t&role=MINISTERIO")
    response = roles.choose(page)
    assert (response.status, response.headers["Location"]) == (303, "/ministerio")
