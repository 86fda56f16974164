"""Paso 4 on moto: contact validation, consent evidence, one Cognito user, rate-limited resend, queue faults."""

from datetime import timedelta

import boto3
import pytest

from sat_common import clock
from tests.integration.test_registration_flow import (
    audit_actions,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    basic_data,
    call,
    contact_data,
    free_person,
    outbox_messages,
    token_from,
    verified_registration,
)

ANY_ID = "0" * 32


def put_contact(registration_id: str, body: dict, **kwargs):
    return call("PUT", f"/registrations/{registration_id}/contact", body, **kwargs)


def test_contact_only_after_identity_is_verified(aws):
    someone = free_person(25)
    started = call("POST", "/registrations", basic_data(someone)).json
    early = put_contact(started["registrationId"], contact_data(someone))
    assert early.status == 409, early
    assert early.json["code"] == "REGISTRATION_STEP_NOT_ALLOWED"
    assert "QUESTIONS_PENDING" in early.json["detail"]
    assert outbox_messages(aws["queue_url"]) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"municipalityCode": "05001"}, "municipalityCode", "El municipio no pertenece al departamento"),
        ({"municipalityCode": "1100"}, "municipalityCode", "El formato no es válido."),
        ({"zone": "CENTRO"}, "zone", "Valor no permitido."),
        ({"phone": "21234567"}, "phone", "Debe ser un teléfono fijo de Colombia"),
        ({"phone": "3001234567"}, "phone", "Debe ser un teléfono fijo de Colombia"),
        ({"mobile": "6012345678"}, "mobile", "Debe ser un celular de Colombia"),
        ({"mobile": "3991234567"}, "mobile", "Debe ser un celular de Colombia"),
        ({"email": "no-es-correo"}, "email", "No es un correo electrónico válido."),
        ({"consentEmail": "si"}, "consentEmail", "Debe ser verdadero o falso."),
        ({"consentSms": 1}, "consentSms", "Debe ser verdadero o falso."),
        ({"address": ""}, "address", "Debe tener al menos 5 caracteres."),
    ],
)
def test_contact_fields_are_validated(changes, field, message):
    # The body is validated before the registration is looked up, so any well-formed id will do.
    answer = put_contact(ANY_ID, contact_data(free_person(26), **changes))
    assert answer.status == 422, answer
    errors = {error["field"]: error["message"] for error in answer.json["errors"]}
    assert errors[field].startswith(message), errors


@pytest.mark.parametrize("missing", ["consentEmail", "consentSms", "departmentCode", "address", "phone", "email"])
def test_required_contact_fields_and_both_consents_have_no_default(missing):
    body = contact_data(free_person(27))
    del body[missing]
    answer = put_contact(ANY_ID, body)
    assert answer.status == 422
    assert {"field": missing, "message": "Este campo es obligatorio."} in answer.json["errors"]


def test_phone_formats_accept_spaces_and_country_code(aws):
    someone = free_person(28)
    registration_id = verified_registration(someone)
    body = contact_data(someone, phone="+57 604 444 5555", mobile="310-555-1234", locality=None)
    assert put_contact(registration_id, body).status == 202
    profile = (
        boto3.resource("dynamodb")
        .Table("main")
        .get_item(Key={"PK": f"PERSON#CC-{someone['documentNumber']}", "SK": "PROFILE"})["Item"]
    )
    assert profile["contact"]["phone"] == "+576044445555" and profile["contact"]["mobile"] == "+573105551234"


def test_consent_evidence_is_kept_append_only(aws):
    someone = free_person(29)
    registration_id = verified_registration(someone)
    headers = {"User-Agent": "ignored: API Gateway's identity is used"}
    assert (
        put_contact(registration_id, contact_data(someone, consentEmail=False, consentSms=True), headers=headers).status
        == 202
    )
    items = (
        boto3.resource("dynamodb")
        .Table("audit")
        .query(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": f"AUDIT#CONSENT#CC-{someone['documentNumber']}"},
        )["Items"]
    )
    by_purpose = {item["details"]["purpose"]: item for item in items}
    assert set(by_purpose) == {"EMAIL", "SMS"}
    email, sms = by_purpose["EMAIL"], by_purpose["SMS"]
    assert email["action"] == "CONSENT_REFUSED" and email["details"]["answer"] is False
    assert sms["action"] == "CONSENT_GIVEN" and sms["details"]["answer"] is True
    for item in (email, sms):
        assert item["details"]["policyVersion"] == "2026-01"
        assert item["details"]["answeredAt"] == "2026-11-20T15:00:00.000Z"
        assert item["details"]["question"].startswith("¿Autoriza que el Ministerio de Salud")
        assert item["sourceIp"] == "203.0.113.7" and item["userAgent"] == "pytest"
        assert item["details"]["registrationId"] == registration_id
    assert sms["details"]["channel"] == "+573001234567"


def test_repeated_contact_makes_no_second_user_and_resend_is_rate_limited(aws):
    someone = free_person(30)
    username = f"CC-{someone['documentNumber']}"
    registration_id = verified_registration(someone)
    first = put_contact(registration_id, contact_data(someone))
    assert first.status == 202
    assert first.json["nextResendAt"] == "2026-11-20T15:01:00.000Z"
    first_token = token_from(outbox_messages(aws["queue_url"])[0])

    too_soon = put_contact(registration_id, contact_data(someone))
    assert too_soon.status == 429, too_soon
    assert too_soon.json["code"] == "EMAIL_RESEND_LIMITED"
    assert too_soon.headers["retry-after"] == "60"
    assert outbox_messages(aws["queue_url"]) == []

    clock.advance(timedelta(seconds=61))
    corrected = put_contact(registration_id, contact_data(someone, email="otro.correo@example.com"))
    assert corrected.status == 202
    (message,) = outbox_messages(aws["queue_url"])
    assert message["to"] == "otro.correo@example.com"
    assert token_from(message) != first_token
    users = boto3.client("cognito-idp").list_users(UserPoolId=aws["pool_id"])["Users"]
    assert [user["Username"].upper() for user in users] == [username]
    email = {a["Name"]: a["Value"] for a in users[0]["Attributes"]}["email"]
    assert email == "otro.correo@example.com"
    # only the newest link works: the first one was replaced
    old = call(
        "POST",
        "/password-setup",
        {
            "token": first_token,
            "password": "Una frase larga y rara 77",
            "passwordConfirmation": "Una frase larga y rara 77",
        },
    )
    assert old.status == 400

    for _ in range(3):  # 5 e-mails in 24 h at most
        clock.advance(timedelta(seconds=61))
        assert put_contact(registration_id, contact_data(someone)).status == 202
    clock.advance(timedelta(seconds=61))
    capped = put_contact(registration_id, contact_data(someone))
    assert capped.status == 429
    assert int(capped.headers["retry-after"]) == 24 * 3600 - 5 * 61
    assert audit_actions(f"PERSON#{username}").count("ACCOUNT_CREATED") == 1


def test_queue_failure_keeps_the_registration_and_the_person_can_resend_at_once(aws, monkeypatch):
    someone = free_person(31)
    registration_id = verified_registration(someone)
    from registration import notices

    real = notices.enqueue_email

    def broken(queue_url, message):
        raise RuntimeError("SQS is down")

    monkeypatch.setattr(notices, "enqueue_email", broken)
    failed = put_contact(registration_id, contact_data(someone))
    assert failed.status == 503, failed
    assert failed.json["code"] == "EMAIL_NOT_SENT"
    assert failed.headers["retry-after"] == "5"
    assert audit_actions(f"PERSON#CC-{someone['documentNumber']}")[-1] == "WELCOME_EMAIL_FAILED"

    monkeypatch.setattr(notices, "enqueue_email", real)
    retried = put_contact(registration_id, contact_data(someone))  # no cool-down after a failure
    assert retried.status == 202, retried
    token = token_from(outbox_messages(aws["queue_url"])[0])
    done = call(
        "POST",
        "/password-setup",
        {"token": token, "password": "Una frase larga y rara 77", "passwordConfirmation": "Una frase larga y rara 77"},
    )
    assert done.status == 204, done


def test_person_whose_email_never_arrived_can_register_again(aws):
    """Manual Paso 5: "si la información no ha llegado, inicie el proceso de registro nuevamente"."""
    someone = free_person(32)
    registration_id = verified_registration(someone)
    assert put_contact(registration_id, contact_data(someone, email="typo@example.com")).status == 202
    clock.advance(timedelta(minutes=16))  # the first registration's session is over
    second = verified_registration(someone)
    assert second != registration_id
    assert put_contact(second, contact_data(someone)).status == 202
    messages = outbox_messages(aws["queue_url"])
    assert [m["to"] for m in messages] == ["typo@example.com", someone["email"]]
    done = call(
        "POST",
        "/password-setup",
        {
            "token": token_from(messages[-1]),
            "password": "Una frase larga y rara 77",
            "passwordConfirmation": "Una frase larga y rara 77",
        },
    )
    assert done.status == 204
    stale = call(
        "POST",
        "/password-setup",
        {
            "token": token_from(messages[0]),
            "password": "Una frase larga y rara 77",
            "passwordConfirmation": "Una frase larga y rara 77",
        },
    )
    assert stale.status == 400
