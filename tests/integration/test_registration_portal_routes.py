"""The routes the portal needs, on moto through the real lambda_handler (decisions 0075-0077): resuming a
registration, the password reset, "Mi información" (contact data, e-mail change, consents) and logout.
People: the free pool's CC adults 70-89."""

from datetime import timedelta

import boto3
import pytest

from sat_common import clock
from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    audit_actions,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    basic_data,
    call,
    free_person,
    outbox_messages,
    registered,
    right_answers,
    token_from,
    wrong_answers,
)

NEW_PASSWORD = "Un elefante se balanceaba sobre la tela 77"


def username(someone: dict) -> str:
    return f"{someone['documentType']}-{someone['documentNumber']}"


def claims_of(someone: dict) -> dict[str, str]:
    return {"sub": "00000000-0000-0000-0000-0000000000aa", "cognito:username": username(someone)}


def login(someone: dict, password: str):
    body = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"], "password": password}
    return call("POST", "/sessions", body)


def reset(someone: dict, **kwargs):
    body = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"]}
    return call("POST", "/password-reset", body, **kwargs)


def setup(token: str, password: str):
    return call("POST", "/password-setup", {"token": token, "password": password, "passwordConfirmation": password})


def mails(queue_url: str, template: str) -> list[dict]:
    return [message for message in outbox_messages(queue_url) if message["template"] == template]


# --- GET /registrations/{registrationId} --------------------------------------------------------------------


def test_resume_gives_the_same_open_questions_and_never_a_new_set(aws):
    someone = free_person(70)
    started = call("POST", "/registrations", basic_data(someone))
    registration_id = started.json["registrationId"]
    for _ in range(2):  # a reload, and another one
        resumed = call("GET", f"/registrations/{registration_id}")
        assert resumed.status == 200, resumed
        assert resumed.json["status"] == "QUESTIONS_PENDING"
        assert resumed.json["questions"] == started.json["questions"]
        assert resumed.json["expiresAt"] == started.json["expiresAt"]
        assert '"correct"' not in resumed.text
    # the set resumed is the set that answers: right answers to it verify the identity
    wrong = call(
        "POST",
        f"/registrations/{registration_id}/answers",
        {"answers": wrong_answers(started.json["questions"], registration_id)},
    )
    assert wrong.status == 422
    assert call("GET", f"/registrations/{registration_id}").json["questions"] == wrong.json["questions"]
    verified = call("POST", f"/registrations/{registration_id}/answers", {"answers": right_answers(registration_id)})
    assert verified.status == 200, verified
    after = call("GET", f"/registrations/{registration_id}")
    assert after.json["status"] == "IDENTITY_VERIFIED" and after.json["questions"] == []
    assert "REGISTRATION_RESUMED" in audit_actions(f"PERSON#{username(someone)}")


def test_resume_of_an_unknown_or_expired_id_is_one_404(aws):
    unknown = call("GET", "/registrations/" + "0" * 32)
    assert unknown.status == 404 and unknown.json["code"] == "REGISTRATION_NOT_FOUND"
    assert unknown.headers["content-type"].startswith("application/problem+json")
    english = call("GET", "/registrations/" + "0" * 32, headers={"Accept-Language": "en"})
    assert english.json["title"] == "Registration not found"
    started = call("POST", "/registrations", basic_data(free_person(71)))
    clock.freeze(clock.now() + timedelta(minutes=16))  # the registration session has ended
    expired = call("GET", f"/registrations/{started.json['registrationId']}")
    assert (expired.status, expired.json) == (unknown.status, unknown.json)
    assert call("GET", "/registrations/not-an-id").status == 422


# --- POST /password-reset -------------------------------------------------------------------------------------


def test_reset_link_sets_a_new_password_once(aws):
    someone = free_person(72)
    registered(someone, aws["queue_url"])
    answer = reset(someone)
    assert answer.status == 202, answer
    (message,) = mails(aws["queue_url"], "password-reset")
    assert message["to"] == someone["email"]
    assert message["data"]["nombre"] == f"{someone['firstName']} {someone['firstSurname']}"
    token = token_from(message)  # the portal's /asignar-contrasena, as the welcome link
    assert token not in message["id"]
    assert setup(token, NEW_PASSWORD).status == 204
    assert login(someone, NEW_PASSWORD).status == 200
    assert login(someone, GOOD_PASSWORD).status == 401
    again = setup(token, "Otra frase larga para la misma cuenta 9")
    assert again.status == 400 and again.json["code"] == "SETUP_TOKEN_INVALID"  # single use
    actions = audit_actions(f"PERSON#{username(someone)}")
    assert "PASSWORD_RESET_EMAIL_QUEUED" in actions and "PASSWORD_RESET_COMPLETED" in actions
    assert actions.count("ACCOUNT_ACTIVATED") == 1  # a reset is not a second activation


def test_reset_keeps_the_password_policy(aws):
    someone = free_person(73)
    registered(someone, aws["queue_url"])
    reset(someone)
    token = token_from(mails(aws["queue_url"], "password-reset")[0])
    weak = setup(token, "password1234")
    assert weak.status == 422 and weak.json["code"] == "PASSWORD_POLICY"
    assert setup(token, NEW_PASSWORD).status == 204  # the refused attempt did not use the link


def test_reset_answers_the_same_for_strangers_and_pending_accounts_and_sends_nothing(aws):
    active, pending, stranger = free_person(74), free_person(75), dict(free_person(76))
    registered(active, aws["queue_url"])
    started = call("POST", "/registrations", basic_data(pending))  # not finished: no active account
    assert started.status == 201
    stranger["documentNumber"] = "999999999"
    answers = [reset(someone) for someone in (active, pending, stranger)]
    assert {(a.status, a.text) for a in answers} == {(202, answers[0].text)}
    assert [m["to"] for m in mails(aws["queue_url"], "password-reset")] == [active["email"]]


def test_reset_reads_the_same_for_an_account_and_a_stranger(aws, monkeypatch):
    """No enumeration by the work done (decision 0075): the same reads, in the same order, in both branches."""
    import botocore.client

    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    active, stranger = free_person(76), dict(free_person(77))
    registered(active, aws["queue_url"])
    stranger["documentNumber"] = "777777777"
    reads = {"Query", "GetItem", "BatchGetItem", "AdminGetUser", "ListUsers", "Scan"}
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    seen = []
    for someone in (active, stranger):
        calls.clear()
        assert reset(someone).status == 202
        seen.append([name for name in calls if name in reads])
    assert seen[0] == seen[1] == ["Query", "AdminGetUser"]


def test_a_newer_reset_link_replaces_the_older(aws):
    someone = free_person(77)
    registered(someone, aws["queue_url"])
    reset(someone)
    first = token_from(mails(aws["queue_url"], "password-reset")[0])
    reset(someone)
    second = token_from(mails(aws["queue_url"], "password-reset")[0])
    assert setup(first, NEW_PASSWORD).status == 400
    assert setup(second, NEW_PASSWORD).status == 204


def test_reset_link_expires(aws):
    someone = free_person(78)
    registered(someone, aws["queue_url"])
    reset(someone)
    token = token_from(mails(aws["queue_url"], "password-reset")[0])
    clock.freeze(clock.now() + timedelta(minutes=61))
    assert setup(token, NEW_PASSWORD).json["code"] == "SETUP_TOKEN_INVALID"


def test_reset_requests_are_limited_per_document_whether_or_not_it_exists(aws):
    someone, stranger = free_person(79), dict(free_person(80))
    registered(someone, aws["queue_url"])
    stranger["documentNumber"] = "888888888"
    for person in (someone, stranger):
        assert [reset(person).status for _ in range(3)] == [202, 202, 202]
        limited = reset(person)
        assert limited.status == 429 and limited.json["code"] == "PASSWORD_RESET_LIMITED"
        assert 0 < int(limited.headers["retry-after"]) <= 3600
        assert "Try again" in reset(person, headers={"Accept-Language": "en"}).json["detail"]
    assert len(mails(aws["queue_url"], "password-reset")) == 3  # the account's three, none for the stranger
    clock.freeze(clock.now() + timedelta(hours=1, seconds=1))
    assert reset(someone).status == 202 and len(mails(aws["queue_url"], "password-reset")) == 1


def test_a_welcome_link_cannot_reset_an_active_account(aws):
    """Purposes do not cross: a welcome link is only for PASSWORD_PENDING, a reset link only for ACTIVE."""
    someone = free_person(81)
    registered(someone, aws["queue_url"])
    table = boto3.resource("dynamodb").Table("main")
    account = table.get_item(Key={"PK": f"PERSON#{username(someone)}", "SK": "ACCOUNT"})["Item"]
    assert "tokenHash" not in account  # the welcome link was used up on activation
    reset(someone)
    token = token_from(mails(aws["queue_url"], "password-reset")[0])
    table.update_item(  # the account is no longer active (e.g. an administrator disabled it)
        Key={"PK": f"PERSON#{username(someone)}", "SK": "ACCOUNT"},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "PASSWORD_PENDING"},
    )
    assert setup(token, NEW_PASSWORD).json["code"] == "SETUP_TOKEN_INVALID"


# --- PUT /me/contact, PUT /me/consents ----------------------------------------------------------------------------


CONTACT = {
    "departmentCode": "05",
    "municipalityCode": "05001",
    "zone": "RURAL",
    "address": "Vereda El Salado, finca 3",
    "phone": "6044445566",
    "mobile": "3109876543",
}


def test_contact_change_is_stored_with_paso_4_rules(aws):
    someone = free_person(82)
    registered(someone, aws["queue_url"])
    claims = claims_of(someone)
    changed = call("PUT", "/me/contact", CONTACT, claims=claims)
    assert changed.status == 200, changed
    assert changed.json == {**CONTACT, "locality": None, "phone": "+576044445566", "mobile": "+573109876543"}
    assert call("GET", "/me", claims=claims).json["contact"] == changed.json
    mismatch = call("PUT", "/me/contact", {**CONTACT, "municipalityCode": "11001"}, claims=claims)
    assert mismatch.status == 422 and mismatch.json["errors"][0]["field"] == "municipalityCode"
    with_email = call("PUT", "/me/contact", {**CONTACT, "email": "otra@example.com"}, claims=claims)
    assert with_email.status == 422 and with_email.json["errors"][0]["field"] == "email"
    english = call("PUT", "/me/contact", {**CONTACT, "mobile": "123"}, claims=claims, headers={"Accept-Language": "en"})
    assert english.status == 422 and english.json["title"] == "Invalid data"
    assert call("GET", "/me", claims=claims).json["contact"] == changed.json  # refused changes changed nothing
    assert "CONTACT_UPDATED" in audit_actions(f"PERSON#{username(someone)}")


def test_contact_change_without_a_citizen_profile_is_404(aws):
    answer = call("PUT", "/me/contact", CONTACT, claims={"sub": "x", "cognito:username": "CC-123"})
    assert answer.status == 404 and answer.json["code"] == "PROFILE_NOT_FOUND"


def test_consent_changes_are_appended_as_evidence_with_withdrawal(aws):
    someone = free_person(83)
    registered(someone, aws["queue_url"])  # Paso 4 answered e-mail yes, SMS no
    claims = claims_of(someone)
    changed = call("PUT", "/me/consents", {"emailConsent": False, "smsConsent": True}, claims=claims)
    assert changed.status == 200, changed
    assert changed.json == {
        "emailConsent": False,
        "smsConsent": True,
        "policyVersion": "2026-01",
        "answeredAt": "2026-11-20T15:00:00.000Z",
    }
    assert call("GET", "/me", claims=claims).json["consents"]["email"] is False
    evidence = audit_actions(f"CONSENT#{username(someone)}")
    # Paso 4's two answers stay; the change is two new entries, the e-mail "yes" withdrawn
    assert sorted(evidence) == sorted(["CONSENT_GIVEN", "CONSENT_REFUSED", "CONSENT_WITHDRAWN", "CONSENT_GIVEN"])
    refused = call("PUT", "/me/consents", {"emailConsent": "true", "smsConsent": True}, claims=claims)
    assert refused.status == 422 and refused.json["errors"][0]["field"] == "emailConsent"
    missing = call("PUT", "/me/consents", {"smsConsent": True}, claims=claims)
    assert missing.status == 422  # no default answer (decision 0024)


# --- PUT /me/email, POST /me/email/confirmation -------------------------------------------------------------------


def test_email_change_is_confirmed_from_the_new_address_and_the_old_one_is_told(aws):
    someone = free_person(84)
    registered(someone, aws["queue_url"])
    claims = claims_of(someone)
    requested = call("PUT", "/me/email", {"email": "Nuevo.Correo@Example.com"}, claims=claims)
    assert requested.status == 202, requested
    assert requested.json["email"] == "Nuevo.Correo@example.com"
    assert call("GET", "/me", claims=claims).json["email"] == someone["email"]  # not before the confirmation
    (link,) = mails(aws["queue_url"], "email-change")
    assert link["to"] == "Nuevo.Correo@example.com"
    assert link["data"]["enlace"].startswith("https://portal.sat-ccf.example/mi-informacion?confirmarCorreo=")
    token = link["data"]["enlace"].split("=", 1)[1]

    other = free_person(85)
    registered(other, aws["queue_url"])
    stolen = call("POST", "/me/email/confirmation", {"token": token}, claims=claims_of(other))
    assert stolen.status == 400 and stolen.json["code"] == "EMAIL_CHANGE_TOKEN_INVALID"

    confirmed = call("POST", "/me/email/confirmation", {"token": token}, claims=claims)
    assert confirmed.status == 204, confirmed
    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=aws["pool_id"], Username=username(someone))
    attributes = {item["Name"]: item["Value"] for item in user["UserAttributes"]}
    assert attributes["email"] == "Nuevo.Correo@example.com" and attributes["email_verified"] == "true"
    assert call("GET", "/me", claims=claims).json["email"] == "Nuevo.Correo@example.com"
    (notice,) = mails(aws["queue_url"], "email-changed")
    assert notice["to"] == someone["email"] and notice["data"]["correo"] == "N***@example.com"
    reused = call("POST", "/me/email/confirmation", {"token": token}, claims=claims)
    assert reused.status == 400
    english = call("POST", "/me/email/confirmation", {"token": token}, claims=claims, headers={"Accept-Language": "en"})
    assert english.json["title"] == "Invalid link"
    assert "EMAIL_CHANGED" in audit_actions(f"PERSON#{username(someone)}")
    # the other person's e-mail never moved
    assert call("GET", "/me", claims=claims_of(other)).json["email"] == other["email"]


def test_a_newer_email_link_replaces_the_older_and_links_are_limited(aws):
    someone = free_person(86)
    registered(someone, aws["queue_url"])
    claims = claims_of(someone)
    call("PUT", "/me/email", {"email": "primero@example.com"}, claims=claims)
    call("PUT", "/me/email", {"email": "segundo@example.com"}, claims=claims)
    first, second = (m["data"]["enlace"].split("=", 1)[1] for m in mails(aws["queue_url"], "email-change"))
    assert call("POST", "/me/email/confirmation", {"token": first}, claims=claims).status == 400
    assert call("POST", "/me/email/confirmation", {"token": second}, claims=claims).status == 204
    assert call("GET", "/me", claims=claims).json["email"] == "segundo@example.com"
    for _ in range(3):  # five links in 24 h, then 429
        assert call("PUT", "/me/email", {"email": "tercero@example.com"}, claims=claims).status == 202
    limited = call("PUT", "/me/email", {"email": "sexto@example.com"}, claims=claims)
    assert limited.status == 429 and limited.json["code"] == "EMAIL_CHANGE_LIMITED"
    assert int(limited.headers["retry-after"]) > 0
    bad = call("PUT", "/me/email", {"email": "no es un correo"}, claims=claims)
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "email"


def test_email_link_expires(aws):
    someone = free_person(87)
    registered(someone, aws["queue_url"])
    claims = claims_of(someone)
    call("PUT", "/me/email", {"email": "tarde@example.com"}, claims=claims)
    token = mails(aws["queue_url"], "email-change")[0]["data"]["enlace"].split("=", 1)[1]
    clock.freeze(clock.now() + timedelta(hours=24, seconds=1))
    assert call("POST", "/me/email/confirmation", {"token": token}, claims=claims).status == 400
    assert call("GET", "/me", claims=claims).json["email"] == someone["email"]


# --- POST /sessions/logout ---------------------------------------------------------------------------------------


@pytest.fixture
def revocable(monkeypatch):
    """moto 5.2.5 has no RevokeToken: the same emulation the local runtime puts in front of moto."""
    import json

    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.cognitoidp.responses import CognitoIdpResponse

    from local.cognito_app_clients import revoke_token

    def answer(self: CognitoIdpResponse) -> str:
        refused = revoke_token(json.loads(self.body))
        if refused:
            raise NotAuthorizedError(refused[1])
        return "{}"

    monkeypatch.setattr(CognitoIdpResponse, "revoke_token", answer, raising=False)


def test_logout_revokes_the_refresh_token(aws, revocable):
    someone = free_person(88)
    registered(someone, aws["queue_url"])
    session = login(someone, GOOD_PASSWORD).json
    other_session = login(someone, GOOD_PASSWORD).json  # another device
    assert call("POST", "/sessions/refresh", {"refreshToken": session["refreshToken"]}).status == 200
    out = call("POST", "/sessions/logout", {"refreshToken": session["refreshToken"]}, claims=claims_of(someone))
    assert out.status == 204, out
    refused = call("POST", "/sessions/refresh", {"refreshToken": session["refreshToken"]})
    assert refused.status == 401 and refused.json["code"] == "INVALID_REFRESH_TOKEN"
    assert call("POST", "/sessions/refresh", {"refreshToken": other_session["refreshToken"]}).status == 200
    assert "LOGOUT" in audit_actions(f"PERSON#{username(someone)}")


def test_logout_with_another_persons_refresh_token_revokes_nothing(aws, revocable):
    someone, other = free_person(89), free_person(85)
    registered(someone, aws["queue_url"])
    registered(other, aws["queue_url"])
    theirs = login(other, GOOD_PASSWORD).json["refreshToken"]
    refused = call("POST", "/sessions/logout", {"refreshToken": theirs}, claims=claims_of(someone))
    assert refused.status == 401 and refused.json["code"] == "INVALID_REFRESH_TOKEN"
    forged = theirs.replace(username(other), username(someone), 1)  # their Cognito token under my name
    assert call("POST", "/sessions/logout", {"refreshToken": forged}, claims=claims_of(someone)).status == 401
    assert call("POST", "/sessions/refresh", {"refreshToken": theirs}).status == 200
