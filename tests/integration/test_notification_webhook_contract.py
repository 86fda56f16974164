"""The `webhooks` entry of docs/openapi.json describes what a CCF really receives (decision 0110): a trámite's
notification and the test notification (`codigo_novedad` PRUEBA), captured on the wire from the delivery worker and
the share function on moto, validate against the documented body schema, headers and JWS protected header, verify
the way the document says, and the acknowledgement the document describes is the one the worker accepts."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from examples.sample_ccf import Config
from examples.sample_ccf.ministry import MinistryJwks
from sat_common import ccf_access
from sat_common.ccf_person_access import ACCEPT, TERMS_VERSION, terms_key
from tests.integration.backoffice_support import call
from tests.integration.exchange_support import (  # noqa: F401 - the world fixture
    CCF_NIT,
    MAIN,
    PERSON,
    deliver,
    world_fixture,
)

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "docs/openapi.json").read_text(encoding="utf-8"))
WEBHOOK = DOCUMENT["webhooks"]["notificacionTramite"]["post"]
SERVICE_ID = "01JH11WEBH00KC0NTRACT00000"  # a ULID: the share routes' path pattern


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": DOCUMENT["components"], **schema}
    return Draft202012Validator(root, format_checker=FormatChecker())


def _errors(schema: dict[str, Any], value: Any) -> list[str]:
    return [f"{list(error.path)}: {error.message}" for error in _validator(schema).iter_errors(value)]


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A CCF receiver that records each request as it arrived and acknowledges it the way the document says."""
    captured: list[tuple[dict[str, str], bytes]] = []

    @Request.application  # type: ignore[untyped-decorator]
    def app(request: Request) -> Response:
        body = request.get_data()
        captured.append(({name.lower(): value for name, value in request.headers.items()}, body))
        acknowledgement = {"numero_transaccion": json.loads(body)["numero_transaccion"], "estado": "RECIBIDA"}
        assert not _errors(WEBHOOK["responses"]["200"]["content"]["application/json"]["schema"], acknowledgement)
        return Response(json.dumps(acknowledgement), content_type="application/json")

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/notificaciones", captured
    finally:
        server.shutdown()


def _check_request(world: Any, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Everything the webhook documents about one request (header names in lower case); returns the body."""
    notification = json.loads(body)
    schema = WEBHOOK["requestBody"]["content"]["application/json"]["schema"]
    assert _errors(schema, notification) == []
    documented = DOCUMENT["components"]["schemas"]["NotificacionTramite"]["properties"]
    assert set(notification) == set(documented), "the body carries exactly the documented fields"
    assert headers["content-type"].startswith(next(iter(WEBHOOK["requestBody"]["content"])))
    assert headers["authorization"].startswith("Bearer "), "the ccfNotificationToken scheme"
    parameters = {parameter["name"]: parameter for parameter in WEBHOOK["parameters"]}
    for name, parameter in parameters.items():
        assert re.fullmatch(parameter["schema"]["pattern"], headers[name.lower()]), (name, headers.get(name.lower()))
    signature = headers["x-jws-signature"]
    encoded = signature.split(".")[0]
    protected = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert _errors(parameters["X-JWS-Signature"]["x-jws-protected-header"], protected) == []
    assert protected["aud"] == CCF_NIT and protected["jti"] == headers["idempotency-key"]
    # Verified as the document says: the body between the dots, RS256, the JWKS key named by kid, the bound header.
    jwks = MinistryJwks(Config(jwks=world.jwks(), nit=CCF_NIT))
    jwks.verify(body, signature, nit=CCF_NIT, idempotency_key=headers["idempotency-key"])
    return dict(notification)


def test_a_tramite_notification_is_what_the_webhook_documents(world, receiver):
    url, captured = receiver
    world.register_notification_service(url=url)
    numero = world.file()["numeroTransaccion"]
    assert deliver(world) == "ACUSADA", "the documented acknowledgement is the one the worker accepts"
    (headers, body), *_ = captured
    notification = _check_request(world, headers, body)
    assert notification["numero_transaccion"] == numero and notification["codigo_novedad"] == "AFI"
    assert notification["url"].endswith("/sat/solicitud-afiliacion")
    assert headers["idempotency-key"] == f"sat-notificacion-{numero}"


def test_the_test_notification_is_the_documented_prueba_variant(world, receiver, monkeypatch):
    url, captured = receiver
    table = boto3.resource("dynamodb").Table(MAIN)
    table.put_item(Item={**ccf_access.role_key(PERSON["cognito:username"], CCF_NIT), "status": ccf_access.ACTIVE})
    table.put_item(
        Item={**terms_key(CCF_NIT, PERSON["cognito:username"]), "version": TERMS_VERSION, "decision": ACCEPT}
    )
    monkeypatch.setenv("SECRETS_PREFIX", "sat-ccf/test/shared-services/")
    monkeypatch.setenv("SECRETS_KMS_KEY_ARN", "arn:aws:kms:us-east-1:123456789012:key/test")
    from share import config, test_notification
    from share.handler import lambda_handler

    config.settings.cache_clear()
    test_notification._signers.clear()
    world.shared_service_id = SERVICE_ID
    world.register_notification_service(url=url)
    try:
        status, answer, _ = call(
            lambda_handler, "POST", f"/ccfs/{CCF_NIT}/shared-services/{SERVICE_ID}/test-notification", PERSON
        )
    finally:
        config.settings.cache_clear()
    assert status == 200 and answer["status"] == "ACUSADA", answer
    (headers, body), *_ = captured
    notification = _check_request(world, headers, body)
    assert notification["codigo_novedad"] == notification["estado_flujo"] == "PRUEBA"
    assert notification["url"] == "" and headers["idempotency-key"].startswith("sat-prueba-")
