"""The local runtime over real HTTP: API Gateway emulation, functions, seed, Cognito, outbox -> SES -> mailbox."""

import http.client
import json
import re
import time
import uuid

import boto3
import httpx
import pytest

from local import journeys
from local.apigw import build_routes
from local.authorizer import CognitoAuthorizer
from local.template import Template

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(local_runtime):
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


def aws(local_runtime, service):
    return boto3.client(
        service,
        endpoint_url=local_runtime["moto_url"],
        region_name=local_runtime["region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_ready_file_describes_the_runtime(local_runtime):
    assert local_runtime["ready_seconds"] > 0  # the figure itself is a benchmark (docs/benchmarks.md)
    assert "GET /health" in local_runtime["routes"] and "GET /catalogs/{catalog}" in local_runtime["routes"]


def test_health(api):
    resp = api.get("/health")
    assert resp.status_code == 200
    assert resp.headers["x-amzn-RequestId"]


def test_departments_catalog(api):
    resp = api.get("/catalogs/departments")
    assert resp.status_code == 200
    assert len(resp.json()["items"]) == 33


def test_openapi_and_docs(api):
    assert api.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert "swagger" in api.get("/docs").text.lower()


@pytest.mark.parametrize(("method", "path"), [("GET", "/no-such-route"), ("DELETE", "/health"), ("GET", "/catalogs")])
def test_unknown_route_is_the_gateway_problem_response(api, method, path):
    resp = api.request(method, path)
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == 404 and body["requestId"] == resp.headers["x-amzn-RequestId"]


def test_cors_preflight(api):
    resp = api.options("/health", headers={"Origin": "http://localhost:8000", "Access-Control-Request-Method": "GET"})
    assert resp.status_code == 204
    assert resp.headers["access-control-allow-origin"] == "http://localhost:8000"
    assert "GET" in resp.headers["access-control-allow-methods"]


def test_body_over_10_mb_is_rejected(api):
    resp = api.post("/health", content=b"x" * (10 * 1024 * 1024 + 1))
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"


def test_person_routes_reject_a_garbage_token(local_runtime, api):
    routes = build_routes(Template.load(local_runtime["template"]))
    protected = []

    def walk(node):
        protected.extend(m for m in node.methods.values() if m.authorization_type == "COGNITO_USER_POOLS")
        for child in [*node.children.values(), *(x[1] for x in (node.param, node.proxy) if x)]:
            walk(child)

    walk(routes.root)
    if not protected:
        pytest.skip("no person route in the template yet (authorizer covered by tests/unit/test_local_authorizer.py)")
    for method in protected:
        path = re.sub(r"\{[^}]+\}", "x1", method.resource_path)
        for headers in ({}, {"Authorization": "garbage"}, {"Authorization": "Bearer a.b.c"}):
            resp = api.request(method.http_method, path, headers=headers)
            assert resp.status_code == 401, (method.http_method, path, headers)
            assert resp.headers["content-type"] == "application/problem+json"


def test_the_web_acl_of_the_template_blocks_as_aws_waf_does(local_runtime, api):
    """What AWS WAF blocks in front of the API is blocked locally: a body over 8 KB outside the catalog,
    a request without User-Agent. The answer is API Gateway's WAF_FILTERED response (problem+json)."""
    big = {"documentType": "CC", "documentNumber": "1" * 10, "notes": "x" * 9000}
    resp = api.post("/registrations", json=big)
    assert resp.status_code == 403 and resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "REQUEST_BLOCKED"
    host, port = local_runtime["api_url"].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=journeys.HTTP_TIMEOUT)
    try:
        connection.putrequest("GET", "/health", skip_accept_encoding=True)  # http.client sends no User-Agent
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == 403 and json.loads(answer.read())["code"] == "REQUEST_BLOCKED"
    finally:
        connection.close()
    assert api.get("/health").status_code == 200  # httpx sends a User-Agent


def admin_tokens(local_runtime) -> dict:
    """Cognito's own tokens, the way only the registration function can get them: the admin flow with the
    confidential client's secret (decision 0027; the API hands people no access token)."""
    import base64
    import hashlib
    import hmac

    login, idp = local_runtime["ministry_login"], aws(local_runtime, "cognito-idp")
    client_id, username = login["client_id"], login["usernames"][0]
    secret = idp.describe_user_pool_client(UserPoolId=login["user_pool_id"], ClientId=client_id)["UserPoolClient"][
        "ClientSecret"
    ]
    secret_hash = base64.b64encode(
        hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    ).decode()
    return idp.admin_initiate_auth(
        UserPoolId=login["user_pool_id"],
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": login["password"], "SECRET_HASH": secret_hash},
    )["AuthenticationResult"]


def test_cognito_routes_take_the_id_token_not_the_access_token(local_runtime, api):
    """API Gateway's Cognito authorizer without scopes on the method accepts only ID tokens."""
    tokens = admin_tokens(local_runtime)
    assert api.get("/me", headers={"Authorization": f"Bearer {tokens['AccessToken']}"}).status_code == 401
    assert api.get("/me", headers={"Authorization": f"Bearer {tokens['IdToken']}"}).status_code == 200


def test_mailbox_endpoint_answers(api):
    resp = api.get("/_local/mailbox")
    assert resp.status_code == 200 and isinstance(resp.json(), list)


def test_reference_data_is_seeded(local_runtime):
    table = (
        local_runtime["tables"]["DataReferenceTable4D0FA58D"]
        if "DataReferenceTable4D0FA58D" in local_runtime["tables"]
        else next(v for k, v in local_runtime["tables"].items() if "reference" in k.lower())
    )
    count = aws(local_runtime, "dynamodb").scan(TableName=table, Select="COUNT")["Count"]
    assert count >= 340


def test_ministry_user_logs_in_and_its_token_passes_the_authorizer(local_runtime, api):
    """Through the API, with the TOTP the seed enrolled (decisions 0027, 0029)."""
    login = local_runtime["ministry_login"]
    assert login["password"] == "Clave-Ministerio-E2E-2026" and login["totp_secret"]
    session = journeys.ministry_session(api, login)
    claims = CognitoAuthorizer(local_runtime["moto_url"], local_runtime["region"], [login["user_pool_id"]]).authorize(
        f"Bearer {session['idToken']}"
    )
    assert claims["cognito:groups"] == "ministerio"
    assert claims["cognito:username"] == login["usernames"][0]


def _queue_url(local_runtime, fragment):
    return next(url for lid, url in local_runtime["queues"].items() if fragment(lid))


def test_outbox_message_is_delivered_to_the_mailbox(local_runtime, api):
    outbox = _queue_url(local_runtime, lambda lid: "dead" not in lid.lower() and "dlq" not in lid.lower())
    to = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    message = {
        "kind": "email",
        "id": f"e2e-{uuid.uuid4()}",
        "template": "welcome",
        "to": to,
        "data": {"nombre": "Ana María", "enlace": "http://127.0.0.1:8000/activar?t=abc"},
    }
    aws(local_runtime, "sqs").send_message(QueueUrl=outbox, MessageBody=json.dumps(message))
    deadline = time.time() + journeys.PATIENCE
    mails = []
    while time.time() < deadline and not mails:
        mails = api.get("/_local/mailbox", params={"to": to}).json()
        time.sleep(0.3)
    assert mails, "the delivery function did not send the e-mail"
    assert "Ana María" in mails[0]["text"] and "http://127.0.0.1:8000/activar?t=abc" in mails[0]["text"]
    assert mails[0]["subject"] and "{{" not in mails[0]["subject"]


def test_a_message_that_always_fails_ends_in_the_dlq(local_runtime):
    sqs = aws(local_runtime, "sqs")
    outbox = _queue_url(local_runtime, lambda lid: "dead" not in lid.lower() and "dlq" not in lid.lower())
    dlq = _queue_url(local_runtime, lambda lid: "dead" in lid.lower() or "dlq" in lid.lower())
    body = json.dumps(
        {
            "kind": "email",
            "id": f"bad-{uuid.uuid4()}",
            "template": "no-such-template",
            "to": "x@example.com",
            "data": {},
        }
    )
    sqs.send_message(QueueUrl=outbox, MessageBody=body)
    deadline = time.time() + 30
    while time.time() < deadline:
        msgs = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", [])
        if any(m["Body"] == body for m in msgs):
            return
    pytest.fail("the failing message did not reach the DLQ")
