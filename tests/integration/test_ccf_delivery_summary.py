"""The CCF list's "last delivery" (decision 0093): each counted delivery attempt of the notifications worker, on moto
against the sample CCF, lands on the CCF's activation item; a filing for a suspended CCF is refused."""

import boto3

from sat_common import ccf_access
from tests.integration.exchange_support import CCF_NIT, MAIN, deliver, world_fixture  # noqa: F401


def activation() -> dict:
    return boto3.resource("dynamodb").Table(MAIN).get_item(Key=ccf_access.activation_key(CCF_NIT))["Item"]


def test_the_newest_delivery_attempt_is_on_the_activation_item(world):
    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    assert "lastDelivery" not in activation()
    assert deliver(world) == "ACUSADA"
    last = activation()["lastDelivery"]
    assert (last["numeroTransaccion"], last["outcome"]) == (numero, "ACUSADA")
    assert last["at"] == world.get(numero)["deliveries"][-1]["at"]


def test_a_tramite_for_a_suspended_ccf_is_refused(world):
    boto3.resource("dynamodb").Table(MAIN).update_item(
        Key=ccf_access.activation_key(CCF_NIT),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "SUSPENDED"},
    )
    world.register_notification_service()
    from tests.integration.exchange_support import MINISTRY, tramite_body

    response = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body=tramite_body())
    assert response["statusCode"] == 422 and "ccfNit" in response["body"]
    assert world.messages() == []
