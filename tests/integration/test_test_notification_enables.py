"""A successful test notification enables an endpoint the deliveries disabled (decision 0105), on moto with the
sample CCF: a 410 disables it, the CCF fixes its receiver and sends a test notification from the share API, the
service is ACTIVE again (audited, the Ministry's CCF summary follows) and the next trámite is delivered."""

from __future__ import annotations

import json

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from sat_common import ccf_access, shared_services
from sat_common.ccf_person_access import ACCEPT, TERMS_VERSION, terms_key
from tests.integration.backoffice_support import call
from tests.integration.exchange_support import (  # noqa: F401 - the world fixture
    AUDIT,
    CCF_NIT,
    MAIN,
    PERSON,
    World,
    deliver,
    world_fixture,
)

SERVICE_ID = "01JH11TESTENAB1E0000000000"  # a ULID: the share routes' path pattern


@pytest.fixture(name="person")
def person_fixture(world: World, monkeypatch):
    """PERSON holds the ACTIVE authorized role for CCF_NIT and accepted the current terms."""
    table = boto3.resource("dynamodb").Table(MAIN)
    username = PERSON["cognito:username"]
    table.put_item(Item={**ccf_access.role_key(username, CCF_NIT), "status": ccf_access.ACTIVE})
    table.put_item(Item={**terms_key(CCF_NIT, username), "version": TERMS_VERSION, "decision": ACCEPT})
    monkeypatch.setenv("SECRETS_PREFIX", "sat-ccf/test/shared-services/")
    monkeypatch.setenv("SECRETS_KMS_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/test")
    from share import config, test_notification

    config.settings.cache_clear()
    test_notification._signers.clear()
    yield PERSON
    config.settings.cache_clear()


def _test_notification() -> tuple[int, dict]:
    from share.handler import lambda_handler

    status, body, _ = call(lambda_handler, "POST", f"/ccfs/{CCF_NIT}/shared-services/{SERVICE_ID}/test-notification",
                           PERSON)  # fmt: skip
    return status, body


def _service() -> dict:
    return boto3.resource("dynamodb").Table(MAIN).get_item(Key=shared_services.item_key(CCF_NIT, SERVICE_ID))["Item"]


def _audit() -> list[dict]:
    table = boto3.resource("dynamodb").Table(AUDIT)
    return table.query(KeyConditionExpression=Key("PK").eq(f"AUDIT#EMPLOYER#{CCF_NIT}"))["Items"]


def _queued(world: World, numero: str) -> dict:
    return next(m for m in world.messages() if json.loads(m["Body"])["numeroTransaccion"] == numero)


def test_a_410_disables_the_service_and_an_acknowledged_test_notification_enables_it(world, person):
    world.shared_service_id = SERVICE_ID
    world.register_notification_service()
    gone = world.file()["numeroTransaccion"]
    world.ccf.set_fault("410")
    assert deliver(world, _queued(world, gone)) == "FALLIDA"
    assert (_service()["status"], _service()["disabledReason"]) == ("DISABLED", "HTTP_410")

    # the receiver still answers 410: the test says so and the service stays disabled
    status, body = _test_notification()
    assert status == 200 and body["status"] == "FALLIDA" and body["httpStatus"] == 410, body
    assert _service()["status"] == "DISABLED"
    assert "NOTIFICATION_ENDPOINT_ENABLED" not in [entry["action"] for entry in _audit()]

    # the CCF fixes its receiver; the next test (after the rate limit's interval) is acknowledged
    world.ccf.set_fault("none")
    boto3.resource("dynamodb").Table(MAIN).delete_item(
        Key={"PK": f"CCF#{CCF_NIT}", "SK": f"TESTNOTIFICATION#{SERVICE_ID}"}
    )
    status, body = _test_notification()
    assert status == 200 and body["status"] == "ACUSADA", body
    assert "quedó activo de nuevo" in body["detail"]
    service = _service()
    assert service["status"] == "ACTIVE"
    assert not {"disabledAt", "disabledReason", "failingSince"} & set(service)
    (enabled,) = [entry for entry in _audit() if entry["action"] == "NOTIFICATION_ENDPOINT_ENABLED"]
    assert enabled["details"]["previousReason"] == "HTTP_410" and enabled["actor"] == PERSON["cognito:username"]

    # the next trámite goes out and is acknowledged
    numero = world.file()["numeroTransaccion"]
    assert deliver(world, _queued(world, numero)) == "ACUSADA"
    assert world.get(numero)["estado"] == "NOTIFICADA"


def test_an_acknowledged_test_of_an_active_service_changes_nothing(world, person):
    world.shared_service_id = SERVICE_ID
    world.register_notification_service()
    revision = _service()["revision"]
    status, body = _test_notification()
    assert status == 200 and body["status"] == "ACUSADA", body
    assert "quedó activo de nuevo" not in body["detail"]
    assert (_service()["status"], _service()["revision"]) == ("ACTIVE", revision)
