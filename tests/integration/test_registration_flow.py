"""Citizen registration on moto, Pasos 2–6 end to end through the real lambda_handler.

This module also holds the fixtures and helpers the other test_registration_* modules import: the AWS
resources are created the way the CDK stack defines them (main table with GSI1/GSI2 and TTL attribute
expiresAt, reference and audit tables, the people pool with its web client, the outbox queue).
People come from the seed's `free` pool (a slice per module) and `negative` scenario, never `demo`/`e2e`.
"""

import functools
import json
import re
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from sat_common import clock
from tests.conftest import FakeContext, api_event
from tests.integration.conftest import create_table

ROOT = Path(__file__).resolve().parents[2]
SEED = json.loads((ROOT / "local/seed/reference-data.json").read_text(encoding="utf-8"))
PEOPLE = {(p["documentType"], p["documentNumber"]): p for p in SEED["people"]}
COMPANIES = {c["nit"]: c for c in SEED["companies"]}
FREE = SEED["scenarios"]["free"]["people"]
NEGATIVE = SEED["scenarios"]["negative"]
PORTAL = "https://portal.sat-ccf.example"
QUEUE = "registration-outbox"
GOOD_PASSWORD = "Tres tristes tigres comen trigo 42"
START = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _refs_used_by_tests() -> list[dict[str, str]]:
    adults = [ref for ref in FREE if ref["documentType"] == "CC"][:FREE_ADULTS_USED]
    negative = [value for value in NEGATIVE.values() if isinstance(value, dict) and "documentNumber" in value]
    return [SEED["scenarios"]["integration"]["citizen"], *negative, *adults]


FREE_ADULTS_USED = 100  # modules take slices: flow 0-9, identity 10-24, contact 25-39, password 40-59, hardening 60-69,
# portal routes 70-89, operators 90-94, help desk 95-99
# Only the people the tests use (and every company): seeding all 340 items would double each test's set-up.
SEEDED = {
    **SEED,
    "people": [
        person_ref
        for person_ref in SEED["people"]
        if {"documentType": person_ref["documentType"], "documentNumber": person_ref["documentNumber"]}
        in _refs_used_by_tests()
    ],
}


def person(ref: dict[str, str]) -> dict[str, Any]:
    return PEOPLE[(ref["documentType"], ref["documentNumber"])]


def free_person(index: int) -> dict[str, Any]:
    """CC adults of the free pool; each module uses its own range of indexes."""
    adults = [ref for ref in FREE if ref["documentType"] == "CC"]
    return person(adults[index])


@functools.cache
def _boto3_session() -> boto3.Session:
    return boto3.Session()


@functools.cache
def _moto_signing_key() -> Any:
    from joserfc import jwk
    from moto.utilities.utils import load_resource

    return jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


@pytest.fixture(name="aws")
def aws_resources(moto, monkeypatch):
    """Fresh AWS resources per test and the function's environment pointing at them."""
    # moto starts every test with a new boto3 session, which parses the service models again (~0.2 s):
    # one session for the whole run keeps them (moto's request hook is registered on every session).
    boto3.DEFAULT_SESSION = _boto3_session()
    # moto parses its (fixed) RSA signing key for every user pool, ~0.2 s each: parse it once.
    from moto.cognitoidp import models as cognito_models

    monkeypatch.setattr(
        cognito_models,
        "jwk",
        types.SimpleNamespace(RSAKey=types.SimpleNamespace(import_key=lambda *_: _moto_signing_key())),
    )
    create_table("main", gsis=2)
    create_table("reference")
    create_table("audit")
    reference = boto3.resource("dynamodb").Table("reference")
    from sat_common.reference.seed import items_from_seed

    with reference.batch_writer() as batch:
        for item in items_from_seed(SEEDED):
            batch.put_item(Item=item)
    idp = boto3.client("cognito-idp")
    pool = idp.create_user_pool(
        PoolName="sat-ccf-test-people",
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )["UserPool"]
    client = idp.create_user_pool_client(  # confidential, admin flow only (decision 0027)
        UserPoolId=pool["Id"],
        ClientName="sat-ccf-test-web",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    idp.create_group(GroupName="ministerio", UserPoolId=pool["Id"])
    mfa_key = boto3.client("kms").create_key(Description="TOTP secrets")["KeyMetadata"]["KeyId"]
    queue_url = boto3.client("sqs").create_queue(QueueName=QUEUE)["QueueUrl"]
    environment = {
        "MAIN_TABLE_NAME": "main",
        "REFERENCE_TABLE_NAME": "reference",
        "AUDIT_TABLE_NAME": "audit",
        "PEOPLE_USER_POOL_ID": pool["Id"],
        "PEOPLE_USER_POOL_CLIENT_ID": client["ClientId"],
        "MFA_KEY_ID": mfa_key,
        "OUTBOX_QUEUE_URL": queue_url,
        "PORTAL_BASE_URL": PORTAL + "/",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    from registration import config

    config.settings.cache_clear()
    config.deps.cache_clear()
    clock.freeze(START)
    yield {"pool_id": pool["Id"], "client_id": client["ClientId"], "queue_url": queue_url, "mfa_key": mfa_key}
    clock.reset()
    config.settings.cache_clear()
    config.deps.cache_clear()


# --- calling the function ---------------------------------------------------------------------------


class Answer:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.status = raw["statusCode"]
        headers = dict(raw.get("headers") or {})
        headers.update({key: values[-1] for key, values in (raw.get("multiValueHeaders") or {}).items() if values})
        self.headers = {key.lower(): value for key, value in headers.items()}
        self.text = raw.get("body") or ""
        self.json = json.loads(self.text) if self.text else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.text[:300]}>"


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
    source_ip: str | None = None,
    query: dict[str, str] | None = None,
) -> Answer:
    from registration.handler import lambda_handler

    resource, parameters = path, None
    match = re.fullmatch(r"/registrations/([^/]+)(/answers|/contact)?", path)
    if match:
        resource = f"/registrations/{{registrationId}}{match.group(2) or ''}"
        parameters = {"registrationId": match.group(1)}
    event = api_event(
        method,
        path,
        resource=resource,
        path_parameters=parameters,
        body=body,
        headers=headers,
        claims=claims,
        query=query,
    )
    if source_ip:  # API Gateway's view of the connection (the login delays are per source, decision 0028)
        event["requestContext"]["identity"]["sourceIp"] = source_ip
    return Answer(lambda_handler(event, FakeContext()))


def basic_data(someone: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "documentType": someone["documentType"],
        "documentNumber": someone["documentNumber"],
        "firstName": someone["firstName"],
        "middleName": someone["middleName"],
        "firstSurname": someone["firstSurname"],
        "secondSurname": someone["secondSurname"],
        "birthDate": someone["birthDate"],
        "expeditionDate": someone["expeditionDate"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def contact_data(someone: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "departmentCode": "11",
        "municipalityCode": "11001",
        "zone": "URBANA",
        "locality": "Chapinero",
        "address": "Cra 11 # 17 - 2",
        "phone": "6012345678",
        "mobile": "3001234567",
        "email": someone["email"],
        "consentEmail": True,
        "consentSms": False,
    }
    data.update(changes)
    return data


def registration_item(registration_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table("main")
    return table.get_item(Key={"PK": f"REGISTRATION#{registration_id}", "SK": "REGISTRATION"})["Item"]


def right_answers(registration_id: str) -> list[dict[str, str]]:
    current = json.loads(registration_item(registration_id)["questionSet"])
    return [{"questionId": q["questionId"], "optionId": q["correct"]} for q in current["questions"]]


def wrong_answers(questions: list[dict[str, Any]], registration_id: str) -> list[dict[str, str]]:
    correct = {
        q["questionId"]: q["correct"]
        for q in json.loads(registration_item(registration_id)["questionSet"])["questions"]
    }
    return [
        {
            "questionId": q["questionId"],
            "optionId": next(o["optionId"] for o in q["options"] if o["optionId"] != correct[q["questionId"]]),
        }
        for q in questions
    ]


def outbox_messages(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def token_from(message: dict[str, Any]) -> str:
    link = message["data"]["enlace"]
    assert link.startswith(PORTAL + "/asignar-contrasena?token=")
    return parse_qs(urlparse(link).query)["token"][0]


def audit_actions(entity: str) -> list[str]:
    table = boto3.resource("dynamodb").Table("audit")
    items = table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#{entity}"})[
        "Items"
    ]
    return [item["action"] for item in items]


def verified_registration(someone: dict[str, Any]) -> str:
    started = call("POST", "/registrations", basic_data(someone))
    assert started.status == 201, started
    registration_id = started.json["registrationId"]
    verified = call("POST", f"/registrations/{registration_id}/answers", {"answers": right_answers(registration_id)})
    assert verified.status == 200, verified
    return registration_id


def pending_password(someone: dict[str, Any], queue_url: str) -> str:
    """Runs Pasos 2–4 and returns the set-password token from the queued e-mail."""
    registration_id = verified_registration(someone)
    accepted = call("PUT", f"/registrations/{registration_id}/contact", contact_data(someone))
    assert accepted.status == 202, accepted
    (message,) = [m for m in outbox_messages(queue_url) if m["template"] == "welcome"]
    return token_from(message)


def registered(someone: dict[str, Any], queue_url: str) -> None:
    token = pending_password(someone, queue_url)
    done = call(
        "POST", "/password-setup", {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD}
    )
    assert done.status == 204, done
    outbox_messages(queue_url)  # the registration notices (decision 0026): later reads see only what follows


# --- the flow ----------------------------------------------------------------------------------------


def test_whole_flow_from_basic_data_to_my_roles(aws):
    someone = person(SEED["scenarios"]["integration"]["citizen"])
    username = f"{someone['documentType']}-{someone['documentNumber']}"

    started = call("POST", "/registrations", basic_data(someone))
    assert started.status == 201, started
    body = started.json
    assert body["status"] == "QUESTIONS_PENDING"
    assert len(body["questions"]) == 5  # an adult: every fact, every time (decision 0026)
    for question in body["questions"]:
        assert 2 <= len(question["options"]) <= 12  # fewer when there are fewer answers (five pension funds)
        texts = [option["text"] for option in question["options"]]
        assert len(set(texts)) == len(texts) and "Ninguna de las anteriores" in texts
        assert set(question) == {"questionId", "text", "options"}
        assert all(set(option) == {"optionId", "text"} for option in question["options"])
    assert '"correct"' not in started.text
    registration_id = body["registrationId"]

    verified = call("POST", f"/registrations/{registration_id}/answers", {"answers": right_answers(registration_id)})
    assert verified.status == 200, verified
    assert verified.json == {"registrationId": registration_id, "status": "IDENTITY_VERIFIED"}

    accepted = call("PUT", f"/registrations/{registration_id}/contact", contact_data(someone))
    assert accepted.status == 202, accepted
    assert accepted.json["status"] == "PASSWORD_PENDING"
    assert accepted.json["email"] == someone["email"]
    assert accepted.json["linkExpiresAt"] == "2026-11-21T15:00:00.000Z"

    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=aws["pool_id"], Username=username)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # no usable password until the person sets one
    (message,) = outbox_messages(aws["queue_url"])
    assert message["template"] == "welcome" and message["to"] == someone["email"]
    assert message["data"]["nombre"] == f"{someone['firstName']} {someone['firstSurname']}"
    token = token_from(message)
    assert len(token) >= 40

    done = call(
        "POST", "/password-setup", {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD}
    )
    assert done.status == 204, done
    assert done.text == ""

    login = call(
        "POST",
        "/sessions",
        {
            "documentType": someone["documentType"],
            "documentNumber": someone["documentNumber"],
            "password": GOOD_PASSWORD,
        },
    )
    assert login.status == 200, login
    # no Cognito access token: it would open Cognito's own user API around this one (decision 0027)
    assert set(login.json) == {"idToken", "refreshToken", "expiresIn", "tokenType"}
    assert login.json["tokenType"] == "Bearer" and login.json["expiresIn"] > 0

    refreshed = call("POST", "/sessions/refresh", {"refreshToken": login.json["refreshToken"]})
    assert refreshed.status == 200, refreshed
    assert refreshed.json["idToken"] and "accessToken" not in refreshed.json

    claims = {"sub": "11111111-2222-3333-4444-555555555555", "cognito:username": username, "email": someone["email"]}
    me = call("GET", "/me", claims=claims)
    assert me.status == 200, me
    assert me.json["firstName"] == someone["firstName"]
    assert me.json["contact"]["phone"] == "+576012345678"
    assert me.json["consents"] == {
        "email": True,
        "sms": False,
        "policyVersion": "2026-01",
        "answeredAt": "2026-11-20T15:00:00.000Z",
    }
    roles = call("GET", "/me/roles", claims=claims)
    assert roles.status == 200, roles
    assert roles.json == {
        "username": username,
        "roles": [
            {
                "role": "PERSONA_NATURAL",
                "name": "Persona natural",
                "nit": None,
                "businessName": None,
                "profile": None,
                "since": None,
            }
        ],
    }

    actions = audit_actions(f"PERSON#{username}")
    assert actions == [
        "REGISTRATION_STARTED",
        "IDENTITY_VERIFIED",
        "CONTACT_SAVED",
        "ACCOUNT_CREATED",
        "WELCOME_EMAIL_QUEUED",
        "PASSWORD_SET",
        "ACCOUNT_ACTIVATED",
        "REGISTRATION_NOTICE_QUEUED",
        "LOGIN_SUCCEEDED",
    ]


def test_answers_a_tester_can_give_from_the_seed_facts(aws):
    """The questions come from the reference facts: answering by text from the seed file passes."""
    someone = free_person(0)
    started = call("POST", "/registrations", basic_data(someone))
    facts = someone["facts"]
    from sat_common import catalogs

    municipality = catalogs.load("municipalities").find(facts["municipalityCode"])
    department = catalogs.load("departments").find(municipality["departmentCode"])
    truths = {
        "EPS": catalogs.load("eps").find(facts["eps"])["name"],
        "año": str(facts["affiliationYear"]),
        "municipio": f"{municipality['name']} ({department['name']})",
        "empresa": COMPANIES[facts["employerNit"]]["businessName"] if facts["employerNit"] else None,
        "fondo": catalogs.load("pension-funds").find(facts["pensionFund"])["name"] if facts["pensionFund"] else None,
    }
    answers = []
    for question in started.json["questions"]:
        truth = next(value for marker, value in truths.items() if marker in question["text"])
        matching = [o for o in question["options"] if o["text"] == truth]
        if not matching:  # their answer is not among the options: "none of the above" (decision 0026)
            matching = [o for o in question["options"] if o["text"] == "Ninguna de las anteriores"]
        assert len(matching) == 1, question
        answers.append({"questionId": question["questionId"], "optionId": matching[0]["optionId"]})
    verified = call("POST", f"/registrations/{started.json['registrationId']}/answers", {"answers": answers})
    assert verified.status == 200, verified


def test_registered_person_gets_409_on_a_new_registration(aws):
    someone = free_person(1)
    registered(someone, aws["queue_url"])
    again = call("POST", "/registrations", basic_data(someone))
    assert again.status == 409, again
    assert again.json["code"] == "ALREADY_REGISTERED"


def test_user_created_outside_this_flow_counts_as_registered(aws):
    someone = free_person(2)
    boto3.client("cognito-idp").admin_create_user(
        UserPoolId=aws["pool_id"], Username=f"CC-{someone['documentNumber']}", MessageAction="SUPPRESS"
    )
    again = call("POST", "/registrations", basic_data(someone))
    assert again.status == 409 and again.json["code"] == "ALREADY_REGISTERED"


def test_unknown_fields_are_rejected_on_every_body(aws):
    someone = free_person(3)
    for method, path, body in (
        ("POST", "/registrations", {**basic_data(someone), "admin": True}),
        ("POST", "/registrations/" + "0" * 32 + "/answers", {"answers": [], "extra": 1}),
        ("PUT", "/registrations/" + "0" * 32 + "/contact", {**contact_data(someone), "role": "x"}),
        ("POST", "/password-setup", {"token": "x" * 43, "password": "a", "passwordConfirmation": "a", "x": 1}),
        ("POST", "/sessions", {"documentType": "CC", "documentNumber": "1", "password": "x", "remember": True}),
        ("POST", "/sessions/refresh", {"refreshToken": "x", "other": "y"}),
    ):
        answer = call(method, path, body)
        assert answer.status == 422, (path, answer)
        assert answer.headers["content-type"] == "application/problem+json"
        assert any(error["message"] == "Este campo no está permitido." for error in answer.json["errors"]), answer


def test_oversized_body_is_413(aws):
    answer = call("POST", "/registrations", {"firstName": "x" * (70 * 1024)})
    assert answer.status == 413
    assert answer.json["code"] == "PAYLOAD_TOO_LARGE"


def test_errors_in_english_on_request(aws):
    someone = free_person(4)
    answer = call("POST", "/registrations", basic_data(someone, firstName="Otro"), headers={"Accept-Language": "en"})
    assert answer.status == 422
    assert answer.json["title"] == "Data not verified"
    bad = call("POST", "/registrations", basic_data(someone, documentNumber="0123"), headers={"Accept-Language": "en"})
    assert bad.status == 422
    assert bad.json["errors"][0]["field"] == "documentNumber"
    assert bad.json["errors"][0]["message"].startswith("Does not match the format of document type CC")
    started = call("POST", "/registrations", basic_data(someone), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert started.json["questions"][0]["text"].endswith("?") and "¿" not in started.json["questions"][0]["text"]


def test_nothing_secret_reaches_the_logs(aws, capsys, caplog):
    """Across the whole flow (including failures) no password, token, refresh token or answer is logged."""
    someone = free_person(5)
    started = call("POST", "/registrations", basic_data(someone))
    registration_id = started.json["registrationId"]
    wrong = wrong_answers(started.json["questions"], registration_id)
    call("POST", f"/registrations/{registration_id}/answers", {"answers": wrong})
    answers = right_answers(registration_id)
    call("POST", f"/registrations/{registration_id}/answers", {"answers": answers})
    call("PUT", f"/registrations/{registration_id}/contact", contact_data(someone))
    token = token_from(outbox_messages(aws["queue_url"])[0])
    call("POST", "/password-setup", {"token": token, "password": "corto", "passwordConfirmation": "corto"})
    call("POST", "/password-setup", {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": "otra cosa"})
    call("POST", "/password-setup", {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD})
    call("POST", "/password-setup", {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD})
    bad_password = "Una clave equivocada 1234"
    call(
        "POST",
        "/sessions",
        {"documentType": "CC", "documentNumber": someone["documentNumber"], "password": bad_password},
    )
    login = call(
        "POST",
        "/sessions",
        {"documentType": "CC", "documentNumber": someone["documentNumber"], "password": GOOD_PASSWORD},
    )
    call("POST", "/sessions/refresh", {"refreshToken": login.json["refreshToken"]})
    call("POST", "/sessions/refresh", {"refreshToken": "not-a-real-refresh-token"})

    captured = capsys.readouterr()
    logs = captured.out + captured.err + caplog.text
    assert "registration started" in logs  # the capture does see the function's logs
    secrets = [
        GOOD_PASSWORD,
        bad_password,
        "otra cosa",
        token,
        login.json["refreshToken"],
        login.json["idToken"],
        "not-a-real-refresh-token",
    ]
    secrets += [answer["optionId"] for answer in answers + wrong]
    for secret in secrets:
        assert secret not in logs, secret
    assert registration_id not in logs  # it is the bearer of the unfinished flow: logs carry a hash prefix
    audit_text = json.dumps(boto3.resource("dynamodb").Table("audit").scan()["Items"], default=str)
    for secret in secrets:
        assert secret not in audit_text, secret
