"""The purpose of a shared service (decision 0106) through the share function on moto: NOTIFICACION_TRAMITES at most
once per CCF (409 NOTIFICATION_SERVICE_EXISTS), the name free, the legacy name rule for items written before
`purpose`, PATCH and DELETE keeping the claim in step, a connection test enabling a DISABLED endpoint (decision
0105), and `python -m ops shared-services migrate-purpose`."""

from __future__ import annotations

import boto3
import pytest

from ops.target import Target
from sat_common import shared_services
from tests.integration.test_share_services import (  # noqa: F401 - the fixtures
    MAIN,
    NIT,
    base,
    call,
    create,
    oauth_body,
    share_env,
    share_token_server,
)


def _claim() -> str | None:
    item = boto3.resource("dynamodb").Table(MAIN).get_item(Key=shared_services.purpose_key(NIT)).get("Item")
    return item["sharedServiceId"] if item else None


def test_one_notification_service_per_ccf_whatever_its_name(env):
    first = create(name="Recepcion", purpose="NOTIFICACION_TRAMITES")
    got = call("GET", f"{base()}/{first}").json
    assert got["purpose"] == "NOTIFICACION_TRAMITES" and got["name"] == "Recepcion"
    assert _claim() == first
    refused = call("POST", base(), {**_body("OtraRecepcion"), "purpose": "NOTIFICACION_TRAMITES"})
    assert refused.status == 409 and refused.json["code"] == "NOTIFICATION_SERVICE_EXISTS"
    assert "NOTIFICACION_TRAMITES" in refused.json["detail"] and "ya tiene" in refused.json["detail"]
    # The old conventional name is free for another purpose; without a purpose that name still means notifying.
    other = create(name="NotificacionTramite", purpose="OTRO")
    assert call("GET", f"{base()}/{other}").json["purpose"] == "OTRO"
    default = call("POST", base(), _body("notificaciontramite2"))
    assert (
        default.status == 201 and call("GET", f"{base()}/{default.json['sharedServiceId']}").json["purpose"] == "OTRO"
    )
    assert call("POST", base(), {**_body("Otra"), "purpose": "NOTIFICAR"}).status == 422


def test_english_text_of_the_conflict(env):
    create(name="Recepcion", purpose="NOTIFICACION_TRAMITES")
    from share.handler import lambda_handler
    from tests.conftest import FakeContext, api_event

    event = api_event(
        "POST", base(), resource="/ccfs/{nit}/shared-services", path_parameters={"nit": NIT},
        body={**_body("Segunda"), "purpose": "NOTIFICACION_TRAMITES"},
        claims={"cognito:username": "CC-1020304050", "sub": "sub-CC-1020304050"},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    import json

    reply = lambda_handler(event, FakeContext())
    problem = json.loads(reply["body"])
    assert reply["statusCode"] == 409 and "already has a shared service" in problem["detail"]


def test_patch_and_delete_move_the_claim(env):
    notify = create(name="Recepcion", purpose="NOTIFICACION_TRAMITES")
    other = create(name="Consulta", purpose="OTRO")
    assert call("PATCH", f"{base()}/{other}", {"purpose": "NOTIFICACION_TRAMITES"}).status == 409
    assert call("PATCH", f"{base()}/{notify}", {"purpose": "OTRO"}).json["purpose"] == "OTRO"
    assert _claim() is None
    assert (
        call("PATCH", f"{base()}/{other}", {"purpose": "NOTIFICACION_TRAMITES"}).json["purpose"]
        == "NOTIFICACION_TRAMITES"
    )
    assert _claim() == other
    assert call("PATCH", f"{base()}/{other}", {"purpose": None}).status == 422
    assert call("DELETE", f"{base()}/{other}").status == 204
    assert _claim() is None
    assert create(name="Nueva", purpose="NOTIFICACION_TRAMITES")


def test_items_written_before_purpose_keep_notifying_and_are_migrated(env, monkeypatch, capsys):
    legacy = create()  # as clients registered it before: named NotificacionTramite, no purpose
    table = boto3.resource("dynamodb").Table(MAIN)
    # what the data looked like before decision 0106: no purpose attribute, no claim
    table.update_item(Key=shared_services.item_key(NIT, legacy), UpdateExpression="REMOVE purpose")
    table.delete_item(Key=shared_services.purpose_key(NIT))
    assert call("GET", f"{base()}/{legacy}").json["purpose"] == "NOTIFICACION_TRAMITES"  # read-time default
    assert shared_services.notification_item(NIT, table_name=MAIN)["sharedServiceId"] == legacy
    refused = call("POST", base(), {**_body("Recepcion"), "purpose": "NOTIFICACION_TRAMITES"})
    assert refused.status == 409 and refused.json["code"] == "NOTIFICATION_SERVICE_EXISTS"

    from ops import cli

    table.put_item(Item={"PK": f"CCF#{NIT}", "SK": "ACTIVATION", "status": "ACTIVE", "nit": NIT, "GSI1PK": "CCFS",
                         "GSI1SK": NIT})  # fmt: skip
    target = Target(stack_name="SatCcf-test", region="us-east-1", outputs={"MainTableName": MAIN},
                    _session=boto3.Session())  # fmt: skip
    monkeypatch.setattr(cli, "resolve_target", lambda args: target)
    assert cli.main(["--stack", "x", "--dry-run", "shared-services", "migrate-purpose"]) == 0
    assert "purpose" not in table.get_item(Key=shared_services.item_key(NIT, legacy))["Item"]
    assert cli.main(["--stack", "x", "shared-services", "migrate-purpose"]) == 0
    item = table.get_item(Key=shared_services.item_key(NIT, legacy))["Item"]
    assert item["purpose"] == "NOTIFICACION_TRAMITES" and _claim() == legacy
    assert cli.main(["--stack", "x", "shared-services", "migrate-purpose"]) == 0  # idempotent
    assert "0 shared service(s) without a purpose" in capsys.readouterr().out.splitlines()[-3]
    # renamed now, it stays the notification service
    renamed = call("PATCH", f"{base()}/{legacy}", {"name": "Recepcion"})
    assert renamed.status == 200 and renamed.json["purpose"] == "NOTIFICACION_TRAMITES"


def test_the_migration_leaves_the_claimed_service_notified_and_the_old_one_other(env, monkeypatch, capsys):
    current = create(name="Recepcion", purpose="NOTIFICACION_TRAMITES")
    old = create(purpose="OTRO")  # named NotificacionTramite
    table = boto3.resource("dynamodb").Table(MAIN)
    table.update_item(Key=shared_services.item_key(NIT, old), UpdateExpression="REMOVE purpose")  # as before 0106
    table.put_item(Item={"PK": f"CCF#{NIT}", "SK": "ACTIVATION", "status": "ACTIVE", "nit": NIT, "GSI1PK": "CCFS",
                         "GSI1SK": NIT})  # fmt: skip
    from ops import cli

    target = Target(stack_name="SatCcf-test", region="us-east-1", outputs={"MainTableName": MAIN},
                    _session=boto3.Session())  # fmt: skip
    monkeypatch.setattr(cli, "resolve_target", lambda args: target)
    assert cli.main(["--stack", "x", "shared-services", "migrate-purpose"]) == 0
    assert "1 conflict(s) were set to OTRO" in capsys.readouterr().out.replace("\n", " ")
    assert call("GET", f"{base()}/{old}").json["purpose"] == "OTRO" and _claim() == current
    assert call("PATCH", f"{base()}/{old}", {"description": "Otra"}).status == 200


def test_a_successful_connection_test_enables_a_disabled_endpoint(env, token_server):
    from sat_common import endpoint_health

    shared_id = create(url=token_server.notify_url, purpose="NOTIFICACION_TRAMITES")
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url))
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "AUTHORIZED"
    assert endpoint_health.disable(MAIN, NIT, shared_id, endpoint_health.GONE) is True
    got = call("GET", f"{base()}/{shared_id}").json
    assert (got["status"], got["disabledReason"]) == ("DISABLED", "HTTP_410") and got["disabledAt"]
    assert shared_services.find_notification_service(NIT, table_name=MAIN) is None
    token_server.mode = "500"
    from datetime import timedelta

    from sat_common import clock

    clock.advance(timedelta(seconds=11))  # the connection test's rate limit
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "FAILED"
    assert call("GET", f"{base()}/{shared_id}").json["status"] == "DISABLED"  # still, with its reason
    token_server.mode = "ok"
    clock.advance(timedelta(seconds=11))
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "AUTHORIZED"
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["status"] == "ACTIVE" and got["disabledReason"] is None
    assert shared_services.find_notification_service(NIT, table_name=MAIN) is not None


def _body(name: str) -> dict[str, str]:
    return {
        "name": name,
        "description": "Servicio de la caja",
        "url": "https://api.caja.example.co/sat/otro",
        "operation": "POST",
    }


@pytest.fixture(autouse=True)
def _frozen_clock():
    from datetime import UTC, datetime

    from sat_common import clock

    clock.freeze(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    yield
    clock.reset()
