"""/asignar-contrasena?token=… (the welcome and password-reset links; manual §5 Paso 5). The token leaves the
URL on first load: kept encrypted in the session, then a redirect to the clean URL, so it stays out of the
browser history, the Referer and the access logs (decision 0080)."""

from __future__ import annotations

import re

from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

FIELDS = ("password", "passwordConfirmation")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
TITLE = "Asignar contraseña"


def show(page: Page) -> Response:
    token = page.request.query.get("token")
    if token is not None:
        session = page.ensure_session()
        if _TOKEN.match(token):
            session.secrets["setup_token"] = token
            page.deps.store.save(session)
        return page.redirect("/asignar-contrasena")
    if page.session is None or "setup_token" not in page.session.secrets:
        return _invalid_link(page)
    return page.render("set_password.html", title=TITLE)


def _invalid_link(page: Page) -> Response:
    return page.message(
        400,
        "El enlace no es válido",
        [
            "Abra de nuevo el enlace del correo electrónico que recibió. Si el enlace venció o ya lo usó, "
            "comuníquese con la mesa de ayuda.",
        ],
        {"href": "/ayuda#asignar-contrasena", "text": "Ver ayuda"},
    )


def submit(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    assert page.session is not None
    token = page.session.secrets.get("setup_token")
    if not token:
        return _invalid_link(page)
    values = {name: form.get(name, "") for name in FIELDS}
    errors = [
        PageError(message, name)
        for name, message in (
            ("password", "Escriba su nueva contraseña."),
            ("passwordConfirmation", "Escriba de nuevo su nueva contraseña."),
        )
        if not values[name]
    ]
    if errors:
        return page.render("set_password.html", status=400, title=TITLE, errors=errors)
    answer = page.call("POST", "/password-setup", {"token": token, **values})
    if not answer.ok:
        return page.render(
            "set_password.html", status=max(answer.status, 400), title=TITLE, errors=from_answer(answer, FIELDS)
        )
    page.session.secrets.pop("setup_token", None)
    page.deps.store.save(page.session)
    return page.message(
        200,
        "Contraseña asignada",
        ["Su contraseña quedó asignada. Ya puede ingresar a Mi Seguridad Social con su documento y su contraseña."],
        {"href": "/ingreso", "text": "Ingresar"},
    )
