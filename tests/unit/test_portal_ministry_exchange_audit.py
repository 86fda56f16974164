"""The back-office pages of trámites, audit, operators and help desk (functions/portal/ministry_tramites.py,
ministry_audit.py, ministry_operators.py, ministry_help_desk.py) over a scripted API: which page a path reaches,
the filters' checks before any API call, what is sent to the API, the API's refusals in the error summary, the
notices after a change, the CSV download, and no document number in any URL the pages make."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from portal import ministry_audit as audit
from portal import ministry_help_desk as help_desk
from portal import ministry_operators as operators
from portal import ministry_tramites as tramites
from portal.api_client import ApiAnswer
from portal.config import Deps, PortalSettings
from portal.context import Page
from portal.csrf import CsrfRejected
from portal.handler import ROUTES, _by_pattern
from portal.ministry_values import NOTICE, colombia_day_bounds, colombia_time, date_errors
from portal.sessions import PortalSession
from portal.web import Request

NIT = "877165203"
NUMERO = "2026120112345678"
CSRF = "csrf-de-prueba"

SETTINGS = PortalSettings(
    main_table_name="main", portal_session_key_id="key", public_api_base_url="https://api.example.test"
)


def _id_token(groups: list[str]) -> str:
    """An ID token's shape, for the navigation only (the API checks the real one)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'cognito:groups': groups})}.firma"


ID_TOKEN = _id_token(["ministerio"])


class ScriptedApi:
    """Answers by (method, path prefix), the first match; records every call."""

    def __init__(self, answers: list[tuple[str, str, ApiAnswer]] | None = None) -> None:
        self.answers = answers or []
        self.calls: list[dict[str, Any]] = []

    def call(
        self,
        method: str,
        path: str,
        client: Any,
        *,
        body: Any = None,
        token: str | None = None,
        accept: str = "application/json",
    ) -> ApiAnswer:
        assert (token and token.count(".") == 2) or path.startswith("/catalogs/"), path
        self.calls.append({"method": method, "path": path, "body": body, "accept": accept})
        for wanted_method, prefix, answer in self.answers:
            if method == wanted_method and path.startswith(prefix):
                return answer
        return ApiAnswer(200, {"items": [{"code": "CC", "name": "Cédula de ciudadanía", "appliesTo": "person"}]})


class MemoryStore:
    def save(self, session: PortalSession) -> None:
        pass


def _page(method: str, path: str, api: ScriptedApi, query: dict[str, str] | None = None, form: str = "") -> Page:
    session = PortalSession(key="k", csrf=CSRF, created_at=0, last_seen_at=0)
    session.secrets["id_token"] = ID_TOKEN
    session.data["token_expires_at"] = int(time.time()) + 3600
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = Request(method, path, query or {}, headers, form.encode(), "203.0.113.9", "pytest")
    return Page(request, Deps(settings=SETTINGS, store=MemoryStore(), api=api), session, [])  # type: ignore[arg-type]


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', html)


# --- routes ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "handler"),
    [
        ("GET", "/ministerio/tramites", tramites.show_list),
        ("POST", "/ministerio/tramites/reintentar", tramites.redrive_failed),
        ("GET", "/ministerio/auditoria", audit.show),
        ("POST", "/ministerio/auditoria", audit.search),
        ("POST", "/ministerio/auditoria/csv", audit.export_csv),
        ("GET", "/ministerio/operadores", operators.show_list),
        ("POST", "/ministerio/operadores/pagina", operators.next_list_page),
        ("GET", "/ministerio/operadores/nuevo", operators.show_new),
        ("POST", "/ministerio/operadores/nuevo", operators.submit_new),
        ("POST", "/ministerio/operadores/modificar", operators.edit),
        ("GET", "/ministerio/mesa-de-ayuda", help_desk.show),
        ("POST", "/ministerio/mesa-de-ayuda", help_desk.unlock),
    ],
)
def test_each_path_reaches_its_page(method: str, path: str, handler: object) -> None:
    assert ROUTES[(method, path)] is handler


def test_a_tramite_path_carries_only_the_apis_number_pattern() -> None:
    assert _by_pattern("GET", f"/ministerio/tramites/{NUMERO}") is tramites.show_detail
    assert _by_pattern("POST", f"/ministerio/tramites/{NUMERO}/reintentar") is tramites.redrive
    for path in ("/ministerio/tramites/TR-0001", "/ministerio/tramites/1" + "0" * 20, "/ministerio/tramites/1/x"):
        assert _by_pattern("GET", path) is None, path
    assert _by_pattern("GET", f"/ministerio/tramites/{NUMERO}/reintentar") is None  # POST only


# --- trámites: filters ----------------------------------------------------------------------------------------
def test_the_list_needs_a_state_or_a_ccf_and_checks_each_filter_before_the_api() -> None:
    empty = tramites.filter_values({"type": "TRAMITE"})
    assert [(e.field, e.message) for e in tramites.filter_errors(empty)] == [
        ("state", "Seleccione un estado o escriba el NIT de la CCF.")
    ]
    bad = tramites.filter_values({"state": "BORRADA", "ccfNit": "12345", "type": "X", "from": "01/12/2026"})
    assert [e.field for e in tramites.filter_errors(bad)] == ["state", "ccfNit", "type", "from"]
    assert tramites.filter_errors(tramites.filter_values({"ccfNit": NIT})) == []


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-02", "2026-12-01", "anterior o igual"),
        ("2025-11-30", "2026-12-01", "mayor a un año"),
        ("2026-02-30", "", "AAAA-MM-DD"),
    ],
)
def test_dates_are_iso_in_order_and_at_most_a_year_apart(start: str, end: str, message: str) -> None:
    errors = date_errors({"from": start, "to": end})
    assert len(errors) == 1 and message in errors[0].message and errors[0].field == "from"
    assert date_errors({"from": "2025-12-02", "to": "2026-12-01"}) == []


def test_the_dates_typed_are_colombias_days() -> None:
    bounds = colombia_day_bounds({"from": "2026-12-01", "to": "2026-12-31", "state": "FALLIDA"})
    assert bounds == {"from": "2026-12-01T00:00:00-05:00", "to": "2026-12-31T23:59:59.999-05:00", "state": "FALLIDA"}
    assert colombia_day_bounds({"from": "", "to": ""}) == {"from": "", "to": ""}


def test_times_are_shown_in_colombia() -> None:
    assert colombia_time("2026-12-01T08:05:00.000+00:00") == "01/12/2026 3:05 a. m."
    assert colombia_time("2026-12-01T02:00:00Z") == "30/11/2026 9:00 p. m."  # still the day before in Colombia
    assert colombia_time("2026-12-01T17:00:07Z", seconds=True) == "01/12/2026 12:00:07 p. m."
    assert colombia_time(None) == "" and colombia_time("ayer") == "ayer"


def test_the_list_asks_the_api_with_its_filters_and_links_the_next_page() -> None:
    page_body = {
        "items": [
            {"numeroTransaccion": NUMERO, "type": "TRAMITE", "ccfNit": NIT, "state": "FALLIDA", "attempts": 2,
             "codigoNovedad": "AFI", "createdAt": "2026-12-01T13:00:00+00:00",
             "updatedAt": "2026-12-01T13:01:00+00:00", "lastOutcome": "FALLIDA"},
            {"numeroTransaccion": "77", "type": "TRASLADO", "ccfNit": NIT, "state": "RECIBIDA", "attempts": 0,
             "createdAt": "2026-12-01T13:00:00+00:00", "updatedAt": "2026-12-01T13:00:00+00:00"},
        ],
        "nextPageToken": "eyJjIjpbXX0",
    }  # fmt: skip
    api = ScriptedApi([("GET", "/admin/tramites", ApiAnswer(200, page_body))])
    query = {"state": "FALLIDA", "ccfNit": NIT, "from": "2026-11-01", "pagina": "x&limit=100"}
    response = tramites.show_list(_page("GET", "/ministerio/tramites", api, query))
    assert response.status == 200
    sent = urlsplit(api.calls[0]["path"])
    assert sent.path == "/admin/tramites"
    assert parse_qs(sent.query) == {
        "state": ["FALLIDA"], "ccfNit": [NIT], "from": ["2026-11-01T00:00:00-05:00"], "limit": ["25"],
    }  # fmt: skip
    html = str(response.body)
    assert f'<a href="/ministerio/tramites/{NUMERO}">{NUMERO}</a>' in html
    assert 'href="/ministerio/tramites/77"' not in html  # transfers have no detail route
    assert "01/12/2026 8:00 a. m." in html and "Fallida" in html
    next_href = next(u for u in _urls(html) if "pagina=" in u)
    assert parse_qs(urlsplit(next_href.replace("&amp;", "&")).query)["pagina"] == ["eyJjIjpbXX0"]
    assert "Reintentar fallidos de la CCF" in html and f'name="ccfNit" value="{NIT}"' in html
    assert 'aria-current="page">Trámites' in html or "Trámites</a>" in html  # the frame's navigation


def test_no_filter_is_the_form_without_any_api_call_and_an_api_422_links_its_field() -> None:
    api = ScriptedApi()
    response = tramites.show_list(_page("GET", "/ministerio/tramites", api))
    assert response.status == 200 and api.calls == [] and "Resultados" not in str(response.body)
    refused = ApiAnswer(422, {"errors": [{"field": "query.to", "message": "El rango es mayor a un año."}]})
    api = ScriptedApi([("GET", "/admin/tramites", refused)])
    response = tramites.show_list(_page("GET", "/ministerio/tramites", api, {"ccfNit": NIT, "to": "2026-12-01"}))
    assert response.status == 422
    assert '<a href="#to">El rango es mayor a un año.</a>' in str(response.body)


def test_the_bulk_redrive_sends_only_the_ccf_and_keeps_count_and_remaining_for_the_list() -> None:
    done = ApiAnswer(202, {"count": 25, "remaining": True, "numerosTransaccion": []})
    api = ScriptedApi([("POST", "/admin/tramites/redrive", done)])
    page = _page("POST", "/ministerio/tramites/reintentar", api, form=f"csrf={CSRF}&ccfNit={NIT}&state=APROBADA")
    response = tramites.redrive_failed(page)
    assert api.calls[0]["body"] == {"ccfNit": NIT, "state": "FALLIDA"}
    assert response.status == 303
    assert response.headers["Location"] == f"/ministerio/tramites?state=FALLIDA&ccfNit={NIT}"
    assert page.session.data[NOTICE] == {"kind": "tramites-masivo", "count": 25, "remaining": True}  # type: ignore[union-attr]

    listed = ApiAnswer(200, {"items": [], "nextPageToken": None})
    page.request = Request("GET", "/ministerio/tramites", {"state": "FALLIDA", "ccfNit": NIT}, {}, b"", "", "")
    page.deps = Deps(settings=SETTINGS, store=MemoryStore(), api=ScriptedApi([("GET", "/admin/tramites", listed)]))  # type: ignore[arg-type]
    html = str(tramites.show_list(page).body)
    assert "Se reintentaron 25 trámites fallidos de la CCF." in html and "Quedan más trámites fallidos" in html
    assert NOTICE not in page.session.data  # type: ignore[union-attr]  # shown once


def test_a_post_without_the_forms_token_is_refused_before_the_api_is_called() -> None:
    api = ScriptedApi()
    cases = [
        (tramites.redrive_failed, "/ministerio/tramites/reintentar", f"ccfNit={NIT}"),
        (tramites.redrive, f"/ministerio/tramites/{NUMERO}/reintentar", "csrf=otro"),
        (audit.search, "/ministerio/auditoria", f"nit={NIT}"),
        (audit.export_csv, "/ministerio/auditoria/csv", f"nit={NIT}"),
        (operators.submit_new, "/ministerio/operadores/nuevo", "documentNumber=1"),
        (operators.edit, "/ministerio/operadores/modificar", "operatorId=CC-1"),
        (help_desk.unlock, "/ministerio/mesa-de-ayuda", "documentNumber=1"),
    ]
    for handler, path, form in cases:
        with pytest.raises(CsrfRejected):
            handler(_page("POST", path, api, form=form))
    assert api.calls == []


# --- one trámite ----------------------------------------------------------------------------------------------
TRAMITE = {
    "numeroTransaccion": NUMERO, "serialSat": f"SAT-{NUMERO}", "ccfNit": NIT, "codigoNovedad": "AFI",
    "estado": "FALLIDA", "fechaCreacion": "2026-12-01T13:00:00+00:00", "fechaVigencia": "2026-12-31",
    "pullUrl": "https://api.example/sat/solicitud-afiliacion", "attempts": 2, "generation": 1,
    "deliveries": [
        {"at": "2026-12-01T13:00:01.250+00:00", "attempt": 1, "outcome": "REINTENTO", "statusCode": 503,
         "latencyMs": 812, "reason": "HTTP_503"},
        {"at": "2026-12-01T13:00:09+00:00", "attempt": 2, "outcome": "FALLIDA", "statusCode": 400,
         "latencyMs": 95, "reason": "HTTP_400"},
    ],
    "pulls": [{"at": "2026-12-01T13:05:00+00:00", "outcome": "ENTREGADA", "clientId": "cli-123"}],
    "answer": {"ResultadoTramite": 2, "MotivoRechazo": "Empleador ya afiliado", "NumeroRadicadoSolicitud": "R-9"},
    "failureReason": "HTTP_400", "createdAt": "2026-12-01T13:00:00+00:00", "updatedAt": "2026-12-01T13:00:09+00:00",
}  # fmt: skip


def test_the_detail_shows_every_attempt_in_colombian_time_the_pulls_and_the_answer() -> None:
    api = ScriptedApi([("GET", f"/admin/tramites/{NUMERO}", ApiAnswer(200, TRAMITE))])
    html = str(tramites.show_detail(_page("GET", f"/ministerio/tramites/{NUMERO}", api)).body)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", html)
    assert rows[0] == (
        "01/12/2026 8:00:01 a. m.</th><td>1</td><td>Falló; se reintentará</td><td>503</td><td>812</td>"
        "<td>HTTP_503: la CCF respondió con el estado HTTP 503</td>"
    )
    assert (
        "<td>Fallida</td><td>400</td><td>95</td><td>HTTP_400: la CCF respondió con el estado HTTP 400</td>" in rows[1]
    )
    assert "Entregada (cifrada)" in rows[2] and "cli-123" in rows[2]
    assert "No aprobado" in html and "Empleador ya afiliado" in html
    assert "<dt>Fecha de vigencia</dt><dd>31/12/2026</dd>" in html  # a calendar date, never shifted
    assert f'action="/ministerio/tramites/{NUMERO}/reintentar"' in html


def test_reintentar_is_offered_only_for_a_failed_one_and_a_second_submit_is_the_apis_409_on_the_detail() -> None:
    approved = ApiAnswer(200, {**TRAMITE, "estado": "APROBADA"})
    api = ScriptedApi([("GET", f"/admin/tramites/{NUMERO}", approved)])
    assert "/reintentar" not in str(tramites.show_detail(_page("GET", f"/ministerio/tramites/{NUMERO}", api)).body)

    conflict = ApiAnswer(409, {"code": "TRAMITE_NOT_FAILED", "detail": "El trámite no está en estado FALLIDA."})
    api = ScriptedApi([("POST", f"/admin/tramites/{NUMERO}/redrive", conflict), ("GET", "/admin/tramites/", approved)])
    page = _page("POST", f"/ministerio/tramites/{NUMERO}/reintentar", api, form=f"csrf={CSRF}")
    response = tramites.redrive(page)
    assert response.status == 409
    assert '<a href="#reintentar">El trámite no está en estado FALLIDA.</a>' in str(response.body)
    assert NOTICE not in page.session.data  # type: ignore[union-attr]

    api = ScriptedApi([("POST", f"/admin/tramites/{NUMERO}/redrive", ApiAnswer(202, TRAMITE))])
    page = _page("POST", f"/ministerio/tramites/{NUMERO}/reintentar", api, form=f"csrf={CSRF}")
    response = tramites.redrive(page)
    assert response.status == 303 and response.headers["Location"] == f"/ministerio/tramites/{NUMERO}"


def test_an_auditor_reads_a_failed_tramite_without_the_redrive_buttons() -> None:
    api = ScriptedApi(
        [
            ("GET", f"/admin/tramites/{NUMERO}", ApiAnswer(200, TRAMITE)),
            ("GET", "/admin/tramites", ApiAnswer(200, {"items": [], "nextPageToken": None})),
        ]
    )
    page = _page("GET", f"/ministerio/tramites/{NUMERO}", api)
    page.session.secrets["id_token"] = _id_token(["ministerio-auditor"])  # type: ignore[union-attr]
    html = str(tramites.show_detail(page).body)
    assert "HTTP_400" in html and "/reintentar" not in html
    assert tramites.reason_words("SIN_SERVICIO_NOTIFICACION").endswith(
        "no tiene un servicio compartido de notificaciones"
    )
    assert tramites.reason_words("TIMEOUT") == "TIMEOUT" and tramites.reason_words(None) == ""
    page.request = Request("GET", "/ministerio/tramites", {"state": "FALLIDA", "ccfNit": NIT}, {}, b"", "", "")
    assert "Reintentar fallidos de la CCF" not in str(tramites.show_list(page).body)


def test_an_unknown_tramite_and_a_section_the_operator_lacks_are_messages() -> None:
    api = ScriptedApi([("GET", "/admin/tramites/", ApiAnswer(404, {"code": "TRAMITE_NOT_FOUND"}))])
    response = tramites.show_detail(_page("GET", f"/ministerio/tramites/{NUMERO}", api))
    assert response.status == 404 and "Trámite no encontrado" in str(response.body)
    api = ScriptedApi([("GET", "/admin/tramites", ApiAnswer(403, {"code": "FORBIDDEN"}))])
    response = tramites.show_list(_page("GET", "/ministerio/tramites", api, {"state": "FALLIDA"}))
    assert response.status == 403 and "No tiene permiso para esta sección" in str(response.body)


# --- audit ----------------------------------------------------------------------------------------------------
AUDIT_FORM = f"csrf={CSRF}&nit=&documentNumber=1020304050&action=tramite+redriven&from=2026-11-01&to="


def test_the_audit_search_is_a_post_and_the_document_never_reaches_a_url_of_the_page() -> None:
    entries = {
        "items": [
            {"at": "2026-12-01T13:05:00+00:00", "action": "TRAMITE_REDRIVEN", "entity": f"TRAMITE#{NUMERO}",
             "actor": "CC-1020304050", "nit": NIT, "sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0",
             "details": {"generation": 1, "bulk": True}},
        ],
        "nextPageToken": "eyJQSyI6IlBFUlNPTiNDQy0xMDIwMzA0MDUwIn0",
    }  # fmt: skip
    api = ScriptedApi([("GET", "/admin/audit", ApiAnswer(200, entries))])
    response = audit.search(_page("POST", "/ministerio/auditoria", api, form=AUDIT_FORM))
    assert response.status == 200
    sent = parse_qs(urlsplit(api.calls[0]["path"]).query)
    assert sent == {
        "documentNumber": ["1020304050"], "action": ["TRAMITE_REDRIVEN"], "from": ["2026-11-01T00:00:00-05:00"],
        "limit": ["50"],
    }  # fmt: skip
    html = str(response.body)
    assert "01/12/2026 8:05:00 a. m." in html and "Trámite reintentado" in html and "bulk: True; generation: 1" in html
    assert all("1020304050" not in url for url in _urls(html))
    assert 'name="pagina" value="eyJQSyI6IlBFUlNPTiNDQy0xMDIwMzA0MDUwIn0"' in html  # in a form, not a link
    assert html.count('action="/ministerio/auditoria/csv"') == 1


def test_the_audit_search_needs_one_of_three_filters_and_checks_them_before_the_api() -> None:
    api = ScriptedApi()
    response = audit.search(_page("POST", "/ministerio/auditoria", api, form=f"csrf={CSRF}&from=2026-11-01"))
    assert response.status == 400 and api.calls == []
    assert '<a href="#nit">Escriba el NIT, el número de documento o la acción que busca.</a>' in str(response.body)
    bad = f"csrf={CSRF}&nit=12&documentNumber=10.20&action=borrar*"
    errors = audit.filter_errors(audit.form_values({k: v[0] for k, v in parse_qs(bad).items()}))
    assert [e.field for e in errors] == ["nit", "documentNumber", "action"]


def test_the_csv_is_the_apis_file_as_a_download() -> None:
    content = "at,action,entity,actor,nit,sourceIp,userAgent,details\r\n2026-12-01,TRAMITE_REDRIVEN,x,y,z,,,\r\n"
    csv_answer = ApiAnswer(200, None, {"content-type": "text/csv; charset=utf-8"}, content.encode())
    api = ScriptedApi([("GET", "/admin/audit", csv_answer)])
    response = audit.export_csv(_page("POST", "/ministerio/auditoria/csv", api, form=AUDIT_FORM))
    assert api.calls[0]["accept"].startswith("text/csv")
    assert "limit" not in parse_qs(urlsplit(api.calls[0]["path"]).query)
    assert response.status == 200 and response.body == content.encode()
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="auditoria-\d{8}-\d{6}\.csv"', response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    proxy = response.to_proxy()
    assert proxy["isBase64Encoded"] and base64.b64decode(proxy["body"]) == content.encode()


def test_a_csv_refused_by_the_api_is_the_search_page_with_its_message() -> None:
    refused = ApiAnswer(422, {"errors": [{"field": "query.documentNumber", "message": "Documento no válido."}]})
    api = ScriptedApi([("GET", "/admin/audit", refused)])
    response = audit.export_csv(_page("POST", "/ministerio/auditoria/csv", api, form=AUDIT_FORM))
    assert response.status == 422 and response.headers["Content-Type"].startswith("text/html")
    assert '<a href="#documentNumber">Documento no válido.</a>' in str(response.body)


# --- operators ------------------------------------------------------------------------------------------------
OPERATOR = {
    "operatorId": "CC-63173063", "documentType": "CC", "documentNumber": "63173063", "names": "Denis Pérez",
    "email": "denis.perez@example.org", "groups": ["ministerio-auditor"], "enabled": True, "totpEnabled": True,
    "status": "ACTIVE",
}  # fmt: skip


def test_the_operators_list_names_groups_in_spanish_and_puts_no_document_in_a_url() -> None:
    listed = ApiAnswer(200, {"items": [OPERATOR], "nextPageToken": "eyJvIjoiQ0MtNjMxNzMwNjMifQ"})
    api = ScriptedApi([("GET", "/admin/operators", listed)])
    html = str(operators.show_list(_page("GET", "/ministerio/operadores", api)).body)
    assert "Auditores del Ministerio (solo lectura)" in html
    assert all("63173063" not in url for url in _urls(html))
    assert 'name="operatorId" value="CC-63173063"' in html and 'name="pagina"' in html


def test_a_new_operator_needs_a_group_and_sends_only_known_groups() -> None:
    api = ScriptedApi()
    form = f"csrf={CSRF}&documentType=CC&documentNumber=1062020493&names=&email="
    response = operators.submit_new(_page("POST", "/ministerio/operadores/nuevo", api, form=form))
    assert response.status == 400 and not [c for c in api.calls if c["method"] == "POST"]
    assert '<a href="#email">Escriba el correo electrónico.</a>' in str(response.body)
    assert '<a href="#groups">Seleccione al menos un grupo.</a>' in str(response.body)

    created = ApiAnswer(201, {**OPERATOR, "invited": True})
    api = ScriptedApi([("POST", "/admin/operators", created)])
    form = (
        f"csrf={CSRF}&documentType=CC&documentNumber=1062020493&names=&email=e%40example.org"
        "&groups=ministerio-revisor&groups=root&groups=ministerio-auditor"
    )
    page = _page("POST", "/ministerio/operadores/nuevo", api, form=form)
    response = operators.submit_new(page)
    assert response.status == 303 and response.headers["Location"] == "/ministerio/operadores"
    assert api.calls[-1]["body"] == {
        "documentType": "CC", "documentNumber": "1062020493", "email": "e@example.org",
        "groups": ["ministerio-revisor", "ministerio-auditor"],
    }  # fmt: skip
    assert page.session.data[NOTICE] == {"kind": "operadores-nuevo", "invited": True}  # type: ignore[union-attr]


def test_an_operator_that_exists_is_the_apis_409_linked_to_the_document() -> None:
    conflict = ApiAnswer(409, {"code": "OPERATOR_EXISTS", "detail": "La persona ya es operador."})
    api = ScriptedApi([("POST", "/admin/operators", conflict)])
    form = f"csrf={CSRF}&documentType=CC&documentNumber=63173063&email=e%40example.org&groups=ministerio"
    response = operators.submit_new(_page("POST", "/ministerio/operadores/nuevo", api, form=form))
    assert response.status == 409
    assert '<a href="#documentNumber">La persona ya es operador.</a>' in str(response.body)
    assert 'value="ministerio" checked' in str(response.body)


def test_modificar_shows_the_form_and_saving_needs_a_reason_then_patches() -> None:
    listed = ApiAnswer(200, {"items": [OPERATOR], "nextPageToken": None})
    api = ScriptedApi([("GET", "/admin/operators", listed), ("PATCH", "/admin/operators/", ApiAnswer(200, OPERATOR))])
    form = f"csrf={CSRF}&operatorId=CC-63173063"
    html = str(operators.edit(_page("POST", "/ministerio/operadores/modificar", api, form=form)).body)
    assert (
        "Modificar operador" in html and 'value="ministerio-auditor" checked' in html and "Hay un problema" not in html
    )

    form += "&accion=guardar&groups=ministerio-intercambio&enabled=no&reason=+"
    response = operators.edit(_page("POST", "/ministerio/operadores/modificar", api, form=form))
    assert response.status == 400 and '<a href="#reason">' in str(response.body)
    assert not [c for c in api.calls if c["method"] == "PATCH"]

    page = _page("POST", "/ministerio/operadores/modificar", api, form=form.replace("reason=+", "reason=Traslado"))
    response = operators.edit(page)
    assert response.status == 303
    patch = next(c for c in api.calls if c["method"] == "PATCH")
    assert patch["path"] == "/admin/operators/CC-63173063"
    assert patch["body"] == {"groups": ["ministerio-intercambio"], "enabled": False, "reason": "Traslado"}


def test_an_operator_id_that_is_not_the_apis_pattern_or_not_listed_is_not_found_without_a_write() -> None:
    listed = ApiAnswer(200, {"items": [OPERATOR], "nextPageToken": None})
    api = ScriptedApi([("GET", "/admin/operators", listed)])
    for operator_id in ("../admin", "CC-99999999"):
        form = f"csrf={CSRF}&operatorId={operator_id}&accion=guardar&enabled=si&reason=Motivo"
        response = operators.edit(_page("POST", "/ministerio/operadores/modificar", api, form=form))
        assert response.status == 404 and "Operador no encontrado" in str(response.body)
    assert {c["method"] for c in api.calls} == {"GET"}


# --- help desk ------------------------------------------------------------------------------------------------
def test_unlock_checks_the_fields_then_posts_the_reason_and_keeps_a_notice_naming_nobody() -> None:
    api = ScriptedApi([("POST", "/admin/people/", ApiAnswer(204))])
    response = help_desk.unlock(_page("POST", "/ministerio/mesa-de-ayuda", api, form=f"csrf={CSRF}&documentType=CC"))
    assert response.status == 400
    assert not [c for c in api.calls if c["method"] == "POST"]
    html = str(response.body)
    assert '<a href="#documentNumber">Escriba el número de documento.</a>' in html and '<a href="#reason">' in html

    form = f"csrf={CSRF}&documentType=CC&documentNumber=52000111&reason=Llamada+verificada"
    page = _page("POST", "/ministerio/mesa-de-ayuda", api, form=form)
    response = help_desk.unlock(page)
    assert response.status == 303 and response.headers["Location"] == "/ministerio/mesa-de-ayuda"
    post = next(c for c in api.calls if c["method"] == "POST")
    assert post["path"] == "/admin/people/CC/52000111/unlock" and post["body"] == {"reason": "Llamada verificada"}
    assert page.session.data[NOTICE] == {"kind": "mesa-de-ayuda-desbloqueo"}  # type: ignore[union-attr]


def test_unlock_refused_by_the_api_keeps_what_was_typed_with_its_message() -> None:
    refused = ApiAnswer(422, {"errors": [{"field": "path.documentNumber", "message": "Documento no válido."}]})
    api = ScriptedApi([("POST", "/admin/people/", refused)])
    form = f"csrf={CSRF}&documentType=CC&documentNumber=ABC123&reason=Llamada"
    response = help_desk.unlock(_page("POST", "/ministerio/mesa-de-ayuda", api, form=form))
    assert response.status == 422
    assert '<a href="#documentNumber">Documento no válido.</a>' in str(response.body)
    assert 'value="ABC123"' in str(response.body)
