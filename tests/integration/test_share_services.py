"""Shared services of a CCF (manual §6 "Compartir servicios web con la Entidad") on moto in-process: rules,
states, pagination, uniqueness, secret lifecycle, faults (503 with nothing half-written), the canary and the
connection test against a real token server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sat_common import aws, clock, shared_services, url_safety
from tests.conftest import FakeContext, api_event
from tests.integration.conftest import create_table

MAIN, AUDIT = "share-main", "share-audit"
PREFIX = "sat-ccf/test/shared-services/"
NIT, OTHER_NIT = "860007336", "890900841"
PERSON, STRANGER = "CC-1020304050", "CC-99887766"
PUBLIC_IP = "93.184.216.34"
# Canary values: stored as secrets, must never appear in a response or a log line.
CANARY_PASSWORD = "canary-password-7f3a9c1e"
CANARY_SECRET = "canary-client-secret-5b2d8e4f"
CANARY_TOKEN = "canary-access-token-9e8d7c6b"
FAKE_DNS = {
    "api.caja.example.co": [PUBLIC_IP],
    "auth.caja.example.co": ["93.184.216.35"],
    "rebind.caja.example.co": ["10.0.0.8"],
    "dual.caja.example.co": [PUBLIC_IP, "fd00::1"],
}


def _fake_resolver(host: str, port: int) -> list[str]:
    if host in FAKE_DNS:
        return FAKE_DNS[host]
    raise OSError("no such host")


@pytest.fixture(name="env")
def share_env(moto, monkeypatch) -> Iterator[dict[str, str]]:
    create_table(MAIN, gsis=2)
    create_table(AUDIT)
    key_arn = boto3.client("kms").create_key(Description="secrets")["KeyMetadata"]["Arn"]
    outbox = boto3.client("sqs").create_queue(QueueName="share-outbox")["QueueUrl"]
    values = {
        "MAIN_TABLE_NAME": MAIN,
        "AUDIT_TABLE_NAME": AUDIT,
        "SECRETS_PREFIX": PREFIX,
        "SECRETS_KMS_KEY_ARN": key_arn,
        "ALLOW_LOOPBACK_URLS": "false",
        "OUTBOX_QUEUE_URL": outbox,
        "PORTAL_BASE_URL": "https://portal.example.test",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(url_safety, "resolver", _fake_resolver)
    from share.config import settings

    settings.cache_clear()
    table = boto3.resource("dynamodb").Table(MAIN)
    for nit in (NIT, OTHER_NIT):
        table.put_item(Item={"PK": f"CCF#{nit}", "SK": "ACTIVATION", "status": "ACTIVE", "nit": nit})
    authorize(PERSON, NIT)
    yield values
    settings.cache_clear()
    clock.reset()


def authorize(username: str, nit: str, accept_terms: bool = True) -> None:
    table = boto3.resource("dynamodb").Table(MAIN)
    table.put_item(Item={"PK": f"PERSON#{username}", "SK": f"ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#{nit}", "status": "ACTIVE"})
    if accept_terms:
        table.put_item(Item={"PK": f"CCF#{nit}", "SK": f"TERMS#{username}", "version": "2026-01", "decision": "ACCEPT"})


class Reply:
    def __init__(self, result: dict[str, Any]) -> None:
        self.status = int(result["statusCode"])
        self.headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            self.headers[key] = str(values[-1])
        self.body = result.get("body") or ""

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


RESPONSES: list[str] = []  # every response body of the module, for the canary test


def call(method: str, path: str, body: Any = None, *, user: str = PERSON, query: dict[str, str] | None = None) -> Reply:
    from share.handler import lambda_handler

    parts = path.strip("/").split("/")
    params = {"nit": parts[1]}
    resource = "/ccfs/{nit}/shared-services"
    if len(parts) >= 4:
        params["sharedServiceId"] = parts[3]
        resource += "/{sharedServiceId}"
    if len(parts) == 5:
        resource += "/" + parts[4]
    claims = {"cognito:username": user, "sub": f"sub-{user}"}
    event = api_event(method, path, resource=resource, path_parameters=params, query=query, body=body, claims=claims)
    reply = Reply(lambda_handler(event, FakeContext()))
    RESPONSES.append(json.dumps(reply.headers) + reply.body)
    return reply


def base(nit: str = NIT) -> str:
    return f"/ccfs/{nit}/shared-services"


def service_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "NotificacionTramite",
        "description": "Recibe las notificaciones de trámites del Ministerio",
        "url": "https://api.caja.example.co/sat/notificaciones",
        "operation": "POST",
        "exampleBody": json.dumps({"numero_transaccion": "123"}),
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def oauth_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "tokenName": "Token CCF",
        "tokenUrl": "https://auth.caja.example.co/oauth2/token",
        "clientId": "minsalud-sat",
        "clientSecret": CANARY_SECRET,
        "scope": "notificaciones",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def rsa_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def certificate_pem(days_valid: int = 365, start_days: int = -1) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "caja.example.co")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=start_days))
        .not_valid_after(now + timedelta(days=start_days + days_valid))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def create(**overrides: Any) -> str:
    reply = call("POST", base(), service_body(**overrides))
    assert reply.status == 201, reply.body
    return str(reply.json["sharedServiceId"])


def counts() -> dict[str, int]:
    items = boto3.resource("dynamodb").Table(MAIN).scan()["Items"]
    shared = [item for item in items if str(item["SK"]).startswith(("SHARED#", "SHAREDNAME#"))]
    secrets = boto3.client("secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"]
    audits = boto3.resource("dynamodb").Table(AUDIT).scan()["Items"]
    return {"items": len(shared), "secrets": len(secrets), "audit": len(audits)}


def secret_value(shared_service_id: str) -> dict[str, Any]:
    item = (
        boto3.resource("dynamodb")
        .Table(MAIN)
        .get_item(Key={"PK": f"EMPLOYER#{NIT}", "SK": f"SHARED#{shared_service_id}"})["Item"]
    )
    return shared_services.read_secret(item["secretName"], item["secretVersionId"])


# --------------------------------------------------------------------------- access
def test_only_authorized_people_with_accepted_terms(env):
    assert call("GET", base(), user=STRANGER).status == 404
    assert call("POST", base(), service_body(), user=STRANGER).status == 404
    assert call("GET", base(OTHER_NIT)).status == 404  # authorized for NIT, not for OTHER_NIT
    authorize("CC-5555555", NIT, accept_terms=False)
    blocked = call("GET", base(), user="CC-5555555")
    assert blocked.status == 403 and blocked.json["code"] == "TERMS_NOT_ACCEPTED"
    unauthenticated = call("GET", base(), user="")
    assert unauthenticated.status == 401


def test_another_ccfs_shared_service_is_not_found(env):
    shared_id = create()
    authorize(STRANGER, OTHER_NIT)
    assert call("GET", f"{base(OTHER_NIT)}/{shared_id}", user=STRANGER).status == 404


# --------------------------------------------------------------------------- create, read, states
def test_create_and_read_never_return_secrets(env):
    created = call("POST", base(), service_body(publicKey=rsa_pem()))
    assert created.status == 201
    assert set(created.json) == {"sharedServiceId", "status"} and created.json["status"] == "INCOMPLETE"
    shared_id = created.json["sharedServiceId"]
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["hasPublicKey"] is True and got["publicKeyType"] == "RSA-2048" and got["publicKeyFormat"] == "PUBLIC_KEY"
    assert got["hasPassword"] is False and got["hasClientSecret"] is False and got["oauth"] is None
    assert "publicKey" not in got and "BEGIN PUBLIC KEY" not in json.dumps(got)
    assert got["updatedAt"] and got["createdAt"]
    stored = secret_value(shared_id)
    assert stored["publicKey"].startswith("-----BEGIN PUBLIC KEY-----") and stored["password"] is None
    # the secret: one per shared service, under the prefix, with the stack's KMS key
    described = boto3.client("secretsmanager").describe_secret(SecretId=f"{PREFIX}{NIT}/{shared_id}")
    assert described["KmsKeyId"] == env["SECRETS_KMS_KEY_ARN"]
    item = (
        boto3.resource("dynamodb")
        .Table(MAIN)
        .get_item(Key={"PK": f"EMPLOYER#{NIT}", "SK": f"SHARED#{shared_id}"})["Item"]
    )
    assert "publicKey" not in item and "password" not in item and "clientSecret" not in item


def test_states_incomplete_pending_and_back(env):
    shared_id = create()
    reply = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(username="sat", password=CANARY_PASSWORD))
    assert reply.status == 200, reply.body
    assert reply.json["status"] == "PENDING_VERIFICATION"
    assert reply.json["hasPassword"] is True and reply.json["hasClientSecret"] is True
    assert reply.json["oauth"]["grantType"] == "password"
    assert secret_value(shared_id) == {
        "publicKey": None, "publicKeys": [], "password": CANARY_PASSWORD, "clientSecret": CANARY_SECRET
    }  # fmt: skip
    # a PUT without password/clientSecret keeps the stored ones (same username)
    again = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(clientSecret=None, username="sat", tokenName="Otro"))
    assert again.status == 200 and again.json["hasPassword"] and again.json["hasClientSecret"]
    # no username: client credentials, the password is dropped; a new username needs the secret again (0054)
    kept = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(clientSecret=None))
    assert kept.status == 422 and [e["field"] for e in kept.json["errors"]] == ["clientSecret"]
    cc = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body())
    assert cc.json["oauth"]["grantType"] == "client_credentials" and cc.json["hasPassword"] is False
    assert secret_value(shared_id)["password"] is None


def test_oauth_rules(env):
    shared_id = create()
    path = f"{base()}/{shared_id}/oauth"
    no_secret = call("PUT", path, oauth_body(clientSecret=None))
    assert no_secret.status == 422 and no_secret.json["errors"][0]["field"] == "clientSecret"
    lonely_password = call("PUT", path, oauth_body(password="x" * 12))
    assert lonely_password.status == 422 and lonely_password.json["errors"][0]["field"] == "username"
    user_without_password = call("PUT", path, oauth_body(username="sat"))
    assert user_without_password.status == 422 and user_without_password.json["errors"][0]["field"] == "password"
    bad_scope = call("PUT", path, oauth_body(scope='a "b"'))
    assert bad_scope.status == 422 and bad_scope.json["errors"][0]["field"] == "scope"
    unsafe = call("PUT", path, oauth_body(tokenUrl="https://169.254.169.254/latest/meta-data"))
    assert unsafe.status == 422 and unsafe.json["rules"] == {"tokenUrl": "ADDRESS_LINK_LOCAL"}
    assert "ADDRESS_LINK_LOCAL" in unsafe.json["errors"][0]["message"]
    assert call("GET", f"{base()}/{shared_id}").json["status"] == "INCOMPLETE"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("name", "1nombre", "identificador"),
        ("name", "a", "identificador"),
        ("name", "con espacio", "identificador"),
        ("description", "", "al menos"),
        ("description", "x" * 501, "como máximo"),
        ("operation", "DELETE", "Opciones"),
        ("url", "http://api.caja.example.co/x", "https"),
        ("url", "https://user:pw@api.caja.example.co/", "usuario"),
        ("url", "https://api.caja.example.co:8443/", "443"),
        ("url", "https://localhost/", "local"),
        ("url", "https://2130706433/", "a.b.c.d"),
        ("url", "https://rebind.caja.example.co/", "privada"),
        ("url", "https://dual.caja.example.co/", "privada"),
        ("url", "https://nx.caja.example.co/", "resolver"),
        ("exampleBody", "{no json", "JSON"),
        ("exampleBody", json.dumps({"x": "y" * 17000}), "16384"),
        ("publicKey", "not a key", "PEM"),
        ("publicKey", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", "privada"),
    ],
)
def test_invalid_fields_are_422_in_spanish_naming_the_field(env, field, value, fragment):
    reply = call("POST", base(), service_body(**{field: value}))
    assert reply.status == 422, reply.body
    assert reply.json["code"] == "VALIDATION_FAILED"
    errors = {error["field"]: error["message"] for error in reply.json["errors"]}
    assert field in errors and fragment in errors[field], errors
    assert counts()["secrets"] == 0


def test_key_and_certificate_rules(env):
    assert (
        call("POST", base(), service_body(publicKey=rsa_pem(1024)))
        .json["errors"][0]["message"]
        .startswith("La llave RSA tiene 1024 bits")
    )
    expired = call("POST", base(), service_body(publicKey=certificate_pem(days_valid=10, start_days=-30)))
    assert expired.status == 422 and "venció" in expired.json["errors"][0]["message"]
    future = call("POST", base(), service_body(publicKey=certificate_pem(start_days=5)))
    assert future.status == 422 and "válido desde" in future.json["errors"][0]["message"]
    ok = call("POST", base(), service_body(publicKey=certificate_pem()))
    assert ok.status == 201
    got = call("GET", f"{base()}/{ok.json['sharedServiceId']}").json
    assert got["publicKeyType"] == "EC-P-256" and got["publicKeyFormat"] == "CERTIFICATE" and got["certificateNotAfter"]


def test_english_messages(env):
    from share.handler import lambda_handler

    event = api_event(
        "POST",
        base(),
        resource="/ccfs/{nit}/shared-services",
        path_parameters={"nit": NIT},
        body=service_body(url="https://10.1.2.3/"),
        headers={"Accept-Language": "en"},
        claims={"cognito:username": PERSON, "sub": "s"},
    )
    reply = Reply(lambda_handler(event, FakeContext()))
    assert reply.status == 422 and "private address" in reply.json["errors"][0]["message"]


# --------------------------------------------------------------------------- patch
def test_patch_changes_and_security_changes_send_back_to_pending(env, token_server):
    shared_id = create(url=token_server.notify_url)
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url, clientSecret=token_server.secret))
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "AUTHORIZED"
    assert call("GET", f"{base()}/{shared_id}").json["status"] == "ACTIVE"
    described = call("PATCH", f"{base()}/{shared_id}", {"description": "Otra descripción"})
    assert described.status == 200 and described.json["status"] == "ACTIVE"
    # A key change does not pause delivery (decision 0102): the service stays ACTIVE.
    rekeyed = call("PATCH", f"{base()}/{shared_id}", {"publicKey": rsa_pem(3072)})
    assert rekeyed.json["status"] == "ACTIVE" and rekeyed.json["publicKeyType"] == "RSA-3072"
    assert [key["keyType"] for key in rekeyed.json["publicKeys"]] == ["RSA-3072"]
    moved = call("PATCH", f"{base()}/{shared_id}", {"url": "https://api.caja.example.co/sat/otra-ruta",
                                                   "clientSecret": token_server.secret})  # fmt: skip
    assert moved.json["status"] == "PENDING_VERIFICATION" and moved.json["connection"] is None
    assert secret_value(shared_id)["clientSecret"] == token_server.secret  # other secret parts kept
    removed = call("PATCH", f"{base()}/{shared_id}", {"publicKey": None})
    assert removed.json["hasPublicKey"] is False and secret_value(shared_id)["publicKey"] is None
    assert call("PATCH", f"{base()}/{shared_id}", {}).status == 422
    assert call("PATCH", f"{base()}/{shared_id}", {"url": None}).status == 422
    unsafe = call("PATCH", f"{base()}/{shared_id}", {"url": "https://[::ffff:127.0.0.1]/"})
    assert unsafe.status == 422 and unsafe.json["rules"]["url"] == "ADDRESS_IPV6_EMBEDDED_IPV4"


def test_rename_frees_the_old_name_and_names_are_unique_case_insensitively(env):
    first = create(name="ServicioUno")
    create(name="ServicioDos")
    taken = call("POST", base(), service_body(name="SERVICIOUNO"))
    assert taken.status == 409 and taken.json["code"] == "SHARED_SERVICE_NAME_TAKEN"
    clash = call("PATCH", f"{base()}/{first}", {"name": "serviciodos"})
    assert clash.status == 409 and clash.json["code"] == "SHARED_SERVICE_NAME_TAKEN"
    assert call("PATCH", f"{base()}/{first}", {"name": "ServicioTres"}).json["name"] == "ServicioTres"
    assert call("POST", base(), service_body(name="ServicioUno")).status == 201
    assert call("PATCH", f"{base()}/{first}", {"name": "SERVICIOTRES"}).json["name"] == "SERVICIOTRES"


# --------------------------------------------------------------------------- list
def test_pagination_with_opaque_next_token(env):
    ids = {create(name=f"Servicio{number:02d}") for number in range(7)}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        query = {"limit": "3", **({"nextToken": token} if token else {})}
        page = call("GET", base(), query=query)
        assert page.status == 200
        seen += [item["sharedServiceId"] for item in page.json["items"]]
        pages += 1
        token = page.json["nextToken"]
        if not token:
            break
    assert set(seen) == ids and len(seen) == 7 and pages >= 3
    forged = base64.urlsafe_b64encode(json.dumps({"PK": f"EMPLOYER#{OTHER_NIT}", "SK": "SHARED#X"}).encode()).decode()
    bad = call("GET", base(), query={"nextToken": forged})
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "nextToken"
    assert call("GET", base(), query={"nextToken": "%%%"}).status == 422
    assert call("GET", base(), query={"limit": "0"}).status == 422


# --------------------------------------------------------------------------- uniqueness under concurrency
def test_concurrent_creates_with_the_same_name_exactly_one_wins(env, monkeypatch):
    # DynamoDB runs a transaction's condition checks and writes atomically; moto's in-memory backend checks
    # and then writes without a lock, so two threads can both pass the checks. Serialize moto's
    # transactions (what DynamoDB guarantees) so the test is about our conditions, not moto's isolation.
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    real = DynamoDBBackend.transact_write_items

    def serialized(self, *args, **kwargs):
        with lock:
            return real(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", serialized)
    barrier = threading.Barrier(6)
    results: list[int] = []

    def attempt() -> None:
        barrier.wait()
        results.append(call("POST", base(), service_body(name="Carrera")).status)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409, 409, 409, 409, 409]
    assert counts()["items"] == 2  # one metadata item, one name claim
    live = [s for s in boto3.client("secretsmanager").list_secrets()["SecretList"] if not s.get("DeletedDate")]
    assert len(live) == 1  # the losers' secrets were discarded


def test_a_create_that_loses_the_transaction_discards_its_secret(env, monkeypatch):
    """Deterministic race: another create takes the name between our check and our transaction."""
    from share import registration

    real = registration.secrets_store.create

    def create_then_lose(*args, **kwargs):
        version = real(*args, **kwargs)
        table = boto3.resource("dynamodb").Table(MAIN)
        table.put_item(Item={"PK": f"EMPLOYER#{NIT}", "SK": "SHAREDNAME#carrera", "sharedServiceId": "OTHER"})
        return version

    monkeypatch.setattr(registration.secrets_store, "create", create_then_lose)
    reply = call("POST", base(), service_body(name="Carrera"))
    assert reply.status == 409
    assert boto3.client("secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"] == []


# --------------------------------------------------------------------------- delete
def test_delete_schedules_the_secret_deletion_and_frees_the_name(env):
    shared_id = create()
    before = counts()
    reply = call("DELETE", f"{base()}/{shared_id}")
    assert reply.status == 204
    assert call("GET", f"{base()}/{shared_id}").status == 404
    secret = boto3.client("secretsmanager").describe_secret(SecretId=f"{PREFIX}{NIT}/{shared_id}")
    assert secret.get("DeletedDate")  # scheduled, recoverable by an operator (RestoreSecret)
    boto3.client("secretsmanager").restore_secret(SecretId=f"{PREFIX}{NIT}/{shared_id}")
    assert counts()["items"] == before["items"] - 2
    audit_items = boto3.resource("dynamodb").Table(AUDIT).scan()["Items"]
    deleted = [entry for entry in audit_items if entry["action"] == "SHARED_SERVICE_DELETED"]
    assert deleted and deleted[0]["details"]["secretRecoveryWindowDays"] == 30
    assert call("POST", base(), service_body()).status == 201  # the name is free again
    assert call("DELETE", f"{base()}/{shared_id}").status == 404


# --------------------------------------------------------------------------- faults: 503, nothing half-written
def _failing(operation: str, code: str):
    def fail(*args, **kwargs):
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

    return fail


@pytest.mark.parametrize("code", ["ThrottlingException", "KMSInternalException", "InternalServiceError"])
def test_secrets_manager_fault_on_create_is_503_and_writes_nothing(env, monkeypatch, code):
    client = aws.client("secretsmanager")
    before = counts()
    monkeypatch.setattr(client, "create_secret", _failing("CreateSecret", code))
    reply = call("POST", base(), service_body(publicKey=rsa_pem()))
    assert reply.status == 503 and reply.json["code"] == "SERVICE_UNAVAILABLE" and reply.headers["Retry-After"]
    assert counts() == before


def test_dynamodb_fault_after_the_secret_discards_it(env, monkeypatch):
    before = counts()
    client = aws.client("dynamodb")
    monkeypatch.setattr(client, "transact_write_items", _failing("TransactWriteItems", "InternalServerError"))
    reply = call("POST", base(), service_body())
    assert reply.status == 503
    assert counts() == before


def test_fault_on_oauth_keeps_the_previous_state(env, monkeypatch):
    shared_id = create()
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body())
    before_item = call("GET", f"{base()}/{shared_id}").json
    before_secret = secret_value(shared_id)
    before = counts()
    client = aws.client("secretsmanager")
    monkeypatch.setattr(client, "put_secret_value", _failing("PutSecretValue", "KMSInternalException"))
    reply = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(clientSecret="otro-secreto-nuevo"))
    assert reply.status == 503
    monkeypatch.undo()
    assert call("GET", f"{base()}/{shared_id}").json == before_item
    assert secret_value(shared_id) == before_secret and counts() == before


def test_metadata_fault_after_a_new_secret_version_reverts_it(env, monkeypatch):
    shared_id = create()
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body())
    before_item = call("GET", f"{base()}/{shared_id}").json
    client = aws.client("dynamodb")
    monkeypatch.setattr(client, "transact_write_items", _failing("TransactWriteItems", "ThrottlingException"))
    reply = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(clientSecret="otro-secreto-nuevo"))
    assert reply.status == 503
    monkeypatch.undo()
    assert call("GET", f"{base()}/{shared_id}").json == before_item
    assert secret_value(shared_id)["clientSecret"] == CANARY_SECRET  # the metadata's version
    # AWSCURRENT moved back to the version the metadata names (moto's GetSecretValue without VersionId
    # ignores UpdateSecretVersionStage, so the labels are checked)
    item = boto3.resource("dynamodb").Table(MAIN).get_item(Key={"PK": f"EMPLOYER#{NIT}", "SK": f"SHARED#{shared_id}"})
    stages = boto3.client("secretsmanager").describe_secret(SecretId=f"{PREFIX}{NIT}/{shared_id}")["VersionIdsToStages"]
    assert "AWSCURRENT" in stages[item["Item"]["secretVersionId"]]


def test_fault_on_delete_keeps_everything(env, monkeypatch):
    shared_id = create()
    before = counts()
    client = aws.client("secretsmanager")
    monkeypatch.setattr(client, "delete_secret", _failing("DeleteSecret", "ThrottlingException"))
    assert call("DELETE", f"{base()}/{shared_id}").status == 503
    monkeypatch.undo()
    assert counts() == before and call("GET", f"{base()}/{shared_id}").status == 200
    ddb = aws.client("dynamodb")
    monkeypatch.setattr(ddb, "transact_write_items", _failing("TransactWriteItems", "InternalServerError"))
    assert call("DELETE", f"{base()}/{shared_id}").status == 503
    monkeypatch.undo()
    secret = boto3.client("secretsmanager").describe_secret(SecretId=f"{PREFIX}{NIT}/{shared_id}")
    assert not secret.get("DeletedDate")  # restored
    assert call("GET", f"{base()}/{shared_id}").status == 200


def test_fault_on_verification_secret_read_is_503(env, monkeypatch, token_server):
    shared_id = create()
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url, clientSecret=token_server.secret))
    client = aws.client("secretsmanager")
    monkeypatch.setattr(client, "get_secret_value", _failing("GetSecretValue", "KMSInternalException"))
    assert call("POST", f"{base()}/{shared_id}/verification").status == 503
    monkeypatch.undo()
    assert call("GET", f"{base()}/{shared_id}").json["status"] == "PENDING_VERIFICATION"


# --------------------------------------------------------------------------- connection test
class TokenServer:
    def __init__(self) -> None:
        self.secret = CANARY_SECRET
        self.password = CANARY_PASSWORD
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.probes: list[dict[str, Any]] = []
        self.probe_status = 204
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_OPTIONS(self) -> None:  # the probe of the service's own URL (decision 0054)
                outer.probes.append({"path": self.path, "headers": dict(self.headers)})
                self._send(outer.probe_status, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("Authorization", "")
                outer.requests.append({"form": form, "auth": auth, "path": self.path})
                basic = base64.b64decode(auth.removeprefix("Basic ")).decode() if auth.startswith("Basic ") else ""
                if outer.mode == "redirect":
                    return self._send(302, b"", {"Location": "http://169.254.169.254/"})
                if outer.mode == "500":
                    return self._send(500, b"oops")
                if outer.mode == "garbage":
                    return self._send(200, b"<html>not json</html>")
                if basic != f"minsalud-sat:{outer.secret}":
                    return self._send(401, b'{"error":"invalid_client"}')
                if form.get("grant_type") == "password" and form.get("password") != outer.password:
                    return self._send(400, b'{"error":"invalid_grant"}')
                body = json.dumps({"access_token": CANARY_TOKEN, "token_type": "bearer", "expires_in": 300})
                return self._send(200, body.encode())

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oauth2/token"
        self.notify_url = f"http://127.0.0.1:{self.server.server_address[1]}/sat/notificaciones"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture(name="token_server")
def share_token_server(env, monkeypatch) -> Iterator[TokenServer]:
    monkeypatch.setenv("ALLOW_LOOPBACK_URLS", "true")  # local-development setting, for 127.0.0.1 only
    # The connection test also probes the service's URL (decision 0054): the default one refuses at once here
    # instead of reaching for a public address.
    monkeypatch.setitem(FAKE_DNS, "api.caja.example.co", ["127.0.0.1"])
    from share.config import settings

    settings.cache_clear()
    server = TokenServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_verification_authorizes_and_activates(env, token_server):
    shared_id = create(url=token_server.notify_url)
    assert call("POST", f"{base()}/{shared_id}/verification").status == 409  # INCOMPLETE
    call(
        "PUT",
        f"{base()}/{shared_id}/oauth",
        oauth_body(tokenUrl=token_server.url, username="sat", password=CANARY_PASSWORD),
    )
    reply = call("POST", f"{base()}/{shared_id}/verification")
    assert reply.status == 200, reply.body
    assert reply.json["status"] == "AUTHORIZED" and "password" in reply.json["detail"]
    assert token_server.requests[-1]["form"]["grant_type"] == "password"
    assert token_server.requests[-1]["form"]["scope"] == "notificaciones"
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["status"] == "ACTIVE" and got["connection"]["status"] == "AUTHORIZED"
    found = shared_services.find_notification_service(NIT, table_name=MAIN)  # the name's legacy default (0106)
    assert found is not None
    metadata, credentials = found
    assert metadata.shared_service_id == shared_id and credentials.password == CANARY_PASSWORD
    assert metadata.oauth is not None and metadata.oauth.token_url == token_server.url
    assert CANARY_PASSWORD not in repr(credentials)
    loaded = shared_services.load(NIT, shared_id, table_name=MAIN)
    assert loaded is not None and loaded[1].client_secret == CANARY_SECRET


@pytest.mark.parametrize(
    ("mode", "secret", "reason"),
    [
        ("ok", "wrong-secret", "invalid_client"),
        ("500", CANARY_SECRET, "error del servidor"),
        ("garbage", CANARY_SECRET, "JSON"),
        ("redirect", CANARY_SECRET, "redirección"),
    ],
)
def test_verification_failures_are_recorded_in_spanish(env, token_server, mode, secret, reason):
    shared_id = create()
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url, clientSecret=secret))
    token_server.mode = mode
    reply = call("POST", f"{base()}/{shared_id}/verification")
    assert reply.status == 200 and reply.json["status"] == "FAILED" and reason in reply.json["detail"]
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["status"] == "PENDING_VERIFICATION" and got["connection"]["status"] == "FAILED"
    assert len(token_server.requests) == 1  # redirects are not followed
    assert shared_services.find_notification_service(NIT, table_name=MAIN) is None


def test_verification_of_an_unreachable_token_url(env, token_server):
    shared_id = create()
    port = token_server.server.server_address[1]
    token_server.server.shutdown()
    token_server.server.server_close()
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=f"http://127.0.0.1:{port}/token"))
    reply = call("POST", f"{base()}/{shared_id}/verification")
    assert reply.json["status"] == "FAILED" and "conectarse" in reply.json["detail"]


def test_verification_is_rate_limited(env, token_server):
    shared_id = create()
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url))
    clock.freeze(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert call("POST", f"{base()}/{shared_id}/verification").status == 200
    limited = call("POST", f"{base()}/{shared_id}/verification")
    assert limited.status == 429 and limited.json["code"] == "VERIFICATION_RATE_LIMITED"
    assert limited.headers["Retry-After"] == "10"
    clock.advance(timedelta(seconds=10))
    assert call("POST", f"{base()}/{shared_id}/verification").status == 200
    assert len(token_server.requests) == 2


def test_loopback_token_url_is_refused_without_the_local_setting(env):
    shared_id = create()
    reply = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl="http://127.0.0.1:8080/token"))
    assert reply.status == 422 and reply.json["rules"]["tokenUrl"] == "URL_SCHEME"
    reply = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl="https://127.0.0.1/token"))
    assert reply.status == 422 and reply.json["rules"]["tokenUrl"] == "ADDRESS_LOOPBACK"


# --------------------------------------------------------------------------- audit and canary
def test_every_change_is_audited_without_secrets(env, token_server):
    shared_id = create(publicKey=rsa_pem())
    call(
        "PUT",
        f"{base()}/{shared_id}/oauth",
        oauth_body(tokenUrl=token_server.url, username="sat", password=CANARY_PASSWORD),
    )
    call("POST", f"{base()}/{shared_id}/verification")
    call("PATCH", f"{base()}/{shared_id}", {"description": "nueva"})
    call("DELETE", f"{base()}/{shared_id}")
    entries = boto3.resource("dynamodb").Table(AUDIT).scan()["Items"]
    actions = sorted(entry["action"] for entry in entries)
    assert actions == [
        "SHARED_SERVICE_CREATED",
        "SHARED_SERVICE_DELETED",
        "SHARED_SERVICE_OAUTH_SET",
        "SHARED_SERVICE_UPDATED",
        "SHARED_SERVICE_VERIFIED",
    ]
    assert all(entry["PK"] == f"AUDIT#EMPLOYER#{NIT}" and entry["actor"] == PERSON for entry in entries)
    text = json.dumps(entries, default=str)
    for canary in (CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN, "BEGIN PUBLIC KEY"):
        assert canary not in text


def test_canary_values_never_appear_in_responses_or_logs(env, token_server, capfd, caplog):
    import logging

    # Our loggers (Powertools, INFO) and every library at INFO; botocore's DEBUG wire logs (which print
    # request parameters of any AWS call) are never enabled in the deployed functions.
    caplog.set_level(logging.INFO)
    RESPONSES.clear()
    shared_id = create()
    path = f"{base()}/{shared_id}"
    call("PUT", f"{path}/oauth", oauth_body(tokenUrl=token_server.url, username="sat", password=CANARY_PASSWORD))
    call("POST", f"{path}/verification")  # the token server answers with CANARY_TOKEN
    call("GET", path)
    call("GET", base())
    call("PATCH", path, {"url": "https://api.caja.example.co/otra"})  # 422: the secrets again (decision 0054)
    call("PATCH", path, {"url": "https://api.caja.example.co/otra", "clientSecret": CANARY_SECRET,
                         "password": CANARY_PASSWORD})  # fmt: skip
    call("PUT", f"{path}/oauth", oauth_body(tokenUrl=token_server.url, password=CANARY_PASSWORD))  # 422
    call("PUT", f"{path}/oauth", {**oauth_body(), "password": CANARY_PASSWORD + "\x00"})  # 422 control chars
    call("PUT", f"{path}/oauth", {**oauth_body(), "clientSecret": CANARY_SECRET, "unknown": CANARY_PASSWORD})
    with pytest.MonkeyPatch.context() as patch:  # a fault while the secret is in hand
        patch.setattr(
            aws.client("secretsmanager"), "put_secret_value", _failing("PutSecretValue", "KMSInternalException")
        )
        call("PUT", f"{path}/oauth", oauth_body(tokenUrl=token_server.url, clientSecret=CANARY_SECRET + "-2"))
    token_server.secret = "changed"
    clock.advance(timedelta(seconds=60))
    call("POST", f"{path}/verification")  # FAILED: invalid_client
    call("DELETE", path)
    captured = capfd.readouterr()
    logs = (
        captured.out + captured.err + "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    )
    everything = "\n".join(RESPONSES) + "\n" + logs
    assert len(RESPONSES) >= 10
    assert "aws call failed" in logs and "HTTP Request" in logs  # the capture does see the log lines
    for canary in (CANARY_PASSWORD, CANARY_SECRET, CANARY_TOKEN):
        assert canary not in everything, canary
