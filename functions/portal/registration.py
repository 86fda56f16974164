"""/registro: "Registro ciudadano", manual §5 Pasos 2–5: basic data → identity questions → contact data and the
two consents → the confirmation naming the e-mail. The registration id lives (encrypted) in the session, never in
the URL; where the registration stands is asked of the API (GET /registrations/{id}) on every page."""

from __future__ import annotations

from typing import Any

from portal import catalogs
from portal.context import Page
from portal.problems import PageError, from_answer
from portal.web import Response

BASIC_FIELDS = (
    "documentType",
    "documentNumber",
    "firstName",
    "middleName",
    "firstSurname",
    "secondSurname",
    "birthDate",
    "expeditionDate",
)
OPTIONAL = ("middleName", "secondSurname")
CONTACT_FIELDS = (
    "departmentCode",
    "municipalityCode",
    "zone",
    "locality",
    "address",
    "phone",
    "mobile",
    "email",
    "consentEmail",
    "consentSms",
)
TITLE = "Registro ciudadano"


def _state(page: Page) -> dict[str, Any] | None:
    registration_id = page.session.secrets.get("registration_id") if page.session else None
    if not registration_id:
        return None
    answer = page.call("GET", f"/registrations/{registration_id}")
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


def show(page: Page) -> Response:
    if page.request.query.get("nuevo") == "1" and page.session is not None:
        page.session.secrets.pop("registration_id", None)
        page.deps.store.save(page.session)
        return page.redirect("/registro")
    state = _state(page)
    if state is None:
        return _basic_form(page, {}, [])
    if state.get("status") == "QUESTIONS_PENDING":
        return _questions_form(page, state.get("questions") or [], [])
    if state.get("status") == "IDENTITY_VERIFIED":
        return _contact_form(page, {}, [])
    return _confirmation(page, page.session.secrets.get("registration_email", "") if page.session else "")


def submit(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    step = form.get("paso")
    if step == "datos":
        return _submit_basic(page, form)
    if step == "preguntas":
        return _submit_answers(page, form)
    if step == "contacto":
        return _submit_contact(page, form)
    return page.redirect("/registro")


# --- Paso 2 ------------------------------------------------------------------------------------------
def _basic_form(page: Page, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    page.ensure_session()
    return page.render(
        "register_basic.html",
        status=status,
        title=TITLE,
        errors=errors,
        values=values,
        document_types=catalogs.options(page, "document-types"),
    )


def _submit_basic(page: Page, form: dict[str, str]) -> Response:
    values = {name: form.get(name, "").strip() for name in BASIC_FIELDS}
    errors = [
        PageError("Este dato es obligatorio.", name)
        for name in BASIC_FIELDS
        if name not in OPTIONAL and not values[name]
    ]
    if errors:
        return _basic_form(page, values, errors, 400)
    body = {name: value for name, value in values.items() if value}
    answer = page.call("POST", "/registrations", body)
    if not answer.ok or not isinstance(answer.body, dict):
        return _basic_form(page, values, from_answer(answer, BASIC_FIELDS), max(answer.status, 400))
    session = page.ensure_session()
    session.secrets["registration_id"] = str(answer.body["registrationId"])
    page.deps.store.save(session)
    return page.redirect("/registro")


# --- Paso 3 ------------------------------------------------------------------------------------------
def _questions_form(
    page: Page, questions: list[dict[str, Any]], errors: list[PageError], status: int = 200
) -> Response:
    for number, question in enumerate(questions, start=1):
        question["fieldId"] = f"pregunta-{number}"
    return page.render("register_questions.html", status=status, title=TITLE, errors=errors, questions=questions)


def _submit_answers(page: Page, form: dict[str, str]) -> Response:
    state = _state(page)
    if state is None or state.get("status") != "QUESTIONS_PENDING":
        return page.redirect("/registro")
    questions = state.get("questions") or []
    answers = [
        {"questionId": q["questionId"], "optionId": form[q["questionId"]]}
        for q in questions
        if form.get(q["questionId"])
    ]
    if len(answers) < len(questions):
        missing = [
            PageError(f"Responda la pregunta {n}.", f"pregunta-{n}")
            for n, q in enumerate(questions, start=1)
            if not form.get(q["questionId"])
        ]
        return _questions_form(page, questions, missing, 400)
    assert page.session is not None
    answer = page.call(
        "POST", f"/registrations/{page.session.secrets['registration_id']}/answers", {"answers": answers}
    )
    if answer.ok:
        return page.redirect("/registro")
    errors = from_answer(answer, ())
    if answer.status == 422:  # new questions to answer (the API says how many attempts are left)
        fresh = _state(page)
        if fresh is not None and fresh.get("status") == "QUESTIONS_PENDING":
            questions = fresh.get("questions") or []
            return _questions_form(page, questions, [PageError(e.message, "pregunta-1") for e in errors], 422)
    return page.message(
        max(answer.status, 400),
        TITLE,
        [e.message for e in errors],
        {"href": "/ayuda#registro-ciudadano", "text": "Ver ayuda"},
    )


# --- Paso 4 ------------------------------------------------------------------------------------------
def _contact_form(page: Page, values: dict[str, str], errors: list[PageError], status: int = 200) -> Response:
    department = values.get("departmentCode", "")
    municipalities = (
        catalogs.options(page, "municipalities", f"?department={department}") if department.isdigit() else []
    )
    return page.render(
        "register_contact.html",
        status=status,
        title=TITLE,
        errors=errors,
        values=values,
        departments=catalogs.options(page, "departments"),
        municipalities=municipalities,
        zones=catalogs.options(page, "zones"),
    )


def _submit_contact(page: Page, form: dict[str, str]) -> Response:
    values = {name: form.get(name, "").strip() for name in CONTACT_FIELDS}
    if form.get("accion") == "municipios":  # without JavaScript: reload with the department chosen
        return _contact_form(page, values, [])
    required = [n for n in CONTACT_FIELDS if n != "locality"]
    errors = [PageError("Este dato es obligatorio.", name) for name in required if not values[name]]
    if errors:
        return _contact_form(page, values, errors, 400)
    body: dict[str, Any] = {name: values[name] for name in CONTACT_FIELDS if values[name]}
    body["consentEmail"] = values["consentEmail"] == "si"
    body["consentSms"] = values["consentSms"] == "si"
    assert page.session is not None
    registration_id = page.session.secrets.get("registration_id")
    if not registration_id:
        return page.redirect("/registro")
    answer = page.call("PUT", f"/registrations/{registration_id}/contact", body)
    if not answer.ok or not isinstance(answer.body, dict):
        return _contact_form(page, values, from_answer(answer, CONTACT_FIELDS), max(answer.status, 400))
    page.session.secrets["registration_email"] = str(answer.body.get("email", ""))
    page.deps.store.save(page.session)
    return page.redirect("/registro")


# --- Paso 5 ------------------------------------------------------------------------------------------
def _confirmation(page: Page, email: str) -> Response:
    return page.render("register_done.html", title=TITLE, email=email)
