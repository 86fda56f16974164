"""A permission error from AWS (the role, a key policy or a disabled key forbids the call) is a 500 that raises
an alarm (error log with the operation, metric AwsPermissionDenied), not a 503 telling clients to retry: no
retry can fix it. Throttling and AWS 5xx stay 503 with Retry-After (docs/security.md, "Hardening")."""

from __future__ import annotations

import json

import pytest

from sat_common import aws as sat_aws
from tests.integration.fault_support import http_fault, kinds, no_backoff_sleep
from tests.integration.test_registration_flow import (
    aws_resources,  # noqa: F401 (fixture "aws")
    basic_data,
    call,
    free_person,
)


def _json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def _permission_metric(lines: list[dict]) -> float:
    """The AwsPermissionDenied count in the Embedded Metric Format blobs the handler printed."""
    total = 0.0
    for blob in lines:
        if "_aws" in blob and "AwsPermissionDenied" in blob:
            value = blob["AwsPermissionDenied"]
            total += sum(value) if isinstance(value, list) else float(value)
    return total


@pytest.mark.parametrize(
    ("operation", "code"),
    [("TransactWriteItems", "AccessDeniedException"), ("TransactWriteItems", "KMSAccessDeniedException")],
)
def test_permission_error_is_500_with_an_error_log_and_the_metric(aws, capsys, caplog, operation, code):
    someone = free_person(50)
    before = kinds("main")
    with no_backoff_sleep(), http_fault(sat_aws.client("dynamodb"), operation, code, times=None) as fault:
        answer = call("POST", "/registrations", basic_data(someone))
    assert answer.status == 500, answer
    assert answer.json["code"] == "INTERNAL_ERROR" and "retry-after" not in answer.headers
    assert answer.headers["content-type"] == "application/problem+json"
    assert fault.attempts == 1  # not retried by the SDK either: the answer comes at once
    errors = [record for record in caplog.records if record.getMessage() == "aws permission denied"]
    assert errors and errors[0].levelname == "ERROR"
    assert (errors[0].awsOperation, errors[0].awsErrorCode) == (operation, code)  # type: ignore[attr-defined]
    assert _permission_metric(_json_lines(capsys.readouterr().out)) == 1
    assert kinds("main") == before or set(kinds("main")) - set(before) <= {"PERSON/QUESTION_SEED"}


def test_throttling_is_still_503_with_retry_after_and_no_permission_metric(aws, capsys):
    someone = free_person(51)
    throttle = "ProvisionedThroughputExceededException"
    with no_backoff_sleep(), http_fault(sat_aws.client("dynamodb"), "TransactWriteItems", throttle, times=None):
        answer = call("POST", "/registrations", basic_data(someone))
    assert answer.status == 503 and answer.json["code"] == "SERVICE_UNAVAILABLE"
    assert int(answer.headers["retry-after"]) > 0
    assert _permission_metric(_json_lines(capsys.readouterr().out)) == 0
