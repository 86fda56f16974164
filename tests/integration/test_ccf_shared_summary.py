"""The CCF list's shared-service summary (decision 0093): the share function rewrites it on the CCF's activation
item after each change, on moto through its lambda_handler; a suspended CCF's authorized person is told why."""

import boto3

from tests.integration.test_share_services import (  # noqa: F401 (the "env" fixture)
    MAIN,
    NIT,
    base,
    call,
    create,
    oauth_body,
    share_env,
)


def summary() -> dict:
    item = boto3.resource("dynamodb").Table(MAIN).get_item(Key={"PK": f"CCF#{NIT}", "SK": "ACTIVATION"})["Item"]
    return item.get("sharedServices")


def test_each_change_rewrites_the_summary(env):
    assert summary() is None
    notification = create()
    assert summary() == {
        "total": 1,
        "notification": {
            "sharedServiceId": notification,
            "name": "NotificacionTramite",
            "status": "INCOMPLETE",
            "connection": None,
            "checkedAt": None,
        },
    }
    other = create(name="ConsultaAfiliados", url="https://api.caja.example.co/sat/consulta")
    assert summary()["total"] == 2
    reply = call("PUT", f"{base()}/{notification}/oauth", oauth_body())
    assert reply.status == 200, reply.body
    assert summary()["notification"]["status"] == reply.json["status"]
    assert call("DELETE", f"{base()}/{other}").status == 204
    assert summary()["total"] == 1


def test_a_suspended_ccf_answers_its_people_with_the_reason(env):
    boto3.resource("dynamodb").Table(MAIN).update_item(
        Key={"PK": f"CCF#{NIT}", "SK": "ACTIVATION"},
        UpdateExpression="SET #s = :s, stateReason = :r, stateSince = :t",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "SUSPENDED", ":r": "Oficio 2026-123", ":t": "2026-12-01T08:00:00+00:00"},
    )
    reply = call("GET", base())
    assert reply.status == 403 and reply.json["code"] == "CCF_SUSPENDED"
    # people read the time in Colombian time; the `since` member keeps the stored instant
    assert "el 01/12/2026 3:00 a. m. (hora de Colombia). Motivo: Oficio 2026-123." in reply.json["detail"]
    assert reply.json["since"] == "2026-12-01T08:00:00+00:00"
