"""The CCF's own trámites and deliveries on moto (decisions 0107, 0108): GET /ccfs/{nit}/tramites and its detail
(access, another CCF's trámite 404, validation, page tokens bound to the CCF, Query only), the redelivery (each
state, the same Idempotency-Key, both rate limits with Retry-After, audit) and the test notification to the sample
CCF (signed, acknowledged, rate-limited, audited, only to a verified service)."""

from __future__ import annotations

import boto3
import pytest

from sat_common import ccf_access, clock
from sat_common.ccf_person_access import ACCEPT, TERMS_VERSION, terms_key
from tests.integration.backoffice_support import call, dynamodb_calls, put_all, stamp, tramite_item
from tests.integration.exchange_support import (  # noqa: F401 - the world fixture
    AUDIT,
    CCF_NIT,
    MAIN,
    OTHER_NIT,
    PERSON,
    deliver,
    world_fixture,
)

STRANGER = {"cognito:username": "CC-1000000077", "sub": "s-stranger"}


def _exchange():
    from exchange.handler import lambda_handler

    return lambda_handler


def _share():
    from share.handler import lambda_handler

    return lambda_handler


@pytest.fixture(name="person")
def person_fixture(world, monkeypatch):
    """PERSON holds the ACTIVE authorized role for CCF_NIT and accepted the current terms; STRANGER holds the role
    for OTHER_NIT only."""
    table = boto3.resource("dynamodb").Table(MAIN)
    for claims, nit in ((PERSON, CCF_NIT), (STRANGER, OTHER_NIT)):
        username = claims["cognito:username"]
        table.put_item(Item={**ccf_access.role_key(username, nit), "status": ccf_access.ACTIVE})
        table.put_item(Item={**terms_key(nit, username), "version": TERMS_VERSION, "decision": ACCEPT})
    monkeypatch.setenv("SECRETS_PREFIX", "sat-ccf/test/shared-services/")
    monkeypatch.setenv("SECRETS_KMS_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/test")
    monkeypatch.setenv("TEST_NOTIFICATION_INTERVAL_SECONDS", "30")
    from share import config, test_notification

    config.settings.cache_clear()
    test_notification._signers.clear()
    yield PERSON
    config.settings.cache_clear()


def _audit_actions(entity: str) -> list[str]:
    from boto3.dynamodb.conditions import Key

    items = (
        boto3.resource("dynamodb").Table(AUDIT).query(KeyConditionExpression=Key("PK").eq(f"AUDIT#{entity}"))["Items"]
    )
    return [str(item.get("action")) for item in items]


# --------------------------------------------------------------------------- list and detail
def test_the_list_shows_only_the_ccfs_own_tramites_with_attempts_and_outcome(world, person):
    put_all(MAIN, [
        tramite_item("901", CCF_NIT, "NOTIFICADA", stamp(1), attempts=2, lastOutcome="ACUSADA"),
        tramite_item("902", CCF_NIT, "FALLIDA", stamp(2), attempts=6, lastOutcome="FALLIDA"),
        tramite_item("903", OTHER_NIT, "FALLIDA", stamp(3)),
        tramite_item("904", CCF_NIT, "PENDIENTE", stamp(4)),
    ])  # fmt: skip
    with dynamodb_calls(MAIN) as calls:
        status, body, _ = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person)
    assert status == 200, body
    assert [item["numeroTransaccion"] for item in body["items"]] == ["904", "902", "901"]
    assert body["items"][1]["attempts"] == 6 and body["items"][1]["lastOutcome"] == "FALLIDA"
    assert calls["Scan"] == 0 and calls["Query"] <= 2, calls
    status, body, _ = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person, query={"state": "FALLIDA"})
    assert status == 200 and [item["numeroTransaccion"] for item in body["items"]] == ["902"]


def test_pages_walk_every_tramite_once_and_tokens_stay_with_their_ccf_and_filters(world, person):
    put_all(MAIN, [tramite_item(f"91{n}", CCF_NIT, "NOTIFICADA", stamp(n)) for n in range(5)])
    seen, token = [], None
    for _ in range(10):
        query = {"limit": "2", **({"pageToken": token} if token else {})}
        status, body, _ = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person, query=query)
        assert status == 200, body
        seen += [item["numeroTransaccion"] for item in body["items"]]
        token = body["nextPageToken"]
        if not token:
            break
    assert seen == ["914", "913", "912", "911", "910"]
    first = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person, query={"limit": "2"})[1]["nextPageToken"]
    moved = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person,
                 query={"limit": "2", "state": "NOTIFICADA", "pageToken": first})  # fmt: skip
    assert moved[0] == 422 and moved[1]["errors"][0]["field"] == "pageToken"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "RECIBIDA"}, "state"),
        ({"limit": "101"}, "limit"),
        ({"from": "ayer"}, "from"),
        ({"ccfNit": OTHER_NIT}, "ccfNit"),
        ({"pageToken": "bm90LWEtdG9rZW4"}, "pageToken"),
    ],
)
def test_invalid_queries_are_422_naming_the_field(world, person, query, field):
    status, body, _ = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person, query=query)
    assert status == 422, body
    assert field in str(body), body


def test_access_is_the_ccf_person_rule(world, person):
    put_all(MAIN, [tramite_item("921", CCF_NIT, "FALLIDA", stamp(1))])
    for path in (f"/ccfs/{CCF_NIT}/tramites", f"/ccfs/{CCF_NIT}/tramites/921"):
        assert call(_exchange(), "GET", path, STRANGER)[0] == 404  # another CCF's person: nothing exists
        assert call(_exchange(), "GET", path, None)[0] == 401
    assert call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/921/redelivery", STRANGER)[0] == 404
    # the other CCF's own person cannot reach this CCF's trámite through its own NIT either
    assert call(_exchange(), "GET", f"/ccfs/{OTHER_NIT}/tramites/921", STRANGER)[0] == 404
    boto3.resource("dynamodb").Table(MAIN).delete_item(Key=terms_key(CCF_NIT, PERSON["cognito:username"]))
    status, body, _ = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites", person)
    assert status == 403 and body["code"] == "TERMS_NOT_ACCEPTED"


def test_the_detail_has_every_attempt_and_pull_but_not_the_request(world, person):
    world.register_notification_service()
    filed = world.file()
    numero = filed["numeroTransaccion"]
    assert deliver(world) == "ACUSADA"
    status, body, _ = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites/{numero}", person)
    assert status == 200, body
    assert body["estado"] == "NOTIFICADA" and body["attempts"] == 1
    (attempt,) = body["deliveries"]
    assert attempt["outcome"] == "ACUSADA" and attempt["statusCode"] == 200 and attempt["latencyMs"] is not None
    assert body["acknowledgement"]["numeroTransaccion"] == numero
    assert "solicitud" not in body and "empleador" not in str(body)  # the request's personal data stays out
    missing = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites/99999999", person)
    assert missing[0] == 404 and missing[1]["code"] == "TRAMITE_NOT_FOUND"


# --------------------------------------------------------------------------- redelivery
def test_a_notified_tramite_is_sent_again_with_the_same_key_and_keeps_its_state(world, person):
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    assert deliver(world) == "ACUSADA"
    boto3.client("sqs").purge_queue(QueueUrl=world.queue_url)
    status, body, headers = call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/{numero}/redelivery", person)
    assert status == 202, body
    assert body["estado"] == "NOTIFICADA" and body["accepted"] is True
    assert deliver(world) == "REENVIADA"
    keys = [n["idempotencyKey"] for n in world.ccf.state.notifications if n["numero_transaccion"] == numero]
    assert keys == [f"sat-notificacion-{numero}"], "the sample CCF de-duplicated the replay by its key"
    detail = call(_exchange(), "GET", f"/ccfs/{CCF_NIT}/tramites/{numero}", person)[1]
    assert detail["estado"] == "NOTIFICADA" and detail["attempts"] == 1
    assert [d["outcome"] for d in detail["deliveries"]][-1] == "REENVIO_ACUSADA", detail["deliveries"]
    assert "TRAMITE_REDELIVERY_REQUESTED" in _audit_actions(f"TRAMITE#{numero}")
    # the second request within 5 minutes: 429 with Retry-After and the Spanish problem
    status, body, headers = call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/{numero}/redelivery", person)
    assert status == 429 and body["code"] == "REDELIVERY_RATE_LIMITED", body
    assert 1 <= int(headers["Retry-After"]) <= 300 and "Intente de nuevo" in body["detail"]


def test_a_failed_tramite_is_redriven_and_a_pending_one_restarted(world, person):
    put_all(MAIN, [
        tramite_item("931", CCF_NIT, "FALLIDA", stamp(1)),
        tramite_item("932", CCF_NIT, "PENDIENTE", stamp(2), nextAttemptEpoch=clock.epoch() + 3600),
        tramite_item("933", CCF_NIT, "APROBADA", stamp(3)),
    ])  # fmt: skip
    status, body, _ = call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/931/redelivery", person)
    assert status == 202 and body["generation"] == 1, body
    status, body, _ = call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/932/redelivery", person)
    assert status == 202 and body["generation"] == 1, body
    item = boto3.resource("dynamodb").Table(MAIN).get_item(Key={"PK": "TRAMITE#932", "SK": "PROFILE"})["Item"]
    assert item["estado"] == "PENDIENTE" and "nextAttemptEpoch" not in item  # due at once
    status, body, _ = call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/933/redelivery", person)
    assert status == 409 and body["code"] == "REDELIVERY_NOT_APPLICABLE" and "APROBADA" in body["detail"]
    messages = world.messages()
    assert sorted(m["Body"].count('"generation":1') for m in messages) == [1, 1], messages


def test_the_ccf_hourly_budget_is_a_conditional_count(world, person, monkeypatch):
    from exchange import ccf_deliveries

    monkeypatch.setattr(ccf_deliveries, "REDELIVERY_PER_HOUR", 2)
    put_all(MAIN, [tramite_item(f"94{n}", CCF_NIT, "FALLIDA", stamp(n)) for n in range(3)])
    assert call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/940/redelivery", person)[0] == 202
    assert call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/941/redelivery", person)[0] == 202
    status, body, headers = call(_exchange(), "POST", f"/ccfs/{CCF_NIT}/tramites/942/redelivery", person)
    assert status == 429 and body["code"] == "REDELIVERY_RATE_LIMITED"
    assert 1 <= int(headers["Retry-After"]) <= 3600
    item = boto3.resource("dynamodb").Table(MAIN).get_item(Key={"PK": "TRAMITE#942", "SK": "PROFILE"})["Item"]
    assert item["estado"] == "FALLIDA", "a refused request changed nothing"


# --------------------------------------------------------------------------- test notification
SERVICE_ID = "01JH11TESTN0T1F1CAT10N0000"  # a ULID: the share routes' path pattern


def _test_notification(claims, service_id=SERVICE_ID):
    return call(_share(), "POST", f"/ccfs/{CCF_NIT}/shared-services/{service_id}/test-notification", claims)


def test_the_test_notification_is_signed_acknowledged_and_rate_limited(world, person):
    world.shared_service_id = SERVICE_ID
    world.register_notification_service()
    status, body, _ = _test_notification(person)
    assert status == 200, body
    assert body["status"] == "ACUSADA" and body["httpStatus"] == 200 and body["latencyMs"] is not None
    assert "acusó recibo" in body["detail"]
    received = world.ccf.state.notifications[-1]
    assert received["codigo_novedad"] == "PRUEBA" and received["idempotencyKey"].startswith("sat-prueba-")
    assert world.ccf.state.refused == [], "the sample CCF verified the signature (aud, jti, typ, kid)"
    assert "SHARED_SERVICE_TEST_NOTIFICATION" in _audit_actions(f"EMPLOYER#{CCF_NIT}")
    status, body, headers = _test_notification(person)
    assert status == 429 and body["code"] == "TEST_NOTIFICATION_RATE_LIMITED"
    assert 1 <= int(headers["Retry-After"]) <= 30


def test_the_test_notification_says_when_the_receiver_does_not_acknowledge(world, person):
    world.shared_service_id = SERVICE_ID
    world.register_notification_service()
    world.ccf.state.fault, world.ccf.state.fault_left = "garbage", 1
    status, body, _ = _test_notification(person)
    assert status == 200 and body["status"] == "SIN_ACUSE" and "no acusó recibo" in body["detail"], body


def test_the_test_notification_needs_a_verified_service_and_the_ccfs_person(world, person):
    world.shared_service_id = SERVICE_ID
    world.register_notification_service(status="PENDING_VERIFICATION")
    status, body, _ = _test_notification(person)
    assert status == 409 and body["code"] == "SHARED_SERVICE_NOT_VERIFIED"
    assert _test_notification(STRANGER)[0] == 404
    assert _test_notification(person, "01JZZZZZZZZZZZZZZZZZZZZZZZ")[0] == 404
    assert world.ccf.state.notifications == []
