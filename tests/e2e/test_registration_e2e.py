"""Manual §5 "Registro de ciudadano", Pasos 2–6, over real HTTP against the local runtime.

The welcome e-mail travels outbox queue → delivery function → SES template and is read from the
local mailbox; its link's token sets the password; the person then signs in and lists their roles.
"""

import httpx
import pytest

from local import journeys

CITIZEN = journeys.person(journeys.seed()["scenarios"]["e2e"]["citizen"])
PASSWORD = "Cielo despejado sobre Bogotá 2026"


@pytest.fixture(scope="module")
def api(local_runtime):
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def mailbox(local_runtime):
    return journeys.Mailbox(local_runtime["mailbox_url"])


def test_citizen_registers_sets_password_signs_in_and_sees_roles(api, mailbox):
    started = api.post("/registrations", json=journeys.basic_data(CITIZEN))
    assert started.status_code == 201
    registration = started.json()
    assert len(registration["questions"]) >= 4
    assert all(len(question["options"]) >= 4 for question in registration["questions"])

    answers = journeys.answers_for(CITIZEN, registration["questions"])
    verified = api.post(f"/registrations/{registration['registrationId']}/answers", json={"answers": answers})
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "IDENTITY_VERIFIED"

    contact = api.put(f"/registrations/{registration['registrationId']}/contact", json=journeys.contact_for(CITIZEN))
    assert contact.status_code == 202, contact.text

    welcome = mailbox.wait_for(CITIZEN["email"], "welcome")
    assert "Bienvenido" in welcome["subject"]
    assert CITIZEN["firstName"] in welcome["text"]
    assert "/asignar-contrasena?token=" in welcome["text"]
    token = journeys.link_token(welcome)

    mismatch = api.post("/password-setup", json={"token": token, "password": PASSWORD, "passwordConfirmation": "x"})
    assert mismatch.status_code == 422
    done = api.post("/password-setup", json={"token": token, "password": PASSWORD, "passwordConfirmation": PASSWORD})
    assert done.status_code == 204, done.text
    # the owner is told at the reference source's e-mail (here also the account's): decision 0026
    notice = mailbox.wait_for(CITIZEN["email"], "registration-notice")
    assert "se registró una cuenta" in notice["text"] and CITIZEN["firstName"] in notice["text"]
    reused = api.post("/password-setup", json={"token": token, "password": PASSWORD, "passwordConfirmation": PASSWORD})
    assert reused.status_code == 400

    session = journeys.sign_in(api, CITIZEN, PASSWORD)
    assert session["tokenType"] == "Bearer"
    me = api.get("/me", headers=journeys.bearer(session))
    assert me.status_code == 200
    assert me.json()["documentNumber"] == CITIZEN["documentNumber"]
    roles = api.get("/me/roles", headers=journeys.bearer(session))
    assert roles.status_code == 200
    assert [role["role"] for role in roles.json()["roles"]] == ["PERSONA_NATURAL"]

    again = api.post("/registrations", json=journeys.basic_data(CITIZEN))
    assert again.status_code == 409


def test_wrong_password_is_a_generic_401(api):
    wrong = api.post(
        "/sessions",
        json={"documentType": CITIZEN["documentType"], "documentNumber": CITIZEN["documentNumber"], "password": "nope"},
    )
    unknown = api.post("/sessions", json={"documentType": "CC", "documentNumber": "999999", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"]


def test_person_routes_need_a_valid_token(api):
    assert api.get("/me").status_code == 401
    assert api.get("/me/roles", headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401


def test_mismatching_basic_data_and_unknown_people_get_the_same_422(api):
    someone = journeys.person(journeys.seed()["scenarios"]["free"]["people"][-1])
    wrong_birth = {**journeys.basic_data(someone), "birthDate": "1901-01-01"}
    unknown = {**journeys.basic_data(someone), "documentNumber": "1000000001"}
    first, second = api.post("/registrations", json=wrong_birth), api.post("/registrations", json=unknown)
    assert first.status_code == second.status_code == 422
    assert first.json() == second.json()
