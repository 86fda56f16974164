"""The back office's first pages without AWS (functions/portal/ministry_home.py, ministry_rut.py, ministry_ccfs.py,
ministry_services.py; decision 0096): the dashboard's counts from one list page each, only for the operator's
sections; the RUT's differences in words and the PDF's origin in frame-src of that page only; every form's own
checks made before any API call; the API's refusals and conflicts shown; the bodies sent."""

from __future__ import annotations

from typing import Any

from portal import ministry_ccfs, ministry_home, ministry_rut, ministry_services
from portal.api_client import ApiAnswer
from portal.web import MAX_FORM_BYTES, PAGE_HEADERS
from test_portal_ministry_frame import Api, page_for

NIT = "900123456"
COMPANY = {
    "nit": NIT,
    "dv": "8",
    "businessName": "Comercializadora Andina S.A.S.",
    "status": "PENDING_REVIEW",
    "since": "2026-12-01T07:40:12Z",
    "reference": {"found": True},
    "comparison": [
        {"field": "businessName", "typed": "Comercializadora Andina S.A.S.", "reference": "OTRA SAS", "matches": False},
        {"field": "dv", "typed": "8", "reference": "8", "matches": True},
    ],
    "rut": {"status": "UPLOADED", "viewable": True},
}
RUT_LINK = {
    "url": "https://rut-bucket.s3.amazonaws.com/rut/900123456/x.pdf?X-Amz-Expires=300",
    "expiresAt": "2026-12-01T09:05:00Z",
    "sizeBytes": 48213,
}


class RecordingApi(Api):
    """Also keeps each call's body."""

    def __init__(self, answers: dict[tuple[str, str], ApiAnswer]) -> None:
        super().__init__(answers)
        self.bodies: list[Any] = []

    def call(self, method: str, path: str, client: Any, **kwargs: Any) -> ApiAnswer:
        self.bodies.append(kwargs.get("body"))
        return super().call(method, path, client, **kwargs)


# --- the dashboard ---------------------------------------------------------------------------------------------
def test_the_dashboard_asks_only_for_the_queues_of_the_operators_sections() -> None:
    queue = {"items": [{"nit": NIT, "waitingSeconds": 2 * 86_400 + 3 * 3600}], "nextPageToken": "more"}
    api = Api({("GET", "/admin/employers"): ApiAnswer(200, queue)})
    response = ministry_home.show(page_for("/ministerio", ["ministerio-revisor"], api))
    assert [path for _, path in api.calls] == ["/admin/employers?status=PENDING_REVIEW&limit=100"]
    html = str(response.body)
    assert "1 o más</span> RUT pendientes de revisión" in html and "lleva esperando 2 días y 3 horas" in html


def test_the_dashboard_counts_suspended_ccfs_and_shows_a_refusal_without_failing() -> None:
    ccfs = {"items": [{"status": "SUSPENDED"}, {"status": "ACTIVE"}, {"status": "SUSPENDED"}], "nextToken": None}
    api = Api({("GET", "/admin/ccfs"): ApiAnswer(200, ccfs), ("GET", "/admin/tramites"): ApiAnswer(403, {})})
    html = str(ministry_home.show(page_for("/ministerio", ["ministerio"], api)).body)
    assert "2</span> Cajas (CCF) suspendidas" in html
    assert "Sin acceso</span> Trámites fallidos" in html
    assert ministry_home.count_of(ministry_home.QUEUES[0], None)["count"] == "0"


# --- RUT review ------------------------------------------------------------------------------------------------
def test_differences_are_told_in_words() -> None:
    rows = ministry_rut.comparison_rows(COMPANY)
    assert rows[0] == {
        "label": "Razón social",
        "typed": "Comercializadora Andina S.A.S.",
        "reference": "OTRA SAS",
        "matches": False,
    }
    assert ministry_rut.differences_text(rows, True) == "Hay 1 diferencia con la fuente de referencia: Razón social."
    both = [{**row, "matches": False} for row in rows]
    assert "2 diferencias" in ministry_rut.differences_text(both, True)
    assert ministry_rut.differences_text(rows[1:], True).startswith("Todos los datos coinciden")
    assert "no tiene datos de este NIT" in ministry_rut.differences_text(rows, False)


def test_the_company_page_frames_only_the_rut_buckets_origin() -> None:
    api = Api(
        {
            ("GET", f"/admin/employers/{NIT}"): ApiAnswer(200, COMPANY),
            ("GET", f"/admin/employers/{NIT}/rut"): ApiAnswer(200, RUT_LINK),
        }
    )
    response = ministry_rut.show_company(page_for(f"/ministerio/rut/{NIT}", api=api))
    assert response.status == 200
    assert response.headers["Content-Security-Policy"].endswith("; frame-src https://rut-bucket.s3.amazonaws.com")
    assert "frame-src" not in PAGE_HEADERS["Content-Security-Policy"]
    html = str(response.body)
    assert 'title="RUT adjunto por la empresa (PDF)"' in html and "Abrir el RUT (PDF, 47 KB" in html
    assert 'class="diferencia"' in html and "No: es diferente" in html
    assert "El enlace vence a las 4:05 a. m. (hora de Colombia)" in html


def test_a_company_without_a_viewable_rut_asks_for_no_link_and_frames_nothing() -> None:
    company = {**COMPANY, "rut": None}
    api = Api({("GET", f"/admin/employers/{NIT}"): ApiAnswer(200, company)})
    response = ministry_rut.show_company(page_for(f"/ministerio/rut/{NIT}", api=api))
    assert api.calls == [("GET", f"/admin/employers/{NIT}")]
    assert "frame-src" not in response.headers["Content-Security-Policy"]
    assert "no tiene un RUT adjunto" in str(response.body)


def test_the_decision_is_checked_before_any_api_call() -> None:
    for form, field in ((b"csrf=t", "decision"), (b"csrf=t&decision=REJECT&reason=no", "reason")):
        api = Api({("GET", f"/admin/employers/{NIT}"): ApiAnswer(200, {**COMPANY, "rut": None})})
        page = page_for(f"/ministerio/rut/{NIT}/decision", api=api, method="POST", body=form)
        response = ministry_rut.submit_decision(page)
        assert response.status == 400 and f'href="#{field}"' in str(response.body)
        assert [m for m, _ in api.calls] == ["GET"]


def test_a_second_decision_is_the_apis_409_and_a_first_one_a_notice() -> None:
    conflict = ApiAnswer(409, {"code": "RUT_NOT_IN_REVIEW", "detail": "El RUT de esta empresa no está en revisión."})
    answers = {
        ("GET", f"/admin/employers/{NIT}"): ApiAnswer(200, {**COMPANY, "status": "REGISTERED", "rut": None}),
        ("POST", f"/admin/employers/{NIT}/rut-review"): conflict,
    }
    api = RecordingApi(answers)
    body = b"csrf=t&decision=REJECT&reason=Ilegible"
    response = ministry_rut.submit_decision(
        page_for(f"/ministerio/rut/{NIT}/decision", api=api, method="POST", body=body)
    )
    assert response.status == 409 and "no está en revisión" in str(response.body)
    assert {"decision": "REJECT", "reason": "Ilegible"} in api.bodies
    answers[("POST", f"/admin/employers/{NIT}/rut-review")] = ApiAnswer(200, {"nit": NIT, "status": "REGISTERED"})
    page = page_for(f"/ministerio/rut/{NIT}/decision", api=api, method="POST", body=b"csrf=t&decision=APPROVE")
    response = ministry_rut.submit_decision(page)
    assert (response.status, response.headers["Location"]) == (303, f"/ministerio/rut/{NIT}")
    assert api.bodies[-1] == {"decision": "APPROVE"}  # no reason sent with an approval
    assert page.session is not None and page.session.data["ministerio_aviso"] == {"kind": "rut-aprobado"}


def test_a_token_from_an_older_queue_starts_again() -> None:
    api = Api({("GET", "/admin/employers"): ApiAnswer(422, {"code": "VALIDATION_ERROR"})})
    response = ministry_rut.show_queue(page_for("/ministerio/rut", api=api, query={"pagina": "old"}))
    assert (response.status, response.headers["Location"]) == (303, "/ministerio/rut")


# --- CCFs ------------------------------------------------------------------------------------------------------
def test_a_ccfs_summary_is_in_words() -> None:
    item = {
        "nit": "860007336",
        "status": "SUSPENDED",
        "stateReason": "Oficio 2026-123",
        "servicesAssigned": 2,
        "sharedServices": {"total": 1, "notification": {"name": "Avisos", "status": "ACTIVE", "connection": "FAILED"}},
        "lastDelivery": {"outcome": "ACUSADA", "at": "2026-12-01T13:00:00+00:00"},
    }
    summary = ministry_ccfs.summary(item)
    assert summary["stateName"] == "Suspendida" and summary["health"] == "Avisos: completo; La prueba de conexión falló"
    assert summary["lastDelivery"] == "Acusada por la CCF, 01/12/2026 8:00 a. m."
    bare = ministry_ccfs.summary({"nit": "x", "sharedServices": None, "lastDelivery": None})
    assert bare["health"] == "Sin servicio de notificación de trámites" and not bare["linked"]


def test_the_ccf_forms_are_checked_before_any_api_call() -> None:
    api = Api({("GET", "/admin/ccfs"): ApiAnswer(200, {"items": [], "nextToken": None})})
    page = page_for("/ministerio/ccfs", api=api, method="POST", body=b"csrf=t&nit=12345")
    assert ministry_ccfs.submit_activation(page).status == 400
    assert [m for m, _ in api.calls] == ["GET"]
    page = page_for(f"/ministerio/ccfs/{NIT}/estado", api=api, method="POST", body=b"csrf=t&state=SUSPENDED&reason=x")
    response = ministry_ccfs.submit_state(page)
    assert response.status == 400 and 'href="#reason"' in str(response.body)
    assert [m for m, _ in api.calls] == ["GET"]


def test_the_state_asked_for_travels_in_the_form_so_a_second_submit_repeats_it() -> None:
    unchanged = ApiAnswer(409, {"code": "CCF_STATE_UNCHANGED", "detail": "La CCF ya está en ese estado."})
    api = RecordingApi({("PATCH", f"/admin/ccfs/{NIT}"): unchanged})
    body = b"csrf=t&state=SUSPENDED&reason=Oficio+2026-123&ccfName=Caja"
    response = ministry_ccfs.submit_state(page_for(f"/ministerio/ccfs/{NIT}/estado", api=api, method="POST", body=body))
    assert api.bodies == [{"state": "SUSPENDED", "reason": "Oficio 2026-123"}]
    assert response.status == 409 and "ya está en ese estado" in str(response.body)


def test_an_unknown_ccf_is_not_found_after_a_bounded_search() -> None:
    api = Api({("GET", "/admin/ccfs"): ApiAnswer(200, {"items": [{"nit": "111111111"}], "nextToken": "n"})})
    response = ministry_ccfs.show_ccf(page_for(f"/ministerio/ccfs/{NIT}", api=api))
    assert response.status == 404 and len(api.calls) == ministry_ccfs.FIND_PAGES


# --- the catalog -----------------------------------------------------------------------------------------------
def test_a_new_service_is_checked_and_its_document_sent_as_json() -> None:
    values = {"code": "x", "name": "", "description": "", "operation": "TRACE", "openapi": "[1]"}
    errors, document = ministry_services.new_errors(values)
    assert [e.field for e in errors] == ["code", "name", "description", "operation", "openapi"] and document is None
    api = RecordingApi({("POST", "/admin/services"): ApiAnswer(201, {"serviceId": "consulta"})})
    body = b"csrf=t&code=CONSULTA&name=Consulta&description=D&operation=POST&openapi=%7B%22openapi%22%3A%223.1.0%22%7D"
    page = page_for("/ministerio/servicios/nuevo", api=api, method="POST", body=body)
    response = ministry_services.submit_new(page)
    assert (response.status, response.headers["Location"]) == (303, "/ministerio/servicios")
    assert api.bodies == [
        {
            "code": "CONSULTA",
            "name": "Consulta",
            "description": "D",
            "operation": "POST",
            "openapi": {"openapi": "3.1.0"},
        }
    ]


def test_a_form_over_the_limit_says_why_instead_of_a_403() -> None:
    api = Api({})
    body = b"csrf=t&openapi=" + b"a" * MAX_FORM_BYTES
    response = ministry_services.submit_new(page_for("/ministerio/servicios/nuevo", api=api, method="POST", body=body))
    assert response.status == 413 and "supera 8 KB" in str(response.body) and api.calls == []


def test_activate_and_deactivate_send_the_state_the_form_carries() -> None:
    api = RecordingApi({("PATCH", "/admin/services/consulta"): ApiAnswer(200, {})})
    body = b"csrf=t&state=INACTIVE"
    response = ministry_services.submit_state(
        page_for("/ministerio/servicios/consulta/estado", api=api, method="POST", body=body)
    )
    assert response.status == 303 and api.bodies == [{"state": "INACTIVE"}]
    row = ministry_services.row({"serviceId": "consulta", "state": "INACTIVE"})
    assert (row["stateName"], row["target"]) == ("Inactivo", "ACTIVE")


def test_a_person_without_the_ministry_role_gets_the_403_page() -> None:
    citizen = {"username": "CC-1", "roles": [{"role": "PERSONA_NATURAL", "name": "Persona natural"}]}
    api = Api({("GET", "/me/roles"): ApiAnswer(200, citizen)})
    response = ministry_home.show(page_for("/ministerio", [], api))
    assert response.status == 403 and "No tiene permiso" in str(response.body)
    assert api.calls == [("GET", "/me/roles")]  # no queue is asked for


def test_actions_are_offered_only_to_the_groups_the_api_admits_there() -> None:
    answers = {
        ("GET", f"/admin/employers/{NIT}"): ApiAnswer(200, {**COMPANY, "rut": None}),
        ("GET", "/admin/ccfs"): ApiAnswer(200, {"items": [], "nextToken": None}),
        ("GET", "/admin/services"): ApiAnswer(200, {"items": [{"serviceId": "consulta", "state": "ACTIVE"}]}),
    }
    for groups, decides, manages in (
        (["ministerio-revisor"], True, False),
        (["ministerio-auditor"], False, False),
        (["ministerio-catalogo"], False, True),
        (["ministerio"], True, True),
    ):
        rut = str(ministry_rut.show_company(page_for(f"/ministerio/rut/{NIT}", groups, Api(answers))).body)
        assert ("Registrar decisión" in rut) is decides and ("no decidir" in rut) is not decides
        ccfs = str(ministry_ccfs.show_list(page_for("/ministerio/ccfs", groups, Api(answers))).body)
        assert ("Activar rol CCF</button>" in ccfs) is manages
        services = str(ministry_services.show_list(page_for("/ministerio/servicios", groups, Api(answers))).body)
        assert ("/estado" in services) is manages and ('href="/ministerio/servicios/nuevo"' in services) is manages
