"""A CCF's tokens, hardened (decisions 0041 and 0054), on moto in-process:

- an immediate consumer-password rotation refuses the old password at once and makes the /sat authorizer
  refuse every token obtained before it; a normal rotation keeps both working during the overlap;
- the authorizer verifies `iss` and `nbf` (joserfc's claims registry), not only signature, audience, expiry;
- the token endpoint: an unknown Client ID and a known one with a wrong secret run the same scrypt checks
  with the same parameters; a success forgives only its own source's failures;
- URLs handed to CCF systems come from configuration, never from the request's Host header;
- a catalog OpenAPI path with `*` or `?` (IAM-style wildcards in the authorizer's policy) is refused.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from sat_common import ccf_access, clock
from tests.conftest import FakeContext, api_event
from tests.integration.catalog_support import (
    FREE_CCFS,
    GOOD_PASSWORD,
    OTHER_PASSWORD,
    Reply,
    _reply,
    authorize,
    authorized_person,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    create_services,
    get_token,
    outbox_messages,
    person,
    ready_ccf,
    seed_service,
    token_request,
)

ADMIN = "CC-79000004"
NIT = FREE_CCFS[0]
A = "solicitud-afiliacion"
PULL = "/sat/solicitud-afiliacion"


@pytest.fixture
def ccf(aws):
    create_services(ADMIN)
    return ready_ccf(NIT, ADMIN, person(30), [A])


def rotate(ccf: Any, password: str, immediate: bool | None) -> Reply:
    body: dict[str, Any] = {"password": password, "passwordConfirmation": password}
    if immediate is not None:
        body["immediate"] = immediate
    return call("PUT", f"/ccfs/{NIT}/consumer-password", body, username=ccf.authorized,
                resource="/ccfs/{nit}/consumer-password", path_parameters={"nit": NIT})  # fmt: skip


def client_credentials(client_id: str, secret: str, source_ip: str = "203.0.113.7") -> Reply:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
    }
    event = api_event("POST", "/oauth2/token", body=urlencode({"grant_type": "client_credentials"}), headers=headers)
    event["requestContext"]["identity"]["sourceIp"] = source_ip
    from oauth.handler import lambda_handler

    return _reply(lambda_handler(event, FakeContext()))


# --------------------------------------------------------------------------- immediate rotation (0041)
def test_an_immediate_rotation_refuses_the_old_password_and_the_tokens_it_got(ccf, aws):
    old_token = get_token(ccf.services[A], GOOD_PASSWORD)
    assert authorize(old_token, "POST", PULL)["allowed"] is True
    outbox_messages(aws["queue_url"])  # drop the first password's notices

    assert rotate(ccf, OTHER_PASSWORD, immediate=True).status == 204

    refused = token_request({"grant_type": "client_credentials"}, basic=(ccf.services[A], GOOD_PASSWORD))
    assert refused.status == 401 and refused.json == {"error": "invalid_client"}  # no overlap
    assert authorize(old_token, "POST", PULL) is None  # the next uncached authorizer call: 401
    new_token = get_token(ccf.services[A], OTHER_PASSWORD)
    assert authorize(new_token, "POST", PULL)["allowed"] is True
    notices = outbox_messages(aws["queue_url"])
    assert notices and all("inmediato" in m["data"]["transicion"] for m in notices)


def test_a_normal_rotation_keeps_the_old_password_and_its_tokens_during_the_overlap(ccf):
    old_token = get_token(ccf.services[A], GOOD_PASSWORD)
    assert rotate(ccf, OTHER_PASSWORD, immediate=None).status == 204
    assert authorize(old_token, "POST", PULL)["allowed"] is True
    overlap_token = get_token(ccf.services[A], GOOD_PASSWORD)
    # A later immediate rotation revokes the tokens of both earlier passwords.
    assert rotate(ccf, "tres colibries sobre el nevado del Ruiz", immediate=True).status == 204
    assert authorize(old_token, "POST", PULL) is None and authorize(overlap_token, "POST", PULL) is None
    # ... and a normal rotation after it does not bring them back.
    assert rotate(ccf, "cuatro guacamayas cruzan el Magdalena", immediate=False).status == 204
    assert authorize(overlap_token, "POST", PULL) is None


# --------------------------------------------------------------------------- iss and nbf (0054)
def _signed(claims: dict[str, Any], key_id: str) -> str:
    """A token signed by the real KMS key with the claims given (what a bug or a stolen signer could mint)."""

    def segment(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signing_input = f"{segment({'alg': 'RS256', 'typ': 'at+jwt', 'kid': key_id})}.{segment(claims)}"
    signature = boto3.client("kms").sign(
        KeyId=key_id, Message=signing_input.encode(), MessageType="RAW", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
    )["Signature"]
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_the_authorizer_verifies_issuer_and_not_before(ccf, aws):
    token = get_token(ccf.services[A], GOOD_PASSWORD)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert authorize(_signed(claims, aws["key_id"]), "POST", PULL)["allowed"] is True  # re-signing is faithful
    other_stage = {**claims, "iss": "https://api.example.test/prod"}  # another stage's API (decision 0100)
    assert authorize(_signed(other_stage, aws["key_id"]), "POST", PULL) is None
    no_issuer = {k: v for k, v in claims.items() if k != "iss"}
    assert authorize(_signed(no_issuer, aws["key_id"]), "POST", PULL) is None
    not_yet = {**claims, "nbf": clock.epoch() + 600}
    assert authorize(_signed(not_yet, aws["key_id"]), "POST", PULL) is None
    no_nbf = {k: v for k, v in claims.items() if k != "nbf"}
    assert authorize(_signed(no_nbf, aws["key_id"]), "POST", PULL) is None
    # what the endpoint issues: the API's base URL, PUBLIC_API_BASE_URL (decision 0100)
    assert claims["iss"] == "https://api.example.test" and claims["nbf"] == claims["iat"]
    clock.advance(timedelta(seconds=601))
    try:
        assert authorize(_signed(not_yet, aws["key_id"]), "POST", PULL) is not None  # valid from nbf on
    finally:
        clock.reset()


# --------------------------------------------------------------------------- token endpoint (0054)
def test_unknown_and_known_client_ids_run_the_same_scrypt_checks(ccf, monkeypatch):
    """Same code path, same parameters (cost, r, p) and count, whatever is stored: no timing oracle."""
    calls: list[tuple[int, int, int]] = []
    real = ccf_access._scrypt

    def recording(password: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
        calls.append((cost, r, p))
        return real(password, salt, cost, r, p)

    monkeypatch.setattr(ccf_access, "_scrypt", recording)

    def checks(client_id: str, secret: str) -> list[tuple[int, int, int]]:
        calls.clear()
        client_credentials(client_id, secret, source_ip=f"198.51.100.{len(client_id) % 200}")
        return list(calls)

    unknown = checks("no-existe-este-client-id", "cualquier cosa")
    wrong = checks(ccf.services[A], "no es la clave")
    right = checks(ccf.services[A], GOOD_PASSWORD)
    assert unknown == wrong == right == [(10, 8, 1), (10, 8, 1)]  # PASSWORD_HASH_COST=10 in these tests
    assert rotate(ccf, OTHER_PASSWORD, immediate=False).status == 204  # a previous password in its overlap
    assert checks(ccf.services[A], "no es la clave") == unknown


def test_a_success_forgives_only_its_own_sources_failures(ccf):
    client_id = ccf.services[A]
    clock.freeze(clock.now())
    attacker, system = "198.51.100.66", "203.0.113.10"
    for _ in range(4):
        assert client_credentials(client_id, "adivinanza", attacker).status == 401
    assert client_credentials(client_id, GOOD_PASSWORD, system).status == 200  # the CCF's system, meanwhile
    assert client_credentials(client_id, "adivinanza", attacker).status == 401  # the 5th failure of that source
    locked = client_credentials(client_id, GOOD_PASSWORD, attacker)
    assert locked.status == 429 and locked.json["error"] == "slow_down"
    assert client_credentials(client_id, GOOD_PASSWORD, system).status == 200  # the system is not locked out


def test_many_sources_lock_the_client_id_whatever_succeeds(ccf, monkeypatch):
    from oauth.config import settings

    monkeypatch.setenv("TOKEN_MAX_CLIENT_FAILURES", "6")
    settings.cache_clear()
    client_id = ccf.services[A]
    clock.freeze(clock.now())
    for index in range(6):
        assert client_credentials(client_id, "adivinanza", f"198.51.100.{index}").status == 401
        assert client_credentials(client_id, GOOD_PASSWORD, "203.0.113.10").status in (200, 429)
    assert client_credentials(client_id, GOOD_PASSWORD, "203.0.113.10").status == 429
    clock.advance(timedelta(seconds=901))
    assert client_credentials(client_id, GOOD_PASSWORD, "203.0.113.10").status == 200


# --------------------------------------------------------------------------- URLs from configuration (0054)
def _service_info(ccf: Any, host: str, suffix: str = "") -> Reply:
    resource = "/ccfs/{nit}/services/{serviceId}" + suffix
    headers = {"Host": host, "X-Forwarded-Proto": "http"}
    return call("GET", f"/ccfs/{NIT}/services/{A}{suffix}", username=ccf.authorized, resource=resource,
                path_parameters={"nit": NIT, "serviceId": A}, headers=headers)  # fmt: skip


def test_urls_handed_to_ccf_systems_never_come_from_the_host_header(ccf, monkeypatch):
    info = _service_info(ccf, "atacante.example")
    assert info.status == 200
    assert info.json["tokenUrl"] == "https://api.example.test/oauth2/token"
    assert info.json["endpointUrl"] == f"https://api.example.test{PULL}"
    document = _service_info(ccf, "atacante.example", "/openapi.json")
    assert document.json["servers"][0]["url"] == "https://api.example.test"
    # Without the setting the function fails loudly: it never falls back to the Host it was sent.
    from catalog import config

    monkeypatch.delenv("PUBLIC_API_BASE_URL")
    config.settings.cache_clear()
    config.deps.cache_clear()
    unconfigured = _service_info(ccf, "atacante.example")
    assert unconfigured.status == 500 and "atacante" not in unconfigured.body


# --------------------------------------------------------------------------- catalog wildcards (0054)
@pytest.mark.parametrize("path", ["/sat/*", "/sat/solicitud-afiliacion?x=1", "/sat/*/afiliacion"])
def test_openapi_paths_with_wildcards_are_refused(aws, path):
    service = dict(seed_service(0))
    document = service["openapi"]
    (only_path,) = document["paths"].values()
    body = {**service, "code": "COMODIN", "openapi": {**document, "paths": {path: only_path}}}
    body.pop("serviceId", None)
    created = call("POST", "/admin/services", body, username=ADMIN, ministry=True)
    assert created.status == 422, created.body
    assert created.json["errors"][0]["field"] == "openapi" and "* ni ?" in created.json["errors"][0]["message"]
    create_services(ADMIN)
    sid = seed_service(0)["code"].lower().replace("_", "-")
    patched = call("PATCH", f"/admin/services/{sid}", {"openapi": body["openapi"]}, username=ADMIN, ministry=True,
                   resource="/admin/services/{serviceId}", path_parameters={"serviceId": sid})  # fmt: skip
    assert patched.status == 422


def test_a_stored_wildcard_path_never_reaches_a_policy(ccf):
    """A service stored before the catalog refused wildcards: the authorizer refuses its tokens."""
    token = get_token(ccf.services[A], GOOD_PASSWORD)
    table = boto3.resource("dynamodb").Table("main-table")
    table.update_item(Key=ccf_access.service_key(A), UpdateExpression="SET endpointPath = :p",
                      ExpressionAttributeValues={":p": "/sat/*"})  # fmt: skip
    assert authorize(token, "POST", "/sat/respuesta-tramite-ccf") is None


def test_a_second_authorized_person_gets_the_immediate_notice_too(ccf, aws):
    authorized_person(person(31), NIT)
    outbox_messages(aws["queue_url"])
    assert rotate(ccf, OTHER_PASSWORD, immediate=True).status == 204
    recipients = {m["to"] for m in outbox_messages(aws["queue_url"])}
    assert f"{person(31).lower()}@example.com" in recipients
