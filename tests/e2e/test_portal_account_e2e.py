"""The routes the portal needs (decisions 0075-0077), over real HTTP against the local runtime: resuming a
registration, "Mi información" (contact data, consents, e-mail change with its two e-mails), the password
reset by e-mail, and logout. E-mails travel outbox → delivery function → SES template → local mailbox.
People: FREE["people"][-125] and [-124], which no other module uses."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from local import journeys

pytestmark = pytest.mark.e2e

FREE = journeys.seed()["scenarios"]["free"]["people"]
CITIZEN = journeys.person(FREE[-125])
STRANGER = journeys.person(FREE[-124])  # never registered
PASSWORD = "Llueve sobre Manizales en noviembre 2026"
NEW_PASSWORD = "El cóndor de los Andes vuela alto 2027"
NEW_EMAIL = "portal-e2e-nuevo@example.com"


@pytest.fixture(scope="module")
def api(local_runtime):
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def mailbox(local_runtime):
    return journeys.Mailbox(local_runtime["mailbox_url"])


def test_a_citizen_resumes_registration_manages_their_data_resets_the_password_and_logs_out(api, mailbox):
    started = api.post("/registrations", json=journeys.basic_data(CITIZEN))
    assert started.status_code == 201, started.text
    registration = started.json()
    resumed = api.get(f"/registrations/{registration['registrationId']}")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["questions"] == registration["questions"]  # the same open set, not a new one
    unknown = api.get("/registrations/" + "f" * 32, headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and unknown.json()["title"] == "Registration not found"
    answers = journeys.answers_for(CITIZEN, resumed.json()["questions"])
    verified = api.post(f"/registrations/{registration['registrationId']}/answers", json={"answers": answers})
    assert verified.status_code == 200, verified.text
    contact = api.put(f"/registrations/{registration['registrationId']}/contact", json=journeys.contact_for(CITIZEN))
    assert contact.status_code == 202, contact.text
    welcome = mailbox.wait_for(CITIZEN["email"], "welcome")
    setup = {"token": journeys.link_token(welcome), "password": PASSWORD, "passwordConfirmation": PASSWORD}
    assert api.post("/password-setup", json=setup).status_code == 204
    me = journeys.bearer(journeys.sign_in(api, CITIZEN, PASSWORD))

    # Mi información: contact data and consents
    changed = {
        "departmentCode": "17",
        "municipalityCode": "17001",
        "zone": "URBANA",
        "address": "Carrera 23 # 64-10",
        "phone": "6068870000",
        "mobile": "3151234567",
    }
    saved = api.put("/me/contact", json=changed, headers=me)
    assert saved.status_code == 200, saved.text
    consents = api.put("/me/consents", json={"emailConsent": False, "smsConsent": True}, headers=me)
    assert consents.status_code == 200, consents.text
    profile = api.get("/me", headers=me).json()
    assert profile["contact"]["municipalityCode"] == "17001"
    assert (profile["consents"]["email"], profile["consents"]["sms"]) == (False, True)

    # the e-mail change: the link goes to the new address, the old one is told
    requested = api.put("/me/email", json={"email": NEW_EMAIL}, headers=me)
    assert requested.status_code == 202, requested.text
    link = mailbox.wait_for(NEW_EMAIL, "email-change")
    token = parse_qs(urlparse(link["data"]["enlace"]).query)["confirmarCorreo"][0]
    assert api.post("/me/email/confirmation", json={"token": token}, headers=me).status_code == 204
    told = mailbox.wait_for(CITIZEN["email"], "email-changed")
    assert "p***@example.com" in told["text"]
    assert api.get("/me", headers=me).json()["email"] == NEW_EMAIL

    # the password reset: 202 for anyone; the link arrives at the account's (new) address
    for someone in (CITIZEN, STRANGER):
        body = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"]}
        assert api.post("/password-reset", json=body).status_code == 202
    reset = mailbox.wait_for(NEW_EMAIL, "password-reset")
    assert "/asignar-contrasena?token=" in reset["text"]
    setup = {"token": journeys.link_token(reset), "password": NEW_PASSWORD, "passwordConfirmation": NEW_PASSWORD}
    assert api.post("/password-setup", json=setup).status_code == 204
    assert mailbox.messages(STRANGER["email"]) == []
    session = journeys.sign_in(api, CITIZEN, NEW_PASSWORD)

    # logout: the refresh token stops working
    assert api.post("/sessions/refresh", json={"refreshToken": session["refreshToken"]}).status_code == 200
    out = api.post("/sessions/logout", json={"refreshToken": session["refreshToken"]}, headers=journeys.bearer(session))
    assert out.status_code == 204, out.text
    refused = api.post("/sessions/refresh", json={"refreshToken": session["refreshToken"]})
    assert refused.status_code == 401 and refused.json()["code"] == "INVALID_REFRESH_TOKEN"
