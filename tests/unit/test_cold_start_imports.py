"""Cold starts (decision 0116): a function imports only what every request needs, and X-Ray costs nothing when
tracing is off while still tracing AWS and partner calls when it is on. Each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHONPATH = os.pathsep.join([str(ROOT / "functions"), str(ROOT / "layers" / "common" / "python")])
FUNCTION_ENV = {
    "STAGE": "test",
    "POWERTOOLS_SERVICE_NAME": "tests",
    "SENDER_EMAIL": "sat@example.org",
    "EMAIL_TEMPLATE_PREFIX": "test-",
    "MAIN_TABLE_NAME": "main",
    "REFERENCE_TABLE_NAME": "reference",
    "AUDIT_TABLE_NAME": "audit",
    "PEOPLE_USER_POOL_ID": "us-east-1_test",
    "PEOPLE_USER_POOL_CLIENT_ID": "test",
    "OUTBOX_QUEUE_URL": "http://127.0.0.1/queue/outbox",
    "PORTAL_BASE_URL": "https://portal.example",
    "AWS_DEFAULT_REGION": "us-east-1",
}
API_FUNCTIONS = ("catalog", "registration", "oauth", "delegation", "share", "exchange", "backoffice", "ccf_authorizer")
# Loaded on first use only: X-Ray (tracing is off here), partner HTTP, key parsing, e-mail syntax.
NOT_AT_IMPORT = ("aws_xray_sdk", "httpx", "httpcore", "cryptography", "email_validator", "boto3")


def run(code: str, tracing: bool, tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, **FUNCTION_ENV, "PYTHONPATH": PYTHONPATH}
    if tracing:  # as in Lambda with active tracing
        env.update(LAMBDA_TASK_ROOT=str(tmp_path), POWERTOOLS_TRACE_DISABLED="false", AWS_XRAY_SDK_ENABLED="true")
    else:
        env.update(POWERTOOLS_TRACE_DISABLED="true")
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("area", API_FUNCTIONS)
def test_api_handler_imports_no_library_a_request_may_not_need(area: str, tmp_path: Path) -> None:
    code = f"import json, sys; import {area}.handler; print(json.dumps(sorted(set(sys.modules))))"
    loaded = {name.split(".")[0] for name in run(code, tracing=False, tmp_path=tmp_path)}  # type: ignore[union-attr]
    assert loaded.isdisjoint(NOT_AT_IMPORT), loaded & set(NOT_AT_IMPORT)


PROBE = """
import json, sys
import botocore.client
from sat_common import aws
from sat_common.observability import tracer
from sat_common.outbound_http import OutboundError, SafeHttpClient

def handler(event, context):
    return "done"

traced = tracer.capture_lambda_handler(capture_response=False)(handler)
before_client = hasattr(botocore.client, "_xray_enabled")
aws.client("dynamodb")
try:
    SafeHttpClient().request("GET", "http://127.0.0.1/")
except OutboundError as error:
    refused = error.reason_code
import httpx
print(json.dumps({
    "wrapped": traced is not handler,
    "botocore_patched_before_first_client": before_client,
    "botocore_patched": hasattr(botocore.client, "_xray_enabled"),
    "httpx_client": httpx.Client.__module__,
    "refused": refused,
    "xray_loaded": "aws_xray_sdk.core" in sys.modules,
}))
"""


def test_with_tracing_on_the_handler_aws_calls_and_partner_calls_are_traced(tmp_path: Path) -> None:
    seen = run(PROBE, tracing=True, tmp_path=tmp_path)
    assert seen["wrapped"] is True  # Powertools' `## handler` subsegment
    assert seen["botocore_patched_before_first_client"] is False
    assert seen["botocore_patched"] is True  # every AWS call gets its subsegment
    assert seen["httpx_client"] == "aws_xray_sdk.ext.httpx.patch"  # and every call to a CCF
    assert seen["refused"] == "UNSAFE_URL"  # the URL check still runs first


def test_with_tracing_off_nothing_is_patched_and_x_ray_is_never_imported(tmp_path: Path) -> None:
    seen = run(PROBE, tracing=False, tmp_path=tmp_path)
    assert seen["wrapped"] is False
    assert seen["botocore_patched"] is False
    assert seen["httpx_client"] == "httpx"
    assert seen["refused"] == "UNSAFE_URL"
    assert seen["xray_loaded"] is False
