"""The help desk's unlock (docs/backoffice.md "Help desk", decision 0091) through the registration lambda_handler on
moto: the identity-question lock and the sign-in delays go, the failed-set count stays, the reason and the
operator are audited, the person is told. People: the free pool's CC adults 95-99; fresh moto per test.
"""

import boto3
import pytest

from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    basic_data,
    call,
    free_person,
    outbox_messages,
    registered,
    wrong_answers,
)
from tests.integration.test_registration_operators import ADMIN, administrator, audit_entries  # noqa: F401

REASON = {"reason": "Llamada a la mesa de ayuda; identidad verificada"}
WRONG = "No es la contraseña 123"


def unlock_path(someone: dict) -> str:
    return f"/admin/people/{someone['documentType']}/{someone['documentNumber']}/unlock"


def locked_out(someone: dict) -> None:
    """Three failed question sets: the document is locked for 24 h (decision 0026)."""
    started = call("POST", "/registrations", basic_data(someone)).json
    registration_id, questions = started["registrationId"], started["questions"]
    for _ in range(3):
        answer = call(
            "POST", f"/registrations/{registration_id}/answers", {"answers": wrong_answers(questions, registration_id)}
        )
        questions = (answer.json or {}).get("questions", [])
    assert answer.status == 423, answer


def unlocked(username: str) -> dict:
    (entry,) = [e for e in audit_entries(f"PERSON#{username}") if e["action"] == "PERSON_UNLOCKED"]
    return entry


def test_the_identity_lock_goes_the_count_stays_and_the_person_is_told(aws, admin):
    someone = free_person(95)
    username = f"CC-{someone['documentNumber']}"
    locked_out(someone)
    outbox_messages(aws["queue_url"])  # the lockout notice
    assert call("POST", "/registrations", basic_data(someone)).status == 423

    assert call("POST", unlock_path(someone), REASON, claims=admin).status == 204
    entry = unlocked(username)
    assert entry["actor"] == ADMIN and entry["sourceIp"] == "203.0.113.7" and entry["userAgent"] == "pytest"
    assert entry["details"] == {"reason": REASON["reason"], "identityLock": True, "loginDelays": 0}
    (mail,) = outbox_messages(aws["queue_url"])
    assert mail["template"] == "unlock-notice" and mail["to"] == someone["email"]  # the reference source's
    assert mail["data"] == {
        "nombre": f"{someone['firstName']} {someone['firstSurname']}",
        "fecha": "20/11/2026 10:00 a. m. (hora de Colombia)",
    }
    check = boto3.resource("dynamodb").Table("main").get_item(Key={"PK": f"PERSON#{username}", "SK": "IDENTITY_CHECK"})
    assert check["Item"]["failures"] == 3 and "lockedUntil" not in check["Item"]  # evidence kept, lock gone

    restarted = call("POST", "/registrations", basic_data(someone))
    assert restarted.status == 201, restarted
    # repeating it finds nothing locked: still 204, no second e-mail
    assert call("POST", unlock_path(someone), REASON, claims=admin).status == 204
    assert outbox_messages(aws["queue_url"]) == []


def test_every_sign_in_delay_of_the_person_goes(aws, admin):
    someone = free_person(96)
    registered(someone, aws["queue_url"])
    login = {"documentType": "CC", "documentNumber": someone["documentNumber"]}
    for source in ("198.51.100.66", "198.51.100.67"):
        for _ in range(5):
            assert call("POST", "/sessions", {**login, "password": WRONG}, source_ip=source).status == 401
        delayed = call("POST", "/sessions", {**login, "password": GOOD_PASSWORD}, source_ip=source)
        assert delayed.status == 429, delayed

    assert call("POST", unlock_path(someone), REASON, claims=admin).status == 204
    for source in ("198.51.100.66", "198.51.100.67"):  # at once, from both sources
        assert call("POST", "/sessions", {**login, "password": GOOD_PASSWORD}, source_ip=source).status == 200
    assert unlocked(f"CC-{someone['documentNumber']}")["details"]["loginDelays"] == 2
    (mail,) = outbox_messages(aws["queue_url"])
    assert mail["template"] == "unlock-notice" and mail["to"] == someone["email"]


def test_nothing_to_unlock_is_still_204_audited_and_silent(aws, admin):
    someone = free_person(97)
    assert call("POST", unlock_path(someone), REASON, claims=admin).status == 204
    details = unlocked(f"CC-{someone['documentNumber']}")["details"]
    assert details == {"reason": REASON["reason"], "identityLock": False, "loginDelays": 0}
    assert outbox_messages(aws["queue_url"]) == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/admin/people/CC/12345678/unlock", {}, "reason"),
        ("/admin/people/CC/12345678/unlock", {"reason": "no"}, "reason"),
        ("/admin/people/CC/12345678/unlock", {**REASON, "until": "2026-12-01"}, "until"),
        ("/admin/people/XX/12345678/unlock", REASON, "documentType"),
        ("/admin/people/CC/ABC123/unlock", REASON, "documentNumber"),
    ],
)
def test_the_reason_and_the_document_are_validated(aws, admin, path, body, field):
    answer = call("POST", path, body, claims=admin)
    assert answer.status == 422, answer
    assert field in {error["field"] for error in answer.json["errors"]}, answer.json
