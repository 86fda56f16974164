"""The CCF's two public-key slots (decision 0102) on moto: POST/DELETE .../keys, kid = RFC 7638 thumbprint, at most
two, the secret's layout (newest = publicKey, what the pull encrypts to), no pause of delivery, and an item written
before 0102 (single key) read as key 1."""

from __future__ import annotations

import json
from typing import Any

import boto3
from joserfc.jwk import RSAKey

from tests.conftest import FakeContext, api_event
from tests.integration.test_share_services import (
    MAIN,
    NIT,
    PERSON,
    Reply,
    base,
    call,
    create,
    oauth_body,
    rsa_pem,
    secret_value,
    share_env,  # noqa: F401 (the "env" fixture)
    share_token_server,  # noqa: F401 (the "token_server" fixture)
)


def key_call(method: str, shared_id: str, kid: str | None = None, body: Any = None, user: str = PERSON) -> Reply:
    from share.handler import lambda_handler

    path = f"{base()}/{shared_id}/keys" + (f"/{kid}" if kid else "")
    resource = "/ccfs/{nit}/shared-services/{sharedServiceId}/keys" + ("/{kid}" if kid else "")
    params = {"nit": NIT, "sharedServiceId": shared_id, **({"kid": kid} if kid else {})}
    claims = {"cognito:username": user, "sub": f"sub-{user}"}
    event = api_event(method, path, resource=resource, path_parameters=params, body=body, claims=claims)
    return Reply(lambda_handler(event, FakeContext()))


def _thumbprint(pem: str) -> str:
    return str(RSAKey.import_key(pem).thumbprint())


def _active(token_server) -> str:
    shared_id = create(url=token_server.notify_url)
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url, clientSecret=token_server.secret))
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "AUTHORIZED"
    return shared_id


def test_two_keys_at_most_newest_is_the_pulls_and_the_service_stays_active(env, token_server):
    first, second, third = rsa_pem(), rsa_pem(), rsa_pem()
    shared_id = create(url=token_server.notify_url, publicKey=first)  # the publicKey field is key 1
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url, clientSecret=token_server.secret))
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "AUTHORIZED"

    added = key_call("POST", shared_id, body={"publicKey": second})
    assert added.status == 201, added.body
    assert added.json["kid"] == _thumbprint(second) and added.json["newest"] is True
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["status"] == "ACTIVE"  # delivery does not pause
    assert [key["kid"] for key in got["publicKeys"]] == [_thumbprint(first), _thumbprint(second)]
    assert [key["newest"] for key in got["publicKeys"]] == [False, True]
    assert "BEGIN" not in json.dumps(got)  # never a PEM in a response
    stored = secret_value(shared_id)
    assert stored["publicKeys"] == [first.strip() + "\n", second.strip() + "\n"]
    assert stored["publicKey"] == second.strip() + "\n"  # what the exchange encrypts to

    full = key_call("POST", shared_id, body={"publicKey": third})
    assert full.status == 409 and full.json["code"] == "SHARED_SERVICE_KEYS_FULL"
    again = key_call("POST", shared_id, body={"publicKey": second})
    assert again.status == 409 and again.json["code"] == "SHARED_SERVICE_KEY_EXISTS"

    assert key_call("DELETE", shared_id, _thumbprint(first)).status == 204
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["status"] == "ACTIVE" and [key["kid"] for key in got["publicKeys"]] == [_thumbprint(second)]
    assert secret_value(shared_id)["publicKeys"] == [second.strip() + "\n"]
    missing = key_call("DELETE", shared_id, _thumbprint(first))
    assert missing.status == 404 and missing.json["code"] == "SHARED_SERVICE_KEY_NOT_FOUND"

    # Removing the newest makes the remaining one the pull's key; removing the last leaves none.
    assert key_call("POST", shared_id, body={"publicKey": third}).status == 201
    assert key_call("DELETE", shared_id, _thumbprint(third)).status == 204
    assert secret_value(shared_id)["publicKey"] == second.strip() + "\n"
    assert key_call("DELETE", shared_id, _thumbprint(second)).status == 204
    emptied = call("GET", f"{base()}/{shared_id}").json
    assert emptied["hasPublicKey"] is False and emptied["publicKeys"] == [] and emptied["status"] == "ACTIVE"
    assert secret_value(shared_id)["publicKey"] is None


def test_bad_keys_unknown_fields_and_other_people_are_refused(env, token_server):
    shared_id = _active(token_server)
    private = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
    refused = key_call("POST", shared_id, body={"publicKey": private})
    assert refused.status == 422 and refused.json["errors"][0]["field"] == "publicKey"
    assert key_call("POST", shared_id, body={"publicKey": rsa_pem(), "extra": 1}).status == 422
    assert key_call("DELETE", shared_id, "not-a-thumbprint").status in (400, 422)
    stranger = key_call("POST", shared_id, body={"publicKey": rsa_pem()}, user="CC-99999999")
    assert stranger.status == 404
    assert secret_value(shared_id)["publicKeys"] == []


def test_a_service_stored_before_two_keys_reads_its_key_as_key_1(env, token_server):
    """Migration (decision 0102): an item and secret in the single-key layout; the next write stores the new one."""
    first = rsa_pem()
    shared_id = _active(token_server)
    item_key = {"PK": f"EMPLOYER#{NIT}", "SK": f"SHARED#{shared_id}"}
    table = boto3.resource("dynamodb").Table(MAIN)
    item = table.get_item(Key=item_key)["Item"]
    sm = boto3.client("secretsmanager")
    legacy = {"publicKey": first, "password": None, "clientSecret": token_server.secret}  # no publicKeys
    version = sm.put_secret_value(SecretId=item["secretName"], SecretString=json.dumps(legacy))["VersionId"]
    item.pop("publicKeys", None)
    item.update(secretVersionId=version, hasPublicKey=True, publicKeyType="RSA-2048", publicKeyFormat="PUBLIC_KEY",
                publicKeyFingerprint="0" * 64)  # fmt: skip
    table.put_item(Item=item)

    shown = call("GET", f"{base()}/{shared_id}").json["publicKeys"]
    assert len(shown) == 1 and shown[0]["kid"] is None and shown[0]["keyType"] == "RSA-2048"
    second = rsa_pem()
    assert key_call("POST", shared_id, body={"publicKey": second}).status == 201
    got = call("GET", f"{base()}/{shared_id}").json
    assert [key["kid"] for key in got["publicKeys"]] == [_thumbprint(first), _thumbprint(second)]
    assert secret_value(shared_id)["publicKeys"] == [first, second.strip() + "\n"]
    assert key_call("DELETE", shared_id, _thumbprint(first)).status == 204
