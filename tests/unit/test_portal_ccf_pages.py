"""The logic of the §6 pages that needs no AWS: the OpenAPI document as an accessible view (bounded, escaped),
the terms' text as blocks, the routes' id checks, and the sharing forms (secrets never echoed, empty secrets
left out so the stored ones stay). The API is a recording fake; the session a signed-in one."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal import ccf_terms, openapi_view
from portal.api_client import ApiAnswer, Client
from portal.ccf_routes import route
from portal.context import Page
from portal.sessions import PortalSession
from portal.web import Request

REPO = Path(__file__).resolve().parents[2]
SERVICES = json.loads((REPO / "local/seed/services.json").read_text(encoding="utf-8"))["services"]
NIT = "827176340"
SHARED_ID = "01JD0000000000000000000000"


@dataclass
class FakeApi:
    answers: dict[tuple[str, str], ApiAnswer] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def call(self, method: str, path: str, client: Client, *, body: Any = None, token: str | None = None) -> ApiAnswer:
        self.calls.append((method, path, body))
        return self.answers.get((method, path), ApiAnswer(404, {"title": "No encontrado", "detail": "No existe."}))


class FakeStore:
    def save(self, session: PortalSession) -> None:
        pass

    def delete(self, key: str) -> None:
        pass


@dataclass
class FakeDeps:
    api: FakeApi
    store: FakeStore = field(default_factory=FakeStore)


def _page(method: str, path: str, api: FakeApi, form: str = "") -> Page:
    session = PortalSession(
        key="k",
        csrf="token",
        created_at=0,
        last_seen_at=0,
        secrets={"id_token": "id"},
        data={"token_expires_at": int(time.time()) + 3600},
    )
    headers = {"content-type": "application/x-www-form-urlencoded"} if form else {}
    request = Request(method, path, {}, headers, form.encode(), "203.0.113.9", "pytest")
    return Page(request, FakeDeps(api), session, [])  # type: ignore[arg-type]


def test_every_seeded_service_document_becomes_operations_with_fields_and_examples() -> None:
    for service in SERVICES:
        view = openapi_view.build(service["openapi"])
        assert view.title == service["name"]
        [operation] = view.operations
        assert operation.method == service["operation"] and operation.path.startswith("/sat/")
        assert operation.request is not None and operation.request.rows, service["code"]
        assert any(row.required for row in operation.request.rows)
        assert operation.request.example.startswith("{")
        assert operation.responses[0].status == "200"


def test_a_recursive_or_huge_schema_stays_bounded() -> None:
    recursive = {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": {
            "/sat/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/N"}}}},
                    "responses": {},
                }
            }
        },
        "components": {
            "schemas": {
                "N": {
                    "type": "object",
                    "properties": {
                        "next": {"$ref": "#/components/schemas/N"},
                        **{f"f{i}": {"type": "string"} for i in range(500)},
                    },
                }
            }
        },
    }
    view = openapi_view.build(recursive)
    rows = view.operations[0].request.rows  # type: ignore[union-attr]
    assert rows[0].name == "next" and rows[0].type == "objeto (recursivo)"
    assert len(rows) == openapi_view.MAX_ROWS


def test_the_documentation_page_escapes_what_the_document_says() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "<img src=x onerror=alert(1)>", "version": "1"},
        "paths": {
            "/sat/x": {"get": {"summary": "<script>alert(1)</script>", "responses": {"200": {"description": "OK"}}}}
        },
    }
    api = FakeApi({("GET", f"/ccfs/{NIT}/services/svc-x/openapi.json"): ApiAnswer(200, document)})
    html = str(route(_page("GET", f"/ccfs/{NIT}/servicios/documentacion/svc-x", api)).body)
    assert "<img src=x" not in html and "<script>" not in html
    assert "&lt;img src=x" in html


def test_the_terms_text_keeps_its_headings_and_numbered_items() -> None:
    text = (REPO / "functions/catalog/terms/2026-01.md").read_text(encoding="utf-8")
    blocks = ccf_terms.blocks(text)
    headings = [b.text for b in blocks if b.kind == "h"]
    assert headings[:2] == ["1. Condiciones de uso", "2. Política de privacidad y retención"]
    lists = [b for b in blocks if b.kind == "ol"]
    assert lists and all(len(b.items) >= 3 for b in lists)
    assert "de inmediato si sospecha" in " ".join(lists[0].items)  # continuation lines joined to their item


def test_ids_that_are_not_the_apis_are_not_found_without_calling_it() -> None:
    for path in (
        "/ccfs/12345/servicios",
        f"/ccfs/{NIT}/servicios/informacion/..",
        f"/ccfs/{NIT}/servicios/documentacion/A_B",
        f"/ccfs/{NIT}/servicios/compartir/not-a-ulid",
        f"/ccfs/{NIT}/servicios/otra-cosa",
    ):
        api = FakeApi()
        assert route(_page("GET", path, api)).status == 404, path
        assert api.calls == [], path


def test_before_acceptance_the_menu_is_the_terms_and_a_refusal_sends_back_to_them() -> None:
    terms = {"version": "2026-01", "title": "Condiciones", "text": "## 1. A\n\n1. uno", "accepted": False}
    api = FakeApi({("GET", f"/ccfs/{NIT}/terms"): ApiAnswer(200, terms)})
    html = str(route(_page("GET", f"/ccfs/{NIT}/servicios", api)).body)
    assert "Acepto" in html and 'value="2026-01"' in html
    api.answers[("GET", f"/ccfs/{NIT}/services/svc-x")] = ApiAnswer(403, {"code": "TERMS_NOT_ACCEPTED"})
    response = route(_page("GET", f"/ccfs/{NIT}/servicios/informacion/svc-x", api))
    assert response.status == 303 and response.headers["Location"] == f"/ccfs/{NIT}/servicios"


def _shared(**extra: Any) -> dict[str, Any]:
    return {
        "sharedServiceId": SHARED_ID,
        "nit": NIT,
        "name": "Notificaciones",
        "description": "d",
        "url": "https://caja.example.co/n",
        "operation": "POST",
        "status": "PENDING_VERIFICATION",
        "hasPublicKey": False,
        "hasPassword": True,
        "hasClientSecret": True,
        "oauth": {
            "tokenName": "t",
            "tokenUrl": "https://caja.example.co/token",
            "clientId": "c",
            "grantType": "client_credentials",
        },
        **extra,
    }


def test_empty_secret_fields_keep_the_stored_ones_and_secrets_are_never_echoed() -> None:
    base = f"/ccfs/{NIT}/shared-services/{SHARED_ID}"
    api = FakeApi({("GET", base): ApiAnswer(200, _shared()), ("PUT", f"{base}/oauth"): ApiAnswer(200, {})})
    form = (
        "csrf=token&tokenName=t&tokenUrl=https%3A%2F%2Fcaja.example.co%2Ftoken"
        "&username=&password=&clientId=c&clientSecret=&scope="
    )
    response = route(_page("POST", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}/oauth", api, form))
    assert response.status == 303
    sent = api.calls[-1][2]
    assert sent == {"tokenName": "t", "tokenUrl": "https://caja.example.co/token", "clientId": "c"}

    api.answers[("PUT", f"{base}/oauth")] = ApiAnswer(
        422, {"detail": "Inválido", "errors": [{"field": "body.clientSecret", "message": "Escriba el Client Secret."}]}
    )
    form = form.replace("password=&", "password=la-clave-secreta&")
    html = str(route(_page("POST", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}/oauth", api, form)).body)
    assert "la-clave-secreta" not in html
    assert 'href="#clientSecret"' in html and "Guardada. Deje el campo en blanco" in html


def test_the_service_form_sends_only_what_changed() -> None:
    base = f"/ccfs/{NIT}/shared-services/{SHARED_ID}"
    api = FakeApi({("GET", base): ApiAnswer(200, _shared()), ("PATCH", base): ApiAnswer(200, {})})
    form = (
        "csrf=token&name=Notificaciones&description=nueva&url=https%3A%2F%2Fcaja.example.co%2Fn"
        "&operation=POST&publicKey=&exampleBody="
    )
    response = route(_page("POST", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}", api, form))
    assert response.status == 303
    assert ("PATCH", base, {"description": "nueva"}) in api.calls  # the same URL: no secrets asked again


def test_the_connection_test_reads_when_it_ran_in_colombian_time() -> None:
    connection = {"status": "AUTHORIZED", "checkedAt": "2026-12-01T13:00:00.000Z", "detail": "Token obtenido."}
    api = FakeApi({("GET", f"/ccfs/{NIT}/shared-services/{SHARED_ID}"): ApiAnswer(200, _shared(connection=connection))})
    html = str(route(_page("GET", f"/ccfs/{NIT}/servicios/compartir/{SHARED_ID}", api)).body)
    assert "<strong>Conexión exitosa</strong>, 01/12/2026 8:00 a. m. (hora de Colombia)" in html
