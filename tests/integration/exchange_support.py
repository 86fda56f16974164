"""Shared set-up of the exchange / notifications integration tests (decisions 0060-0063, 0105), on moto in-process.

Tables, the notifications queue + DLQ, the outbox queue, the KMS notification signing key, an activated CCF,
and the CCF's notification shared service written the way functions/share stores it (item, name claim and
secret, sat_common.shared_services) pointing at a real sample CCF (examples/sample_ccf) on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from examples.sample_ccf import Config, SampleCcf
from sat_common import ccf_access, clock, shared_services, tramites
from tests.conftest import api_event
from tests.integration.conftest import create_table
from tests.integration.ministry_support import ensure_operator, people_pool

ROOT = Path(__file__).resolve().parents[2]
SEED = json.loads((ROOT / "local/seed/reference-data.json").read_text())
SCENARIO = SEED["scenarios"]["integration"]
CCF_NIT = SCENARIO["ccfNit"]
OTHER_NIT = next(c["nit"] for c in SEED["scenarios"]["free"]["companies"] if c["isCcf"])
EMPLOYER = next(c for c in SEED["companies"] if not c.get("isCcf") and c["nit"] not in (CCF_NIT, OTHER_NIT))
MAIN, AUDIT = "main-table", "audit-table"
SECRETS_PREFIX = "sat-ccf/test/shared-services/"
MINISTRY = {"cognito:username": "CC-1000000001", "sub": "s-ministry", "cognito:groups": "ministerio"}
PERSON = {"cognito:username": "CC-1000000002", "sub": "s-person"}

ENV = {
    "MAIN_TABLE_NAME": MAIN,
    "AUDIT_TABLE_NAME": AUDIT,
    "ALLOW_LOOPBACK_URLS": "true",
    # the delivery schedule (NOTIFICATION_RETRY_*) is the production default: tests move sat_common.clock
    "OUTBOUND_CONNECT_TIMEOUT_SECONDS": "1",
    "OUTBOUND_READ_TIMEOUT_SECONDS": "0.5",
    "OUTBOUND_TOTAL_TIMEOUT_SECONDS": "1",
    "PORTAL_BASE_URL": "https://portal.example",
    "SENDER_EMAIL": "no-responder@sat-ccf.example.org",
    "PUBLIC_API_BASE_URL": "https://api.example",
}


def nit_dv(nit: str) -> str:
    from exchange.models import _nit_check_digit

    return _nit_check_digit(nit)


def tramite_body(ccf_nit: str = CCF_NIT, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ccfNit": ccf_nit,
        "empleador": {
            "tipoDocumento": "NI",
            "numeroDocumento": EMPLOYER["nit"],
            "digitoVerificacion": nit_dv(EMPLOYER["nit"]),
            "razonSocial": EMPLOYER["businessName"],
            "tipoAportante": "1",
            "numeroEmpleados": 12,
            "actividadEconomica": "6201",
        },
        "representanteLegal": {
            "tipoDocumento": "CC",
            "numeroDocumento": "1020304050",
            "primerNombre": "Ana",
            "primerApellido": "Gómez",
        },
        "sede": {
            "departamento": "11",
            "municipio": "11001",
            "direccion": "Calle 26 # 13-19",
            "telefono": "6017330000",
            "correoElectronico": "contacto@empresa-ejemplo.co",
        },
        "consentimientos": {"correoElectronico": True, "mensajesTexto": False, "versionPolitica": "2026-01"},
    }
    body.update(overrides)
    return body


@dataclass
class World:
    ccf: SampleCcf
    queue_url: str
    dlq_url: str
    outbox_url: str
    signing_key_id: str
    shared_service_id: str = "ss-notif-1"
    extra: dict[str, Any] = field(default_factory=dict)

    # ----------------------------------------------------------------- calls
    def exchange(
        self,
        method: str,
        path: str,
        *,
        claims: dict | None = None,
        context: dict | None = None,
        body: Any = None,
        resource: str | None = None,
        params: dict | None = None,
    ) -> dict[str, Any]:
        from exchange.handler import lambda_handler

        event = api_event(method, path, resource=resource, path_parameters=params, body=body, claims=claims)
        if context is not None:
            event["requestContext"]["authorizer"] = context
        return lambda_handler(event, _context())

    def file(self, **overrides: Any) -> dict[str, Any]:
        response = self.exchange("POST", "/admin/tramites", claims=MINISTRY, body=tramite_body(**overrides))
        assert response["statusCode"] == 201, response["body"]
        return json.loads(response["body"])

    def get(self, numero: str) -> dict[str, Any]:
        response = self.exchange(
            "GET", f"/admin/tramites/{numero}", claims=MINISTRY, resource="/admin/tramites/{numeroTransaccion}",
            params={"numeroTransaccion": numero},
        )  # fmt: skip
        assert response["statusCode"] == 200, response["body"]
        return json.loads(response["body"])

    def messages(self, url: str | None = None) -> list[dict[str, Any]]:
        got = boto3.client("sqs").receive_message(
            QueueUrl=url or self.queue_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return got.get("Messages", [])

    def jwks(self) -> dict[str, Any]:
        response = self.exchange("GET", "/.well-known/jwks.json")
        assert response["statusCode"] == 200
        return json.loads(response["body"])

    def register_notification_service(self, url: str | None = None, public_key: str | None = None,
                                      nit: str = CCF_NIT, status: str = shared_services.ACTIVE) -> None:  # fmt: skip
        """What functions/share leaves behind for an ACTIVE, verified shared service."""
        secret_name = shared_services.secret_name(SECRETS_PREFIX, nit, self.shared_service_id)
        value = {"publicKey": public_key, "password": None, "clientSecret": self.ccf.config.token_client_secret}
        sm = boto3.client("secretsmanager")
        try:
            version = sm.create_secret(Name=secret_name, SecretString=json.dumps(value))["VersionId"]
        except sm.exceptions.ResourceExistsException:
            version = sm.put_secret_value(SecretId=secret_name, SecretString=json.dumps(value))["VersionId"]
        table = boto3.resource("dynamodb").Table(MAIN)
        table.put_item(
            Item={**shared_services.name_key(nit, "NotificacionTramite"), "sharedServiceId": self.shared_service_id}
        )
        table.put_item(
            Item={
                **shared_services.item_key(nit, self.shared_service_id),
                "nit": nit,
                "sharedServiceId": self.shared_service_id,
                "name": "NotificacionTramite",
                "description": "Recepción de notificaciones de trámites",
                "url": url or self.ccf.notification_url,
                "operation": "POST",
                "status": status,
                "oauth": {"tokenUrl": self.ccf.token_url, "clientId": self.ccf.config.token_client_id},
                "hasPublicKey": bool(public_key),
                "secretName": secret_name,
                "secretVersionId": version,
                "revision": 1,
                "updatedAt": f"2026-11-26T10:00:00.000+00:00#{version}",
            }
        )


def _context() -> Any:
    from tests.conftest import FakeContext

    return FakeContext()


def system_context(nit: str = CCF_NIT, service_id: str = "solicitud-afiliacion") -> dict[str, Any]:
    return {"ccfNit": nit, "serviceId": service_id, "clientId": f"client-{service_id}", "jti": "j", "expiresAt": 0}


def deliver(world: World, message: dict[str, Any] | None = None, receive_count: int = 1) -> str:
    """Run the worker on the first queued message (or the given one); returns the outcome or 'RETRY:<delay>'."""
    from notifications import config
    from notifications.delivery import RetryLater

    if message is None:
        (message,) = world.messages()[:1]
    try:
        return config.deps().deliverer.handle(message["Body"], receive_count, message["ReceiptHandle"], world.queue_url)
    except RetryLater as retry:
        return f"RETRY:{retry.delay}"


@pytest.fixture(name="world")
def world_fixture(moto, monkeypatch) -> Iterator[World]:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    create_table(MAIN, gsis=2)
    create_table(AUDIT)
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="notifications-dlq")["QueueUrl"]
    queue = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    outbox = sqs.create_queue(QueueName="outbox")["QueueUrl"]
    key_id = boto3.client("kms").create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queue)
    monkeypatch.setenv("NOTIFICATION_DLQ_URL", dlq)
    monkeypatch.setenv("OUTBOX_QUEUE_URL", outbox)
    monkeypatch.setenv("NOTIFICATION_SIGNING_KEY_ID", key_id)
    people_pool(monkeypatch)
    ensure_operator(MINISTRY["cognito:username"], MAIN)  # /admin checks the operator live (decision 0029)
    table = boto3.resource("dynamodb").Table(MAIN)
    for nit in (CCF_NIT, OTHER_NIT):
        table.put_item(
            Item={**ccf_access.activation_key(nit), "status": ccf_access.ACTIVE, "businessName": f"Caja {nit}"}
        )
    _reset_caches()
    from exchange.handler import lambda_handler

    jwks = json.loads(lambda_handler(api_event("GET", "/.well-known/jwks.json"), _context())["body"])
    ccf = SampleCcf(Config(port=0, decision="none", slow_seconds=2.0, jwks=jwks, nit=CCF_NIT)).start()
    world = World(ccf=ccf, queue_url=queue, dlq_url=dlq, outbox_url=outbox, signing_key_id=key_id)
    try:
        yield world
    finally:
        ccf.stop()
        _reset_caches()
        clock.reset()  # the schedule's tests move the clock (decision 0105)


def _reset_caches() -> None:
    from notifications import config as notifications_config
    from notifications import delivery

    from exchange import config

    config.settings.cache_clear()
    notifications_config.settings.cache_clear()
    notifications_config.deps.cache_clear()
    delivery._tokens.clear()
    tramites.public_jwk.cache_clear()
