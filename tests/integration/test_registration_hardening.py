"""Registration hardening on moto (decisions 0025, 0026): the owner is told of every new account, a person's
options survive a reload of the populations, and the password policy refuses common phrases and never
answers 500 to a long password. People: the free pool's CC adults 60-69."""

import json

import boto3

from sat_common import clock
from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    audit_actions,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    basic_data,
    call,
    contact_data,
    free_person,
    outbox_messages,
    registration_item,
    right_answers,
    token_from,
    verified_registration,
)


def pending(someone: dict, queue_url: str, **contact) -> str:
    registration_id = verified_registration(someone)
    accepted = call("PUT", f"/registrations/{registration_id}/contact", contact_data(someone, **contact))
    assert accepted.status == 202, accepted
    (welcome,) = [m for m in outbox_messages(queue_url) if m["template"] == "welcome"]
    return token_from(welcome)


def set_password(token: str, password: str):
    return call("POST", "/password-setup", {"token": token, "password": password, "passwordConfirmation": password})


def test_the_owner_is_told_at_the_reference_email_when_someone_registers_with_another_one(aws):
    """An attacker who passes the questions registers their own e-mail in Paso 4: the document's owner still
    hears of it at the address the reference source holds, and the account's address hears of it too."""
    someone = free_person(60)
    token = pending(someone, aws["queue_url"], email="otra.persona@example.net")
    assert set_password(token, GOOD_PASSWORD).status == 204
    notices = [m for m in outbox_messages(aws["queue_url"]) if m["template"] == "registration-notice"]
    assert sorted(m["to"] for m in notices) == sorted([someone["email"], "otra.persona@example.net"])
    for notice in notices:
        assert notice["data"] == {
            "nombre": f"{someone['firstName']} {someone['firstSurname']}",
            "fecha": "20/11/2026 10:00 a. m. (hora de Colombia)",
            "correo": "o***@example.net",
        }
    assert "REGISTRATION_NOTICE_QUEUED" in audit_actions(f"PERSON#CC-{someone['documentNumber']}")


def test_one_notice_when_the_account_uses_the_reference_email(aws):
    someone = free_person(61)
    assert set_password(pending(someone, aws["queue_url"]), GOOD_PASSWORD).status == 204
    (notice,) = [m for m in outbox_messages(aws["queue_url"]) if m["template"] == "registration-notice"]
    assert notice["to"] == someone["email"]


def test_a_persons_options_survive_a_reload_of_the_populations(aws):
    """Options drawn again from new populations could be intersected with the old ones: they are kept."""
    someone = free_person(62)
    first = call("POST", "/registrations", basic_data(someone)).json
    reference = boto3.resource("dynamodb").Table("reference")
    for kind in ("eps", "municipality", "employer", "pensionFund", "affiliationYear"):
        item = reference.get_item(Key={"PK": f"POPULATION#{kind}", "SK": "PROFILE"})["Item"]
        item["data"]["counts"] = {value: 1 for value in item["data"]["counts"]}  # everything changes
        reference.put_item(Item=item)
    from datetime import timedelta

    clock.advance(timedelta(minutes=16))  # the first registration's session is over
    second = call("POST", "/registrations", basic_data(someone)).json

    def options(started: dict) -> set[frozenset[str]]:
        return {frozenset(o["text"] for o in q["options"]) for q in started["questions"]}

    assert options(second) == options(first)
    bank = json.loads(registration_item(second["registrationId"])["bank"])
    assert all("truth" in entry for entry in bank)  # kept server-side only
    assert '"truth"' not in json.dumps(second) and '"correct"' not in json.dumps(second)
    verified = call(
        "POST",
        f"/registrations/{second['registrationId']}/answers",
        {"answers": right_answers(second["registrationId"])},
    )
    assert verified.status == 200, verified


def test_common_phrases_are_refused_and_long_passwords_are_never_a_500(aws):
    someone = free_person(63)
    token = pending(someone, aws["queue_url"])
    for password in ("contraseña segura 2026", "password2026!!", "Colombia2026!!", "a" * 100):
        answer = set_password(token, password)
        assert answer.status == 422 and answer.json["rule"] == "password_common", (password, answer)
    too_long = set_password(token, "Cuatro caballos cruzan la sabana " * 4 + "y algo más")
    assert too_long.status == 422 and too_long.json["rule"] == "password_too_long"
    assert too_long.json["errors"][0]["message"] == "Debe tener como máximo 128 caracteres."
    # 90 characters, past zxcvbn's 72: estimated in pieces and accepted (moto's user pool, unlike Cognito's
    # 256, refuses 99 characters or more, so the policy's 99-128 range is covered by the unit tests)
    long_phrase = ("Cuatro caballos cruzan la sabana de Bogotá al amanecer, sin prisa y sin miedo. " * 2)[:90]
    assert set_password(token, long_phrase).status == 204
