"""The delivery schedule of trámite notifications (decision 0105) and the notification service found by its purpose
(decision 0106), on moto with the worker driven directly and sat_common.clock moved instead of sleeping: an
endpoint down for 6 hours, a permanent 400, a 410 that disables the endpoint, an endpoint failing for days, the
e-mails (the SES templates rendered with the queued data), and a long wait carried by a fresh copy of the message.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.components.email import read_template
from local.mailbox import render
from sat_common import clock, endpoint_health, shared_services, tramites
from tests.integration.exchange_support import CCF_NIT, MAIN, MINISTRY, World, deliver, world_fixture  # noqa: F401

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
AUTHORIZED = {"user": "CC-52000001", "email": "autorizada@caja.example.co", "first": "Lucía", "last": "Pérez"}
OPERATOR = {"user": "CC-79000001", "email": "intercambio@minsalud.example.gov.co"}


class _TestClock:
    """The sample CCF checks the signature's `iat` against its own clock: here it reads the test's clock."""

    @staticmethod
    def time() -> float:
        return float(clock.epoch())


@pytest.fixture(name="people")
def people_fixture(world: World, monkeypatch) -> World:
    """The CCF's authorized person (what the delegation area writes) and an exchange operator (people pool)."""
    from examples.sample_ccf import ministry

    monkeypatch.setattr(ministry, "time", _TestClock)
    table = boto3.resource("dynamodb").Table(MAIN)
    user = AUTHORIZED["user"]
    table.put_item(
        Item={
            "PK": f"PERSON#{user}",
            "SK": f"ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#{CCF_NIT}",
            "status": "ACTIVE",
            "GSI1PK": f"ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#{CCF_NIT}",
            "GSI1SK": f"PERSON#{user}",
        }
    )
    table.put_item(
        Item={
            "PK": f"PERSON#{user}",
            "SK": "PROFILE",
            "email": AUTHORIZED["email"],
            "firstName": AUTHORIZED["first"],
            "firstSurname": AUTHORIZED["last"],
        }
    )
    import os

    idp = boto3.client("cognito-idp")
    pool = os.environ["PEOPLE_USER_POOL_ID"]
    idp.create_group(UserPoolId=pool, GroupName="ministerio-intercambio")
    idp.admin_create_user(
        UserPoolId=pool,
        Username=OPERATOR["user"],
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": OPERATOR["email"]}, {"Name": "given_name", "Value": "Mario"}],
    )
    idp.admin_add_user_to_group(UserPoolId=pool, Username=OPERATOR["user"], GroupName="ministerio-intercambio")
    clock.freeze(START)
    return world


# --------------------------------------------------------------------------- helpers
def _run(world: World, message: dict[str, Any], until: Any = None, receives: int = 1) -> tuple[list[str], int]:
    """Deliver the message again and again, moving the clock by each delay, until an outcome is final or
    `until()` holds before an attempt; returns the outcomes and the next receive count."""
    outcomes: list[str] = []
    for receive in range(receives, receives + 300):
        if until is not None and until():
            return outcomes, receive
        outcome = deliver(world, message, receive_count=receive)
        outcomes.append(outcome)
        if not outcome.startswith("RETRY:"):
            return outcomes, receive + 1
        clock.advance(timedelta(seconds=int(outcome.split(":")[1])))
    raise AssertionError(f"no final outcome after 300 receives: {outcomes[-5:]}")


def _message_of(world: World, numero: str) -> dict[str, Any]:
    return next(m for m in world.messages() if json.loads(m["Body"])["numeroTransaccion"] == numero)


def _emails(world: World) -> list[dict[str, Any]]:
    """Everything on the outbox queue, each rendered with its SES template (text part) as the mailbox does."""
    found = []
    sqs = boto3.client("sqs")
    while True:
        got = sqs.receive_message(QueueUrl=world.outbox_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return found
        for message in got:
            body = json.loads(message["Body"])
            subject, _, text = read_template(body["template"])
            rendered = {"subject": render(subject, body["data"]), "text": render(text, body["data"])}
            assert "{{" not in rendered["text"] and "{{" not in rendered["subject"], body["template"]
            found.append({**body, **rendered})
            sqs.delete_message(QueueUrl=world.outbox_url, ReceiptHandle=message["ReceiptHandle"])


def _service(nit: str = CCF_NIT, shared_id: str = "ss-notif-1") -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(MAIN)
    return table.get_item(Key=shared_services.item_key(nit, shared_id))["Item"]


def _register_by_purpose(world: World, name: str, purpose: str, shared_id: str, url: str) -> None:
    """A service written as functions/share writes it now: `purpose`, and the purpose claim when it notifies."""
    world.shared_service_id = shared_id
    world.register_notification_service(url=url)
    table = boto3.resource("dynamodb").Table(MAIN)
    table.delete_item(Key=shared_services.name_key(CCF_NIT, "NotificacionTramite"))
    table.put_item(Item={**shared_services.name_key(CCF_NIT, name), "sharedServiceId": shared_id})
    table.update_item(
        Key=shared_services.item_key(CCF_NIT, shared_id),
        UpdateExpression="SET #n = :name, purpose = :purpose",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":name": name, ":purpose": purpose},
    )
    if purpose == shared_services.NOTIFICATION_PURPOSE:
        table.put_item(Item={**shared_services.purpose_key(CCF_NIT), "sharedServiceId": shared_id})


# --------------------------------------------------------------------------- the schedule
def test_an_endpoint_down_for_six_hours_gets_the_notification_once_when_it_comes_back(people):
    world = people
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    message = _message_of(world, numero)
    world.ccf.stop()
    first = deliver(world, message)
    assert first.startswith("RETRY:")
    # An early redelivery (SQS, or the local runtime's quick one) is sent back to wait: no attempt.
    early = deliver(world, message, receive_count=2)
    assert early.startswith("RETRY:") and world.get(numero)["attempts"] == 1
    assert early == first  # it waits exactly until the stored due time (the clock has not moved)
    clock.advance(timedelta(seconds=int(first.split(":")[1])))
    outcomes, receive = _run(world, message, until=lambda: clock.now() - START >= timedelta(hours=6), receives=3)
    assert outcomes and all(o.startswith("RETRY:") for o in outcomes)
    assert world.get(numero)["estado"] == "PENDIENTE"
    assert _service()["failingSince"] == clock.stamp(START)  # the one timestamp format

    world.ccf.start()
    rest, _ = _run(world, message, receives=receive + 1)
    assert rest[-1] == "ACUSADA"
    tramite = world.get(numero)
    assert tramite["estado"] == "NOTIFICADA" and tramite.get("nextAttemptAt") is None
    received = [n["numero_transaccion"] for n in world.ccf.summary()["notifications"]]
    assert received == [numero]  # delivered once
    # Every attempt is recorded: the failed ones while it was down, then the acknowledgement.
    deliveries = [(d["outcome"], d.get("reason")) for d in tramite["deliveries"]]
    assert deliveries[-1] == ("ACUSADA", None)
    assert all(outcome == "REINTENTO" and reason == "TOKEN_UNREACHABLE" for outcome, reason in deliveries[:-1])
    assert tramite["attempts"] == len(deliveries) >= 6
    # The waits follow the schedule's ceilings (30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h...).
    times = [datetime.fromisoformat(d["at"]) for d in tramite["deliveries"]]
    ceilings = (30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200)
    for n, (before, after) in enumerate(itertools.pairwise(times)):
        assert 1 <= (after - before).total_seconds() <= ceilings[min(n, len(ceilings) - 1)], (n, before, after)
    assert "failingSince" not in _service()  # acknowledged: the endpoint is healthy again
    assert _emails(world) == []  # nobody is told about a delivery that succeeded within the schedule


def test_a_400_is_permanent_fails_at_once_and_tells_the_ccf_and_the_exchange_operators(people):
    world = people
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    world.ccf.set_fault("400")
    assert deliver(world, _message_of(world, numero)) == "FALLIDA"
    tramite = world.get(numero)
    assert tramite["estado"] == "FALLIDA" and tramite["attempts"] == 1
    (dead,) = world.messages(world.dlq_url)
    assert dead["MessageAttributes"]["reason"]["StringValue"] == "HTTP_400"
    emails = {e["to"]: e for e in _emails(world)}
    assert set(emails) == {AUTHORIZED["email"], OPERATOR["email"]}
    ccf, ministry = emails[AUTHORIZED["email"]], emails[OPERATOR["email"]]
    assert ccf["template"] == ministry["template"] == "notification-failed"
    assert numero in ccf["subject"] and "Lucía Pérez" in ccf["text"] and "HTTP 400" in ccf["text"]
    assert "Fecha: 01/12/2026 3:00 a. m. (hora de Colombia)." in ccf["text"]  # people's time, not UTC
    assert f"/ccfs/{CCF_NIT}/servicios" in ccf["text"]
    assert f"/ministerio/tramites/{numero}" in ministry["text"] and "Mario" in ministry["text"]
    assert _service()["status"] == "ACTIVE"  # a 400 refuses this notification, not the endpoint


def test_a_410_disables_the_endpoint_until_it_is_enabled_again(people):
    world = people
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    world.ccf.set_fault("410")
    assert deliver(world, _message_of(world, numero)) == "FALLIDA"
    service = _service()
    assert (service["status"], service["disabledReason"]) == ("DISABLED", "HTTP_410")
    assert world.get(numero)["failureReason"] == "HTTP_410"
    (disabled, other) = sorted(_emails(world), key=lambda e: e["to"])
    assert {disabled["template"], other["template"]} == {"notification-endpoint-disabled"}
    assert "410" in disabled["text"] and "NotificacionTramite" in disabled["text"]

    # Disabled: the next trámites fail at once; the CCF's people are told once a day, not once per trámite.
    world.ccf.set_fault("none")
    for _ in range(2):
        again = world.file()["numeroTransaccion"]
        assert deliver(world, _message_of(world, again)) == "FALLIDA"
        assert world.get(again)["failureReason"] == "SERVICIO_NOTIFICACION_INACTIVO"
    (missing,) = _emails(world)
    assert missing["template"] == "notification-service-missing" and missing["to"] == AUTHORIZED["email"]
    assert world.ccf.summary()["notifications"] == []

    # A successful test (the connection test or a test notification) enables it; the redrive delivers.
    assert endpoint_health.enable(MAIN, CCF_NIT, "ss-notif-1") is True
    assert _service()["status"] == "ACTIVE" and "disabledReason" not in _service()
    path = f"/admin/tramites/{numero}/redrive"
    redriven = world.exchange(
        "POST", path, claims=MINISTRY, resource="/admin/tramites/{numeroTransaccion}/redrive",
        params={"numeroTransaccion": numero},
    )  # fmt: skip
    assert redriven["statusCode"] == 202, redriven["body"]
    fresh = next(m for m in world.messages() if json.loads(m["Body"])["generation"] == 1)
    assert deliver(world, fresh) == "ACUSADA"


def test_an_endpoint_failing_for_days_is_disabled_with_an_email(people, monkeypatch):
    from notifications import config

    world = people
    monkeypatch.setenv("NOTIFICATION_DISABLE_AFTER_SECONDS", str(2 * 86400))
    config.settings.cache_clear()
    config.deps.cache_clear()
    world.register_notification_service()
    world.ccf.set_fault("500")
    first = world.file()["numeroTransaccion"]
    outcomes, _ = _run(world, _message_of(world, first))
    assert outcomes[-1] == "FALLIDA" and clock.now() - START >= timedelta(hours=24)
    assert world.get(first)["failureReason"] == "HTTP_500"
    assert {e["template"] for e in _emails(world)} == {"notification-failed"}
    assert _service()["status"] == "ACTIVE"  # failing for one day, not two

    second = world.file()["numeroTransaccion"]
    outcomes, _ = _run(world, _message_of(world, second))
    assert outcomes[-1] == "FALLIDA" and clock.now() - START >= timedelta(days=2)
    assert clock.now() - START < timedelta(days=2, hours=13)  # at the first attempt after the two days
    assert world.get(second)["failureReason"] == "FALLA_PROLONGADA"
    service = _service()
    assert (service["status"], service["disabledReason"]) == ("DISABLED", "FALLA_PROLONGADA")
    disabled = _emails(world)
    assert {e["template"] for e in disabled} == {"notification-endpoint-disabled"} and len(disabled) == 2
    assert "varios días" in disabled[0]["text"]


def test_a_long_wait_is_carried_by_a_fresh_copy_before_the_queues_max_receive_count(people):
    world = people
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    message = _message_of(world, numero)
    world.ccf.set_fault("500")
    assert deliver(world, message).startswith("RETRY:")
    # Redelivered before it is due, at the 48th receive of a queue whose maxReceiveCount is 50.
    assert deliver(world, message, receive_count=48) == "REENCOLADA"
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=world.queue_url, AttributeNames=["All"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"  # SendMessage DelaySeconds
    assert world.get(numero)["attempts"] == 1


# --------------------------------------------------------------------------- found by purpose (decision 0106)
def test_the_notification_service_is_found_by_its_purpose_not_by_its_name(people):
    world = people
    _register_by_purpose(world, "Recepcion", "NOTIFICACION_TRAMITES", "ss-purpose", world.ccf.notification_url)
    # A service named like the old convention, but for something else, is not used.
    world.shared_service_id = "ss-other"
    world.register_notification_service(url=world.ccf.base_url + "/no-existe")
    table = boto3.resource("dynamodb").Table(MAIN)
    table.update_item(
        Key=shared_services.item_key(CCF_NIT, "ss-other"),
        UpdateExpression="SET purpose = :p",
        ExpressionAttributeValues={":p": "OTRO"},
    )
    numero = world.file()["numeroTransaccion"]
    assert deliver(world, _message_of(world, numero)) == "ACUSADA"
    found = shared_services.find_notification_service(CCF_NIT, table_name=MAIN)
    assert (
        found is not None and found[0].shared_service_id == "ss-purpose" and found[0].purpose == "NOTIFICACION_TRAMITES"
    )


def test_items_written_before_purpose_are_read_by_the_legacy_name():
    named = {"name": "notificacionTRAMITE"}
    assert shared_services.purpose_of(named) == "NOTIFICACION_TRAMITES"
    assert shared_services.purpose_of({"name": "Consulta"}) == "OTRO"
    assert shared_services.purpose_of({**named, "purpose": "OTRO"}) == "OTRO"  # an explicit purpose wins
    assert tramites.FALLIDA == "FALLIDA"
