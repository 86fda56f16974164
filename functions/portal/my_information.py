"""/mi-informacion: "Actualizar mi información de contacto" (manual §6, menu of the signed-in person),
decisions 0076 and 0077: the Paso 4 contact data (PUT /me/contact), the e-mail change (PUT /me/email, confirmed
from the link sent to the new address with POST /me/email/confirmation), the two consents (PUT /me/consents,
kept as evidence by the API) and the state of the e-mail from GET /me.

The confirmation link `/mi-informacion?confirmarCorreo=…` carries a token: it moves into the session (encrypted)
and the browser is sent to the clean URL at once, as /asignar-contrasena does. Confirming is a button (a POST),
never the GET itself, and only the signed-in person who asked can confirm (the API checks it). Every save answers
with a redirect (303) to a GET, so going back or reloading does not send it again."""

from __future__ import annotations

import re
from typing import Any

from portal import catalogs
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.sign_in import require_signed_in
from portal.web import Response

PATH = "/mi-informacion"
TITLE = "Actualizar mi información de contacto"
CONTACT_FIELDS = ("departmentCode", "municipalityCode", "zone", "locality", "address", "phone", "mobile")
OPTIONAL = ("locality",)
CONSENT_FIELDS = ("emailConsent", "smsConsent")
EMAIL_FIELDS = ("email",)
LINK_PARAMETER = "confirmarCorreo"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")  # the API's token format (sat_common.tokens)
# what the page says after each save (?hecho=…): the query holds a word, never a value the person typed
DONE = {
    "contacto": "Sus datos de contacto quedaron actualizados.",
    "correo": "Le enviamos un enlace de confirmación al correo nuevo. Ábralo en este navegador para terminar el "
    "cambio; mientras tanto su correo registrado no cambia.",
    "confirmado": "Su correo electrónico quedó actualizado. Avisamos del cambio a su correo anterior.",
    "autorizaciones": "Sus autorizaciones quedaron registradas.",
}
BOUNCED = "Su correo rebotó: actualícelo."
COMPLAINED = "Su correo marcó nuestros mensajes como no deseados: actualícelo o comuníquese con la mesa de ayuda."


def email_warning(profile: dict[str, Any]) -> str | None:
    """What the person must know about their e-mail (decision 0072: SES reported it; nothing more is sent)."""
    status = profile.get("emailStatus")
    if status not in ("BOUNCED", "COMPLAINED"):
        return None
    detail = str(profile.get("emailStatusMessage") or "")
    return f"{BOUNCED if status == 'BOUNCED' else COMPLAINED} {detail}".strip()


def consent_values(profile: dict[str, Any]) -> dict[str, str]:
    found = profile.get("consents")
    consents: dict[str, Any] = found if isinstance(found, dict) else {}
    values = {}
    for field, key in (("emailConsent", "email"), ("smsConsent", "sms")):
        if isinstance(consents.get(key), bool):
            values[field] = "si" if consents[key] else "no"
    return values


def show(page: Page) -> Response:
    token = page.request.query.get(LINK_PARAMETER)
    if token is not None:  # the link from the e-mail: the token leaves the URL before anything else
        session = page.ensure_session()
        if _TOKEN.match(token):
            session.secrets["email_token"] = token
            page.deps.store.save(session)
        return page.redirect(PATH)
    if page.session is not None and not page.session.signed_in and page.session.secrets.get("email_token"):
        return _sign_in_first(page)
    gate = require_signed_in(page)
    if gate is not None:
        return gate
    return _page(page)


def submit(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    gate = require_signed_in(page)
    if gate is not None:
        return gate
    which = form.get("formulario")
    if which == "contacto":
        return _submit_contact(page, form)
    if which == "correo":
        return _submit_email(page, form)
    if which == "confirmar":
        return _submit_confirmation(page)
    if which == "autorizaciones":
        return _submit_consents(page, form)
    return page.redirect(PATH)


def _sign_in_first(page: Page) -> Response:
    """Only the signed-in person confirms; signing in starts a new session, so the link must be opened again."""
    assert page.session is not None
    page.session.secrets.pop("email_token", None)
    page.deps.store.save(page.session)
    return page.message(
        401,
        "Ingrese para confirmar su correo",
        [
            "Para confirmar su nuevo correo electrónico, primero ingrese a Mi Seguridad Social con su documento y "
            "su contraseña, y luego abra de nuevo el enlace del correo en este mismo navegador.",
        ],
        {"href": "/ingreso", "text": "Ingresar"},
    )


# --- the page ----------------------------------------------------------------------------------------------


def _page(
    page: Page,
    errors: list[PageError] | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    """The whole page; `typed` are the values of the form just sent (shown again), the rest come from GET /me."""
    answer = page.call("GET", "/me", auth=True)
    profile: dict[str, Any] = answer.body if answer.ok and isinstance(answer.body, dict) else {}
    errors = list(errors or [])
    if not answer.ok:
        errors.extend(from_answer(answer, ()))
    found = profile.get("contact")
    contact: dict[str, Any] = found if isinstance(found, dict) else {}
    values = {name: str(contact.get(name) or "") for name in CONTACT_FIELDS}
    values.update(consent_values(profile))
    values.update(typed or {})
    department = values.get("departmentCode", "")
    municipalities = (
        catalogs.options(page, "municipalities", f"?department={department}") if department.isdigit() else []
    )
    done = DONE.get(page.request.query.get("hecho", "")) if not errors else None
    assert page.session is not None  # require_signed_in
    return page.render(
        "my_information.html",
        status=status,
        title=TITLE,
        errors=errors,
        values=values,
        email=str(profile.get("email") or ""),
        email_warning=email_warning(profile),
        confirmation_pending=bool(page.session.secrets.get("email_token")),
        done=done,
        departments=catalogs.options(page, "departments"),
        municipalities=municipalities,
        zones=catalogs.options(page, "zones"),
    )


# --- the forms ---------------------------------------------------------------------------------------------
def _submit_contact(page: Page, form: dict[str, str]) -> Response:
    values = {name: form.get(name, "").strip() for name in CONTACT_FIELDS}
    if form.get("accion") == "municipios":  # without JavaScript: reload with the departamento chosen
        return _page(page, typed=values)
    missing = [
        PageError("Este dato es obligatorio.", name)
        for name in CONTACT_FIELDS
        if name not in OPTIONAL and not values[name]
    ]
    if missing:
        return _page(page, missing, 400, values)
    body = {name: value for name, value in values.items() if value}
    answer = page.call("PUT", "/me/contact", body, auth=True)
    if not answer.ok:
        return _page(page, from_answer(answer, CONTACT_FIELDS), max(answer.status, 400), values)
    return page.redirect(f"{PATH}?hecho=contacto")


def _submit_email(page: Page, form: dict[str, str]) -> Response:
    typed = {"email": form.get("email", "").strip()}
    if not typed["email"]:
        return _page(page, [PageError("Escriba su nuevo correo electrónico.", "email")], 400, typed)
    answer = page.call("PUT", "/me/email", typed, auth=True)
    if not answer.ok:  # 409: the same change sent twice at once; 429: too many links today
        return _page(page, from_answer(answer, EMAIL_FIELDS), max(answer.status, 400), typed)
    return page.redirect(f"{PATH}?hecho=correo")


def _submit_confirmation(page: Page) -> Response:
    assert page.session is not None
    token = page.session.secrets.pop("email_token", None)
    if not token:  # confirmed already (a second click, or back and submit again)
        return page.redirect(PATH)
    page.deps.store.save(page.session)
    answer = page.call("POST", "/me/email/confirmation", {"token": token}, auth=True)
    if not answer.ok:
        return _page(page, from_answer(answer, ()), max(answer.status, 400))
    return page.redirect(f"{PATH}?hecho=confirmado")


def _submit_consents(page: Page, form: dict[str, str]) -> Response:
    typed = {name: form.get(name, "") for name in CONSENT_FIELDS}
    missing = [
        PageError(message, name)
        for name, message in (
            ("emailConsent", "Indique si autoriza el envío de información a su correo electrónico."),
            ("smsConsent", "Indique si autoriza el envío de información a su teléfono móvil."),
        )
        if typed[name] not in ("si", "no")
    ]
    if missing:
        return _page(page, missing, 400, typed)
    body = {name: typed[name] == "si" for name in CONSENT_FIELDS}
    answer = page.call("PUT", "/me/consents", body, auth=True)
    if not answer.ok:
        return _page(page, from_answer(answer, CONSENT_FIELDS), max(answer.status, 400), typed)
    return page.redirect(f"{PATH}?hecho=autorizaciones")
