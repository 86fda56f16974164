"""The logic of "¿Olvidó su contraseña?" and "Actualizar mi información de contacto" that needs no AWS: the
e-mail state a person must see, the consents shown from GET /me, the confirmation token leaving the URL, a
second "Confirmar correo" sending nothing, and the same answer for any document."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from portal import forgotten_password, my_information
from portal.api_client import ApiAnswer
from portal.context import Page
from portal.rendering import render
from portal.sessions import PortalSession
from portal.web import Request

TOKEN = "t" * 43


def _session(signed_in: bool, **secrets: str) -> PortalSession:
    now = int(time.time())
    if signed_in:
        secrets["id_token"] = "id"
    session = PortalSession(key="k", csrf="csrf-de-la-sesion", created_at=now, last_seen_at=now, secrets=secrets)
    session.data["token_expires_at"] = now + 3600
    return session


class FakeStore:
    def __init__(self) -> None:
        self.saved: list[dict[str, str]] = []

    def create(self, **secrets: str) -> tuple[str, PortalSession]:
        return "cookie", _session(False, **secrets)

    def save(self, session: PortalSession) -> None:
        self.saved.append(dict(session.secrets))

    def delete(self, key: str) -> None:
        pass

    def remaining_seconds(self, session: PortalSession) -> int:
        return 60


@dataclass
class FakeApi:
    answers: dict[tuple[str, str], ApiAnswer] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def call(self, method: str, path: str, client: Any, *, body: Any = None, token: str | None = None) -> ApiAnswer:
        self.calls.append((method, path, body))
        return self.answers.get((method, path.split("?")[0]), ApiAnswer(200, {"items": []}))


@dataclass
class FakeDeps:
    store: FakeStore = field(default_factory=FakeStore)
    api: FakeApi = field(default_factory=FakeApi)


def _page(method: str, path: str, session: PortalSession | None, query: str = "", body: str = "") -> Page:
    event = {
        "httpMethod": method,
        "path": path,
        "queryStringParameters": dict(p.split("=", 1) for p in query.split("&")) if query else None,
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "body": body,
    }
    return Page(Request.from_event(event), FakeDeps(), session, [])  # type: ignore[arg-type]


def test_a_bounced_email_tells_the_person_to_update_it() -> None:
    assert my_information.email_warning({"emailStatus": "OK"}) is None
    warning = my_information.email_warning({"emailStatus": "BOUNCED", "emailStatusMessage": "Escriba otro."})
    assert warning == "Su correo rebotó: actualícelo. Escriba otro."
    html = render("my_information.html", title="t", values={}, email_warning=warning, csrf="c")
    assert "Su correo rebotó: actualícelo." in html


def test_the_consents_shown_are_the_ones_recorded() -> None:
    assert my_information.consent_values({"consents": {"email": True, "sms": False}}) == {
        "emailConsent": "si",
        "smsConsent": "no",
    }
    assert my_information.consent_values({}) == {}


def test_the_confirmation_token_leaves_the_url_at_once() -> None:
    session = _session(True)
    page = _page("GET", "/mi-informacion", session, query=f"confirmarCorreo={TOKEN}")
    response = my_information.show(page)
    assert (response.status, response.headers["Location"]) == (303, "/mi-informacion")
    assert session.secrets["email_token"] == TOKEN
    assert page.deps.api.calls == []  # nothing confirmed by a GET (link previews, prefetching)


def test_a_signed_out_browser_is_asked_to_sign_in_and_the_token_is_dropped() -> None:
    session = _session(False, email_token=TOKEN)
    response = my_information.show(_page("GET", "/mi-informacion", session))
    assert response.status == 401 and "Ingrese para confirmar su correo" in str(response.body)
    assert "email_token" not in session.secrets


def test_a_second_confirmation_sends_nothing() -> None:
    session = _session(True)  # the token was used by the first click
    page = _page("POST", "/mi-informacion", session, body="csrf=csrf-de-la-sesion&formulario=confirmar")
    response = my_information.submit(page)
    assert (response.status, response.headers["Location"]) == (303, "/mi-informacion")
    assert page.deps.api.calls == []


def test_the_forgotten_password_answer_is_the_same_for_any_document() -> None:
    page = _page(
        "POST", "/olvide-contrasena", _session(False), body="csrf=csrf-de-la-sesion&documentType=CC&documentNumber=1"
    )
    page.deps.api.answers[("POST", "/password-reset")] = ApiAnswer(202, {})
    response = forgotten_password.submit(page)
    assert (response.status, response.headers["Location"]) == (303, "/olvide-contrasena?enviado=1")
    assert page.deps.api.calls == [("POST", "/password-reset", {"documentType": "CC", "documentNumber": "1"})]


def test_too_many_reset_requests_show_the_wait_in_colombian_time() -> None:
    page = _page(
        "POST", "/olvide-contrasena", _session(False), body="csrf=csrf-de-la-sesion&documentType=CC&documentNumber=1"
    )
    page.deps.api.answers[("POST", "/password-reset")] = ApiAnswer(
        429, {"detail": "Demasiadas solicitudes."}, {"retry-after": "600"}
    )
    response = forgotten_password.submit(page)
    assert response.status == 429
    assert "Demasiadas solicitudes. Podrá intentarlo de nuevo a las" in str(response.body)
    assert "(hora de Colombia)" in str(response.body) and 'href="#documentType"' in str(response.body)


def test_an_email_change_sent_twice_at_once_is_a_clear_message() -> None:
    form = "csrf=csrf-de-la-sesion&formulario=correo&email=a@b.co"
    page = _page("POST", "/mi-informacion", _session(True), body=form)
    page.deps.api.answers[("PUT", "/me/email")] = ApiAnswer(409, {"detail": "Ya hay una solicitud en curso."})
    response = my_information.submit(page)
    assert response.status == 409
    assert '<a href="#email">Ya hay una solicitud en curso.</a>' in str(response.body)
