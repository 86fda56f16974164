"""Re-verification without stopping delivery (decision 0111), on moto in-process with two real sample CCFs on
127.0.0.1: the CCF moves its notification service from the old one to the new one through the share API (new
`url` and new token service), while trámites keep arriving and the notifications worker delivers them.

- Every notification goes to the old (verified) configuration until the new one passes the connection test,
  then to the new one; the view shows where they still go (`verifiedConfiguration`).
- A failed connection test leaves delivery on the old configuration.
- A service never verified receives nothing (the trámite fails at once, as before).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from examples.sample_ccf import Config, SampleCcf
from sat_common import clock, keys, shared_services
from sat_common.ccf_person_access import TERMS_VERSION
from tests.conftest import FakeContext, api_event
from tests.integration.exchange_support import CCF_NIT, MAIN, SECRETS_PREFIX, World, deliver, world_fixture  # noqa: F401

PERSON = "CC-52000077"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class _TestClock:
    """The sample CCFs check the signature's `iat` against their own clock: here they read the test's clock."""

    @staticmethod
    def time() -> float:
        return float(clock.epoch())


@pytest.fixture(name="moving")
def moving_fixture(world: World, monkeypatch) -> Iterator[dict[str, Any]]:
    """The share function's settings, an authorized person of the CCF, and the CCF's new sample server (down)."""
    from examples.sample_ccf import ministry
    from share.config import settings

    monkeypatch.setattr(ministry, "time", _TestClock)
    monkeypatch.setenv("SECRETS_PREFIX", SECRETS_PREFIX)
    monkeypatch.setenv("SECRETS_KMS_KEY_ARN", boto3.client("kms").create_key()["KeyMetadata"]["Arn"])
    settings.cache_clear()
    table = boto3.resource("dynamodb").Table(MAIN)
    table.put_item(
        Item={"PK": keys.person(PERSON), "SK": keys.role("CAJA_DE_SUBSIDIO_FAMILIAR", CCF_NIT), "status": "ACTIVE"}
    )
    table.put_item(
        Item={
            "PK": keys.ccf(CCF_NIT),
            "SK": keys.terms_decision(PERSON),
            "version": TERMS_VERSION,
            "decision": "ACCEPT",
        }
    )
    new = SampleCcf(Config(port=0, decision="none", jwks=world.jwks(), nit=CCF_NIT)).start()
    new.stop()  # the port stays its own; the CCF brings the new server up later
    clock.freeze(START)
    try:
        yield {"old": world.ccf, "new": new}
    finally:
        new.stop()
        settings.cache_clear()


def share(method: str, path: str, body: Any = None) -> tuple[int, Any]:
    from share.handler import lambda_handler

    parts = path.strip("/").split("/")
    params = {"nit": parts[1]}
    resource = "/ccfs/{nit}/shared-services"
    if len(parts) >= 4:
        params["sharedServiceId"] = parts[3]
        resource += "/{sharedServiceId}"
    if len(parts) == 5:
        resource += "/" + parts[4]
    claims = {"cognito:username": PERSON, "sub": f"sub-{PERSON}"}
    event = api_event(method, path, resource=resource, path_parameters=params, body=body, claims=claims)
    result = lambda_handler(event, FakeContext())
    return int(result["statusCode"]), json.loads(result["body"]) if result.get("body") else None


BASE = f"/ccfs/{CCF_NIT}/shared-services"


def _oauth(ccf: SampleCcf) -> dict[str, Any]:
    return {
        "tokenName": "Token CCF",
        "tokenUrl": ccf.token_url,
        "clientId": ccf.config.token_client_id,
        "clientSecret": ccf.config.token_client_secret,
    }


def _verify(shared_id: str) -> str:
    clock.advance(timedelta(seconds=11))  # past the connection test's rate limit
    status, body = share("POST", f"{BASE}/{shared_id}/verification")
    assert status == 200, body
    return str(body["status"])


def _registered(ccf: SampleCcf) -> str:
    """The CCF's notification service as a person registers it: service part, OAuth part (not yet tested)."""
    status, created = share(
        "POST",
        BASE,
        {"name": "Recepcion", "description": "Notificaciones de trámites", "purpose": "NOTIFICACION_TRAMITES",
         "url": ccf.notification_url, "operation": "POST"},
    )  # fmt: skip
    assert status == 201, created
    shared_id = str(created["sharedServiceId"])
    status, body = share("PUT", f"{BASE}/{shared_id}/oauth", _oauth(ccf))
    assert status == 200 and body["status"] == "PENDING_VERIFICATION", body
    return shared_id


def _notify(world: World) -> tuple[str, str]:
    """File a trámite for the CCF and run the notifications worker on it: (numero, outcome)."""
    numero = world.file()["numeroTransaccion"]
    message = next(m for m in world.messages() if json.loads(m["Body"])["numeroTransaccion"] == numero)
    return numero, deliver(world, message)


def _received(ccf: SampleCcf) -> list[str]:
    return [n["numero_transaccion"] for n in ccf.summary()["notifications"]]


def test_a_changed_configuration_is_delivered_to_only_after_it_passes_the_connection_test(world, moving):
    old, new = moving["old"], moving["new"]
    shared_id = _registered(old)
    assert _verify(shared_id) == "AUTHORIZED"
    first, outcome = _notify(world)
    assert outcome == "ACUSADA" and _received(old) == [first]

    # The CCF moves to its new server: url (with the secret again, decision 0054) and token service.
    status, moved = share("PATCH", f"{BASE}/{shared_id}", {"url": new.notification_url,
                                                           "clientSecret": new.config.token_client_secret})  # fmt: skip
    assert status == 200 and moved["status"] == "PENDING_VERIFICATION", moved
    status, moved = share("PUT", f"{BASE}/{shared_id}/oauth", _oauth(new))
    assert status == 200 and moved["url"] == new.notification_url and moved["oauth"]["tokenUrl"] == new.token_url
    verified = moved["verifiedConfiguration"]
    assert verified["url"] == old.notification_url and verified["oauth"]["tokenUrl"] == old.token_url
    assert verified["checkedAt"].endswith("Z")

    # Trámites keep arriving: each goes to the old server, none to the new one.
    during = [_notify(world) for _ in range(2)]
    assert [outcome for _, outcome in during] == ["ACUSADA", "ACUSADA"]
    assert _received(old) == [first, *(numero for numero, _ in during)] and _received(new) == []

    # The new server is not up yet: the test fails, and delivery stays on the old configuration.
    assert _verify(shared_id) == "FAILED"
    status, view = share("GET", f"{BASE}/{shared_id}")
    assert status == 200 and view["status"] == "PENDING_VERIFICATION" and view["connection"]["status"] == "FAILED"
    assert view["verifiedConfiguration"]["url"] == old.notification_url
    after_failure, outcome = _notify(world)
    assert outcome == "ACUSADA" and _received(old)[-1] == after_failure and _received(new) == []

    # Up and tested: from now on the new server gets the notifications, the old one nothing more.
    new.start()
    assert _verify(shared_id) == "AUTHORIZED"
    status, view = share("GET", f"{BASE}/{shared_id}")
    assert status == 200 and view["status"] == "ACTIVE" and view["verifiedConfiguration"] is None
    before = _received(old)
    later = [_notify(world) for _ in range(2)]
    assert [outcome for _, outcome in later] == ["ACUSADA", "ACUSADA"]
    assert _received(new) == [numero for numero, _ in later] and _received(old) == before

    # The verified secret version carries the label that keeps Secrets Manager from cleaning it up.
    item = boto3.resource("dynamodb").Table(MAIN).get_item(Key=shared_services.item_key(CCF_NIT, shared_id))["Item"]
    labelled = boto3.client("secretsmanager").get_secret_value(
        SecretId=item["secretName"], VersionStage=shared_services.VERIFIED_STAGE
    )
    assert labelled["VersionId"] == item["secretVersionId"]


def test_a_service_never_verified_receives_nothing(world, moving):
    old = moving["old"]
    shared_id = _registered(old)
    numero, outcome = _notify(world)
    assert outcome == "FALLIDA" and world.get(numero)["failureReason"] == "SERVICIO_NOTIFICACION_INACTIVO"
    assert _received(old) == []
    # A failed first test does not make anything deliverable either.
    old.stop()
    assert _verify(shared_id) == "FAILED"
    old.start()
    status, view = share("GET", f"{BASE}/{shared_id}")
    assert status == 200 and view["status"] == "PENDING_VERIFICATION" and view["verifiedConfiguration"] is None
    numero, outcome = _notify(world)
    assert outcome == "FALLIDA" and _received(old) == []


def test_a_disabled_endpoint_is_not_kept_as_the_verified_configuration(world, moving):
    old, new = moving["old"], moving["new"]
    shared_id = _registered(old)
    assert _verify(shared_id) == "AUTHORIZED"
    old.set_fault("410")  # the deliveries give up on it (decision 0105)
    numero, outcome = _notify(world)
    assert outcome == "FALLIDA"
    status, view = share("GET", f"{BASE}/{shared_id}")
    assert status == 200 and view["status"] == "DISABLED"
    old.set_fault("none")
    status, moved = share("PATCH", f"{BASE}/{shared_id}", {"url": new.notification_url,
                                                           "clientSecret": old.config.token_client_secret})  # fmt: skip
    assert status == 200 and moved["status"] == "PENDING_VERIFICATION" and moved["verifiedConfiguration"] is None
    numero, outcome = _notify(world)
    assert outcome == "FALLIDA" and world.get(numero)["failureReason"] == "SERVICIO_NOTIFICACION_INACTIVO"
    assert numero not in _received(old)


def test_the_kept_endpoint_answering_410_while_a_change_waits_disables_the_service(world, moving):
    """Delivery during a pending change goes to the kept configuration; if that endpoint is gone (410), the
    service is disabled as an ACTIVE one would be (decision 0105) and keeps nothing to deliver to."""
    old, new = moving["old"], moving["new"]
    shared_id = _registered(old)
    assert _verify(shared_id) == "AUTHORIZED"
    status, moved = share("PATCH", f"{BASE}/{shared_id}", {"url": new.notification_url,
                                                           "clientSecret": old.config.token_client_secret})  # fmt: skip
    assert status == 200 and moved["verifiedConfiguration"]["url"] == old.notification_url, moved
    old.set_fault("410")
    numero, outcome = _notify(world)
    assert outcome == "FALLIDA"
    status, view = share("GET", f"{BASE}/{shared_id}")
    assert status == 200 and view["status"] == "DISABLED" and view["verifiedConfiguration"] is None, view
    old.set_fault("none")
    numero, outcome = _notify(world)
    assert outcome == "FALLIDA" and world.get(numero)["failureReason"] == "SERVICIO_NOTIFICACION_INACTIVO"
    assert numero not in _received(old)
