"""The "Trámites y entregas" pages and the test notification's button without AWS (decisions 0107, 0108): the
list's API query (CCF from the path, Colombia's days, the page token), the detail's button only where the API
allows a redelivery, the API's 429 in the error summary, and post/redirect/get with a one-time notice."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from portal.api_client import ApiAnswer
from portal.ccf_routes import route
from test_portal_ccf_pages import NIT, SHARED_ID, FakeApi, _page

NUMERO = "2026120100000001"
TRAMITE = {
    "numeroTransaccion": NUMERO, "serialSat": "SAT-1", "ccfNit": NIT, "codigoNovedad": "AFI", "estado": "NOTIFICADA",
    "fechaCreacion": "2026-12-01T10:00:00.000+00:00", "fechaVigencia": "2026-12-31", "pullUrl": "https://x/sat",
    "attempts": 1, "createdAt": "2026-12-01T10:00:00.000+00:00", "updatedAt": "2026-12-01T10:00:01.000+00:00",
    "deliveries": [{"at": "2026-12-01T10:00:01.000+00:00", "attempt": 1, "outcome": "ACUSADA", "statusCode": 200,
                    "latencyMs": 42, "reason": None}],
    "pulls": [], "acknowledgement": {"numeroTransaccion": NUMERO, "radicado": "CCF-000001"},
}  # fmt: skip
RATE_LIMITED = ApiAnswer(
    429,
    {"code": "REDELIVERY_RATE_LIMITED", "title": "Entrega solicitada hace poco",
     "detail": "Ya se pidió entregar de nuevo hace poco. Intente de nuevo en 280 segundos."},
)  # fmt: skip


def test_the_list_asks_the_api_for_this_ccf_with_colombian_days() -> None:
    api = FakeApi()
    page = _page("GET", f"/ccfs/{NIT}/servicios/tramites", api)
    page.request.query.update({"state": "FALLIDA", "from": "2026-11-01", "to": "2026-11-30", "pagina": "abc"})
    route(page)
    (method, path, _), *_ = api.calls
    split = urlsplit(path)
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    assert method == "GET" and split.path == f"/ccfs/{NIT}/tramites"
    assert query["state"] == "FALLIDA" and query["pageToken"] == "abc" and query["limit"] == "25"
    assert query["from"] == "2026-11-01T00:00:00-05:00" and query["to"].startswith("2026-11-30T23:59:59")


def test_a_reversed_range_is_the_error_summary_without_calling_the_api() -> None:
    api = FakeApi()
    page = _page("GET", f"/ccfs/{NIT}/servicios/tramites", api)
    page.request.query.update({"from": "2026-12-31", "to": "2026-01-01"})
    response = route(page)
    assert response.status == 400 and "Hay un problema" in str(response.body) and api.calls == []


def test_the_detail_offers_the_redelivery_and_shows_the_api_refusal_in_the_summary() -> None:
    api = FakeApi()
    api.answers[("GET", f"/ccfs/{NIT}/tramites/{NUMERO}")] = ApiAnswer(200, TRAMITE)
    html = str(route(_page("GET", f"/ccfs/{NIT}/servicios/tramites/{NUMERO}", api)).body)
    assert "Entregar de nuevo" in html and "Acusada por la CCF" in html and "CCF-000001" in html
    assert "<dd>01/12/2026 5:00 a. m.</dd>" in html and "<dd>31/12/2026</dd>" in html  # people's words
    api.answers[("POST", f"/ccfs/{NIT}/tramites/{NUMERO}/redelivery")] = RATE_LIMITED
    form = "csrf=token"
    response = route(_page("POST", f"/ccfs/{NIT}/servicios/tramites/{NUMERO}/entregar", api, form))
    assert response.status == 429
    assert "Intente de nuevo en 280 segundos" in str(response.body) and 'href="#entregar"' in str(response.body)
    answered = {**TRAMITE, "estado": "APROBADA", "answer": {"ResultadoTramite": 1}}
    api.answers[("GET", f"/ccfs/{NIT}/tramites/{NUMERO}")] = ApiAnswer(200, answered)
    assert "Entregar de nuevo" not in str(route(_page("GET", f"/ccfs/{NIT}/servicios/tramites/{NUMERO}", api)).body)


def test_an_accepted_redelivery_and_a_test_notification_redirect() -> None:
    api = FakeApi()
    api.answers[("POST", f"/ccfs/{NIT}/tramites/{NUMERO}/redelivery")] = ApiAnswer(202, {"accepted": True})
    response = route(_page("POST", f"/ccfs/{NIT}/servicios/tramites/{NUMERO}/entregar", api, "csrf=token"))
    assert response.status == 303 and response.headers["Location"].endswith(f"/servicios/tramites/{NUMERO}")
    result = {"status": "ACUSADA", "httpStatus": 200, "latencyMs": 12, "detail": "El servicio acusó recibo."}
    api.answers[("POST", f"/ccfs/{NIT}/shared-services/{SHARED_ID}/test-notification")] = ApiAnswer(200, result)
    path = f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}/notificacion-prueba"
    response = route(_page("POST", path, api, "csrf=token"))
    assert response.status == 303 and response.headers["Location"].endswith("#notificacion-de-prueba")
    assert route(_page("POST", f"/ccfs/{NIT}/servicios/tramites/12a/entregar", api, "csrf=token")).status == 404
