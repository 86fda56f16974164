"""The portal's pieces that need no AWS: the CSRF check, the error summary from problem+json (429 in
Colombian time), the search of "¿Qué está buscando?" and the pages' headers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from portal import csrf
from portal.api_client import ApiAnswer
from portal.functionalities import search
from portal.problems import PageError, from_answer
from portal.sessions import PortalSession
from portal.web import PAGE_HEADERS, Request, session_cookie

TEMPLATES = Path(__file__).resolve().parents[2] / "functions" / "portal" / "templates"


def _session() -> PortalSession:
    return PortalSession(key="k", csrf="el-token-de-la-sesion", created_at=0, last_seen_at=0)


@pytest.mark.parametrize("submitted", [None, "", "otro-token", "el-token-de-la-sesio"])
def test_csrf_refuses_a_missing_or_wrong_token(submitted: str | None) -> None:
    with pytest.raises(csrf.CsrfRejected):
        csrf.check(_session(), submitted)


def test_csrf_refuses_a_post_without_session_and_accepts_the_sessions_token() -> None:
    with pytest.raises(csrf.CsrfRejected):
        csrf.check(None, "el-token-de-la-sesion")
    csrf.check(_session(), "el-token-de-la-sesion")


def test_the_wait_of_a_429_is_told_in_colombian_time() -> None:
    answer = ApiAnswer(429, {"detail": "Demasiados intentos."}, {"retry-after": "90"})
    errors = from_answer(answer, ("documentType",), now=datetime(2026, 12, 1, 15, 0, 0, tzinfo=UTC))
    assert errors == [
        PageError(
            "Demasiados intentos. Podrá intentarlo de nuevo a las 10:01:30 a. m. (hora de Colombia).", "documentType"
        )
    ]


def test_field_errors_link_to_their_fields() -> None:
    answer = ApiAnswer(
        422,
        {
            "detail": "Datos inválidos",
            "errors": [{"field": "body.password", "message": "Muy corta"}, {"field": "x", "message": "Otro"}],
        },
    )
    assert from_answer(answer, ("password", "passwordConfirmation")) == [
        PageError("Muy corta", "password"),
        PageError("Otro", "password"),
    ]


def test_search_ignores_accents_and_case() -> None:
    assert "asignar-contrasena" in [f.slug for f in search("CONTRASEÑA")]
    assert [f.slug for f in search("asignar contrasena")] == ["asignar-contrasena"]
    assert [f.slug for f in search("cambiar mi rol")] == ["mis-roles"]
    assert search("   ") == [] and search("xyzzy") == []


def test_no_page_uses_javascript_and_every_page_forbids_scripts() -> None:
    for template in TEMPLATES.glob("*.html"):
        assert "<script" not in template.read_text().lower(), template.name
    assert "default-src 'none'" in PAGE_HEADERS["Content-Security-Policy"]
    assert "script-src" not in PAGE_HEADERS["Content-Security-Policy"]


def test_the_session_cookie_is_host_only_secure_httponly_lax() -> None:
    cookie = session_cookie("valor", 60)
    assert cookie.startswith("__Host-sat_sesion=valor; Path=/;")
    assert "Domain" not in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_form_is_read_only_when_urlencoded_and_small() -> None:
    event = {"httpMethod": "POST", "path": "/ingreso", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    assert Request.from_event({**event, "body": "a=1&a=2&b="}).form() == {"a": "1", "b": ""}
    assert Request.from_event({**event, "body": "a=" + "x" * 9000}).form() == {}
    assert Request.from_event({**event, "headers": {"Content-Type": "application/json"}, "body": "a=1"}).form() == {}
