"""The HTTP reference source (decision 0071, docs/reference-sources.md) behind the real registration and
delegation handlers, against a stub on 127.0.0.1: known people register as with the table, unknown ones get
the usual "not verified", and every failure of the source is a 503 with Retry-After that writes nothing,
never a false "not verified"."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.fault_support import kinds
from tests.integration.reference_stub import TOKEN, stub_source
from tests.integration.test_registration_flow import (
    PEOPLE,
    aws_resources,  # noqa: F401 (fixture "aws")
    basic_data,
    call,
    free_person,
)

SECRET = "sat-ccf/test/reference-source"


@pytest.fixture
def http_source(aws, monkeypatch):
    someone = free_person(52)
    boto3.client("secretsmanager").create_secret(Name=SECRET, SecretString=json.dumps({"token": TOKEN}))
    with stub_source(people=[PEOPLE[(someone["documentType"], someone["documentNumber"])]]) as stub:
        for name, value in {
            "REFERENCE_SOURCE_KIND": "http",
            "REFERENCE_SOURCE_BASE_URL": stub.base_url,
            "REFERENCE_SOURCE_SECRET_NAME": SECRET,
            "REFERENCE_SOURCE_TIMEOUT_SECONDS": "1",
            "ALLOW_LOOPBACK_URLS": "true",  # the stub is on 127.0.0.1 (the CDK app never sets it)
        }.items():
            monkeypatch.setenv(name, value)
        from registration import config

        config.settings.cache_clear()
        config.deps.cache_clear()
        # Only the stub knows this person (the table keeps the questions' populations, decision 0026).
        from sat_common.reference.keys import person_key

        boto3.resource("dynamodb").Table("reference").delete_item(
            Key=person_key(someone["documentType"], someone["documentNumber"])
        )
        yield stub, someone
        config.settings.cache_clear()
        config.deps.cache_clear()


def test_a_person_the_source_knows_starts_registration_with_the_bearer_token(http_source):
    stub, someone = http_source
    started = call("POST", "/registrations", basic_data(someone))
    assert started.status == 201, started
    path, authorization = stub.requests[0]
    assert path == f"/v1/people/{someone['documentType']}/{someone['documentNumber']}"
    assert authorization == f"Bearer {TOKEN}"


def test_an_unknown_person_is_answered_as_with_the_table(http_source, monkeypatch):
    """404 from the source is "unknown": the registration area answers exactly as for a person the table lacks."""
    from registration import config

    stub, someone = http_source
    unknown = basic_data(someone, documentNumber="1000000001")  # in neither source
    over_http = call("POST", "/registrations", unknown)
    assert stub.requests[-1][0] == f"/v1/people/{someone['documentType']}/{unknown['documentNumber']}"
    monkeypatch.setenv("REFERENCE_SOURCE_KIND", "dynamodb")
    config.settings.cache_clear()
    config.deps.cache_clear()
    from_table = call("POST", "/registrations", basic_data(someone, documentNumber="1000000002"))
    assert over_http.status == from_table.status != 503, (over_http, from_table)
    assert (over_http.json or {}).get("code") == (from_table.json or {}).get("code")


@pytest.mark.parametrize(
    ("mode", "retry_after"),
    [
        ("error500", "5"),
        ("throttled", "17"),  # the source's own Retry-After
        ("slow", "5"),  # past the 1 s deadline
        ("garbage", "5"),
        ("unauthorized", "5"),
        ("other-person", "5"),
    ],
)
def test_a_failing_source_is_503_with_retry_after_and_writes_nothing(http_source, mode, retry_after):
    stub, someone = http_source
    stub.mode = mode
    before = kinds("main"), kinds("audit")
    refused = call("POST", "/registrations", basic_data(someone), headers={"Accept-Language": "en"})
    assert refused.status == 503, refused
    assert refused.json["code"] == "REFERENCE_SOURCE_UNAVAILABLE" and refused.headers["retry-after"] == retry_after
    assert refused.json["title"] == "Reference source unavailable"
    assert (kinds("main"), kinds("audit")) == before  # no registration, no "rejected" in the audit trail
    stub.mode = "ok"
    assert call("POST", "/registrations", basic_data(someone)).status == 201  # the retry the 503 asked for


def test_the_spanish_answer_by_default(http_source):
    stub, someone = http_source
    stub.mode = "error500"
    refused = call("POST", "/registrations", basic_data(someone))
    assert refused.json["title"] == "Fuente de referencia no disponible"


def test_a_rotated_token_is_used_within_five_minutes(moto):
    """The secret is read once per TOKEN_CACHE_SECONDS, not per lookup; a rotation reaches warm functions."""
    from sat_common.reference.http import TOKEN_CACHE_SECONDS, SecretToken

    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name=SECRET, SecretString=json.dumps({"token": "first"}))
    now = [1000.0]
    token = SecretToken(SECRET, clock=lambda: now[0])
    assert token() == "first"
    secrets.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"token": "second"}))
    now[0] += TOKEN_CACHE_SECONDS - 1
    assert token() == "first"
    now[0] += 2
    assert token() == "second"
