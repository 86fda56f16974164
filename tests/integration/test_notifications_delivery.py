"""The notifications worker on moto against a real sample CCF (examples/sample_ccf) on 127.0.0.1: signature,
acknowledgement, retries and backoff per response class, 401 refresh once, dead letters, redrive, idempotency."""

import base64
import json

import boto3
import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from sat_common import tramites
from tests.conftest import FakeContext
from tests.integration.exchange_support import MINISTRY, deliver, world_fixture  # noqa: F401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _when_due(world, numero):
    """Move the clock to the trámite's next attempt (the schedule's state on the trámite item, decision 0105)."""
    from datetime import UTC, datetime

    from sat_common import clock

    item = boto3.resource("dynamodb").Table("main-table").get_item(Key=tramites.tramite_key(numero))["Item"]
    clock.freeze(datetime.fromtimestamp(int(item["nextAttemptEpoch"]), UTC))


def _reasons(world, numero):
    return [(d["outcome"], d.get("reason"), d.get("statusCode")) for d in world.get(numero)["deliveries"]]


def test_signature_is_verifiable_with_the_published_jwks_and_breaks_when_the_body_changes(world):
    keys = KeySet.import_key_set(world.jwks())
    assert [key.as_dict()["alg"] for key in keys.keys] == ["RS256"]
    body = json.dumps({"numero_transaccion": "1"}).encode()
    detached = tramites.sign_detached(world.signing_key_id, body)
    protected, empty, signature = detached.split(".")
    assert empty == ""  # detached: the body travels as the HTTP body
    verified = jws.deserialize_compact(f"{protected}.{_b64(body)}.{signature}", keys, algorithms=["RS256"])
    assert json.loads(verified.payload) == {"numero_transaccion": "1"}
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(f"{protected}.{_b64(body + b' ')}.{signature}", keys, algorithms=["RS256"])


def test_acknowledged_notification_is_stored_and_never_delivered_again(world):
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    (message,) = world.messages()
    assert deliver(world, message) == "ACUSADA"
    seen = world.ccf.summary()
    assert seen["refused"] == [] and len(seen["notifications"]) == 1  # the sample verified the signature
    received = seen["notifications"][0]
    assert received["idempotencyKey"] == tramites.notification_id(numero)
    assert set(received) - {"idempotencyKey"} == {
        "numero_transaccion", "codigo_novedad", "fecha_creacion", "fecha_vigencia", "estado_flujo", "url",
        "estado_afiliacion",
    }  # fmt: skip
    tramite = world.get(numero)
    assert tramite["estado"] == "NOTIFICADA"
    assert tramite["acknowledgement"]["numeroTransaccion"] == numero
    assert tramite["deliveries"][0]["statusCode"] == 200 and tramite["deliveries"][0]["latencyMs"] >= 0
    # SQS delivers the same message again (at least once): nothing is sent.
    assert deliver(world, message, receive_count=2) == "OMITIDA"
    assert len(world.ccf.summary()["notifications"]) == 1
    assert _reasons(world, numero)[-1] == ("OMITIDA", "YA_ACUSADA", None)


def test_the_token_is_cached_until_it_expires(world):
    world.register_notification_service()
    world.file()
    world.file()
    for message in world.messages():
        assert deliver(world, message) == "ACUSADA"
    assert len(world.ccf.state.tokens) == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("500", "HTTP_500"),
        ("429", "HTTP_429"),
        ("garbage", "ACUSE_INVALIDO"),
        ("slow", "TIMEOUT"),
        ("down", "TOKEN_UNREACHABLE"),
    ],
)
def test_transient_faults_are_retried_with_backoff(world, fault, reason):
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    if fault == "down":
        world.ccf.stop()
    else:
        world.ccf.set_fault(fault)
    (message,) = world.messages()
    outcome = deliver(world, message)
    assert outcome.startswith("RETRY:")
    delay = int(outcome.split(":")[1])
    assert 1 <= delay <= 30  # attempt 1: the first step (30 s) with full jitter (decision 0105)
    tramite = world.get(numero)
    assert tramite["estado"] == "PENDIENTE" and tramite["attempts"] == 1
    assert _reasons(world, numero)[0][:2] == ("REINTENTO", reason)
    assert world.messages(world.dlq_url) == []


def test_the_schedule_grows_exponentially_with_full_jitter_and_a_12_hour_cap(world):
    from notifications import schedule
    from notifications.config import NotificationSettings

    steps = NotificationSettings().notification_retry_steps_seconds
    for attempt, step in ((1, 30), (2, 120), (3, 600), (5, 3600), (9, 43_200), (25, 43_200)):
        delays = [schedule.next_delay(steps, attempt) for _ in range(200)]
        assert all(1 <= d <= step for d in delays), (attempt, min(delays), max(delays))
        assert max(delays) - min(delays) > step / 4  # full jitter spreads over the whole step
    assert schedule.next_delay(steps, 1, retry_after=300) >= 300  # Retry-After is a floor
    assert schedule.next_delay(steps, 1, retry_after=10**9) == 43_200  # within SQS' 12 h


def test_other_4xx_is_permanent_and_goes_to_the_dlq(world):
    world.register_notification_service(url=world.ccf.base_url + "/no-existe")
    numero = world.file()["numeroTransaccion"]
    assert deliver(world) == "FALLIDA"
    assert world.get(numero)["estado"] == "FALLIDA"
    (dead,) = world.messages(world.dlq_url)
    assert json.loads(dead["Body"])["numeroTransaccion"] == numero
    assert dead["MessageAttributes"]["reason"]["StringValue"] == "HTTP_404"


def test_a_401_refreshes_the_token_once(world):
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    world.ccf.set_fault("401", times=1)
    assert deliver(world) == "ACUSADA"
    assert [r[0] for r in _reasons(world, numero)] == ["TOKEN_RENOVADO", "ACUSADA"]
    assert len(world.ccf.state.tokens) == 2  # a new token for the second try

    second = world.file()["numeroTransaccion"]
    world.ccf.set_fault("401")  # keeps refusing: refreshed once, then a retry later
    message = next(m for m in world.messages() if json.loads(m["Body"])["numeroTransaccion"] == second)
    assert deliver(world, message).startswith("RETRY:")
    assert [r[:2] for r in _reasons(world, second)] == [("TOKEN_RENOVADO", "HTTP_401"), ("REINTENTO", "HTTP_401")]


def test_after_the_whole_schedule_it_is_dead_lettered_failed_and_redrivable(world):
    from datetime import UTC, datetime, timedelta

    from sat_common import clock

    world.register_notification_service()
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    clock.freeze(start)
    try:
        numero = world.file()["numeroTransaccion"]
        world.ccf.set_fault("500")
        (message,) = world.messages()
        outcomes = []
        for n in range(1, 200):
            outcome = deliver(world, message, receive_count=n)
            outcomes.append(outcome)
            if not outcome.startswith("RETRY:"):
                break
            clock.advance(timedelta(seconds=int(outcome.split(":")[1])))
        assert outcomes[-1] == "FALLIDA" and all(o.startswith("RETRY:") for o in outcomes[:-1])
        assert clock.now() - start >= timedelta(hours=24)  # never fewer than 24 h of attempts
    finally:
        clock.reset()
    tramite = world.get(numero)
    assert tramite["estado"] == "FALLIDA" and tramite["attempts"] == len(outcomes)
    assert len(world.messages(world.dlq_url)) == 1
    assert world.ccf.summary()["notifications"] == []

    # The endpoint comes back; the Ministry redrives; the old message is stale, the new one delivers.
    world.ccf.set_fault("none")
    path = f"/admin/tramites/{numero}/redrive"
    resource = "/admin/tramites/{numeroTransaccion}/redrive"
    redriven = world.exchange("POST", path, claims=MINISTRY, resource=resource, params={"numeroTransaccion": numero})
    assert redriven["statusCode"] == 202, redriven["body"]
    assert json.loads(redriven["body"])["estado"] == "PENDIENTE"
    assert deliver(world, message, receive_count=len(outcomes) + 1) == "OMITIDA"  # generation 0: stale
    fresh = [m for m in world.messages() if json.loads(m["Body"])["generation"] == 1]
    assert deliver(world, fresh[0]) == "ACUSADA"
    done = world.get(numero)
    assert done["estado"] == "NOTIFICADA" and done["generation"] == 1
    assert len(world.ccf.summary()["notifications"]) == 1
    again = world.exchange("POST", path, claims=MINISTRY, resource=resource, params={"numeroTransaccion": numero})
    assert again["statusCode"] == 409


def test_without_an_active_notification_service_it_fails_for_good(world):
    numero = world.file()["numeroTransaccion"]
    assert deliver(world) == "FALLIDA"
    assert _reasons(world, numero) == [("FALLIDA", "SIN_SERVICIO_NOTIFICACION", None)]
    world.register_notification_service(status="PENDING_VERIFICATION")  # registered, never tested
    second = world.file()["numeroTransaccion"]
    message = next(m for m in world.messages() if json.loads(m["Body"])["numeroTransaccion"] == second)
    assert deliver(world, message) == "FALLIDA"
    assert _reasons(world, second) == [("FALLIDA", "SERVICIO_NOTIFICACION_INACTIVO", None)]


def test_the_lambda_reports_only_the_failed_record(world):
    from notifications.handler import lambda_handler

    world.register_notification_service()
    world.file()
    world.file()
    first, second = world.messages()
    world.ccf.set_fault("500", times=1)

    def record(message):
        return {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
                "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notifications",
                "awsRegion": "us-east-1"}  # fmt: skip

    result = lambda_handler({"Records": [record(first), record(second)]}, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": first["MessageId"]}]}


def test_every_attempt_is_in_the_audit_log(world):
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    world.ccf.set_fault("500", times=1)
    (message,) = world.messages()
    assert deliver(world, message).startswith("RETRY:")
    assert deliver(world, message, receive_count=2).startswith("RETRY:")  # not due yet: no attempt
    _when_due(world, numero)
    assert deliver(world, message, receive_count=3) == "ACUSADA"
    entries = (
        boto3.resource("dynamodb")
        .Table("audit-table")
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#TRAMITE#{numero}"})["Items"]
    )
    attempts = [e["details"]["outcome"] for e in entries if e["action"] == "NOTIFICATION_ATTEMPT"]
    assert attempts == ["REINTENTO", "ACUSADA"]
    assert {e["action"] for e in entries} >= {"TRAMITE_FILED", "NOTIFICATION_ATTEMPT"}
