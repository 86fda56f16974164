"""Lambda emulation (worker processes) and the SQS event source mapping with redrive to the DLQ,
with a tiny fake function instead of the project's functions."""

import json
import textwrap
import threading
import time
from pathlib import Path

import boto3
import pytest

from local.esm import Poller, mappings_from_template
from local.lambdas import InvocationError, Lambdas
from local.provision import Provisioner
from local.template import Template
from local.testing import moto_server

HANDLER = """
import json, os, sys, time

def handler(event, context):
    if "Records" in event:
        failures = []
        for record in event["Records"]:
            if record["body"] == "crash":
                raise RuntimeError("whole batch fails")
            if record["body"].startswith("fail"):
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}
    action = event.get("action")
    if action == "env":
        repo_importable = []
        for name in ("local", "infra"):  # the repository must not be importable from a function
            try:
                __import__(name)
                repo_importable.append(name)
            except ImportError:
                pass
        import mylib
        return {"env": dict(os.environ), "path": sys.path, "repo_importable": repo_importable,
                "mylib": mylib.VALUE, "remaining": context.get_remaining_time_in_millis(),
                "request_id": context.aws_request_id, "name": context.function_name}
    if action == "raise":
        raise ValueError("boom")
    if action == "exit":
        os._exit(3)
    if action == "sleep":
        began = time.time()
        time.sleep(event["seconds"])
        return {"slept": event["seconds"], "pid": os.getpid(), "began": began, "ended": time.time()}
    print("a log line that must not break the protocol")
    return {"echo": event}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("cdkout")
    (root / "asset.fn").mkdir()
    (root / "asset.fn" / "app.py").write_text(textwrap.dedent(HANDLER))
    (root / "asset.common" / "python" / "mylib").mkdir(parents=True)
    (root / "asset.common" / "python" / "mylib" / "__init__.py").write_text("VALUE = 'common layer'\n")
    (root / "asset.deps" / "python" / "somepkg-1.0.dist-info").mkdir(parents=True)
    doc = {
        "Resources": {
            "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "t-dlq"}},
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": "t-queue",
                    "VisibilityTimeout": 30,
                    "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 2},
                },
            },
            "Common": {"Type": "AWS::Lambda::LayerVersion", "Metadata": {"aws:asset:path": "asset.common"}},
            "Deps": {"Type": "AWS::Lambda::LayerVersion", "Metadata": {"aws:asset:path": "asset.deps"}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Metadata": {"aws:asset:path": "asset.fn"},
                "Properties": {
                    "FunctionName": "t-fn",
                    "Handler": "app.handler",
                    "Timeout": 2,
                    "MemorySize": 256,
                    "Layers": [{"Ref": "Common"}, {"Ref": "Deps"}],
                    "Environment": {"Variables": {"QUEUE_URL": {"Ref": "Queue"}, "STAGE": "test"}},
                },
            },
            "Esm": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                    "FunctionName": {"Ref": "Fn"},
                    "BatchSize": 10,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                },
            },
        }
    }
    with moto_server() as endpoint:
        template = Template(doc=doc, stack_name="T", cdk_out=root)
        Provisioner(template, endpoint).run()
        lambdas = Lambdas(template, root / "work", endpoint, pool_size=2)
        assert lambdas.start(timeout=15) == {}
        try:
            yield template, lambdas, endpoint, root
        finally:
            lambdas.stop()


def test_function_environment_and_sys_path(stack, monkeypatch):
    template, lambdas, endpoint, root = stack
    spec = lambdas.specs["Fn"]
    assert spec.skipped_layers == ["Deps"]  # pip-built layer (has *.dist-info): packages come from the venv
    out = lambdas.invoke("Fn", {"action": "env"})
    env = out["env"]
    assert env["QUEUE_URL"] == template.ref("Queue") and env["STAGE"] == "test"
    assert env["AWS_ENDPOINT_URL"] == endpoint and env["AWS_ACCESS_KEY_ID"] == "test"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "t-fn" and env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert "HOME" not in env and "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env
    assert out["path"][0] == str(root / "asset.fn")
    assert out["path"][1] == str(root / "asset.common" / "python")
    assert not any("asset.deps" in p for p in out["path"])
    assert out["repo_importable"] == [] and out["mylib"] == "common layer"
    assert 0 < out["remaining"] <= 2000 and out["request_id"] and out["name"] == "t-fn"
    assert lambdas.invoke("Fn", {"x": 1}) == {"echo": {"x": 1}}  # prints do not break the protocol


def test_errors_crashes_and_timeouts(stack):
    _, lambdas, _, _ = stack
    with pytest.raises(InvocationError) as err:
        lambdas.invoke("Fn", {"action": "raise"})
    assert err.value.payload["errorType"] == "ValueError" and err.value.payload["errorMessage"] == "boom"
    with pytest.raises(InvocationError) as err:
        lambdas.invoke("Fn", {"action": "exit"})
    assert err.value.payload["errorType"] == "Runtime.ExitError"
    with pytest.raises(InvocationError) as err:
        lambdas.invoke("Fn", {"action": "sleep", "seconds": 5})
    assert err.value.timed_out
    for _ in range(4):  # the dead / timed-out environments are replaced
        assert lambdas.invoke("Fn", {"action": "sleep", "seconds": 0})["slept"] == 0


def test_pool_runs_concurrent_invocations_in_parallel(stack):
    _, lambdas, _, _ = stack
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(lambdas.invoke("Fn", {"action": "sleep", "seconds": 1})))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["pid"] for r in results}) == 2
    first, second = sorted(results, key=lambda r: r["began"])
    assert second["began"] < first["ended"]  # the two invocations ran at the same time


def test_sqs_mapping_partial_failures_and_redrive_to_dlq(stack):
    template, lambdas, endpoint, _ = stack
    (mapping,) = mappings_from_template(template)
    assert mapping.report_failures and mapping.batch_size == 10 and mapping.function == "Fn"
    sqs = boto3.client(
        "sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    queue, dlq = template.ref("Queue"), template.ref("Dlq")
    sqs.send_message(QueueUrl=queue, MessageBody="ok-1")
    sqs.send_message(QueueUrl=queue, MessageBody="fail-1")
    poller = Poller(mapping, lambdas.invoke, endpoint, "us-east-1", backoff=0, wait_seconds=1)
    poller.start()
    try:
        deadline = time.time() + 20
        in_dlq: list = []
        while time.time() < deadline and not in_dlq:
            in_dlq = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
        assert [m["Body"] for m in in_dlq] == ["fail-1"]
        attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
        # A function error fails the whole batch: it is redriven too.
        sqs.send_message(QueueUrl=queue, MessageBody="crash")
        deadline = time.time() + 20
        in_dlq = []
        while time.time() < deadline and not in_dlq:
            in_dlq = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
        assert [m["Body"] for m in in_dlq] == ["crash"]
    finally:
        poller.stop()


def test_sqs_event_shape():
    from local.esm import sqs_event

    event = sqs_event(
        [
            {
                "MessageId": "m1",
                "ReceiptHandle": "r",
                "Body": "b",
                "Attributes": {"ApproximateReceiveCount": "1"},
                "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}},
            }
        ],
        "arn:aws:sqs:us-east-1:123456789012:q",
        "us-east-1",
    )
    record = event["Records"][0]
    assert record["eventSource"] == "aws:sqs" and record["messageAttributes"]["k"]["stringValue"] == "v"
    assert record["md5OfBody"] and json.dumps(event)
    assert Path(record["eventSourceARN"].split(":")[-1]).name == "q"
