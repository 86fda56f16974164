"""Lazily created boto3 clients and resources.

boto3 is imported on first use, not at import time: cold starts stay cheap and routes that need no
AWS call never pay for it. boto3 honours AWS_ENDPOINT_URL, which is how the local runtime points
every client at moto without any branch in handler code.

The X-Ray patch of botocore happens here, with the first client (decision 0116), not at import time.
"""

from functools import cache
from typing import Any

from sat_common.observability import trace_library


@cache
def _config() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    trace_library("botocore")
    config = _config()
    if service == "s3":  # botocore signs presigned POSTs with SigV2 in us-east-1 / sa-east-1; new buckets refuse it
        config = config.merge(Config(signature_version="s3v4"))
    return boto3.client(service, config=config)  # type: ignore[call-overload]


@cache
def table(name: str) -> Any:
    import boto3

    trace_library("botocore")
    return boto3.resource("dynamodb", config=_config()).Table(name)
