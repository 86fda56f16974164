"""local.instrumentation: the benchmark's per-invocation AWS call counter (no timing assertions)."""

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from local import instrumentation


def test_off_without_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(instrumentation.ENV, raising=False)

    def handler(event: object, context: object) -> str:
        return "ok"

    assert instrumentation.install_if_requested() is None
    assert instrumentation.instrument(handler, None) is handler


def test_counts_botocore_calls_per_invocation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "calls.jsonl"
    monkeypatch.setenv(instrumentation.ENV, str(out))
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "fn")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    from botocore.session import Session

    original = Session.create_client
    try:
        counter = instrumentation.install_if_requested()
        assert counter is not None
        with mock_aws():
            client = boto3.client("dynamodb")
            client.create_table(
                TableName="t",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )

            def handler(event: object, context: object) -> None:
                client.get_item(TableName="t", Key={"pk": {"S": "a"}})
                client.get_item(TableName="t", Key={"pk": {"S": "b"}})
                client.scan(TableName="t")

            counted = instrumentation.instrument(handler, counter)
            counted({"httpMethod": "GET", "resource": "/things/{id}", "path": "/things/1"}, None)
            counted({"Records": [{"eventSource": "aws:sqs"}, {"eventSource": "aws:sqs"}]}, None)
    finally:
        Session.create_client = original  # type: ignore[method-assign]

    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert first["function"] == "fn"
    assert (first["method"], first["resource"]) == ("GET", "/things/{id}")
    assert first["calls"] == {"dynamodb.GetItem": 2, "dynamodb.Scan": 1}  # create_table was before the invocation
    assert second["source"] == "aws:sqs" and second["records"] == 2
    assert second["calls"] == {"dynamodb.GetItem": 2, "dynamodb.Scan": 1}
    assert first["event"]["path"] == "/things/1" and second["event"]["Records"]
