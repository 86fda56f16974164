"""/olvide-contrasena: "¿Olvidó su contraseña?" (manual §5 Paso 6), decision 0075. The API answers 202 whether or
not the document has an account, so the page shows the same confirmation either way (no account discovery);
the e-mailed link opens /asignar-contrasena. The confirmation is a redirect (303) to a GET, so going back or
reloading sends no second request."""

from __future__ import annotations

from portal import catalogs
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

FIELDS = ("documentType", "documentNumber")
TITLE = "¿Olvidó su contraseña?"
SENT = "enviado"


def show(page: Page) -> Response:
    if page.request.query.get(SENT) == "1":
        return page.message(
            200,
            "Revise su correo electrónico",
            [
                "Si el documento corresponde a una cuenta activa de Mi Seguridad Social, enviamos al correo "
                "electrónico registrado un enlace para asignar una nueva contraseña. El enlace es de un solo uso.",
                "Si no recibe el correo, revise su buzón de spam o de correo no deseado.",
            ],
            {"href": "/ingreso", "text": "Ingresar"},
        )
    return _form(page, {}, [])


def submit(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    values = {name: form.get(name, "").strip() for name in FIELDS}
    errors = [
        PageError(message, name)
        for name, message in (
            ("documentType", "Seleccione el tipo de documento."),
            ("documentNumber", "Escriba el número de documento."),
        )
        if not values[name]
    ]
    if errors:
        return _form(page, values, errors, 400)
    answer = page.call("POST", "/password-reset", values)
    if not answer.ok:  # 422 invalid document, 429 too many requests (the wait in Colombian time)
        return _form(page, values, from_answer(answer, FIELDS), max(answer.status, 400))
    return page.redirect(f"/olvide-contrasena?{SENT}=1")


def _form(page: Page, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    page.ensure_session()
    return page.render(
        "forgotten_password.html",
        status=status,
        title=TITLE,
        errors=errors,
        values=values,
        document_types=catalogs.options(page, "document-types"),
    )
