"""Paso 2–3 on moto: the generic 422, 409/423, questions that answer once, the 24 h lock, concurrency."""

import json
import threading
from datetime import timedelta

import boto3
import pytest

from sat_common import clock
from tests.integration.test_registration_flow import (
    NEGATIVE,
    audit_actions,
    aws_resources,  # noqa: F401  (the "aws" fixture)
    basic_data,
    call,
    free_person,
    outbox_messages,
    person,
    registration_item,
    right_answers,
    wrong_answers,
)


def fail(registration_id: str, questions: list[dict]) -> object:
    return call(
        "POST", f"/registrations/{registration_id}/answers", {"answers": wrong_answers(questions, registration_id)}
    )


def test_mismatch_and_unknown_person_get_the_same_answer(aws):
    someone = free_person(10)
    mismatch = call("POST", "/registrations", basic_data(someone, birthDate="1980-02-03"))
    unknown = call("POST", "/registrations", basic_data(someone, documentNumber="1999999999"))
    wrong_name = call("POST", "/registrations", basic_data(someone, firstName="Zacarías"))
    assert mismatch.status == unknown.status == wrong_name.status == 422
    assert mismatch.json == unknown.json == wrong_name.json
    assert mismatch.json["code"] == "REGISTRATION_NOT_VERIFIED"
    assert "errors" not in mismatch.json
    assert audit_actions(f"PERSON#CC-{someone['documentNumber']}") == ["REGISTRATION_REJECTED", "REGISTRATION_REJECTED"]


def test_names_compare_without_case_accents_or_extra_spaces(aws):
    someone = free_person(11)
    shouted = basic_data(
        someone, firstName=f"  {someone['firstName'].upper()} ", firstSurname=someone["firstSurname"].upper()
    )
    assert call("POST", "/registrations", shouted).status == 201


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"documentType": "NI"}, "documentType", "No es un tipo de documento de persona"),
        ({"documentNumber": "12AB"}, "documentNumber", "No cumple el formato del tipo de documento CC"),
        ({"firstName": "Ana3"}, "firstName", "Solo se permiten letras"),
        ({"birthDate": "2027-01-01"}, "birthDate", "La fecha no puede ser futura."),
        ({"expeditionDate": "1900-01-01"}, "expeditionDate", "La fecha de expedición debe ser posterior"),
        ({"birthDate": "20-01-1990"}, "birthDate", "Debe ser una fecha con formato AAAA-MM-DD."),
        ({"firstSurname": None}, "firstSurname", "Este campo es obligatorio."),
    ],
)
def test_basic_data_is_validated_field_by_field(changes, field, message):
    # Bodies are validated before any AWS call: no resources needed.
    body = basic_data(free_person(12), **changes)
    if changes.get("firstSurname", "") is None:
        body.pop("firstSurname", None)
    answer = call("POST", "/registrations", body)
    assert answer.status == 422, answer
    assert answer.json["code"] == "VALIDATION_FAILED"
    errors = {error["field"]: error["message"] for error in answer.json["errors"]}
    assert errors[field].startswith(message), errors


def test_second_registration_while_one_is_in_progress_is_409_until_the_session_ends(aws):
    someone = free_person(13)
    assert call("POST", "/registrations", basic_data(someone)).status == 201
    again = call("POST", "/registrations", basic_data(someone))
    assert again.status == 409 and again.json["code"] == "REGISTRATION_IN_PROGRESS"
    assert int(again.headers["retry-after"]) == 15 * 60
    clock.advance(timedelta(minutes=16))
    assert call("POST", "/registrations", basic_data(someone)).status == 201


@pytest.fixture
def atomic_requests(monkeypatch):
    """moto in-process serves threads without any lock, so its check-and-write is not atomic the way a
    DynamoDB conditional write is. Serialize whole requests (what DynamoDB guarantees per item): code
    that read first and wrote after would still interleave between requests and fail this test."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    process = BotocoreStubber.process_request

    def serialized(self, request):
        with lock:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", serialized)


def test_two_concurrent_registrations_of_one_document_exactly_one_proceeds(aws, atomic_requests):
    from registration import basic_data as basic_data_step
    from registration.config import deps
    from registration.models import BasicData
    from sat_common.audit import Actor
    from sat_common.errors import DomainError

    someone = free_person(14)
    data = BasicData.model_validate(basic_data(someone))
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def register() -> None:
        barrier.wait()
        try:
            outcomes.append(basic_data_step.start(deps(), data, Actor("anonymous"), "es")["registrationId"])
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [outcome for outcome in outcomes if outcome != "REGISTRATION_IN_PROGRESS"]
    assert len(started) == 1, outcomes
    assert outcomes.count("REGISTRATION_IN_PROGRESS") == 3
    claim = (
        boto3.resource("dynamodb")
        .Table("main")
        .get_item(Key={"PK": f"PERSON#CC-{someone['documentNumber']}", "SK": "REGISTRATION_CLAIM"})["Item"]
    )
    assert claim["registrationId"] == started[0]


def test_questions_come_with_distractors_and_keep_them_across_sets(aws):
    someone = free_person(15)
    first = call("POST", "/registrations", basic_data(someone)).json
    item = registration_item(first["registrationId"])
    kinds = {q["kind"] for q in json.loads(item["bank"])}
    assert {"eps", "employer", "affiliationYear", "municipality"} <= kinds
    retry = fail(first["registrationId"], first["questions"])
    assert retry.status == 422
    texts_first = {frozenset(o["text"] for o in q["options"]) for q in first["questions"]}
    texts_retry = {frozenset(o["text"] for o in q["options"]) for q in retry.json["questions"]}
    bank = {
        frozenset("Ninguna de las anteriores" if t == "NONE" else t for t in q["options"])
        for q in json.loads(item["bank"])
    }
    assert texts_first <= bank and texts_retry <= bank  # same options every time: no intersection attack
    assert {q["questionId"] for q in first["questions"]}.isdisjoint({q["questionId"] for q in retry.json["questions"]})


def test_wrong_answers_give_attempts_left_and_new_questions_and_a_set_answers_once(aws):
    someone = person(NEGATIVE["wrongAnswers"])
    started = call("POST", "/registrations", basic_data(someone)).json
    registration_id = started["registrationId"]
    old_right = right_answers(registration_id)
    wrong = fail(registration_id, started["questions"])
    assert wrong.status == 422, wrong
    assert wrong.json["code"] == "IDENTITY_NOT_VERIFIED"
    assert wrong.json["attemptsLeft"] == 2
    assert len(wrong.json["questions"]) >= 4
    assert '"correct"' not in wrong.text
    # the first set cannot be answered again, not even with the right options
    replay = call("POST", f"/registrations/{registration_id}/answers", {"answers": old_right})
    assert replay.status == 409 and replay.json["code"] == "QUESTIONS_ALREADY_ANSWERED"
    # answers must match the current set one by one
    partial = call("POST", f"/registrations/{registration_id}/answers", {"answers": right_answers(registration_id)[:2]})
    assert partial.status == 422 and partial.json["errors"][0]["field"] == "answers"
    # every answer must be right (decision 0026): four of five is a failed set
    answers = right_answers(registration_id)
    answers[0] = wrong_answers(
        [q for q in wrong.json["questions"] if q["questionId"] == answers[0]["questionId"]], registration_id
    )[0]
    almost = call("POST", f"/registrations/{registration_id}/answers", {"answers": answers})
    assert almost.status == 422 and almost.json["attemptsLeft"] == 1, almost
    passed = call("POST", f"/registrations/{registration_id}/answers", {"answers": right_answers(registration_id)})
    assert passed.status == 200, passed
    again = call("POST", f"/registrations/{registration_id}/answers", {"answers": answers})
    assert again.status == 409 and again.json["code"] == "REGISTRATION_STEP_NOT_ALLOWED"


def test_third_failed_set_locks_the_document_for_24_hours_and_notifies_the_owner(aws):
    someone = person(NEGATIVE["lockout"])
    username = f"CC-{someone['documentNumber']}"
    started = call("POST", "/registrations", basic_data(someone)).json
    registration_id, questions = started["registrationId"], started["questions"]
    for attempts_left in (2, 1):
        answer = fail(registration_id, questions)
        assert answer.status == 422 and answer.json["attemptsLeft"] == attempts_left
        questions = answer.json["questions"]
    locked = fail(registration_id, questions)
    assert locked.status == 423, locked
    assert locked.json["code"] == "DOCUMENT_LOCKED"
    assert locked.headers["retry-after"] == str(24 * 3600)
    assert locked.json["lockedUntil"] == "2026-11-21T15:00:00.000Z"

    # the lock is per document: a new registration (even a new "process") is refused with 423 too
    clock.advance(timedelta(hours=23, minutes=59))
    again = call("POST", "/registrations", basic_data(someone))
    assert again.status == 423 and again.headers["retry-after"] == "60"
    # but only to whoever knows the basic data: a mismatch still gets the generic 422
    assert call("POST", "/registrations", basic_data(someone, birthDate="1950-01-01")).status == 422

    (notice,) = outbox_messages(aws["queue_url"])
    assert notice["template"] == "lockout-notice" and notice["to"] == someone["email"]
    assert notice["data"] == {
        "nombre": f"{someone['firstName']} {someone['firstSurname']}",
        "bloqueadoHasta": "21/11/2026 10:00 a. m. (hora de Colombia)",
    }

    # the lock ends by itself (no TTL needed): after 24 h the person starts again, the failures remembered
    clock.advance(timedelta(minutes=1))
    restarted = call("POST", "/registrations", basic_data(someone))
    assert restarted.status == 201, restarted
    retry = fail(restarted.json["registrationId"], restarted.json["questions"])
    assert retry.json["attemptsLeft"] == 2
    actions = audit_actions(f"PERSON#{username}")
    assert actions.count("IDENTITY_CHECK_FAILED") == 3 and "IDENTITY_LOCKED" in actions
    assert "LOCKOUT_NOTICE_QUEUED" in actions

    # a second lock in the 30 days lasts 30 days (decision 0026): six sets a month, not three a day
    questions = retry.json["questions"]
    assert fail(restarted.json["registrationId"], questions).json["attemptsLeft"] == 1
    long_lock = fail(restarted.json["registrationId"], fail_questions(restarted.json["registrationId"]))
    assert long_lock.status == 423, long_lock
    assert long_lock.json["lockedUntil"] == "2026-12-21T15:00:00.000Z"
    assert long_lock.headers["retry-after"] == str(30 * 24 * 3600)
    (second,) = outbox_messages(aws["queue_url"])
    assert second["template"] == "lockout-notice"
    assert second["data"]["bloqueadoHasta"] == "21/12/2026 10:00 a. m. (hora de Colombia)"
    clock.advance(timedelta(days=29, hours=23))
    assert call("POST", "/registrations", basic_data(someone)).status == 423


def fail_questions(registration_id: str) -> list[dict]:
    """The current set as the person sees it (texts and ids), read from the stored registration."""
    current = json.loads(registration_item(registration_id)["questionSet"])
    return [{"questionId": q["questionId"], "options": q["options"]} for q in current["questions"]]


def test_slow_guessing_does_not_escape_the_lock(aws):
    """Two failed sets a day never reached three "in 24 hours"; the failures are now remembered for 30 days."""
    someone = free_person(18)
    for day in range(2):
        started = call("POST", "/registrations", basic_data(someone))
        assert started.status == 201, started
        registration_id = started.json["registrationId"]
        answer = fail(registration_id, started.json["questions"])
        if day == 0:
            answer = fail(registration_id, answer.json["questions"])
            assert answer.json["attemptsLeft"] == 1
        clock.advance(timedelta(hours=25))
    assert answer.status == 423 and answer.json["code"] == "DOCUMENT_LOCKED", answer


def test_unknown_or_expired_registration_is_404(aws):
    someone = free_person(16)
    missing = call(
        "POST",
        "/registrations/" + "a" * 32 + "/answers",
        {"answers": [{"questionId": "a" * 12 + ".0", "optionId": "b" * 8}]},
    )
    assert missing.status == 404 and missing.json["code"] == "REGISTRATION_NOT_FOUND"
    malformed = call("POST", "/registrations/not-an-id/answers", {"answers": []})
    assert malformed.status == 422
    started = call("POST", "/registrations", basic_data(someone)).json
    clock.advance(timedelta(minutes=16))
    late = call("POST", f"/registrations/{started['registrationId']}/answers", {"answers": []})
    assert late.status in (404, 422)
    late = call(
        "POST",
        f"/registrations/{started['registrationId']}/answers",
        {"answers": [{"questionId": "a" * 12 + ".0", "optionId": "b" * 8}]},
    )
    assert late.status == 404


def test_one_question_set_answered_twice_at_once_counts_once(aws, atomic_requests):
    from registration import identity_answers
    from registration.config import deps
    from sat_common.audit import Actor
    from sat_common.errors import DomainError

    someone = free_person(17)
    started = call("POST", "/registrations", basic_data(someone)).json
    registration_id = started["registrationId"]
    wrong = [(a["questionId"], a["optionId"]) for a in wrong_answers(started["questions"], registration_id)]
    barrier = threading.Barrier(3)
    codes: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            identity_answers.answer(deps(), registration_id, wrong, Actor("anonymous"), "es")
        except DomainError as error:
            codes.append(error.code)

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == ["IDENTITY_NOT_VERIFIED", "QUESTIONS_ALREADY_ANSWERED", "QUESTIONS_ALREADY_ANSWERED"]
    check = (
        boto3.resource("dynamodb")
        .Table("main")
        .get_item(Key={"PK": f"PERSON#CC-{someone['documentNumber']}", "SK": "IDENTITY_CHECK"})["Item"]
    )
    assert check["failures"] == 1
