"""/ingreso (manual §5 Paso 6), its second step for operators with TOTP, and /salir."""

from __future__ import annotations

import contextlib
import re
import time

from portal import catalogs
from portal.api_client import ApiUnavailable
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

FIELDS = ("documentType", "documentNumber", "password")
REFRESH_MARGIN_SECONDS = 120
_CODE = re.compile(r"^[0-9]{6}$")


def _form(page: Page, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    page.ensure_session()
    return page.render(
        "sign_in.html",
        status=status,
        title="Ingreso",
        errors=errors,
        values={k: v for k, v in values.items() if k != "password"},
        document_types=catalogs.options(page, "document-types"),
    )


def show(page: Page) -> Response:
    if page.session and page.session.signed_in:
        return page.redirect("/mis-roles")
    return _form(page, {}, [])


def submit(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    values = {name: form.get(name, "").strip() if name != "password" else form.get(name, "") for name in FIELDS}
    errors = [
        PageError(message, name)
        for name, message in (
            ("documentType", "Seleccione el tipo de documento."),
            ("documentNumber", "Escriba el número de documento."),
            ("password", "Escriba su contraseña."),
        )
        if not values[name]
    ]
    if errors:
        return _form(page, values, errors, 400)
    answer = page.call("POST", "/sessions", values)
    if not answer.ok or not isinstance(answer.body, dict):
        return _form(page, values, from_answer(answer, FIELDS), answer.status if answer.status >= 400 else 502)
    if answer.body.get("challenge") == "SOFTWARE_TOKEN_MFA":
        session = page.ensure_session()
        session.secrets["mfa_session"] = str(answer.body.get("session", ""))
        page.deps.store.save(session)
        return page.redirect("/ingreso/verificacion")
    return _signed_in(page, answer.body)


def _signed_in(page: Page, tokens: dict[str, object]) -> Response:
    page.start_signed_in(
        str(tokens["idToken"]), _str(tokens.get("refreshToken")), int(str(tokens.get("expiresIn", 3600)))
    )
    return page.redirect("/mis-roles")


def _str(value: object) -> str | None:
    return str(value) if value else None


def show_code(page: Page) -> Response:
    if page.session is None or "mfa_session" not in page.session.secrets:
        return page.redirect("/ingreso")
    return page.render("sign_in_code.html", title="Código de verificación")


def submit_code(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    assert page.session is not None  # check_csrf refused a POST without a session
    mfa_session = page.session.secrets.get("mfa_session")
    if not mfa_session:
        return page.redirect("/ingreso")
    code = form.get("code", "").strip()
    if not _CODE.match(code):
        error = PageError("Escriba el código de verificación de 6 dígitos.", "code")
        return page.render("sign_in_code.html", status=400, title="Código de verificación", errors=[error])
    answer = page.call("POST", "/sessions/mfa", {"session": mfa_session, "code": code})
    if not answer.ok or not isinstance(answer.body, dict) or "idToken" not in answer.body:
        if answer.status in (401, 403):  # the Cognito session is spent or expired: start again
            page.session.secrets.pop("mfa_session", None)
            page.deps.store.save(page.session)
        errors = from_answer(answer, ("code",))
        return page.render(
            "sign_in_code.html", status=max(answer.status, 400), title="Código de verificación", errors=errors
        )
    return _signed_in(page, answer.body)


def sign_out(page: Page) -> Response:
    page.check_csrf(page.request.form())
    refresh_token = page.session.secrets.get("refresh_token") if page.session else None
    if refresh_token:  # the API revokes the refresh token; the portal's session ends whatever it answers
        with contextlib.suppress(ApiUnavailable):
            page.call("POST", "/sessions/logout", {"refreshToken": refresh_token}, auth=True)
    page.end_session()
    return page.message(
        200,
        "Sesión finalizada",
        ["Su sesión en Mi Seguridad Social terminó. Cierre el navegador si usa un equipo compartido."],
        {"href": "/ingreso", "text": "Ingresar de nuevo"},
    )


def require_signed_in(page: Page) -> Response | None:
    """None when the page may go on; else where to send the person. Refreshes the ID token near its expiry."""
    session = page.session
    if session is None or not session.signed_in:
        return page.redirect("/ingreso")
    expires_at = int(session.data.get("token_expires_at", 0))
    if expires_at - REFRESH_MARGIN_SECONDS > time.time():
        return None
    refresh_token = session.secrets.get("refresh_token")
    answer = page.call("POST", "/sessions/refresh", {"refreshToken": refresh_token}) if refresh_token else None
    if answer is None or not answer.ok or not isinstance(answer.body, dict) or "idToken" not in answer.body:
        page.end_session()
        return page.redirect("/ingreso")
    session.secrets["id_token"] = str(answer.body["idToken"])
    session.data["token_expires_at"] = int(time.time()) + int(answer.body.get("expiresIn", 3600))
    page.deps.store.save(session)
    return None
