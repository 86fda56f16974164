"""The employer pages' logic that needs no AWS (functions/portal/employer_forms.py, employers.py): the CIIU search,
the API bodies, the confirmation's missing steps, the company's state in words, and the RUT page, whose form
alone may go to S3 (and only to the slot's origin) while the S3 redirect lands on the clean address."""

from __future__ import annotations

import time
from typing import Any

from portal import employer_forms as forms
from portal import employers
from portal.api_client import ApiAnswer
from portal.context import Page
from portal.sessions import PortalSession
from portal.web import PAGE_HEADERS, Request

CIIU = [
    {"code": "0010", "name": "Asalariados", "dianSpecial": True},
    {"code": "8430", "name": "Actividades de planes de seguridad social de afiliación obligatoria"},
    *({"code": f"{n:04d}", "name": f"Actividad de prueba {n}"} for n in range(100, 200)),
]


def test_ciiu_search_ignores_accents_and_case_and_never_lists_dian_codes() -> None:
    assert [i["code"] for i in forms.ciiu_matches(CIIU, "AFILIACION obligatoria")] == ["8430"]
    assert forms.ciiu_matches(CIIU, "asalariados") == []
    assert forms.ciiu_matches(CIIU, "") == []


def test_ciiu_search_is_bounded_and_keeps_the_chosen_activity() -> None:
    found = forms.ciiu_matches(CIIU, "prueba", chosen="8430")
    assert len(found) == forms.CIIU_LIMIT + 1 and found[0]["code"] == "8430"


def test_the_headquarters_body_sends_the_employees_as_a_number_and_every_field() -> None:
    values = forms.headquarters_values({"employees": " 250 ", "ciiu": "8430"}, ["ARUS"])
    body = forms.headquarters_body(values)
    assert body["employees"] == 250 and body["pilaOperators"] == ["ARUS"]
    assert set(body) == set(forms.HEADQUARTERS_FIELDS)
    assert forms.headquarters_body({**values, "employees": "doce"})["employees"] == "doce"  # the API says why


def test_the_missing_steps_of_a_409_are_the_known_ones() -> None:
    assert forms.missing_steps({"missingSteps": ["delegate", "headquarters", "other"]}) == ["delegate", "headquarters"]
    assert forms.missing_steps(None) == []


def test_the_review_state_is_told() -> None:
    assert "en revisión" in forms.state_lines({"status": "PENDING_REVIEW"})[0]
    rejected = forms.state_lines({"status": "RUT_REJECTED", "rut": {"status": "REJECTED", "rejection": "Ilegible"}})
    assert "Motivo: Ilegible" in rejected[0]
    assert "aprobado" in forms.state_lines({"status": "DRAFT", "rut": {"status": "APPROVED"}})[0]


class _Store:
    def save(self, session: PortalSession) -> None:
        pass


class _Api:
    def __init__(self, answer: ApiAnswer) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str]] = []

    def call(self, method: str, path: str, client: Any, **_: Any) -> ApiAnswer:
        self.calls.append((method, path))
        return self.answer


class _Deps:
    def __init__(self, api: _Api) -> None:
        self.store = _Store()
        self.api = api


def _page(method: str, path: str, api: _Api, query: dict[str, str] | None = None) -> Page:
    session = PortalSession(key="k", csrf="t", created_at=0, last_seen_at=0)
    session.secrets["id_token"] = "id"
    session.data["token_expires_at"] = int(time.time()) + 3600
    body = b"csrf=t"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = Request(method, path, query or {}, headers, body, "203.0.113.9", "test")
    return Page(request, _Deps(api), session, [])  # type: ignore[arg-type]


def test_the_rut_form_alone_may_post_to_the_slots_s3_origin() -> None:
    slot = {
        "uploadId": "01J0000000000000000000000A",
        "url": "https://rut-bucket.s3.amazonaws.com/",
        "fields": {"key": "rut/900000000/x.pdf", "success_action_redirect": "https://portal/empleadores/900000000"},
        "maxBytes": 1048576,
        "expiresAt": "2026-12-01T00:10:00Z",
    }
    api = _Api(ApiAnswer(201, slot))
    response = employers.submit_rut(_page("POST", "/empleadores/900000000/rut", api))
    assert api.calls == [("POST", "/employers/900000000/rut?returnTo=portal")]
    policy = response.headers["Content-Security-Policy"]
    assert "form-action 'self' https://rut-bucket.s3.amazonaws.com;" in policy
    assert "form-action 'self';" in PAGE_HEADERS["Content-Security-Policy"]  # every other page: 'self' only
    html = str(response.body)
    assert 'action="https://rut-bucket.s3.amazonaws.com/"' in html and 'enctype="multipart/form-data"' in html
    assert html.index('name="success_action_redirect"') < html.index('type="file"')  # the file goes last


def test_s3s_redirect_lands_on_the_clean_company_address() -> None:
    api = _Api(ApiAnswer(500))
    page = _page("GET", "/empleadores/900000000", api, {"bucket": "b", "key": "rut/900000000/x.pdf", "etag": "e"})
    response = employers.show_company(page)
    assert (response.status, response.headers["Location"]) == (303, "/empleadores/900000000")
    assert api.calls == []
