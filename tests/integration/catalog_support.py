"""Shared set-up of the catalog / oauth / authorizer integration tests (manual §6), on moto in-process.

Builds the main and audit tables, the CCF clients pool, the outbox queue and the KMS signing key, and
calls the three functions in-process with API Gateway REST proxy events (claims of the Cognito
authorizer for people; the authorizer's context for CCF systems). Employer and role items, which the
delegation area writes, are written directly here.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from sat_common import ccf_access, clock
from tests.conftest import FakeContext, api_event
from tests.integration.conftest import create_table
from tests.integration.ministry_support import ensure_operator, people_pool

ROOT = Path(__file__).resolve().parents[2]
SEED = json.loads((ROOT / "local/seed/reference-data.json").read_text())
SERVICES_SEED = json.loads((ROOT / "local/seed/services.json").read_text())
FREE = SEED["scenarios"]["free"]
FREE_CCFS = [company["nit"] for company in FREE["companies"] if company["isCcf"]]
COMPANY_NAMES = {company["nit"]: company["businessName"] for company in SEED["companies"]}
MAIN, AUDIT = "main-table", "audit-table"
GOOD_PASSWORD = "marimonda azul sobre el río Cauca"
OTHER_PASSWORD = "cuatro caballos cruzan la sabana"


def person(offset: int) -> str:
    """A free person's username; this module family takes people from the end of the list."""
    entry = FREE["people"][-1 - offset]
    return f"{entry['documentType']}-{entry['documentNumber']}"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _handler(area: str) -> Any:
    return importlib.import_module(f"{area}.handler").lambda_handler


def _reply(result: dict[str, Any]) -> Reply:
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = str(values[-1])
    return Reply(int(result["statusCode"]), headers, result.get("body") or "")


def claims_of(username: str, groups: str = "", email: str | None = None) -> dict[str, str]:
    claims = {
        "cognito:username": username,
        "sub": f"sub-{username}",
        "email": email or f"{username.lower()}@example.com",
    }
    if groups:
        claims["cognito:groups"] = groups
    return claims


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    username: str | None = None,
    ministry: bool = False,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    area: str = "catalog",
) -> Reply:
    claims = claims_of(username, "ministerio" if ministry else "") if username else None
    if ministry and username:
        ensure_operator(username, MAIN)  # /admin checks the operator live (decision 0029)
    event = api_event(
        method,
        path,
        resource=resource,
        path_parameters=path_parameters,
        query=query,
        body=body,
        headers={"Host": "api.example.test", "X-Forwarded-Proto": "https", **(headers or {})},
        claims=claims,
    )
    return _reply(_handler(area)(event, FakeContext()))


def token_request(form: dict[str, str], basic: tuple[str, str] | None = None, **headers: str) -> Reply:
    all_headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    if basic:
        all_headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    event = api_event("POST", "/oauth2/token", body=urlencode(form), headers=all_headers)
    return _reply(_handler("oauth")(event, FakeContext()))


def get_token(client_id: str, secret: str) -> str:
    reply = token_request({"grant_type": "client_credentials"}, basic=(client_id, secret))
    assert reply.status == 200, reply.body
    return str(reply.json["access_token"])


METHOD_ARN_PREFIX = "arn:aws:execute-api:us-east-1:123456789012:abc123/test"


def authorize(token: str, method: str, path: str) -> dict[str, Any] | None:
    """Run the /sat authorizer as API Gateway would: None = 401, else the policy result and context."""
    from local.authorizer import evaluate_policy

    handler = _handler("ccf_authorizer")
    arn = f"{METHOD_ARN_PREFIX}/{method}{path}"
    try:
        result = handler({"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": arn}, FakeContext())
    except Exception as error:
        assert str(error) == "Unauthorized"
        return None
    return {"allowed": evaluate_policy(result["policyDocument"], arn), "context": result["context"]}


def call_sat(token: str | None, method: str, path: str) -> Reply:
    """A /sat route through the emulated authorizer: 401 / 403 from the gateway, else the oauth function."""
    if token is None:
        return Reply(401, {}, "")
    outcome = authorize(token, method, path)
    if outcome is None:
        return Reply(401, {}, "")
    if not outcome["allowed"]:
        return Reply(403, {}, "")
    event = api_event(method, path, headers={})
    event["requestContext"]["authorizer"] = {k: str(v) for k, v in outcome["context"].items()}
    return _reply(_handler("oauth")(event, FakeContext()))


# --------------------------------------------------------------------------- data written by other areas
def put_item(item: dict[str, Any]) -> None:
    boto3.resource("dynamodb").Table(MAIN).put_item(Item=item)


def registered_employer(nit: str, status: str = "REGISTERED") -> None:
    put_item({**ccf_access.employer_key(nit), "nit": nit, "status": status, "businessName": COMPANY_NAMES[nit]})


def authorized_person(username: str, nit: str, status: str = "ACTIVE") -> None:
    """The role item the delegation area writes when a delegate authorizes someone (and its profile)."""
    put_item(
        {
            **ccf_access.role_key(username, nit),
            "role": ccf_access.AUTHORIZED_ROLE,
            "nit": nit,
            "status": status,
            "GSI1PK": f"ROLE#{ccf_access.AUTHORIZED_ROLE}#{nit}",
            "GSI1SK": f"PERSON#{username}",
        }
    )
    put_item(
        {
            "PK": f"PERSON#{username}",
            "SK": "PROFILE",
            "firstName": "Persona",
            "firstSurname": username,
            "email": f"{username.lower()}@example.com",
        }
    )


def audit_actions(entity: str) -> list[str]:
    items = (
        boto3.resource("dynamodb")
        .Table(AUDIT)
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#{entity}"})["Items"]
    )
    return [str(item["action"]) for item in sorted(items, key=lambda item: item["SK"])]


def audit_items(entity: str) -> list[dict[str, Any]]:
    return (
        boto3.resource("dynamodb")
        .Table(AUDIT)
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#{entity}"})["Items"]
    )


def outbox_messages(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return messages
        messages += [json.loads(m["Body"]) for m in batch]


# --------------------------------------------------------------------------- Ministry steps
def seed_service(index: int = 0) -> dict[str, Any]:
    return SERVICES_SEED["services"][index]


def create_services(admin: str) -> list[str]:
    ids = []
    for service in SERVICES_SEED["services"]:
        reply = call("POST", "/admin/services", service, username=admin, ministry=True)
        assert reply.status == 201, reply.body
        ids.append(reply.json["serviceId"])
    return ids


def activate(admin: str, nit: str) -> Reply:
    return call("POST", "/admin/ccfs", {"nit": nit}, username=admin, ministry=True)


def assign(admin: str, nit: str, service_id: str) -> Reply:
    return call(
        "POST",
        f"/admin/ccfs/{nit}/services",
        {"serviceId": service_id},
        username=admin,
        ministry=True,
        resource="/admin/ccfs/{nit}/services",
        path_parameters={"nit": nit},
    )


def accept_terms(username: str, nit: str, decision: str = "ACCEPT") -> Reply:
    from sat_common.ccf_person_access import TERMS_VERSION

    return call(
        "POST",
        f"/ccfs/{nit}/terms",
        {"version": TERMS_VERSION, "decision": decision},
        username=username,
        resource="/ccfs/{nit}/terms",
        path_parameters={"nit": nit},
    )


def set_password(username: str, nit: str, password: str, confirmation: str | None = None) -> Reply:
    return call(
        "PUT",
        f"/ccfs/{nit}/consumer-password",
        {"password": password, "passwordConfirmation": password if confirmation is None else confirmation},
        username=username,
        resource="/ccfs/{nit}/consumer-password",
        path_parameters={"nit": nit},
    )


@pytest.fixture(name="aws")
def aws_resources(moto, monkeypatch):
    """Tables, clients pool, outbox queue and signing key; the functions' environment points at them."""
    create_table(MAIN, gsis=2)
    create_table(AUDIT)
    pool = boto3.client("cognito-idp").create_user_pool(PoolName="ccf-clients")["UserPool"]["Id"]
    queue_url = boto3.client("sqs").create_queue(QueueName="outbox")["QueueUrl"]
    key_id = boto3.client("kms").create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    env = {
        "MAIN_TABLE_NAME": MAIN,
        "AUDIT_TABLE_NAME": AUDIT,
        "CLIENTS_USER_POOL_ID": pool,
        "OUTBOX_QUEUE_URL": queue_url,
        "PORTAL_BASE_URL": "https://portal.example.test",
        "TOKEN_SIGNING_KEY_ID": key_id,
        "PASSWORD_HASH_COST": "10",  # fast tests; production default 15
        "PUBLIC_API_BASE_URL": "https://api.example.test",  # the CDK app's setting (decision 0054)
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    people_pool(monkeypatch)
    _clear_settings()
    clock.reset()
    yield {"pool": pool, "queue_url": queue_url, "key_id": key_id}
    clock.reset()
    _clear_settings()


def _clear_settings() -> None:
    from ccf_authorizer.config import settings as authorizer_settings
    from oauth.config import settings as oauth_settings

    from catalog import config

    config.settings.cache_clear()
    config.deps.cache_clear()
    oauth_settings.cache_clear()
    authorizer_settings.cache_clear()


@dataclass
class Ccf:
    nit: str
    admin: str
    authorized: str
    services: dict[str, str]  # serviceId -> clientId


def ready_ccf(nit: str, admin: str, authorized: str, service_ids: list[str], password: str = GOOD_PASSWORD) -> Ccf:
    """A REGISTERED employer activated as CCF, services assigned, an authorized person who accepted the
    terms and set the consumer password."""
    registered_employer(nit)
    assert activate(admin, nit).status == 201
    services = {}
    for service_id in service_ids:
        reply = assign(admin, nit, service_id)
        assert reply.status == 201, reply.body
        services[service_id] = reply.json["clientId"]
    authorized_person(authorized, nit)
    assert accept_terms(authorized, nit).status == 200
    assert set_password(authorized, nit, password).status == 204
    return Ccf(nit, admin, authorized, services)


os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "tests")
