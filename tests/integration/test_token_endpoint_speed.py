"""POST /oauth2/token with a consumer password the container verified a moment ago (decision 0112), on moto:

- the second request with the same secret runs no scrypt and reads the main table once (BatchGetItem); the
  first one reads it twice; both write only the audit entry (DynamoDB calls counted with a botocore hook);
- what is stored still decides at once: an immediate rotation, the end of the previous password's overlap, a
  revoked assignment or a suspended CCF refuse the remembered secret on the very next request;
- wrong secrets are still checked with scrypt, counted and locked; a lock stops the remembered secret too;
- the /sat authorizer reads its four items in one call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from sat_common import aws as sat_aws
from sat_common import ccf_access, clock
from tests.integration.catalog_support import (
    AUDIT,
    FREE_CCFS,
    GOOD_PASSWORD,
    MAIN,
    OTHER_PASSWORD,
    authorize,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    create_services,
    get_token,
    person,
    ready_ccf,
    set_password,
    token_request,
)

ADMIN = "CC-79000005"
NIT = FREE_CCFS[1]
A = "solicitud-afiliacion"
PULL = "/sat/solicitud-afiliacion"


@pytest.fixture
def ccf(aws):
    create_services(ADMIN)
    return ready_ccf(NIT, ADMIN, person(40), [A])


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """The DynamoDB operations the functions' own table clients make inside the block, per table."""
    calls: Counter[str] = Counter()
    hooks = []
    for table in (MAIN, AUDIT):

        def count(event_name: str = "", table: str = table, **_: Any) -> None:
            calls[f"{table}:{event_name.split('.')[-1]}"] += 1

        events = sat_aws.table(table).meta.client.meta.events
        events.register("before-call.dynamodb", count)
        hooks.append((events, count))
    try:
        yield calls
    finally:
        for events, count in hooks:
            events.unregister("before-call.dynamodb", count)


@pytest.fixture
def scrypt_checks(monkeypatch) -> list[int]:
    """The scrypt runs of the requests (the dummy hash each container computes once is computed first)."""
    from oauth.tokens import dummy_hash

    dummy_hash(10)  # PASSWORD_HASH_COST in these tests
    checks: list[int] = []
    real = ccf_access._scrypt

    def recording(password: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
        checks.append(cost)
        return real(password, salt, cost, r, p)

    monkeypatch.setattr(ccf_access, "_scrypt", recording)
    return checks


def token(client_id: str, secret: str) -> Any:
    return token_request({"grant_type": "client_credentials"}, basic=(client_id, secret))


def rotate_now(ccf: Any, password: str) -> None:
    body = {"password": password, "passwordConfirmation": password, "immediate": True}
    reply = call("PUT", f"/ccfs/{NIT}/consumer-password", body, username=ccf.authorized,
                 resource="/ccfs/{nit}/consumer-password", path_parameters={"nit": NIT})  # fmt: skip
    assert reply.status == 204, reply.body


def test_a_remembered_secret_costs_no_scrypt_and_one_read(ccf, scrypt_checks):
    client_id = ccf.services[A]
    with dynamodb_calls() as first:
        assert token(client_id, GOOD_PASSWORD).status == 200
    assert len(scrypt_checks) == 2  # current + previous (the dummy): decision 0054
    assert first == {f"{MAIN}:BatchGetItem": 2, f"{AUDIT}:PutItem": 1}
    scrypt_checks.clear()
    with dynamodb_calls() as again:
        second = token(client_id, GOOD_PASSWORD)
    assert second.status == 200 and second.json["scope"] == A
    assert scrypt_checks == []
    assert again == {f"{MAIN}:BatchGetItem": 1, f"{AUDIT}:PutItem": 1}
    assert authorize(second.json["access_token"], "POST", PULL)["allowed"] is True


def test_the_authorizer_reads_its_items_in_one_call(ccf):
    issued = get_token(ccf.services[A], GOOD_PASSWORD)
    with dynamodb_calls() as calls:
        assert authorize(issued, "POST", PULL)["allowed"] is True
    assert calls == {f"{MAIN}:BatchGetItem": 1}


def test_an_immediate_rotation_refuses_the_remembered_password_on_the_next_request(ccf, scrypt_checks):
    client_id = ccf.services[A]
    assert token(client_id, GOOD_PASSWORD).status == 200
    assert token(client_id, GOOD_PASSWORD).status == 200  # remembered now
    rotate_now(ccf, OTHER_PASSWORD)
    scrypt_checks.clear()
    refused = token(client_id, GOOD_PASSWORD)
    assert refused.status == 401 and refused.json == {"error": "invalid_client"}
    assert len(scrypt_checks) == 2  # checked in full again, as any other guess
    assert token(client_id, OTHER_PASSWORD).status == 200


def test_the_end_of_the_overlap_refuses_the_remembered_previous_password(ccf):
    client_id = ccf.services[A]
    assert set_password(ccf.authorized, NIT, OTHER_PASSWORD).status == 204  # GOOD_PASSWORD: previous, 24 h
    assert token(client_id, GOOD_PASSWORD).status == 200
    assert token(client_id, GOOD_PASSWORD).status == 200  # remembered as the previous password
    table = boto3.resource("dynamodb").Table(MAIN)
    table.update_item(  # the overlap is over (what the stored item says, not the container's memory)
        Key=ccf_access.password_key(NIT),
        UpdateExpression="SET previous.validUntil = :now",
        ExpressionAttributeValues={":now": clock.epoch()},
    )
    refused = token(client_id, GOOD_PASSWORD)
    assert refused.status == 401 and refused.json == {"error": "invalid_client"}
    assert token(client_id, OTHER_PASSWORD).status == 200


def test_a_revoked_assignment_and_a_suspended_ccf_refuse_the_remembered_secret(ccf):
    client_id = ccf.services[A]
    assert token(client_id, GOOD_PASSWORD).status == 200
    table = boto3.resource("dynamodb").Table(MAIN)
    table.update_item(
        Key=ccf_access.activation_key(NIT),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "SUSPENDED"},
    )
    suspended = token(client_id, GOOD_PASSWORD)
    assert suspended.status == 401 and suspended.json["error"] == "invalid_client"
    table.update_item(
        Key=ccf_access.activation_key(NIT),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "ACTIVE"},
    )
    assert token(client_id, GOOD_PASSWORD).status == 200
    table.update_item(
        Key=ccf_access.assignment_key(NIT, A),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "REVOKED"},
    )
    revoked = token(client_id, GOOD_PASSWORD)
    assert revoked.status == 401 and revoked.json == {"error": "invalid_client"}


def test_wrong_secrets_still_pay_scrypt_and_lock_even_the_remembered_one(ccf, scrypt_checks):
    client_id = ccf.services[A]
    clock.freeze(clock.now())
    assert token(client_id, GOOD_PASSWORD).status == 200  # remembered from here on
    for attempt in range(5):
        scrypt_checks.clear()
        wrong = token(client_id, f"no es la clave {attempt}")
        assert wrong.status == 401 and len(scrypt_checks) == 2
    locked = token(client_id, GOOD_PASSWORD)
    assert locked.status == 429 and locked.json["error"] == "slow_down"
    assert int(locked.headers["Retry-After"]) == 900
