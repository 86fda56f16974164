"""Fault injection helpers and stored-state evidence for the fault and concurrency tests.

Two ways of injecting an AWS fault, chosen per case:

- `http_fault`: answers the request with the service's own error response *before it reaches moto*, on the
  botocore `before-send` event of one client. The client's retry handler (standard mode, 3 attempts, the
  configuration of `sat_common.aws`) sees a real throttling/5xx response and retries it exactly as it
  would against AWS, so a transient fault can be absorbed and a persistent one comes out as ClientError.
- `failing`: replaces one client method with one that raises ClientError at once (no botocore retry):
  the fault as the code sees it after the SDK has given up.

moto's in-process backends get the per-request atomicity of AWS for every integration test from
tests/integration/conftest.py (local.moto_server.serialize_in_process).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

_JSON_SERVICES = {"dynamodb": "application/x-amz-json-1.0", "kms": "application/x-amz-json-1.1"}


@dataclass
class Fault:
    """Counts the attempts that reached the hook (failed or let through)."""

    operation: str
    code: str
    times: int | None  # None: every attempt fails (persistent)
    attempts: int = 0
    injected: int = 0
    delays: list[float] = field(default_factory=list)


@contextmanager
def http_fault(client: Any, operation: str, code: str, times: int | None = 1, status: int = 400) -> Iterator[Fault]:
    """The first `times` attempts of `operation` on `client` get the service's error `code` (all when None)."""
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

    fault = Fault(operation, code, times)
    answered: set[int] = set()  # requests this hook answered: moto must not also execute them
    service = client.meta.service_model.endpoint_prefix
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"

    def respond(request: Any, **_: Any) -> Any:
        fault.attempts += 1
        if fault.times is not None and fault.injected >= fault.times:
            return None  # let it through to moto
        fault.injected += 1
        answered.add(id(request))
        body = json.dumps({"__type": f"com.amazonaws.{service}#{code}", "message": "injected fault"}).encode()
        headers = {"Content-Type": _JSON_SERVICES.get(service, "application/json"), "x-amzn-RequestId": "fault"}
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    # botocore emits before-send to *every* handler (`emit`, not `emit_until_response`) and takes the first
    # response, so moto's stubber would still apply the write it was never meant to see: skip those.
    original_call = BotocoreStubber.__call__

    def stubber_call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if id(request) in answered:
            answered.discard(id(request))
            return None
        return original_call(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = stubber_call  # type: ignore[method-assign]
    client.meta.events.register_first(event, respond, unique_id=f"fault-{event}")
    try:
        yield fault
    finally:
        client.meta.events.unregister(event, unique_id=f"fault-{event}")
        BotocoreStubber.__call__ = original_call  # type: ignore[method-assign]


@contextmanager
def no_backoff_sleep(fault: Fault | None = None) -> Iterator[list[float]]:
    """botocore's standard retry waits up to 1 s, 2 s... between attempts: record the delays, do not wait."""
    from botocore.retries import standard

    delays: list[float] = fault.delays if fault else []
    original = standard.ExponentialBackoff.delay_amount

    def delay_amount(self: Any, context: Any) -> float:
        delays.append(original(self, context))
        return 0.0

    standard.ExponentialBackoff.delay_amount = delay_amount  # type: ignore[method-assign]
    try:
        yield delays
    finally:
        standard.ExponentialBackoff.delay_amount = original  # type: ignore[method-assign]


def failing(operation: str, code: str, *, after: Any = None) -> Any:
    """A client method that raises ClientError(code); `after`, when given, runs first (the side effect)."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        if after is not None:
            after(*args, **kwargs)
        raise ClientError({"Error": {"Code": code, "Message": "injected fault"}}, operation)

    return fail


# --------------------------------------------------------------------------- evidence: counts
def items(table: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    resource = boto3.resource("dynamodb").Table(table)
    while True:
        page = resource.scan(**kwargs)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def kinds(table: str) -> Counter[str]:
    """Items per kind: the PK prefix and the SK up to its first '#' (audit: per action)."""
    counted: Counter[str] = Counter()
    for item in items(table):
        if "action" in item:
            counted[f"audit:{item['action']}"] += 1
        else:
            counted[f"{str(item['PK']).split('#')[0]}/{str(item['SK']).split('#')[0]}"] += 1
    return counted


def queue_depth(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
